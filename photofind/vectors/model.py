"""The bundled model's card and labels: what the ONNX file is, and what its 1000 logits mean."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from photofind.errors import KnownError
from photofind.resources import resource_path

DEFAULT_CARD = ("models", "efficientnet-lite0.json")


@dataclass(frozen=True, slots=True)
class ImageNetClass:
    """One of the model's output classes."""

    index: int
    wnid: str
    name: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class ModelCard:
    """The facts about a model file that inference and the catalogue rely on."""

    name: str
    model_path: Path
    sha256: str
    input_name: str
    input_size: int
    feature_dim: int
    labels_path: Path

    @property
    def model_id(self) -> str:
        """Name plus content hash: vectors from different model ids are never compared."""
        return f"{self.name}@{self.sha256[:12]}"

    @cached_property
    def classes(self) -> tuple[ImageNetClass, ...]:
        """The output classes, in logit order."""
        return load_classes(self.labels_path)

    def verify(self) -> None:
        """Check the model file against the card's sha256.

        Raises:
            KnownError: when the file is missing or altered.
        """
        try:
            digest = hashlib.sha256(self.model_path.read_bytes()).hexdigest()
        except OSError as exc:
            raise KnownError(f"cannot read the model file {self.model_path}: {exc}") from exc
        if digest != self.sha256:
            raise KnownError(
                f"the model file {self.model_path} is damaged (sha256 {digest[:12]}..., "
                f"expected {self.sha256[:12]}...); reinstall PhotoFind"
            )


def load_card(path: Path | None = None) -> ModelCard:
    """Read a model card JSON (the bundled one by default).

    Raises:
        KnownError: when the card is missing or malformed.
    """
    card_path = path or resource_path(*DEFAULT_CARD)
    raw = _read_json(card_path)
    try:
        return ModelCard(
            name=str(raw["name"]),
            model_path=card_path.parent / str(raw["file"]),
            sha256=str(raw["sha256"]),
            input_name=str(raw["input"]["name"]),
            input_size=int(raw["input"]["size"]),
            feature_dim=_feature_dim(raw["outputs"]),
            labels_path=(card_path.parent / str(raw["labels_file"])).resolve(),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise KnownError(f"the model card {card_path} is malformed: {exc!r}") from exc


def _feature_dim(outputs: list[dict[str, Any]]) -> int:
    """The length of the ``features`` output, from the card's output list."""
    (features,) = (o for o in outputs if o["name"] == "features")
    return int(features["shape"][1])


def load_classes(path: Path) -> tuple[ImageNetClass, ...]:
    """Read the class list (JSON list of {index, wnid, name, synonyms}) in logit order."""
    entries = _read_json(path)
    classes = tuple(
        ImageNetClass(
            index=int(entry["index"]),
            wnid=str(entry["wnid"]),
            name=str(entry["name"]),
            synonyms=tuple(str(s) for s in entry["synonyms"]),
        )
        for entry in entries
    )
    if [c.index for c in classes] != list(range(len(classes))):
        raise KnownError(f"the label file {path} is not in logit order")
    return classes


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KnownError(f"cannot read {path}: {exc}") from exc
