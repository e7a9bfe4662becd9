"""Benchmark: robustness of lookalike search to common edits, ours against imagehash pHash.

For every source photo, ten edited copies are made (90-degree rotation without EXIF, mirror, 60 %
crop, 15 % black border, JPEG q=15, 25 % size, greyscale, brightness/contrast, a sticker over a
corner, a 10-degree tilt). Each copy is a query against all the originals; top-1 is the fraction
of copies whose nearest original is their own (ties count as misses). Ours: cosine of
``OnnxEmbedder`` vectors (the real file pipeline: draft decode, centre square, INT8 model).
Baseline: imagehash pHash, Hamming distance, in the same run. Target: >= 0.97 on every edit.

Sources: the sample photos in ../shared/photos when present (else scikit-image's), made
meaningful first: contents that are (nearly) the same picture collapse to one (64x64 thumbnails
within :data:`SAME_PICTURE_MAD` mean absolute difference: byte-identical files, one picture at
several sizes) and near-blank images are dropped (64x64 greyscale standard deviation below
:data:`BLANK_STD`): a blank page has no "own original" to find.

``--variants`` also measures cheap fixes without touching the production pipeline:
squash (full frame resized to the square instead of a centre crop), trim (uniform borders cut
before the centre crop), mirror-avg (index and query vectors are the mean of the image and its
mirror), tta (the query is also embedded rotated 90/180/270 and mirrored, best similarity wins)
and combinations.

Run from the repository root: ``python3 tests/benchmarks/bench_quality.py [--variants]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageChops, ImageEnhance, ImageOps

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from photofind.indexing.library import Library  # noqa: E402
from photofind.media.decode import open_image  # noqa: E402
from photofind.vectors.embedder import OnnxEmbedder  # noqa: E402
from tests.photos import PHOTO_NAMES, load_skimage_photo  # noqa: E402

SHARED_PHOTOS = REPO.parent / "shared" / "photos"
SAME_DESIGN_CORRELATION = 0.95  # grey-level correlation of 64x64 thumbnails: one design, two tints
SAME_PICTURE_MAD = 3.0  # mean |difference| of 64x64 RGB thumbnails, in 0..255 levels
BLANK_STD = 8.0  # 64x64 greyscale standard deviation, in 0..255 levels
TRIM_TOLERANCE = 12  # levels: how far a border pixel may stray from the corner colour
TARGET = 0.97

Transform = Callable[[Image.Image], Image.Image]


def _crop60(image: Image.Image) -> Image.Image:
    width, height = image.size
    w, h = round(width * 0.6), round(height * 0.6)
    return image.crop(((width - w) // 2, (height - h) // 2, (width + w) // 2, (height + h) // 2))


def _border15(image: Image.Image) -> Image.Image:
    width, height = image.size
    return ImageOps.expand(image, (round(width * 0.15), round(height * 0.15)), fill="black")


def _scale25(image: Image.Image) -> Image.Image:
    width, height = image.size
    return image.resize((max(1, width // 4), max(1, height // 4)), Image.Resampling.LANCZOS)


def _light(image: Image.Image) -> Image.Image:
    return ImageEnhance.Contrast(ImageEnhance.Brightness(image).enhance(1.3)).enhance(0.7)


def _sticker(image: Image.Image) -> Image.Image:
    out = image.copy()
    width, height = image.size
    box = (round(width * 0.7), round(height * 0.7), width, height)
    out.paste((250, 200, 20), box)  # a yellow sticker over the bottom-right corner (9 % of area)
    return out


def _tilt10(image: Image.Image) -> Image.Image:
    return image.rotate(10, Image.Resampling.BICUBIC, expand=True, fillcolor="black")


TRANSFORMS: dict[str, Transform] = {
    "rotate 90 (no EXIF)": lambda im: im.transpose(Image.Transpose.ROTATE_90),
    "mirror": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "crop 60% (centre)": _crop60,
    "black border 15%": _border15,
    "JPEG q=15": lambda im: im,  # the quality is applied when saving
    "25% size": _scale25,
    "greyscale": lambda im: im.convert("L").convert("RGB"),
    "brightness +30%, contrast -30%": _light,
    "sticker over a corner": _sticker,
    "tilt 10 degrees": _tilt10,
}


def _same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.abs(a - b).mean()) < SAME_PICTURE_MAD


def _same_design(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two thumbnails differ only in colour: their grey levels correlate almost fully."""
    grey_a, grey_b = (t.mean(axis=2).ravel() for t in (a, b))
    return float(np.corrcoef(grey_a, grey_b)[0, 1]) > SAME_DESIGN_CORRELATION


