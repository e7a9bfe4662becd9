"""photofind duplicates and clusters end to end: real photos, the real model, through the CLI."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageEnhance

from tests.cli import ok, photofind
from tests.photos import load_skimage_photo

CHAIN_STEPS = 16

pytestmark = pytest.mark.slow


def save(image: Image.Image, path: Path, taken: str | None = None, quality: int = 92) -> None:
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[0x9003] = taken  # DateTimeOriginal
    image.save(path, quality=quality, exif=exif.tobytes())


def add_edits(folder: Path) -> None:
    """A photo, its exact copy, resized copy and re-encode (all keep its EXIF), an unrelated one."""
    original = load_skimage_photo("astronaut")
    w, h = original.size
    save(original, folder / "astronaut.jpg", "2024:05:01 09:00:00")
    (folder / "astronaut copy.jpg").write_bytes((folder / "astronaut.jpg").read_bytes())
    save(original.resize((w // 2, h // 2)), folder / "astronaut-half.jpg", "2024:05:01 09:00:00")
    save(original, folder / "astronaut-q25.jpg", "2024:05:01 09:00:00", quality=25)
    save(load_skimage_photo("coffee"), folder / "coffee.jpg")


def add_burst(folder: Path) -> None:
    """Four frames of a pan across one scene, seconds apart (alike, but different shots)."""
    scene = load_skimage_photo("motorcycle_left")
    w, h = scene.size
    for frame, second in enumerate((0, 1, 3, 4)):
        left = int(w * 0.04 * frame)
        shot = scene.crop((left, 0, left + int(w * 0.85), h))
        shot = ImageEnhance.Brightness(shot).enhance(1 + 0.03 * frame)
        save(shot, folder / f"burst{frame}.jpg", f"2024:05:01 10:00:{second:02d}")


def add_chain(folder: Path) -> None:
    """A photo progressively shifted, cropped and faded: each step like the next, the ends not."""
    image = load_skimage_photo("chelsea")
    w, h = image.size
    for step in range(CHAIN_STEPS):
        f = step / (CHAIN_STEPS - 1)
        left, top = int(w * 0.5 * f), int(h * 0.3 * f)
        shot = image.crop((left, top, left + w // 2, top + int(h * 0.7)))
        shot = ImageEnhance.Color(shot).enhance(1 - 0.9 * f)
        save(ImageEnhance.Brightness(shot).enhance(1 - 0.5 * f), folder / f"chain{step:02d}.jpg")


@pytest.fixture(scope="module")
def album(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("album")
    add_edits(folder)
    add_burst(folder)
    add_chain(folder)
    return folder


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, album: Path) -> Path:
    lib = tmp_path_factory.mktemp("library")
    ok(photofind(lib, "add", str(album)))
    summary = json.loads(ok(photofind(lib, "index", "--json")))
    assert summary["failed"] == 0
    return lib


def duplicates(library: Path, *args: str) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = json.loads(ok(photofind(library, "duplicates", "--json", *args)))
    return groups


def names(group: dict[str, Any]) -> list[str]:
    return [Path(p).name for p in group["paths"]]


def test_tiers_of_copies_edits_bursts_and_an_unrelated_photo(library: Path, album: Path) -> None:
    groups = duplicates(library)
    assert all(
        Path(p).is_absolute() and Path(p).parent == album for g in groups for p in g["paths"]
    )
    by_tier = {
        tier: [names(g) for g in groups if g["tier"] == tier]
        for tier in ("exact", "near", "moment")
    }
    assert by_tier["exact"] == [["astronaut.jpg", "astronaut copy.jpg"]]
    astronaut = [g for g in by_tier["near"] if "astronaut.jpg" in g]
    # keeper first: full size, then the original JPEG over its q25 re-encode, then the half size
    assert astronaut == [["astronaut.jpg", "astronaut-q25.jpg", "astronaut-half.jpg"]]
    assert sorted(map(sorted, by_tier["moment"])) == [
        ["burst0.jpg", "burst1.jpg", "burst2.jpg", "burst3.jpg"]
    ]
    assert not any(n.startswith("burst") for g in by_tier["near"] for n in g)
    assert not any("coffee.jpg" in names(g) for g in groups)


def test_a_chain_of_gradual_changes_does_not_become_one_group(library: Path) -> None:
    chain_groups = [
        names(g) for g in duplicates(library) if any(n.startswith("chain") for n in names(g))
    ]
    assert chain_groups, "consecutive steps are near-duplicates"
    for group in chain_groups:
        assert all(n.startswith("chain") for n in group)
        steps = sorted(int(n[5:7]) for n in group)
        assert steps[-1] - steps[0] < CHAIN_STEPS // 2, group
    assert all(g["tier"] == "near" for g in duplicates(library) if names(g)[0].startswith("chain"))


def test_a_new_threshold_regroups_from_the_stored_vectors(library: Path) -> None:
    assert (library / "neighbours.npz").exists()
    started = time.monotonic()
    strict = duplicates(library, "--threshold", "0.99")
    assert time.monotonic() - started < 30
    assert not [g for g in strict if g["tier"] == "near"]
    # above the edits' scores, the astronaut's versions are still alike and of one second
    assert sorted(sorted(names(g)) for g in strict if g["tier"] == "moment") == [
        ["astronaut-half.jpg", "astronaut-q25.jpg", "astronaut.jpg"],
        ["burst0.jpg", "burst1.jpg", "burst2.jpg", "burst3.jpg"],
    ]
    loose = duplicates(library, "--threshold", "0.7")
    assert len([g for g in loose if g["tier"] == "near"]) >= 1


def test_the_readable_listing_marks_the_keeper(library: Path, album: Path) -> None:
    out = ok(photofind(library, "duplicates"))
    assert f"exact copies (2 photos):\n  keep  {album / 'astronaut.jpg'}" in out
    assert "same moment (4 photos):" in out


def test_a_bad_threshold_is_a_one_line_error(library: Path) -> None:
    result = photofind(library, "duplicates", "--threshold", "1.5")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "threshold" in result.stderr


def test_clusters_cover_every_photo_once(library: Path, album: Path) -> None:
    clusters = json.loads(ok(photofind(library, "clusters", "--json")))
    assert [c["id"] for c in clusters] == list(range(len(clusters)))
    assert 2 <= len(clusters) <= 3  # round(sqrt(24 contents / 2)) = 3; k-means may leave one empty
    paths = [p for c in clusters for p in c["paths"]]
    assert sorted(paths) == sorted(str(p) for p in album.iterdir())
    for cluster in clusters:
        assert cluster["size"] == len(cluster["paths"])
        assert cluster["representative"] in cluster["paths"]
    burst = {str(album / f"burst{i}.jpg") for i in range(4)}
    assert any(burst <= set(c["paths"]) for c in clusters)


def test_an_empty_library_has_no_groups(tmp_path: Path) -> None:
    assert duplicates(tmp_path) == []
    assert json.loads(ok(photofind(tmp_path, "clusters", "--json"))) == []
