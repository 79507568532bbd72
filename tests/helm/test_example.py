"""examples/helm end to end: the README walkthrough as pull requests, and its overlays against kubectl kustomize."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import find, git, render, run
from tests.helm.conftest import EXAMPLE
from tests.support.forge_server import ForgeServer

# The overlays without helmCharts (tests/helm/test_helmcharts.py renders that one with --enable-helm).
OVERLAYS = sorted(p.parent.name for p in (EXAMPLE / "clusters").glob("*/kustomization.yaml")
                  if "helmCharts:" not in p.read_text())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_builtin_render_equals_kubectl_kustomize(overlay: str) -> None:
    path = EXAMPLE / "clusters" / overlay
    r = run(None, "--engine", "builtin", "render", str(path))
    assert r.exit_code == 0, r.output
    oracle = subprocess.run(["kubectl", "kustomize", str(path)], check=True, capture_output=True, text=True).stdout
    assert r.output == oracle


def values(repo: Path, overlay: str, kind: str) -> Any:
    obj = next(o for o in render(repo / "clusters" / overlay) if o["kind"] == kind)
    spec = obj["spec"]
    return spec["values"] if kind == "HelmRelease" else spec["source"]["helm"]["valuesObject"]


def forge(repo: Path, server: ForgeServer) -> dict[str, str]:
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {server.github_url}\n  base: main\n"
                   + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    return {"GITHUB_TOKEN": server.token}


def pr_and_merge(repo: Path, env: dict[str, str], *args: str) -> str:
    """Open the PR of a shift, then merge its branch into main as a reviewer would; the PR's title."""
    r = run(repo, "-o", "json", *args, "--pr", env=env)
    assert r.exit_code == 0, r.output
    out = yaml.safe_load(r.output)
    assert out["pr_url"], out
    git(repo, "merge", "-q", "--ff-only", out["branch"])
    git(repo, "push", "-q", "origin", "main")
    return str(out["branch"])


def test_readme_walkthrough_as_pull_requests(shop: Path, forge_server: ForgeServer) -> None:
    env = forge(shop, forge_server)
    pr_and_merge(shop, env, "bluegreen", "deploy", "web", "--env", "prod", "--image", "ghcr.io/acme/web:1.1.0")
    v = values(shop, "prod", "HelmRelease")
    assert (v["green"]["image"]["tag"], v["green"]["replicaCount"]) == ("1.1.0", 3)
    assert v["router"]["previewColor"] == "green"
    pr_and_merge(shop, env, "bluegreen", "confirm", "web", "--env", "prod")
    assert values(shop, "prod", "HelmRelease")["router"]["activeColor"] == "green"
    pr_and_merge(shop, env, "bluegreen", "rollback", "web", "--env", "prod")
    assert values(shop, "prod", "HelmRelease")["router"]["activeColor"] == "blue"

    pr_and_merge(shop, env, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    pr_and_merge(shop, env, "canary", "scale", "web", "--env", "prod-canary", "--next")
    v = values(shop, "prod-canary", "Application")
    assert (v["canary"]["image"]["tag"], v["canary"]["replicaCount"], v["router"]["canaryWeight"]) == ("1.1.0", 1, 50)
    pr_and_merge(shop, env, "canary", "confirm", "web", "--env", "prod-canary")
    v = values(shop, "prod-canary", "Application")
    assert (v["stable"]["image"]["tag"], v["canary"]["replicaCount"], v["router"]["canaryWeight"]) == ("1.1.0", 0, 0)
    titles = [p.title for p in forge_server.github.repos["acme/gitops"].pulls.values()]
    assert titles == [
        "bluegreen web/prod: preview blue → green, green none → 1.1.0",
        "bluegreen web/prod: active blue → green",
        "bluegreen web/prod: active green → blue",
        "canary web/prod-canary: weight 0 → 10, canary none → 1.1.0",
        "canary web/prod-canary: weight 10 → 50",
        "canary web/prod-canary: weight 50 → 0, stable 1.0.0 → 1.1.0",
    ]
    history = run(shop, "-o", "json", "history", "web")
    assert [h["action"] for h in yaml.safe_load(history.output)][:3] == ["canary.promote", "canary.scale",
                                                                       "canary.deploy"]


def test_set_image_on_the_flux_env_changes_one_line(shop: Path) -> None:
    r = run(shop, "set-image", "web", ":1.1.0", "--env", "staging")
    assert r.exit_code == 0, r.output
    assert git(shop, "diff", "--numstat").split() == ["1", "1", "clusters/staging/helmrelease.yaml"]
    text = (shop / "clusters/staging/helmrelease.yaml").read_text()
    assert '        tag: "1.1.0"   # set by gitshift set-image' in text
    assert find(render(shop / "clusters/staging"), "HelmRelease", "web")["spec"]["values"]["stable"]["image"]["tag"] \
        == "1.1.0"

