"""Photo files in, unit-length embeddings and ImageNet labels out, via one ONNX session on the CPU.

Decoding (Pillow, which releases the GIL) runs on a small thread pool a few batches ahead of
inference, so the two overlap; memory stays bounded by that look-ahead window. A file that cannot be
decoded yields a result with a reason and never stops the batch.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from photofind.media.decode import PhotoInfo
from photofind.media.prefetch import Decoded, available_cores, decoded_batches
from photofind.vectors.model import ModelCard, load_card
from photofind.vectors.native import import_onnxruntime

# Past 16 images per run the CPU throughput of EfficientNet-Lite0 stops improving.
DEFAULT_BATCH_SIZE = 16
DEFAULT_TOP_K = 5


@dataclass(frozen=True, slots=True)
class Label:
    """A predicted ImageNet class with its probability."""

    name: str
    wnid: str
    score: float


@dataclass(frozen=True, slots=True)
class Embedding:
    """A photo's unit-length feature vector and its top labels."""

    vector: np.ndarray  # float32, shape (dim,), L2 norm 1
    labels: tuple[Label, ...]


@dataclass(frozen=True, slots=True)
class FileResult:
    """The outcome for one file: its embedding and what decoding learnt, or why it failed."""

    path: Path
    embedding: Embedding | None = None
    fingerprint: str | None = None
    info: PhotoInfo | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was embedded."""
        return self.embedding is not None


class Embedder(Protocol):
    """What the rest of PhotoFind needs from an image model (the real one or a test fake)."""

    @property
    def model_id(self) -> str:
        """Identifies the model; vectors from different ids are never compared."""
        ...

    @property
    def input_size(self) -> int:
        """Side of the square RGB input, in pixels."""
        ...

    def embed_pixels(self, pixels: np.ndarray) -> list[Embedding]:
        """Embed a uint8 batch of shape (N, size, size, 3)."""
        ...


class OnnxEmbedder:
    """The bundled CNN behind one lazily created onnxruntime CPU session.

    Thread affinity: any thread may call it; inference calls are serialised by an internal lock,
    because
    one session already uses every core it is given.
    """

    def __init__(
        self, card: ModelCard | None = None, threads: int | None = None, top_k: int = DEFAULT_TOP_K
    ) -> None:
        """Create the embedder; the model file is checked and loaded on first use.

        Args:
            card: the model to run; the bundled EfficientNet-Lite0 by default.
            threads: onnxruntime intra-op threads; all available cores by default.
            top_k: how many labels to keep per photo.
        """
        self._card = card or load_card()
        self._threads = threads or available_cores()
        self._top_k = top_k
        self._session: Any = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """Model name plus the model file's sha256 prefix."""
        return self._card.model_id

    @property
    def input_size(self) -> int:
        """Side of the square input the model expects."""
        return self._card.input_size

    @property
    def card(self) -> ModelCard:
        """The model card this embedder runs."""
        return self._card

    def embed_pixels(self, pixels: np.ndarray) -> list[Embedding]:
        """Embed a uint8 batch of shape (N, size, size, 3).

        Returns:
            One embedding per image, in order.
        """
        features, logits = self._run(pixels)
        vectors = l2_normalise(features)
        probabilities = softmax(logits)
        return [
            Embedding(vector=vector, labels=self._top_labels(row))
            for vector, row in zip(vectors, probabilities, strict=True)
        ]

    def embed_files(
        self,
        paths: Iterable[Path],
        batch_size: int = DEFAULT_BATCH_SIZE,
        decode_workers: int | None = None,
    ) -> Iterator[FileResult]:
        """Decode and embed files, yielding one result per path in the order given."""
        for batch in decoded_batches(paths, self.input_size, batch_size, decode_workers):
            yield from self.embed_decoded(batch)

    def embed_decoded(self, batch: Sequence[Decoded]) -> list[FileResult]:
        """Embed the decoded files of a batch; the failed ones keep their reasons."""
        photos = [d.photo for d in batch if d.photo is not None]
        embeddings = iter(self.embed_pixels(np.stack([p.pixels for p in photos])) if photos else [])
        return [
            FileResult(d.path, next(embeddings), d.photo.fingerprint, d.photo.info)
            if d.photo is not None
            else FileResult(d.path, error=d.error)
            for d in batch
        ]

    def _run(self, pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        expected = (self.input_size, self.input_size, 3)
        if pixels.dtype != np.uint8 or pixels.ndim != 4 or pixels.shape[1:] != expected:
            raise ValueError(
                f"expected uint8 (N, {expected}) pixels, got {pixels.dtype} {pixels.shape}"
            )
        with self._lock:
            session = self._ensure_session()
            features, logits = session.run(["features", "logits"], {self._card.input_name: pixels})
        return np.asarray(features, dtype=np.float32), np.asarray(logits, dtype=np.float32)

    def _ensure_session(self) -> Any:
        if self._session is None:
            self._card.verify()
            self._session = create_session(self._card.model_path, self._threads)
        return self._session

    def _top_labels(self, probabilities: np.ndarray) -> tuple[Label, ...]:
        classes = self._card.classes
        best = np.argsort(probabilities)[::-1][: self._top_k]
        return tuple(
            Label(name=classes[i].name, wnid=classes[i].wnid, score=float(probabilities[i]))
            for i in best
        )


def create_session(model_path: Path, threads: int) -> Any:
    """An onnxruntime CPU session tuned for batch inference beside decode threads."""
    ort = import_onnxruntime()
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning threads would steal the cores the decode pool needs between batches.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Scale each row to unit length (rows of zeros stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    normalised: np.ndarray = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return normalised


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities
