"""``photofind --self-test`` and ``--version``: the support and packaging checks."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from photofind import __version__, selftest
from tests.cli import REPO
from tests.packaging.offline import no_network_prefix


def _run(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    command = [*prefix, sys.executable, "-m", "photofind", *args]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_self_test_passes_with_no_network() -> None:
    result = _run("--self-test", prefix=no_network_prefix())
    assert result.returncode == 0, result.stdout + result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith(f"photofind {__version__} self-test: ok:")
    assert "1280-d" in line


def test_self_test_reports_a_failed_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selftest, "CAT_WNIDS", frozenset())
    out = io.StringIO()
    assert selftest.run_self_test(out) == 1
    assert out.getvalue().startswith(f"photofind {__version__} self-test: FAILED: ")
    assert "the sample cat was labelled" in out.getvalue()


def test_self_test_takes_no_command() -> None:
    result = _run("--self-test", "status")
    assert result.returncode == 2
    assert "--self-test takes no command" in result.stderr


def test_version() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"photofind {__version__}"
