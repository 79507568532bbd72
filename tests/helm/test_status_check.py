"""status and check on Helm envs: the values always, the chart when helm.render: true or --engine helm asks."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import run, snapshot
from tests.helm.conftest import example_tree

ENVS = ["dev", "staging", "prod", "prod-canary", "prod-eu"]
NOT_ASKED = "chart not rendered: --engine helm (or helm.render: true) renders it with helm template"


def test_without_asking_the_values_are_read_and_the_output_says_the_chart_was_not(shop: Path) -> None:
    r = run(shop, "check")
    assert r.exit_code == 0, r.output
    assert r.stdout.count(f"     warning: {NOT_ASKED}\n") == len(ENVS)
    r = run(shop, "status")
    assert r.exit_code == 0, r.output
    assert r.stderr == (f"gitshift: note: {', '.join(f'web/{e}' for e in ENVS)}: read from the Helm values; "
                        f"{NOT_ASKED.replace('renders it', 'renders the chart')}\n")
    assert run(shop, "-q", "status").stderr == ""
    rows = json.loads(run(shop, "-o", "json", "status").stdout)
    assert [row["warnings"] for row in rows] == [[NOT_ASKED]] * len(ENVS)


def test_render_false_is_said_as_such(repo_factory: Callable[..., Path]) -> None:
    t = example_tree()
    t["gitshift.yaml"] = t["gitshift.yaml"].replace("          release: web-canary\n",
                                                    "          release: web-canary\n          render: false\n")
    r = run(repo_factory(t), "check", "--env", "prod-canary")
    assert r.stdout.splitlines()[1:] == ["     warning: chart not rendered (helm.render: false)"]


def test_engine_helm_renders_every_chart_and_checks_it(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "--engine", "helm", "check")
    assert r.exit_code == 0, r.output
    assert r.stdout == "".join(f"ok   web/{e} ({o})\n" for e, o in zip(ENVS, [
        "charts/web/values-dev.yaml", "clusters/staging", "clusters/prod", "clusters/prod-canary", "clusters/prod-eu"],
        strict=True))
    r = run(shop, "--engine", "helm", "status")
    assert r.exit_code == 0 and r.stderr == ""


def test_a_chart_that_ignores_the_values_fails_the_check(repo_factory: Callable[..., Path], helm_on_path: str) -> None:
    t = example_tree()
    path = "charts/web/charts/app/templates/deployment.yaml"
    t[path] = t[path].replace("{{ .Values.image.repository }}", "ghcr.io/acme/other")
    t["gitshift.yaml"] = t["gitshift.yaml"].replace("          release: web\n          bluegreen:",
                                                    "          release: web\n          render: true\n"
                                                    "          bluegreen:")
    repo = repo_factory(t)
    r = run(repo, "check", "--env", "prod")
    assert r.exit_code == 1, r.output
    assert r.stdout.splitlines() == [
        "FAIL web/prod (clusters/prod)",
        "     - chart: the chart runs no container with the blue image ghcr.io/acme/web:1.0.0",
        "     - chart: no Service of the chart selects the pods of the active color blue (ghcr.io/acme/web:1.0.0)"]
    r = run(repo, "check", "--env", "staging")  # helm.render: auto, not asked: the values are fine
    assert r.exit_code == 0 and NOT_ASKED in r.stdout
    r = run(repo, "status", "--env", "prod")
    assert r.exit_code == 0
    assert "gitshift: warning: web/prod: chart: the chart runs no container with the blue image" in r.stderr


@pytest.mark.parametrize("args", [("check",), ("status",)])
def test_engine_helm_without_helm_is_an_outside_error(shop: Path, monkeypatch: pytest.MonkeyPatch,
                                                      args: tuple[str, ...]) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    r = run(shop, "--engine", "helm", *args, "--env", "prod")
    assert r.exit_code == 3, r.output
    assert "gitshift: error: web/prod: helm is not on PATH (--engine helm)\nhint: install it, or drop --engine helm" \
        in r.stderr


def test_engine_helm_makes_a_shift_render_the_chart(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    before = snapshot(shop)
    r = run(shop, "--engine", "helm", "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 3 and "helm is not on PATH (--engine helm)" in r.output
    assert snapshot(shop) == before
    assert run(shop, "set-image", "web", ":1.1.0", "--env", "staging").exit_code == 0  # auto: said, not required
