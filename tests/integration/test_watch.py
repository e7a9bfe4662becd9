"""Live folder watching with real file system events, through the real indexer service and model.

Each test starts an :class:`IndexerService` on a fresh library, changes files on disk the way a
user, a file manager or a slow copy would, and waits (polling a read-only catalogue of its own)
until the catalogue says what it should. The watcher's pieces that need no service (event
normalisation, the debounce, the inotify-limit fallback to polling) are tested directly below.
"""

from __future__ import annotations

import errno
import io
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
from PIL import Image

from photofind.catalog.records import Counts, PhotoRecord
from photofind.catalog.repo import Catalog, open_catalog
from photofind.indexing import service as service_module
from photofind.indexing import watcher as watcher_module
from photofind.indexing.library import CATALOG_FILE, Library
from photofind.indexing.pipeline import Progress
from photofind.indexing.service import IndexerService
from photofind.indexing.watcher import Debouncer, FolderWatcher, FsEvent, events_from
from photofind.vectors.embedder import OnnxEmbedder
from tests.photos import PHOTO_NAMES, load_skimage_photo

T = TypeVar("T")

TIMEOUT_S = 20.0


def wait_until(
    predicate: Callable[[], T | None],
    timeout: float = TIMEOUT_S,
    what: Callable[[], object] = str,
) -> T:
    """Poll ``predicate`` every 0.1 s until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {timeout:.0f} s: {predicate} ({what()})")
        time.sleep(0.1)


@cache
def _image(name: str) -> Image.Image:
    return load_skimage_photo(name)


def jpeg_bytes(name: str, quality: int = 92) -> bytes:
    """One of the real test photos encoded as JPEG at ``quality`` (other quality, other bytes)."""
    buffer = io.BytesIO()
    _image(name).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def put(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    """One model for the whole module: the services share it instead of each loading their own."""
    return OnnxEmbedder()


@dataclass
class Watching:
    """A started indexer service, and a read-only catalogue to watch it work."""

    library_dir: Path
    service: IndexerService
    idle: threading.Event
    runs: list[Progress] = field(default_factory=list)
    _catalog: Catalog | None = None

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self.library_dir / CATALOG_FILE, readonly=True)
        return self._catalog

    def record(self, path: Path) -> PhotoRecord | None:
        return self.catalog.photo_by_path(path)

    def indexed(self, path: Path) -> PhotoRecord | None:
        """The photo at ``path`` once it is indexed (else None)."""
        record = self.record(path)
        return record if record is not None and record.state == "indexed" else None

    def wait_indexed(self, *paths: Path) -> list[PhotoRecord]:
        """Wait until every one of ``paths`` is indexed; return their records in order."""

        def all_indexed() -> list[PhotoRecord] | None:
            records = [self.indexed(p) for p in paths]
            return [r for r in records if r is not None] if all(records) else None

        return wait_until(all_indexed, what=self.catalog.counts)

    def wait_idle(self) -> None:
        """Wait for the service to finish what it was given (call ``idle.clear()`` before)."""
        wait_until(self.idle.is_set, what=self.catalog.counts)

    @property
    def photos_read(self) -> int:
        """How many photos the service has read (embedded or linked) since it started."""
        return sum(p.done for p in self.runs)

    @property
    def photos_embedded(self) -> int:
        """How many of those went through the model (the rest reused a known content)."""
        return sum(p.done - p.reused for p in self.runs)

    @property
    def failures(self) -> int:
        return sum(p.failed for p in self.runs)

    def stop(self) -> None:
        self.service.stop()
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
        assert not self.service.is_alive()
        assert self.service.error is None


@pytest.fixture
def watch(tmp_path: Path, embedder: OnnxEmbedder) -> Iterator[Callable[..., Watching]]:
    """Start a service watching the given folders; it has scanned and indexed them on return."""
    started: list[Watching] = []

    def start(*roots: Path) -> Watching:
        library_dir = tmp_path / "library"
        library = Library(library_dir, embedder)
        try:
            for root in roots:
                library.add_folder(root)
        finally:
            library.close()
        idle = threading.Event()
        runs: list[Progress] = []

        def on_progress(progress: Progress) -> None:
            if not any(run is progress for run in runs):
                runs.append(progress)

        service = IndexerService(library_dir, on_progress, idle.set, embedder)
        watching = Watching(library_dir, service, idle, runs)
        started.append(watching)
        service.start()
        wait_until(lambda: idle.is_set() or not service.is_alive(), timeout=60)
        assert service.error is None
        return watching

    yield start
    for watching in started:
        watching.stop()


# -- the service, live ---------------------------------------------------------------------------


def test_a_new_photo_is_indexed_and_searchable(
    tmp_path: Path,
    photo_paths: dict[str, Path],
    watch: Callable[..., Watching],
    embedder: OnnxEmbedder,
) -> None:
    root = tmp_path / "album"
    put(root / "chelsea.jpg", photo_paths["chelsea"].read_bytes())
    put(root / "coffee.jpg", photo_paths["coffee"].read_bytes())
    w = watch(root)
    assert w.catalog.counts().indexed == 2
    assert [f.watch_mode for f in w.catalog.folders()] == ["native"]

    new = put(root / "astronaut.jpg", photo_paths["astronaut"].read_bytes())
    (record,) = w.wait_indexed(new)
    assert record.content_id is not None
    assert w.catalog.vector_for_path(new, embedder.model_id) is not None
    assert w.catalog.counts().photos == 3

    w.stop()
    with Library(w.library_dir, embedder) as library:
        (found,) = library.similar([new], k=3)
        (from_cat,) = library.similar([root / "chelsea.jpg"], k=3)
    assert found.error is None
    assert {m.path for m in found.matches} == {root / "chelsea.jpg", root / "coffee.jpg"}
    assert new in {m.path for m in from_cat.matches}


def test_a_modified_photo_is_indexed_again_with_its_new_content(
    tmp_path: Path,
    photo_paths: dict[str, Path],
    watch: Callable[..., Watching],
    embedder: OnnxEmbedder,
) -> None:
    root = tmp_path / "album"
    path = put(root / "picture.jpg", photo_paths["astronaut"].read_bytes())
    put(root / "other.jpg", photo_paths["chelsea"].read_bytes())
    w = watch(root)
    (before,) = w.wait_indexed(path)
    old_vector = w.catalog.vector_for_path(path, embedder.model_id)
    assert old_vector is not None
    embedded = w.photos_embedded

    data = jpeg_bytes("coffee", quality=85)
    with path.open("wb") as file:  # overwritten in place: same inode, new bytes
        file.write(data)

    def reindexed() -> PhotoRecord | None:
        record = w.indexed(path)
        return record if record is not None and record.content_id != before.content_id else None

    after = wait_until(reindexed, what=lambda: w.record(path))
    assert after.id == before.id
    assert after.size == len(data)
    assert w.photos_embedded == embedded + 1  # it went back through the model, once
    new_vector = w.catalog.vector_for_path(path, embedder.model_id)
    assert new_vector is not None
    assert float(np.dot(old_vector, new_vector)) < 0.9  # a coffee cup is no astronaut
    assert w.catalog.counts() == Counts(2, 2, 0, 0, 0)


def test_a_deleted_photo_leaves_the_catalogue(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    root = tmp_path / "album"
    gone = put(root / "rocket.jpg", photo_paths["rocket"].read_bytes())
    kept = put(root / "coffee.jpg", photo_paths["coffee"].read_bytes())
    w = watch(root)
    w.wait_indexed(gone, kept)

    gone.unlink()

    wait_until(lambda: w.record(gone) is None, what=w.catalog.counts)
    assert w.indexed(kept) is not None
    assert w.catalog.counts().photos == 1


def test_a_renamed_photo_keeps_its_id_and_content(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    root = tmp_path / "album"
    old = put(root / "IMG_0001.jpg", photo_paths["astronaut"].read_bytes())
    w = watch(root)
    (before,) = w.wait_indexed(old)
    read = w.photos_read

    new = root / "astronaut on the moon.jpg"
    old.rename(new)

    (after,) = w.wait_indexed(new)
    assert w.record(old) is None
    assert (after.id, after.content_id) == (before.id, before.content_id)
    assert w.photos_read == read  # moved in the catalogue, not read again
    assert w.catalog.counts().photos == 1


def test_a_photo_moved_between_two_watched_folders_keeps_its_content(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    old = put(first / "rocket.jpg", photo_paths["rocket"].read_bytes())
    put(second / "coffee.jpg", photo_paths["coffee"].read_bytes())
    w = watch(first, second)
    (before,) = w.wait_indexed(old)

    new = second / "rocket.jpg"
    old.rename(new)

    (after,) = w.wait_indexed(new)
    wait_until(lambda: w.record(old) is None, what=lambda: w.record(old))
    assert after.content_id == before.content_id  # found again by fingerprint: no new vector
    folders = {f.path: f.id for f in w.catalog.folders()}
    assert after.folder_id == folders[second]
    assert w.catalog.counts().photos == 2


TRIPS = {"rocket": "rocket.jpg", "hubble_deep_field": "night/sky.jpg", "chelsea": "cat.jpg"}


def make_trips(root: Path, photo_paths: dict[str, Path]) -> dict[str, Path]:
    """A sub-folder ``trips`` of three photos (one a level deeper), and one photo beside it."""
    put(root / "coffee.jpg", photo_paths["coffee"].read_bytes())
    return {
        name: put(root / "trips" / rel, photo_paths[name].read_bytes())
        for name, rel in TRIPS.items()
    }


def test_a_renamed_sub_folder_keeps_its_photos_ids(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    root = tmp_path / "album"
    old_paths = make_trips(root, photo_paths)
    (root / "archive").mkdir()
    w = watch(root)
    before = dict(zip(TRIPS, w.wait_indexed(*old_paths.values()), strict=True))
    read = w.photos_read

    new_dir = root / "archive" / "2024 trips"
    w.idle.clear()
    (root / "trips").rename(new_dir)

    new_paths = {name: new_dir / rel for name, rel in TRIPS.items()}
    w.wait_indexed(*new_paths.values())
    assert w.catalog.paths_under(root / "trips") == {}
    w.wait_idle()  # the moved files were also walked and debounced: that must change nothing
    for name, path in new_paths.items():
        record = w.indexed(path)
        assert record is not None
        assert (record.id, record.content_id) == (before[name].id, before[name].content_id)
    assert w.photos_read == read  # renamed in the catalogue: no file was read again
    assert w.catalog.counts() == Counts(4, 4, 0, 0, 0)


@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")  # watchdog, same race
def test_a_sub_folder_moved_into_a_brand_new_folder_keeps_its_contents(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    """``mkdir new && mv trips new/``: inotify may not watch ``new`` in time to see the move.

    Then watchdog reports the subtree as deleted here and created there; the photos come back as
    new rows, but their contents (vectors) are found again by fingerprint: nothing is re-embedded.
    """
    root = tmp_path / "album"
    old_paths = make_trips(root, photo_paths)
    w = watch(root)
    before = dict(zip(TRIPS, w.wait_indexed(*old_paths.values()), strict=True))
    embedded = w.photos_embedded

    new_dir = root / "archive" / "2024 trips"
    w.idle.clear()
    new_dir.parent.mkdir()
    (root / "trips").rename(new_dir)

    new_paths = {name: new_dir / rel for name, rel in TRIPS.items()}
    w.wait_indexed(*new_paths.values())
    wait_until(lambda: not w.catalog.paths_under(root / "trips"), what=w.catalog.counts)
    w.wait_idle()
    for name, path in new_paths.items():
        record = w.indexed(path)
        assert record is not None
        assert record.content_id == before[name].content_id
    assert w.photos_embedded == embedded
    assert w.catalog.counts() == Counts(4, 4, 0, 0, 0)


def test_a_folder_moved_in_from_outside_is_indexed(
    tmp_path: Path, photo_paths: dict[str, Path], watch: Callable[..., Watching]
) -> None:
    root = tmp_path / "album"
    root.mkdir()
    w = watch(root)
    outside = tmp_path / "downloads" / "holiday"
    names = ("rocket", "coffee", "chelsea")
    for name in names:
        put(
            outside / ("deep" if name == "chelsea" else ".") / f"{name}.jpg",
            photo_paths[name].read_bytes(),
        )

    os.rename(outside, root / "holiday")

    moved_in = [root / "holiday" / "rocket.jpg", root / "holiday" / "coffee.jpg"]
    w.wait_indexed(*moved_in, root / "holiday" / "deep" / "chelsea.jpg")
    assert w.catalog.counts().photos == 3


def test_a_slow_copy_of_many_photos_is_read_once_each_and_never_half_written(
    tmp_path: Path, watch: Callable[..., Watching]
) -> None:
    root = tmp_path / "album"
    root.mkdir()
    w = watch(root)
    contents = {
        root / "copied" / f"{name}-{quality}.jpg": jpeg_bytes(name, quality)
        for name in PHOTO_NAMES
        for quality in (60, 65, 70, 75, 80, 85, 90)
    }
    paths = list(contents)[:40]
    assert len({contents[p] for p in paths}) == 40  # all different: none is a copy of another
    (root / "copied").mkdir()

    def slow_copy(share: list[Path]) -> None:
        """Copy like a slow drive: chunks with pauses, one of them long (but under QUIET_S)."""
        for path in share:
            data = contents[path]
            step = len(data) // 5 + 1
            with path.open("wb") as file:
                for chunk, start in enumerate(range(0, len(data), step)):
                    file.write(data[start : start + step])
                    file.flush()
                    time.sleep(0.4 if chunk == 2 else 0.05)

    writers = [threading.Thread(target=slow_copy, args=(paths[i::8],)) for i in range(8)]
    for writer in writers:
        writer.start()
    failed_seen = 0
    while any(writer.is_alive() for writer in writers):
        failed_seen = max(failed_seen, w.catalog.counts().failed)
        time.sleep(0.1)
    for writer in writers:
        writer.join()

    def settled() -> Counts | None:
        counts = w.catalog.counts()
        return counts if counts.indexed + counts.failed == 40 and not counts.pending else None

    counts = wait_until(settled, timeout=60, what=w.catalog.counts)
    assert (counts.photos, counts.pending, counts.failed, failed_seen) == (40, 0, 0, 0)
    assert set(w.catalog.paths_under(root)) == set(paths)
    assert (w.photos_read, w.failures) == (40, 0)  # each read once, whole


def test_a_vanished_root_goes_offline_and_comes_back(
    tmp_path: Path,
    photo_paths: dict[str, Path],
    watch: Callable[..., Watching],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service_module, "ROOT_CHECK_S", 1.0)
    root = tmp_path / "drive"
    paths = [put(root / f"{n}.jpg", photo_paths[n].read_bytes()) for n in ("rocket", "coffee")]
    w = watch(root)
    before = w.wait_indexed(*paths)

    unplugged = tmp_path / "unplugged"
    root.rename(unplugged)  # the drive is unmounted

    wait_until(lambda: w.catalog.counts().offline == 2, what=w.catalog.counts)
    assert set(w.catalog.paths_under(root)) == set(paths)  # offline, not deleted
    assert not w.catalog.folders()[0].online
    put(unplugged / "chelsea.jpg", photo_paths["chelsea"].read_bytes())  # added elsewhere meanwhile

    unplugged.rename(root)  # plugged in again

    after = w.wait_indexed(*paths, root / "chelsea.jpg")
    assert [(r.id, r.content_id) for r in after[:2]] == [(r.id, r.content_id) for r in before]
    assert w.catalog.counts() == Counts(3, 3, 0, 0, 0)
    assert w.catalog.folders()[0].online
    assert w.service.is_alive()


# -- the watcher's parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "args", "expected"),
    [
        ("FileCreatedEvent", ("/r/a.jpg",), [FsEvent("touched", Path("/r/a.jpg"))]),
        ("FileModifiedEvent", ("/r/a.JPG",), [FsEvent("touched", Path("/r/a.JPG"))]),
        ("FileClosedEvent", ("/r/a.png",), [FsEvent("touched", Path("/r/a.png"))]),
        ("FileCreatedEvent", (b"/r/b\xc3\xa9.jpg",), [FsEvent("touched", Path("/r/bé.jpg"))]),
        ("FileCreatedEvent", ("/r/notes.txt",), []),
        ("FileCreatedEvent", ("/r/.hidden.jpg",), []),
        ("FileOpenedEvent", ("/r/a.jpg",), []),
        ("FileDeletedEvent", ("/r/a.jpg",), [FsEvent("deleted", Path("/r/a.jpg"))]),
        (
            "FileMovedEvent",
            ("/r/a.jpg", "/r/s/b.jpg"),
            [FsEvent("moved", Path("/r/a.jpg"), Path("/r/s/b.jpg"))],
        ),
        ("FileMovedEvent", ("/r/a.jpg.part", "/r/a.jpg"), [FsEvent("touched", Path("/r/a.jpg"))]),
        ("FileMovedEvent", ("/r/a.jpg", "/r/a.jpg.bak"), [FsEvent("deleted", Path("/r/a.jpg"))]),
        ("FileMovedEvent", ("/r/a.tmp", "/r/b.tmp"), []),
        ("DirMovedEvent", ("/r/x", "/r/y"), [FsEvent("dir_moved", Path("/r/x"), Path("/r/y"))]),
        ("DirCreatedEvent", ("/r/x",), [FsEvent("dir_created", Path("/r/x"))]),
        ("DirDeletedEvent", ("/r/x",), [FsEvent("dir_deleted", Path("/r/x"))]),
        ("DirModifiedEvent", ("/r/x",), []),
    ],
)
def test_events_from_normalises_watchdog_events(
    event: str, args: tuple[Any, ...], expected: list[FsEvent]
) -> None:
    from watchdog import events

    assert list(events_from(getattr(events, event)(*args))) == expected


def test_debouncer_holds_a_growing_file_until_it_is_stable(tmp_path: Path) -> None:
    path = tmp_path / "copying.jpg"
    path.write_bytes(b"x" * 100)
    debouncer = Debouncer(quiet_s=1.0)
    debouncer.touch(path, now=10.0)
    assert debouncer.ready(now=10.5) == []  # not quiet yet

    with path.open("ab") as file:  # still growing, though no event said so
        file.write(b"y" * 100)
    assert debouncer.ready(now=11.0) == []  # quiet, but changed: another quiet period
    assert debouncer.ready(now=11.5) == []
    assert len(debouncer) == 1
    assert debouncer.ready(now=12.0) == [path]  # quiet and unchanged
    assert len(debouncer) == 0
    assert debouncer.ready(now=20.0) == []


def test_debouncer_restarts_the_quiet_period_on_each_touch(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jpg", tmp_path / "sub" / "b.jpg"
    first.write_bytes(b"a")
    debouncer = Debouncer(quiet_s=1.0)
    debouncer.touch(first, now=0.0)
    debouncer.touch(first, now=0.8)
    debouncer.touch(second, now=0.0)  # does not exist (yet): its signature is None
    assert debouncer.ready(now=1.5) == [second]
    assert debouncer.ready(now=1.8) == [first]

    debouncer.touch(first, now=2.0)
    debouncer.touch(second, now=2.0)
    debouncer.forget_under(tmp_path / "sub")
    debouncer.forget(first)
    assert not debouncer
    assert debouncer.ready(now=5.0) == []


@pytest.fixture
def folder_watcher(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[FolderWatcher, queue.Queue[FsEvent]]]:
    monkeypatch.setattr(watcher_module, "POLL_INTERVAL_S", 0.2)  # poll fast for the test
    events: queue.Queue[FsEvent] = queue.Queue()
    folder_watcher = FolderWatcher(events)
    yield folder_watcher, events
    folder_watcher.stop()


def test_watch_falls_back_to_polling_at_the_inotify_watch_limit(
    tmp_path: Path,
    folder_watcher: tuple[FolderWatcher, queue.Queue[FsEvent]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watcher, events = folder_watcher

    def at_the_limit(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watcher._native, "schedule", at_the_limit)
    assert watcher.watch(tmp_path) == "polling"

    photo = tmp_path / "new.jpg"
    photo.write_bytes(b"not decoded here")
    seen: list[FsEvent] = []
    nudges = iter(range(1, 1000))

    def picked_up() -> bool:
        while not events.empty():
            seen.append(events.get_nowait())
        if FsEvent("touched", photo) in seen:
            return True
        # Should the poller's first snapshot have come after the write, a change shows up too.
        stamp = 1_600_000_000_000_000_000 + next(nudges) * 1_000_000_000
        os.utime(photo, ns=(stamp, stamp))
        return False

    wait_until(picked_up, timeout=10, what=lambda: seen)
    watcher.unwatch(tmp_path)
    watcher.unwatch(tmp_path)  # twice is harmless


def test_watch_raises_other_os_errors(
    tmp_path: Path,
    folder_watcher: tuple[FolderWatcher, queue.Queue[FsEvent]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watcher, _ = folder_watcher

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "permission denied")

    monkeypatch.setattr(watcher._native, "schedule", denied)
    with pytest.raises(PermissionError):
        watcher.watch(tmp_path)
