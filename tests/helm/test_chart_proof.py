"""The chart proof: ``helm template`` of the release's chart with the values before and after a shift."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.conftest import git, run, snapshot
from tests.helm.conftest import example_tree


def test_bluegreen_deploy_renders_the_chart(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0")
    assert r.exit_code == 0, r.output
    assert "+      - image: ghcr.io/acme/web:1.1.0" in r.output  # the chart's Deployment, rendered by helm
    assert "b/charts/web (helm template)" in r.output
    r = run(shop, "-o", "json", "bluegreen", "promote", "web", "--env", "prod")
    assert r.exit_code == 0, r.output


def test_pr_body_names_the_chart_proof(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0", "--push", "--pr-preview")
    assert r.exit_code == 0, r.output
    assert "✅ chart charts/web rendered with helm template" in r.output
    assert '+    nginx.ingress.kubernetes.io/canary-weight: "10"' in r.output


def test_pr_body_says_the_chart_was_not_rendered_without_helm(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    r = run(shop, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0", "--push", "--pr-preview")
    assert r.exit_code == 0, r.output
    assert "⚠️ chart not rendered: helm is not on PATH" in r.output


def test_render_true_needs_helm(repo_factory: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    t = example_tree()
    t["gitshift.yaml"] = t["gitshift.yaml"].replace("          release: web-canary\n",
                                                    "          release: web-canary\n          render: true\n")
    repo = repo_factory(t)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    before = snapshot(repo)
    r = run(repo, "canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    assert r.exit_code == 3 and "helm is not on PATH" in r.output
    assert snapshot(repo) == before


def test_values_the_chart_ignores_are_refused(repo_factory: Callable[..., Path], helm_on_path: str) -> None:
    """The values move as asked, but the chart reads another key: the render shows no new image."""
    t = example_tree()
    t["clusters/prod/helmrelease.yaml"] = t["clusters/prod/helmrelease.yaml"].replace(
        "      replicaCount: 3", '      imageTag: "1.0.0"\n      replicaCount: 3').replace(
        "      replicaCount: 0", '      imageTag: ""\n      replicaCount: 0')
    t["gitshift.yaml"] = t["gitshift.yaml"].replace('image_tag: "${color}.image.tag"', 'image_tag: "${color}.imageTag"')
    repo = repo_factory(t)
    before = snapshot(repo)
    r = run(repo, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0")
    assert r.exit_code == 1, r.output
    assert "the chart runs no container with the green image ghcr.io/acme/web:1.1.0" in r.output
    assert snapshot(repo) == before


def test_a_chart_that_fails_with_the_new_values_is_refused(repo_factory: Callable[..., Path],
                                                           helm_on_path: str) -> None:
    t = example_tree()
    path = "charts/web/charts/app/templates/deployment.yaml"
    t[path] = '{{ if eq .Values.image.tag "6.6.6" }}{{ fail "tag 6.6.6 is withdrawn" }}{{ end }}\n' + t[path]
    repo = repo_factory(t)
    before = snapshot(repo)
    r = run(repo, "set-image", "web", ":6.6.6", "--env", "staging")
    assert r.exit_code == 1, r.output
    assert "the chart does not render with the new values" in r.output and "tag 6.6.6 is withdrawn" in r.output
    assert snapshot(repo) == before
    assert run(repo, "set-image", "web", ":1.2.0", "--env", "staging").exit_code == 0


def test_values_file_env_renders_its_chart(shop: Path, helm_on_path: str) -> None:
    r = run(shop, "-o", "json", "set-image", "web", ":1.3.0", "--env", "dev")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["files"] == ["charts/web/values-dev.yaml"]
    assert git(shop, "diff", "--stat").strip().startswith("charts/web/values-dev.yaml | 2")
    r = run(shop, "set-image", "web", ":1.4.0", "--env", "dev", "--dry-run")
    assert "+      - image: ghcr.io/acme/web:1.4.0" in r.output


def test_commit_renders_the_chart_from_the_commit(shop: Path, helm_on_path: str) -> None:
    (shop / "charts/web/charts/app/templates/deployment.yaml").write_text("broken: {{ \n")  # not committed
    r = run(shop, "set-image", "web", ":1.5.0", "--env", "staging", "--commit")
    assert r.exit_code == 0, r.output
    text = git(shop, "show", "gitshift/web/staging/set-image:clusters/staging/helmrelease.yaml")
    assert yaml.safe_load(text)["spec"]["values"]["stable"]["image"]["tag"] == "1.5.0"
