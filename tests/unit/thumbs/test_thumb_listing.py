"""The grid's read-only listing: display order, rows, folder counts, change signature."""

from __future__ import annotations

from pathlib import Path

from photofind.catalog.repo import open_catalog
from photofind.thumbs.listing import PhotoListing, SortOrder


def _catalog(tmp_path: Path) -> tuple[Path, list[Path]]:
    folder = tmp_path / "pics"
    folder.mkdir()
    file = tmp_path / "catalog.sqlite"
    paths = [folder / "b.jpg", folder / "A.jpg", folder / "c.jpg"]
    with open_catalog(file) as catalog:
        catalog.add_folder(folder)
        for n, path in enumerate(paths):
            catalog.upsert_seen(path, 100 + n, (n + 1) * 10**18)
    return file, paths


def test_orders_and_rows(tmp_path: Path) -> None:
    file, paths = _catalog(tmp_path)
    listing = PhotoListing(file)
    by_name = listing.ids(SortOrder.NAME)
    rows = listing.rows(by_name)
    assert [rows[i].path.name for i in by_name] == ["A.jpg", "b.jpg", "c.jpg"]
    newest_first = listing.ids(SortOrder.TAKEN)
    assert [rows[i].path.name for i in newest_first] == ["c.jpg", "A.jpg", "b.jpg"]
    assert all(row.state == "pending" and row.usable for row in rows.values())
    assert listing.ids_for_paths([paths[0], tmp_path / "x.jpg"]) == {paths[0]: by_name[1]}
    listing.close()


def test_folders_counts_and_signature(tmp_path: Path) -> None:
    file, _ = _catalog(tmp_path)
    listing = PhotoListing(file)
    before = listing.signature()
    (summary,) = listing.folders()
    assert summary.photos == 3
    assert summary.online
    assert listing.state_counts() == {"pending": 3}
    assert listing.ids(SortOrder.NAME, folder=tmp_path / "elsewhere") == []
    with open_catalog(file) as catalog:
        catalog.upsert_seen(tmp_path / "pics" / "d.jpg", 1, 1)
    assert listing.signature() != before
    listing.close()
