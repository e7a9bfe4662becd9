"""The one accessor for bundled resources (model, labels, icons).

An installed wheel carries them in ``photofind/_resources``; a source checkout keeps them in the
top-level ``resources/`` folder. Both layouts are looked up, in that order.
"""

from __future__ import annotations

from pathlib import Path

from photofind.errors import KnownError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CANDIDATE_ROOTS = (_PACKAGE_DIR / "_resources", _PACKAGE_DIR.parent / "resources")


def resources_root() -> Path:
    """Return the folder that holds the bundled resources.

    Raises:
        KnownError: when neither layout is present (a broken installation).
    """
    for root in _CANDIDATE_ROOTS:
        if (root / "models").is_dir():
            return root
    searched = ", ".join(str(root) for root in _CANDIDATE_ROOTS)
    raise KnownError(
        f"PhotoFind's resources are missing (looked in {searched}); reinstall PhotoFind"
    )


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled resource, e.g. ``resource_path("models", "x.onnx")``."""
    return resources_root().joinpath(*parts)