def source_images() -> tuple[dict[str, Image.Image], list[str]]:
    """Distinct, non-blank source photos by name, and notes on what was dropped."""
    if SHARED_PHOTOS.is_dir():
        named = {p.stem: Image.open(p).convert("RGB") for p in sorted(SHARED_PHOTOS.glob("*.jpg"))}
    else:
        named = {name: load_skimage_photo(name) for name in PHOTO_NAMES}
    kept: dict[str, Image.Image] = {}
    thumbs: dict[str, np.ndarray] = {}
    notes = []
    for name, image in named.items():
        thumb = np.asarray(image.resize((64, 64), Image.Resampling.BOX), dtype=np.float32)
        if thumb.mean(axis=2).std() < BLANK_STD:
            notes.append(f"dropped {name}: near-blank")
            continue
        twin = next((k for k, t in thumbs.items() if _same_picture(t, thumb)), None)
        if twin is not None:
            notes.append(f"dropped {name}: same picture as {twin}")
            continue
        tint = next((k for k, t in thumbs.items() if _same_design(t, thumb)), None)
        if tint is not None:  # in greyscale the two are one picture: no edit could tell them apart
            notes.append(f"dropped {name}: same design as {tint} in another tint")
            continue
        kept[name], thumbs[name] = image, thumb
    return kept, notes


def write_files(
    sources: dict[str, Image.Image], folder: Path
) -> tuple[list[Path], dict[str, list[Path]]]:
    """Save the originals and every edited copy as JPEGs; return (originals, edit -> copies)."""
    originals = []
    copies: dict[str, list[Path]] = {name: [] for name in TRANSFORMS}
    (folder / "originals").mkdir()
    (folder / "copies").mkdir()
    for i, image in enumerate(sources.values()):
        path = folder / "originals" / f"{i:03d}.jpg"
        image.save(path, quality=92)
        originals.append(path)
        for t, (edit, transform) in enumerate(TRANSFORMS.items()):
            copy = folder / "copies" / f"{i:03d}_{t}.jpg"
            transform(image).save(copy, quality=15 if edit == "JPEG q=15" else 92)
            copies[edit].append(copy)
    return originals, copies


def top1(similarity: np.ndarray) -> float:
    """Fraction of rows (queries) whose own column (same index) is the strict maximum."""
    own = np.diag(similarity)
    others = similarity.copy()
    np.fill_diagonal(others, -np.inf)
    return float(np.mean(own > others.max(axis=1)))


def embed_paths(embedder: OnnxEmbedder, paths: Sequence[Path]) -> np.ndarray:
    """Vectors through the production file pipeline."""
    vectors = []
    for result in embedder.embed_files(paths):
        assert result.embedding is not None, result.error
        vectors.append(result.embedding.vector)
    return np.stack(vectors)


def phash_similarity(queries: Sequence[Path], originals: Sequence[Path]) -> np.ndarray:
    """Negated pHash Hamming distances (higher is more similar)."""
    q = [imagehash.phash(Image.open(p)) for p in queries]
    o = [imagehash.phash(Image.open(p)) for p in originals]
    return -np.array([[a - b for b in o] for a in q], dtype=np.float32)


