"""Shared helpers for the renderer tests: the corpus, the kubectl oracle, and file trees."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import gitshift  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

CORPUS = Path(__file__).parent / "corpus"
KUBECTL = shutil.which("kubectl")


def case_dirs() -> list[Path]:
    """Every corpus case, sorted by name."""
    return sorted(p for p in CORPUS.glob("*/*") if p.is_dir())


def build_root(case: Path) -> Path:
    """The folder of a case to build: ``overlay/`` when present, else the case itself."""
    return case / "overlay" if (case / "overlay").is_dir() else case


def kubectl_kustomize(path: Path) -> str:
    """The oracle's output for ``path``; raises with its stderr on failure."""
    assert KUBECTL is not None
    done = subprocess.run(
        [KUBECTL, "kustomize", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"kubectl kustomize {path} failed: {done.stderr.strip()}")
    return done.stdout


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root``; returns ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture(scope="session")
def oracle():  # type: ignore[no-untyped-def]
    """``kubectl kustomize`` as a function, or a skip when kubectl is missing."""
    if KUBECTL is None:
        pytest.skip("kubectl is not installed")
    return kubectl_kustomize


def git_init(root: Path) -> Path:
    """Make ``root`` a git repository: the builtin engine reads nothing outside the repository."""
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


@pytest.fixture
def tree(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A function building a file tree in a fresh git repository under a temporary folder."""
    git_init(tmp_path)
    return lambda files: write_tree(tmp_path, files)
