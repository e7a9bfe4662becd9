"""The library facade in-process: cancellation, and recomputing vectors after a model change."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from PIL import Image

from photofind.indexing.library import Library
from photofind.indexing.pipeline import Progress
from photofind.vectors.embedder import OnnxEmbedder
from photofind.vectors.model import load_card


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder()


@pytest.fixture
def folder(tmp_path: Path, photo_paths: dict[str, Path]) -> Path:
    """42 distinct photos: each of the six test photos at seven sizes and JPEG qualities."""
    root = tmp_path / "photos"
    root.mkdir()
    for name, path in photo_paths.items():
        image = Image.open(path).convert("RGB")
        for i in range(7):
            scale = 1 - i * 0.08
            copy = image.resize((int(image.width * scale), int(image.height * scale)))
            copy.save(root / f"{name}_{i}.jpg", quality=95 - i * 5)
    return root


def _stop_after_first_batch(stop: threading.Event) -> object:
    def on_progress(_: Progress) -> None:
        stop.set()

    return on_progress


def test_indexing_stops_between_batches_and_resumes(
    tmp_path: Path, folder: Path, embedder: OnnxEmbedder
) -> None:
    with Library(tmp_path / "lib", embedder) as library:
        library.add_folder(folder)
        library.scan()
        total = library.catalog.counts().pending
        stop = threading.Event()
        progress = library.index_pending(stop, _stop_after_first_batch(stop))  # type: ignore[arg-type]
        assert progress.done == 16
        assert library.catalog.counts().pending == total - 16
        resumed = library.index_pending()
        assert resumed.done == total - 16
        assert library.catalog.counts().indexed == total


def test_a_new_model_recomputes_old_vectors_while_search_keeps_working(
    tmp_path: Path, folder: Path, embedder: OnnxEmbedder
) -> None:
    lib = tmp_path / "lib"
    with Library(lib, embedder) as library:
        library.add_folder(folder)
        library.scan()
        library.index_pending()
        old_model = library.model_id
        total = library.catalog.counts().indexed

    upgraded = OnnxEmbedder(dataclasses.replace(load_card(), name="efficientnet-lite0-next"))
    with Library(lib, upgraded) as library:
        assert library.model_id != old_model
        assert library.catalog.stale_model_count(library.model_id) > 0
        stop = threading.Event()
        library.index_pending(stop, _stop_after_first_batch(stop))  # type: ignore[arg-type]
        halfway = len(library.catalog.vector_ids(library.model_id))
        assert 0 < halfway < total
        (answer,) = library.similar([folder / "coffee_0.jpg"], k=3)
        assert answer.error is None
        assert answer.matches  # searching the vectors recomputed so far

        library.index_pending()
        assert library.catalog.stale_model_count(library.model_id) == 0
        assert len(library.catalog.vector_ids(library.model_id)) == len(library.index)
        (answer,) = library.similar([folder / "coffee_0.jpg"], k=3)
        assert [m.path.name[:7] for m in answer.matches] == ["coffee_"] * 3


def test_a_photo_moved_while_not_watching_keeps_its_vector_and_stays_searchable(
    tmp_path: Path, folder: Path, embedder: OnnxEmbedder
) -> None:
    lib = tmp_path / "lib"
    with Library(lib, embedder) as library:
        library.add_folder(folder)
        library.scan()
        library.index_pending()
        before = library.catalog.photo_by_path(folder / "rocket_0.jpg")
        assert before is not None

    (folder / "moved").mkdir()
    (folder / "rocket_0.jpg").rename(folder / "moved" / "rocket_0.jpg")

    with Library(lib, embedder) as library:  # a fresh process: the index is reopened from disk
        library.scan()
        progress = library.index_pending()
        assert (progress.done, progress.reused) == (1, 1)  # linked by fingerprint, no inference
        after = library.catalog.photo_by_path(folder / "moved" / "rocket_0.jpg")
        assert after is not None
        assert after.content_id == before.content_id
        (answer,) = library.similar([folder / "rocket_1.jpg"], k=1)
        assert answer.matches[0].path == folder / "moved" / "rocket_0.jpg"
        assert len(library.index) == len(library.catalog.vector_ids(library.model_id))