# -- variants (preprocessing experiments, outside the production pipeline) ---------------------


def centre_square(image: Image.Image, size: int) -> Image.Image:
    """What the pipeline does: shorter side to ``size``, centre crop."""
    return ImageOps.fit(image, (size, size), Image.Resampling.BICUBIC)


def squash(image: Image.Image, size: int) -> Image.Image:
    """The whole frame resized to the square (aspect ratio not kept)."""
    return image.resize((size, size), Image.Resampling.BICUBIC)


def trim_borders(image: Image.Image) -> Image.Image:
    """Cut uniform borders (the colour of the top-left pixel, within a tolerance)."""
    background = Image.new("RGB", image.size, image.getpixel((0, 0)))
    diff = (
        ImageChops.difference(image, background)
        .convert("L")
        .point(lambda v: 255 if v > TRIM_TOLERANCE else 0)
    )
    box = diff.getbbox()
    if box is None or (box[2] - box[0]) * (box[3] - box[1]) < 0.2 * image.width * image.height:
        return image
    return image.crop(box)


class Variant:
    """A preprocessing recipe: how an image becomes the model's square input(s)."""

    def __init__(
        self,
        name: str,
        fit: Callable[[Image.Image, int], Image.Image],
        *,
        trim: bool = False,
        mirror_avg: bool = False,
        tta: bool = False,
    ) -> None:
        self.name, self.fit, self.trim, self.mirror_avg, self.tta = name, fit, trim, mirror_avg, tta

    def inputs(self, image: Image.Image, size: int, query: bool) -> list[np.ndarray]:
        """The squares whose embeddings stand for ``image`` (several for query-time TTA)."""
        image = trim_borders(image) if self.trim else image
        views = [image]
        if self.tta and query:
            views += [
                image.transpose(t)
                for t in (
                    Image.Transpose.ROTATE_90,
                    Image.Transpose.ROTATE_180,
                    Image.Transpose.ROTATE_270,
                    Image.Transpose.FLIP_LEFT_RIGHT,
                )
            ]
        return [np.asarray(self.fit(v, size), dtype=np.uint8) for v in views]

    def vectors(self, embedder: OnnxEmbedder, path: Path, query: bool) -> np.ndarray:
        """Unit vectors for one file: shape (views, dim)."""
        image, _ = open_image(path.read_bytes(), min_side=embedder.input_size)
        squares = self.inputs(image, embedder.input_size, query)
        vectors = embed_squares(embedder, squares)
        if self.mirror_avg:
            mirrored = [np.ascontiguousarray(s[:, ::-1]) for s in squares]
            vectors = _unit(vectors + embed_squares(embedder, mirrored))
        return vectors


def embed_squares(embedder: OnnxEmbedder, squares: Sequence[np.ndarray]) -> np.ndarray:
    return np.stack([e.vector for e in embedder.embed_pixels(np.stack(squares))])


def _unit(vectors: np.ndarray) -> np.ndarray:
    unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


VARIANTS = (
    Variant("centre (reimplemented baseline)", centre_square),
    Variant("squash", squash),
    Variant("trim", centre_square, trim=True),
    Variant("squash+trim", squash, trim=True),
    Variant("mirror-avg", centre_square, mirror_avg=True),
    Variant("tta", centre_square, tta=True),
    Variant("tta+trim", centre_square, trim=True, tta=True),
    Variant("tta+squash+trim", squash, trim=True, tta=True),
    Variant("tta+mirror-avg+trim", centre_square, trim=True, mirror_avg=True, tta=True),
)


def variant_scores(
    embedder: OnnxEmbedder,
    variant: Variant,
    originals: Sequence[Path],
    copies: dict[str, list[Path]],
) -> dict[str, tuple[float, float]]:
    """Edit -> (top-1, mean cosine to own original) under ``variant``."""
    index = np.concatenate([variant.vectors(embedder, p, query=False) for p in originals])
    scores = {}
    for edit, paths in copies.items():
        sims = np.stack(
            [(variant.vectors(embedder, p, query=True) @ index.T).max(axis=0) for p in paths]
        )
        scores[edit] = (top1(sims), float(np.diag(sims).mean()))
    return scores


