"""The search command end to end: real photos indexed by the real model, then found by words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli import ok, photofind

pytestmark = pytest.mark.slow


def search(library: Path, *words: str) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = json.loads(ok(photofind(library, "search", *words, "--json")))
    return hits


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, photo_paths: dict[str, Path]) -> Path:
    """The real test photos plus an exact copy of chelsea, indexed."""
    album = tmp_path_factory.mktemp("album")
    for path in photo_paths.values():
        (album / path.name).write_bytes(path.read_bytes())
    (album / "chelsea copy.jpg").write_bytes(photo_paths["chelsea"].read_bytes())
    lib = tmp_path_factory.mktemp("library")
    ok(photofind(lib, "add", str(album)))
    assert json.loads(ok(photofind(lib, "index", "--json")))["indexed"] == len(photo_paths) + 1
    return lib


def names(hits: list[dict[str, Any]]) -> list[str]:
    return [Path(hit["path"]).name for hit in hits]


def test_cat_finds_chelsea_and_its_copy_first(library: Path) -> None:
    hits = search(library, "cat")
    assert set(names(hits)[:2]) == {"chelsea.jpg", "chelsea copy.jpg"}
    assert hits[0]["score"] > 0.3
    assert all(set(hit) == {"path", "score", "labels"} for hit in hits)
    assert any("cat" in label["name"].lower() for label in hits[0]["labels"])
    assert set(hits[0]["labels"][0]) == {"name", "wnid", "score"}


def test_plural_and_k(library: Path) -> None:
    assert names(search(library, "cats", "-k", "1")) in (["chelsea.jpg"], ["chelsea copy.jpg"])


@pytest.mark.parametrize("word", ["coffee", "espresso"])
def test_coffee_finds_the_espresso(library: Path, word: str) -> None:
    assert names(search(library, word))[0] == "coffee.jpg"


@pytest.mark.parametrize("words", [("vehicle",), ("motorcycle",), ("motor", "scooter")])
def test_vehicles_find_the_motorcycle(library: Path, words: tuple[str, ...]) -> None:
    assert names(search(library, *words))[0] == "motorcycle_left.jpg"


def test_text_output_lists_score_path_and_labels(library: Path) -> None:
    lines = ok(photofind(library, "search", "cat")).splitlines()
    assert "chelsea" in lines[0]
    assert "%" in lines[0]


def test_an_unknown_word_says_so(library: Path) -> None:
    result = photofind(library, "search", "xyzzy")
    assert result.returncode == 0
    assert "No photo label matches 'xyzzy'" in result.stdout
    assert search(library, "xyzzy") == []


def test_a_known_word_with_no_photo_says_so(library: Path) -> None:
    result = photofind(library, "search", "golden", "retriever")
    assert result.returncode == 0
    assert "No indexed photo shows 'golden retriever'" in result.stdout


def test_a_bad_k_is_a_one_line_error(library: Path) -> None:
    result = photofind(library, "search", "cat", "-k", "0")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "-k" in result.stderr
