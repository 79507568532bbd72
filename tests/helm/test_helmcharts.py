"""``helmCharts:`` in a kustomization: --engine auto inflates it with kustomize --enable-helm, and its
valuesFile and valuesInline are shift targets."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import git, run, snapshot
from tests.helm.conftest import example_tree


def test_auto_engine_inflates_helm_charts_like_kubectl(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "--engine", "auto", "render", str(shop / "clusters/prod-eu"))
    assert r.exit_code == 0, r.output
    oracle = subprocess.run(["kubectl", "kustomize", "--enable-helm", str(shop / "clusters/prod-eu")], check=True,
                            capture_output=True, text=True, env=os.environ.copy()).stdout
    assert r.stdout == oracle
    command = "kustomize build" if shutil.which("kustomize") else "kubectl kustomize"
    assert r.stderr == (f"gitshift: {shop}/clusters/prod-eu: the builtin engine does not support the `helmGlobals` "
                        f"field; rendering it with {command} --enable-helm\n")
    kinds = [d["kind"] for d in yaml.safe_load_all(r.stdout)]
    assert kinds.count("Deployment") == 2 and kinds.count("Ingress") == 2


def test_without_helm_the_builtin_refusal_says_what_to_install(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    r = run(shop, "--engine", "auto", "render", str(shop / "clusters/prod-eu"))
    assert r.exit_code == 3
    assert "helmCharts" in r.output and "install helm" in r.output


def test_canary_on_a_helm_charts_entry(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "--engine", "auto", "canary", "deploy", "web", "--env", "prod-eu", "--image", ":1.1.0")
    assert r.exit_code == 0, r.output
    assert "--enable-helm" in r.output and '+    nginx.ingress.kubernetes.io/canary-weight: "10"' in r.output
    assert git(shop, "diff", "--name-only").split() == ["clusters/prod-eu/values.yaml"]
    git(shop, "commit", "-qam", "canary")
    r = run(shop, "--engine", "auto", "canary", "promote", "web", "--env", "prod-eu", "--commit")
    assert r.exit_code == 0, r.output
    branch = "gitshift/web/prod-eu/canary-promote"
    diff = git(shop, "diff", "main", branch, "--", "clusters/prod-eu/kustomization.yaml")
    assert [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")] == [
        '-          tag: "1.0.0"   # the stable release', '+          tag: "1.1.0"   # the stable release']
    values = yaml.safe_load(git(shop, "show", f"{branch}:clusters/prod-eu/values.yaml"))
    assert (values["canary"]["replicaCount"], values["router"]["canaryWeight"]) == (0, 0)


def test_status_reads_a_helm_charts_entry_without_helm(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    r = run(shop, "-o", "json", "status", "web", "--env", "prod-eu")
    assert r.exit_code == 0, r.output
    row = yaml.safe_load(r.output)[0]
    assert (row["images"], row["replicas"]) == ({"stable": "ghcr.io/acme/web:1.0.0"}, {"stable": 2, "canary": 0})


def test_unknown_helm_charts_entry(repo_factory: Callable[..., Path]) -> None:
    t = example_tree()
    t["gitshift.yaml"] = t["gitshift.yaml"].replace("helm_chart: web", "helm_chart: shop")
    repo = repo_factory(t)
    before = snapshot(repo)
    r = run(repo, "canary", "deploy", "web", "--env", "prod-eu", "--image", ":1.1.0")
    assert r.exit_code == 2 and "no helmCharts entry named 'shop'" in r.output
    assert snapshot(repo) == before