# -- report ----------------------------------------------------------------------------------


def misses(edit: str, similarity: np.ndarray, names: Sequence[str]) -> list[str]:
    """One line per query whose nearest original is not its own."""
    lines = []
    for row, sims in enumerate(similarity):
        best = int(np.argmax(np.where(np.arange(len(sims)) == row, -np.inf, sims)))
        if sims[best] >= sims[row]:
            lines.append(
                f"  {edit}: {names[row]} -> {names[best]} ({sims[best]:.3f} vs own {sims[row]:.3f})"
            )
    return lines


def app_top1(library: Library, queries: Sequence[Path], originals: Sequence[Path]) -> float:
    """Top-1 through the app's own search (``Library.similar``, quarter turns included)."""
    results = library.similar(list(queries), k=1)
    hits = [
        bool(r.matches) and r.matches[0].path == o for r, o in zip(results, originals, strict=True)
    ]
    return float(np.mean(hits))


def baseline_table(
    embedder: OnnxEmbedder,
    originals: Sequence[Path],
    copies: dict[str, list[Path]],
    names: Sequence[str],
    library: Library,
) -> list[str]:
    index = embed_paths(embedder, originals)
    missed: list[str] = []
    rows = [
        "| transform | ours: app search top-1 | ours: one view top-1 | pHash top-1 "
        "| ours mean cos to own original |",
        "|---|---|---|---|---|",
    ]
    for edit, paths in copies.items():
        ours = embed_paths(embedder, paths) @ index.T
        app = app_top1(library, paths, originals)
        phash = phash_similarity(paths, originals)
        flag = "" if app >= TARGET else " (below target)"
        rows.append(
            f"| {edit} | {app:.3f}{flag} | {top1(ours):.3f} | {top1(phash):.3f} "
            f"| {np.diag(ours).mean():.3f} |"
        )
        missed += misses(edit, ours, names)
    return [*rows, "", "One-view misses (query -> nearest other original):", *missed]


def variants_table(
    embedder: OnnxEmbedder, originals: Sequence[Path], copies: dict[str, list[Path]]
) -> list[str]:
    edits = list(copies)
    rows = [
        "| variant | " + " | ".join(edits) + " | min | mean cos to own | seconds |",
        "|---" * (len(edits) + 4) + "|",
    ]
    for variant in VARIANTS:
        started = time.perf_counter()
        scores = variant_scores(embedder, variant, originals, copies)
        cells = [f"{scores[e][0]:.3f}" for e in edits]
        worst = min(s[0] for s in scores.values())
        mean_cos = np.mean([s[1] for s in scores.values()])
        seconds = time.perf_counter() - started
        rows.append(
            f"| {variant.name} | "
            + " | ".join(cells)
            + f" | {worst:.3f} | {mean_cos:.3f} | {seconds:.0f} |"
        )
    return rows


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also measure preprocessing fixes")
    args = parser.parse_args()
    sources, notes = source_images()
    embedder = OnnxEmbedder()
    with tempfile.TemporaryDirectory() as tmp:
        originals, copies = write_files(sources, Path(tmp))
        print(f"{len(originals)} distinct photos x {len(copies)} edits; model {embedder.model_id}")
        for note in notes:
            print(f"  {note}")
        print()
        with Library(Path(tmp) / "library", embedder) as library:
            library.add_folder(originals[0].parent)
            library.scan()
            library.index_pending()
            table = baseline_table(embedder, originals, copies, list(sources), library)
        print("\n".join(table))
        if args.variants:
            print("\nTop-1 per preprocessing variant (one miss = 1/photos):\n")
            print("\n".join(variants_table(embedder, originals, copies)))


if __name__ == "__main__":
    main()
