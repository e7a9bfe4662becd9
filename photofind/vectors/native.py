"""Lazy imports of the native runtimes, in the one order that works.

``usearch`` 2.26.x and ``onnxruntime`` 1.28-1.32 crash the interpreter (SIGSEGV inside
onnxruntime's pybind module) when usearch's extension is loaded first; onnxruntime first is fine,
and usearch 2.25 is fine either way. pyproject pins usearch 2.25; every import of either still goes
through here, so a later bump cannot bring the crash back.
"""

from __future__ import annotations

from types import ModuleType


def import_onnxruntime() -> ModuleType:
    """Return the ``onnxruntime`` module (imported lazily: it takes ~0.3 s)."""
    import onnxruntime

    module: ModuleType = onnxruntime
    return module


def import_usearch_index() -> ModuleType:
    """Return ``usearch.index``, loading onnxruntime first (see the module docstring)."""
    import_onnxruntime()
    from usearch import index

    return index
