"""Differential tests: every corpus case rendered by the builtin engine equals kubectl kustomize.

Cases live in ``corpus/<feature>/<case>/`` (see ``regen.py``). A case with
``expected-error.txt`` is one kustomize refuses: the builtin engine must refuse it
too, as a build error (exit 2) naming the same fault.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from gitshift.errors import InputError
from gitshift.render.builtin import BuiltinRenderer

CORPUS = Path(__file__).parent / "corpus"

CASES = sorted(p for p in CORPUS.glob("*/*") if p.is_dir())
IDS = [f"{c.parent.name}/{c.name}" for c in CASES]


def build_root(case: Path) -> Path:
    """The folder of a case to build: ``overlay/`` when present, else the case itself."""
    return case / "overlay" if (case / "overlay").is_dir() else case


def _docs(text: str) -> list[object]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _refusal(case: Path) -> str | None:
    path = case / "expected-error.txt"
    return path.read_text().strip() if path.exists() else None


@pytest.fixture(scope="module")
def renderer() -> BuiltinRenderer:
    return BuiltinRenderer()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_checked_in_expectation(case: Path, renderer: BuiltinRenderer) -> None:
    refusal = _refusal(case)
    if refusal is not None:
        with pytest.raises(InputError) as info:
            renderer.render_text(build_root(case))
        assert refusal in info.value.what
        return
    expected = (case / "expected.yaml").read_text()
    got = renderer.render_text(build_root(case))
    assert _docs(got) == _docs(expected)
    assert got == expected


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_kubectl(
    case: Path, renderer: BuiltinRenderer, oracle: Callable[[Path], str]
) -> None:
    refusal = _refusal(case)
    if refusal is not None:
        done = subprocess.run(
            ["kubectl", "kustomize", str(build_root(case))],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode != 0, "kustomize now accepts this case: run tests/render/regen.py"
        assert refusal in done.stderr
        return
    want = oracle(build_root(case))
    assert (case / "expected.yaml").read_text() == want, (
        "stale expected.yaml: run tests/render/regen.py"
    )
    got = renderer.render_text(build_root(case))
    assert _docs(got) == _docs(want)
    assert got == want


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


def test_every_case_has_one_expectation() -> None:
    for case in CASES:
        found = [(case / n).exists() for n in ("expected.yaml", "expected-error.txt")]
        assert sum(found) == 1, case
