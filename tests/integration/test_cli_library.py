"""The library CLI end to end: add, index, similar, status, retry, remove, on real photos."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.cli import REPO, ok, photofind, status


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory, photo_paths: dict[str, Path]) -> Path:
    """A folder of the six real photos, a sub-folder, an exact copy and one bad file."""
    folder = tmp_path_factory.mktemp("album")
    (folder / "trips").mkdir()
    for name, path in photo_paths.items():
        target = folder / ("trips" if name in ("rocket", "hubble_deep_field") else ".") / path.name
        target.write_bytes(path.read_bytes())
    (folder / "chelsea copy.jpg").write_bytes(photo_paths["chelsea"].read_bytes())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    return folder


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, album: Path) -> Path:
    lib = tmp_path_factory.mktemp("library")
    ok(photofind(lib, "add", str(album)))
    summary = json.loads(ok(photofind(lib, "index", "--json")))
    assert summary["indexed"] == 7
    assert summary["failed"] == 1
    return lib


def test_index_summary_and_status_counts(library: Path, album: Path) -> None:
    state = status(library)
    assert (
        state["photos"],
        state["indexed"],
        state["pending"],
        state["failed"],
        state["offline"],
    ) == (
        8,
        7,
        0,
        1,
        0,
    )
    assert state["folders"][0]["path"] == str(album)
    assert state["model"].startswith("efficientnet-lite0")
    assert state["index_size"] == 6  # the exact copy shares its original's vector
    assert state["failed_files"] == [
        {"path": str(album / "broken.jpg"), "reason": "truncated or incomplete image file"}
    ]


def test_a_second_index_run_has_nothing_to_do(library: Path) -> None:
    summary = json.loads(ok(photofind(library, "index", "--json")))
    assert (summary["indexed"], summary["failed"], summary["skipped"]) == (0, 0, 8)
    assert isinstance(summary["seconds"], float | int)


def test_folders_lists_the_watched_folder(library: Path, album: Path) -> None:
    assert json.loads(ok(photofind(library, "folders", "--json"))) == [
        {"path": str(album), "online": True}
    ]


def _edited_copies(original: Path, folder: Path) -> dict[str, Path]:
    image = Image.open(original).convert("RGB")
    w, h = image.size
    copies: dict[str, tuple[Image.Image, dict[str, Any]]] = {
        "resized": (image.resize((w // 3, h // 3)), {"quality": 90}),
        "re-encoded": (image, {"quality": 25}),
        "cropped": (image.crop((w // 8, h // 8, w - w // 8, h - h // 8)), {"quality": 90}),
    }
    paths = {}
    for kind, (edited, params) in copies.items():
        paths[kind] = folder / f"{original.stem}-{kind}.jpg"
        edited.save(paths[kind], **params)
    return paths


def test_edited_copies_find_their_original_first(
    library: Path, album: Path, photo_paths: dict[str, Path], tmp_path: Path
) -> None:
    queries = {}
    for name in ("astronaut", "coffee", "motorcycle_left"):
        for path in _edited_copies(photo_paths[name], tmp_path).values():
            queries[path] = album / photo_paths[name].name
    out = ok(photofind(library, "similar", *map(str, queries), "-k", "3", "--json"))
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == [str(q) for q in queries]  # order kept
    for line in lines:
        best = line["results"][0]
        assert best["path"] == str(queries[Path(line["query"])]), line
        assert best["score"] > 0.8
        scores = [r["score"] for r in line["results"]]
        assert scores == sorted(scores, reverse=True)


def test_a_library_photo_as_query_excludes_itself_and_flags_its_exact_copy(
    library: Path, album: Path
) -> None:
    query = album / "chelsea.jpg"
    out = ok(photofind(library, "similar", str(query), "-k", "5", "--json"))
    (line,) = (json.loads(row) for row in out.splitlines())
    paths = [r["path"] for r in line["results"]]
    assert str(query) not in paths
    assert line["results"][0] == {
        "path": str(album / "chelsea copy.jpg"),
        "score": 1.0,
        "exact_duplicate": True,
    }
    assert not any(r.get("exact_duplicate") for r in line["results"][1:])
    assert len(paths) == 5


def test_many_queries_in_one_call(library: Path, album: Path) -> None:
    queries = [str(album / "coffee.jpg")] * 200
    out = ok(photofind(library, "similar", *queries, "-k", "2", "--json"))
    lines = out.splitlines()
    assert len(lines) == 200
    assert len(set(lines)) == 1  # the same query gets the same answer every time


def test_an_unreadable_query_is_reported_and_the_others_answered(
    library: Path, album: Path
) -> None:
    result = photofind(
        library, "similar", str(album / "missing.jpg"), str(album / "coffee.jpg"), "--json"
    )
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["error"] == "file no longer exists"
    assert second["results"]
    assert "1 query images could not be read" in result.stderr


def test_retry_puts_failed_files_back_in_the_queue(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    late = folder / "late.jpg"
    late.write_bytes(b"")  # a zero-byte file: a copy that had not started yet
    lib = tmp_path / "lib"
    ok(photofind(lib, "add", str(folder)))
    ok(photofind(lib, "index"))
    assert status(lib)["failed_files"] == [{"path": str(late), "reason": "empty file (0 bytes)"}]
    late.write_bytes(photo_paths["coffee"].read_bytes())
    os.utime(late, ns=(1, 1))  # even with an unchanged-looking mtime, retry re-reads it
    ok(photofind(lib, "retry"))
    ok(photofind(lib, "index"))
    assert (status(lib)["indexed"], status(lib)["failed"]) == (1, 0)


def test_remove_forgets_the_folder_but_not_the_files(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "coffee.jpg").write_bytes(photo_paths["coffee"].read_bytes())
    lib = tmp_path / "lib"
    ok(photofind(lib, "add", str(folder)))
    ok(photofind(lib, "index"))
    ok(photofind(lib, "remove", str(folder)))
    state = status(lib)
    assert (state["photos"], state["index_size"], state["folders"]) == (0, 0, [])
    assert (folder / "coffee.jpg").exists()


def test_the_library_can_come_from_the_environment(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    env = dict(os.environ, PHOTOFIND_LIBRARY=str(tmp_path / "envlib"))
    command = [sys.executable, "-m", "photofind", "add", str(photo_paths["coffee"].parent)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "envlib" / "catalog.sqlite").exists()


def test_errors_are_one_line_and_exit_non_zero(tmp_path: Path) -> None:
    result = photofind(tmp_path / "lib", "add", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"photofind: error: not a folder: {tmp_path / 'nowhere'}"
    result = photofind(tmp_path / "lib", "remove", str(tmp_path))
    assert result.returncode == 1
    assert "not a watched folder" in result.stderr


def test_a_catalogue_from_a_newer_photofind_is_refused(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    ok(photofind(lib, "folders"))
    with sqlite3.connect(lib / "catalog.sqlite") as conn:
        conn.execute("PRAGMA user_version = 999")
    result = photofind(lib, "status")
    assert result.returncode == 1
    assert "newer PhotoFind" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_deleted_index_file_is_rebuilt_from_the_catalogue(
    tmp_path: Path, photo_paths: dict[str, Path]
) -> None:
    lib = tmp_path / "lib"
    ok(photofind(lib, "add", str(photo_paths["coffee"].parent)))
    ok(photofind(lib, "index"))
    (lib / "vectors.usearch").unlink()
    out = ok(photofind(lib, "similar", str(photo_paths["coffee"]), "-k", "2", "--json"))
    assert len(json.loads(out)["results"]) == 2
    (lib / "vectors.usearch").write_bytes(b"garbage")  # a corrupt index is rebuilt too
    out = ok(photofind(lib, "similar", str(photo_paths["coffee"]), "-k", "2", "--json"))
    assert len(json.loads(out)["results"]) == 2
