"""``gitshift demo`` runs the whole walkthrough on a throwaway repository."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from tests.conftest import PROJECT, Packaged


@pytest.mark.slow
def test_demo_walks_every_step(packaged: Packaged) -> None:
    out = packaged.demo  # the demo of gitshift built from this tree and installed (tests/conftest.py)
    for needle in ("$ gitshift status", "bluegreen web/production: active blue → green",
                   "canary web/production-canary: weight 10 → 25", "The pull request --pr would open:",
                   "Gitshift-Action: set-image", "Done. Every step above was a commit"):
        assert needle in out, needle
    envs = ("dev", "staging", "production", "production-canary", "production-istio", "production-gateway",
            "production-replicas")
    commands = [line for line in out.splitlines() if line.startswith("$ gitshift ")]
    for env in envs:
        assert any(f"--env {env}" in c or f"--to {env}" in c for c in commands), env
    assert commands[-2:] == ["$ gitshift status", "$ gitshift history --branch demo -n 30"]
    assert "(--weight 30 rounded to 25: 1 of 4 pods)" in out


@pytest.mark.slow
def test_demo_helm_walks_the_seed_pattern(packaged: Packaged) -> None:
    out = packaged.demo_helm  # `gitshift demo --helm` of the installed wheel (tests/conftest.py)
    # set-image on a Flux HelmRelease env: one changed line, its comment kept
    diff = out.split("$ git --no-pager diff\n", 1)[1].split("\n## ", 1)[0]
    assert [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")] == [
        '-        tag: "1.0.0"   # set by gitshift set-image', '+        tag: "1.1.0"   # set by gitshift set-image']
    for needle in ("bluegreen web/prod: preview blue → green, green none → 1.1.0",
                   "bluegreen web/prod: active blue → green", "bluegreen web/prod: active green → blue",
                   "canary web/prod-canary: weight 0 → 10, canary none → 1.1.0",
                   "canary web/prod-canary: weight 10 → 50",
                   "canary web/prod-canary: weight 50 → 0, stable 1.0.0 → 1.1.0",
                   "Done. Every step above was a commit"):
        assert needle in out, needle
    final = out.split("$ gitshift status\n")[-1]
    assert "prod-canary   canary      ghcr.io/acme/web:1.1.0" in final


def _readers(path: Path) -> list[str]:
    """The tests of ``path`` that take the ``packaged`` fixture."""
    return [node.name for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.FunctionDef) and any(a.arg == "packaged" for a in node.args.args)]


def test_the_suite_runs_the_demo_once() -> None:
    """The demo is the suite's costliest command: only the fixture runs it, once per run (xdist workers share it)."""
    demo = re.compile(r"""gitshift["')]*\s*,\s*["']demo["']|\brun\([^,()]+,\s*["']demo["']""")
    tests = sorted((PROJECT / "tests").rglob("*.py"))
    assert [str(p.relative_to(PROJECT)) for p in tests if demo.search(p.read_text())] == ["tests/conftest.py"]
    readers = [f"{p.relative_to(PROJECT)}::{name}" for p in tests if p.name.startswith("test_") for name in _readers(p)]
    assert readers == ["tests/cli/test_demo.py::test_demo_walks_every_step",
                       "tests/cli/test_demo.py::test_demo_helm_walks_the_seed_pattern",
                       "tests/docs/test_packaging.py::test_wheel_carries_the_example_and_runs_the_demo_anywhere"]
