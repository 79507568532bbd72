"""Fixtures of the Helm tests: the example Helm tree as a repository, and ``helm`` on PATH."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import PROJECT

EXAMPLE = PROJECT / "examples" / "helm"
HELM_MISSING = ("helm is not on PATH and helm-python-sdk (the stand-in's engine) is not installed: Debian has no "
                "helm package; install helm's release binary (README.md, \"The chart proof\"), or "
                "`pip install -e '.[helm-test]'` (Linux x86-64)")


def example_tree() -> dict[str, str]:
    """Every file of examples/helm, by path relative to it."""
    return {str(p.relative_to(EXAMPLE)): p.read_text() for p in sorted(EXAMPLE.rglob("*")) if p.is_file()}


@pytest.fixture
def shop(repo_factory: Callable[..., Path]) -> Path:
    """examples/helm as the root of a fresh repository with an origin."""
    return repo_factory(example_tree())


@pytest.fixture
def helm_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A ``helm`` that renders charts: the real one when installed, else the stand-in on Helm's own engine."""
    if shutil.which("helm"):
        return "helm"
    try:
        import helm_python  # noqa: F401
    except Exception:  # not installed, or its native library does not load here
        pytest.skip(HELM_MISSING)
    bindir = tmp_path / "helm-bin"
    bindir.mkdir()
    shim = bindir / "helm"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} {PROJECT / 'tests/support/helm_cli.py'} \"$@\"\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return "stand-in"
