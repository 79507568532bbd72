"""gate and advance on Helm envs (examples/helm): the step is a value, the names are the chart's.

Argo CD is the contract-checked fake, Prometheus is real; the chart is rendered by helm (or the
stand-in on Helm's own engine) to learn the workload names the checks ask about.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import git, snapshot
from tests.helm.conftest import example_tree, helm_on_path  # noqa: F401
from tests.support.argocd_fake import ArgoCDServer

from gitshift.config import load
from gitshift.render import get_renderer
from gitshift.shift.gate import read

from .conftest import PrometheusServer
from .test_advance import cli, land, synced, trailers

ERRORS = ('sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}",code=~"5.."}[1m]))'
          ' / sum(rate(http_requests_total{namespace="${namespace}",deployment="${canary}"}[1m]))')
READY = 'ready_ratio{namespace="${namespace}",deployment="${preview}"}'


def shop_tree(argocd: ArgoCDServer, prometheus: PrometheusServer, max_errors: float = 0.01,
              **envs: dict[str, Any]) -> dict[str, str]:
    """examples/helm with gates: and the analysis of its canary and blue/green envs (``envs`` merged over them)."""
    tree = example_tree()
    config = yaml.safe_load(tree["gitshift.yaml"])
    web = config["apps"]["web"]["envs"]
    web["prod-canary"] |= {"argocd_app": "web-canary", "analysis": {
        "bake": "5m", "checks": [{"name": "error-rate", "query": ERRORS, "max": max_errors}]}}
    web["prod"] |= {"argocd_app": "web-prod", "analysis": {
        "bake": "2m", "checks": [{"name": "ready", "query": READY, "min": 0.9}]}}
    for name, extra in envs.items():
        web[name] |= extra
    config["gates"] = {"argocd": {"url": argocd.url, "namespace": "argocd"},
                       "prometheus": {"url": prometheus.url}, "retries": 2, "timeout": 5}
    tree["gitshift.yaml"] = yaml.safe_dump(config, sort_keys=False)
    return tree


@pytest.fixture
def shop(repo_factory: Callable[..., Path], argocd_server: ArgoCDServer, prometheus_server: PrometheusServer,
         helm_on_path: str) -> Path:  # noqa: F811
    return repo_factory(shop_tree(argocd_server, prometheus_server))


def values(repo: Path, rel: str = "clusters/prod-canary/application.yaml") -> dict[str, Any]:
    obj = yaml.safe_load((repo / rel).read_text())
    found: dict[str, Any] = obj["spec"]["source"]["helm"]["valuesObject"] if "source" in obj["spec"] \
        else obj["spec"]["values"]
    return found


def merge(repo: Path) -> str:
    git(repo, "merge", "-q", "--ff-only", "step")
    git(repo, "branch", "-qD", "step")
    return git(repo, "rev-parse", "HEAD").strip()


def test_the_canary_walks_its_steps_by_values_then_promotes(shop: Path, argocd_server: ArgoCDServer) -> None:
    head = land(shop, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-canary", head)
    r = cli(shop, "gate", "web", "--env", "prod-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    gate = json.loads(r.stdout)
    assert [(g["kind"], g["verdict"]) for g in gate["gates"]] == [("argocd", "pass"), ("bake", "pass"),
                                                                  ("prometheus", "pass")]
    assert gate["gates"][2]["value"] == pytest.approx(3 / 1003)  # web-canary in shop-canary: the chart's names
    for expected in (50, 100):
        r = cli(shop, "canary", "advance", "web", "--env", "prod-canary", "--commit", "--branch", "step")
        assert r.exit_code == 0, r.output
        head = merge(shop)
        assert trailers(shop) == {"Gitshift-App": "web", "Gitshift-Env": "prod-canary",
                                  "Gitshift-Action": "canary.scale", "Gitshift-Gate": "pass"}
        assert values(shop)["router"]["canaryWeight"] == expected
        synced(argocd_server, "web-canary", head)
    r = cli(shop, "canary", "advance", "web", "--env", "prod-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["verdict"], data["action"], data["shift"]["changed"]) == ("pass", "canary.promote", True)
    now = values(shop)
    assert (now["stable"]["image"]["tag"], now["canary"]["replicaCount"], now["router"]["canaryWeight"]) == \
        ("1.1.0", 0, 0)


def test_a_failed_check_rolls_the_canary_back(repo_factory: Callable[..., Path], argocd_server: ArgoCDServer,
                                              prometheus_server: PrometheusServer, helm_on_path: str  # noqa: F811
                                              ) -> None:
    repo = repo_factory(shop_tree(argocd_server, prometheus_server, max_errors=0.001))
    head = land(repo, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-canary", head)
    r = cli(repo, "canary", "advance", "web", "--env", "prod-canary", "--commit", "--branch", "step")
    assert r.exit_code == 1, r.output
    assert "web/prod-canary: fail: error-rate:" in r.stdout
    assert trailers(repo, "step")["Gitshift-Action"] == "canary.rollback"
    git(repo, "checkout", "-q", "step")
    now = values(repo)
    assert (now["canary"]["replicaCount"], now["router"]["canaryWeight"]) == (0, 0)


def test_the_bluegreen_preview_is_promoted_then_finished(shop: Path, argocd_server: ArgoCDServer) -> None:
    rel = "clusters/prod/helmrelease.yaml"
    head = land(shop, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0")
    synced(argocd_server, "web-prod", head)
    r = cli(shop, "bluegreen", "advance", "web", "--env", "prod", "--commit", "--branch", "step", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["action"] == "bluegreen.promote" and data["gates"][2]["value"] == 1.0  # ready_ratio of web-green
    head = merge(shop)
    assert values(shop, rel)["router"]["activeColor"] == "green"
    synced(argocd_server, "web-prod", head, ago_s=60)
    r = cli(shop, "bluegreen", "advance", "web", "--env", "prod")
    assert r.exit_code == 75 and "of 2m since the sync finished" in r.stdout
    synced(argocd_server, "web-prod", head, ago_s=180)
    r = cli(shop, "bluegreen", "advance", "web", "--env", "prod", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["action"] == "bluegreen.finish"
    assert values(shop, rel)["blue"]["replicaCount"] == 0


def test_advance_all_takes_the_helm_envs(shop: Path, argocd_server: ArgoCDServer) -> None:
    land(shop, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    head = land(shop, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0")
    synced(argocd_server, "web-canary", head)
    synced(argocd_server, "web-prod", head, ago_s=20)
    r = cli(shop, "advance", "--all", "-o", "json")
    assert r.exit_code == 75, r.output  # the canary steps on, blue/green still bakes
    by_env = {d["env"]: d for d in json.loads(r.stdout)}
    assert set(by_env) == {"prod", "prod-canary", "prod-eu"}
    assert (by_env["prod-canary"]["verdict"], by_env["prod-canary"]["action"]) == ("pass", "canary.scale")
    assert (by_env["prod"]["verdict"], by_env["prod"]["action"]) == ("wait", None)
    assert by_env["prod-eu"]["verdict"] is None  # no canary going: not judged, its chart not rendered
    assert values(shop)["router"]["canaryWeight"] == 50


def test_placeholders_of_helm_envs(shop: Path) -> None:
    land(shop, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0")
    config = load(shop / "gitshift.yaml", shop)
    envs = [config.env("web", e) for e in ("staging", "prod", "prod-canary", "prod-eu")]
    staging, prod, canary, eu = (x.names for x in read(config, get_renderer("builtin"), envs))
    assert staging == {"app": "web", "env": "staging", "release": "web", "namespace": "staging"}
    assert prod == {"app": "web", "env": "prod", "release": "web", "namespace": "shop", "active": "web-blue",
                    "preview": "web-green", "service": "web", "preview_service": "web-preview"}
    assert canary == {"app": "web", "env": "prod-canary", "release": "web", "namespace": "shop-canary",
                      "stable": "web-stable", "canary": "web-canary", "service": "web", "canary_service": "web-canary"}
    assert eu == {"app": "web", "env": "prod-eu", "release": "web", "namespace": "shop-eu"}  # its checks ask none


def test_without_helm_the_chart_names_need_the_config(repo_factory: Callable[..., Path], argocd_server: ArgoCDServer,
                                                     prometheus_server: PrometheusServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    repo = repo_factory(shop_tree(argocd_server, prometheus_server))
    head = land(repo, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-canary", head)
    kept = snapshot(repo)
    r = cli(repo, "canary", "advance", "web", "--env", "prod-canary")
    assert r.exit_code == 2, r.output
    assert ("gitshift: error: apps.web.envs.prod-canary.analysis.checks: ${canary} is the chart's, and the chart "
            "was not rendered: helm is not on PATH") in r.output
    assert snapshot(repo) == kept
    named = repo_factory(shop_tree(argocd_server, prometheus_server, **{"prod-canary": {"canary": {
        "steps": [10, 50, 100], "stable": "web-stable", "canary": "web-canary"}}}))
    head = land(named, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    synced(argocd_server, "web-canary", head)
    r = cli(named, "gate", "web", "--env", "prod-canary", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["gates"][2]["value"] == pytest.approx(3 / 1003)
