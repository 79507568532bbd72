"""Differential tests: every corpus case rendered by the builtin engine equals kubectl kustomize."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gitshift.render.builtin import BuiltinRenderer

CORPUS = Path(__file__).parent / "corpus"

# Cases whose documents are equal but whose bytes differ from kubectl's; kept empty when possible.
BYTE_DIFFERENT: frozenset[str] = frozenset()

CASES = sorted(p for p in CORPUS.iterdir() if p.is_dir())


def build_root(case: Path) -> Path:
    """The folder of a case to build: ``overlay/`` when present, else the case itself."""
    return case / "overlay" if (case / "overlay").is_dir() else case


def _docs(text: str) -> list[object]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


@pytest.fixture(scope="module")
def renderer() -> BuiltinRenderer:
    return BuiltinRenderer()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_checked_in_expectation(case: Path, renderer: BuiltinRenderer) -> None:
    expected = (case / "expected.yaml").read_text()
    got = renderer.render_text(build_root(case))
    assert _docs(got) == _docs(expected)
    if case.name not in BYTE_DIFFERENT:
        assert got == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_matches_kubectl(
    case: Path, renderer: BuiltinRenderer, oracle: Callable[[Path], str]
) -> None:
    want = oracle(build_root(case))
    assert (case / "expected.yaml").read_text() == want, (
        "stale expected.yaml: run tests/render/regen.py"
    )
    got = renderer.render_text(build_root(case))
    assert _docs(got) == _docs(want)
    if case.name not in BYTE_DIFFERENT:
        assert got == want


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
