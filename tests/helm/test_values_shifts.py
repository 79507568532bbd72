"""Shifts on Helm values: a Flux HelmRelease, an Argo CD Application (values string, parameters, valuesObject),
and a values file, proven by rendering the overlay again (and checked here against kubectl kustomize)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import find, git, render, run, snapshot
from tests.helm.trees import CONFIG, tree


@pytest.fixture
def repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(tree())


def changed_lines(repo: Path) -> list[str]:
    """The lines ``git diff`` shows as removed or added (without the file headers)."""
    out = git(repo, "diff", "--unified=0")
    return [ln for ln in out.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]


def values(repo: Path, kind: str, name: str, overlay: str = "overlays/prod") -> Any:
    """A release's values as kubectl kustomize renders the overlay (the oracle)."""
    obj = find(render(repo / overlay), kind, name)
    if kind == "HelmRelease":
        return obj["spec"]["values"]
    return obj["spec"]


def status(repo: Path, app: str, env: str) -> dict[str, Any]:
    r = run(repo, "-o", "json", "status", app, "--env", env)
    assert r.exit_code == 0, r.output
    rows: list[dict[str, Any]] = json.loads(r.output)
    return rows[0]


def test_set_image_on_a_helmrelease_changes_one_line(repo: Path) -> None:
    r = run(repo, "set-image", "search", ":1.1.0", "--env", "stage")
    assert r.exit_code == 0, r.output
    assert changed_lines(repo) == ['-      tag: "1.0.0"   # pinned by CI', '+      tag: "1.1.0"   # pinned by CI']
    assert values(repo, "HelmRelease", "search", "overlays/stage")["image"]["tag"] == "1.1.0"
    assert status(repo, "search", "stage")["images"] == {"search": "ghcr.io/acme/search:1.1.0"}
    assert values(repo, "HelmRelease", "search")["image"]["tag"] == "1.0.0"


def test_two_envs_on_one_release_are_each_others_blast_radius(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(tree(CONFIG.replace("overlay: overlays/stage", "overlay: overlays/prod")))
    before = snapshot(repo)
    r = run(repo, "set-image", "search", ":1.1.0", "--env", "stage")
    assert r.exit_code == 1
    assert "the edit of overlays/prod also changes the render of search/prod" in r.output
    assert snapshot(repo) == before
    # the other releases of the same overlay are not moved by it: only search/prod is named
    assert "web/prod" not in r.output and "api/prod" not in r.output


def test_a_values_file_env_is_in_the_blast_radius_of_its_file(repo_factory: Callable[..., Path]) -> None:
    config = CONFIG.replace("""      values:
        strategy: rolling""", """      values-copy:
        strategy: rolling
        helm:
          values_file: charts/search/values-prod.yaml
          image: {tag: image.tag}
      values:
        strategy: rolling""")
    repo = repo_factory(tree(config))
    r = run(repo, "-o", "json", "set-image", "search", ":1.1.0", "--env", "values", "--allow-other-envs")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["affected"][1:] == [
        {"app": "search", "env": "values-copy", "overlay": "charts/search/values-prod.yaml"}]
    r = run(repo, "-o", "json", "set-image", "search", ":1.2.0", "--env", "stage")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["affected"][1:] == []


def test_canary_on_helmrelease_values(repo: Path) -> None:
    assert status(repo, "search", "prod")["replicas"] == {"stable": 3, "canary": 0}
    r = run(repo, "canary", "deploy", "search", "--env", "prod", "--image", "ghcr.io/acme/search:1.1.0")
    assert r.exit_code == 0, r.output
    v = values(repo, "HelmRelease", "search")
    assert (v["canary"]["image"]["tag"], v["canary"]["replicaCount"], v["router"]["canaryWeight"]) == ("1.1.0", 1, 10)
    assert v["image"]["tag"] == "1.0.0"
    s = status(repo, "search", "prod")
    assert s["images"] == {"stable": "ghcr.io/acme/search:1.0.0", "canary": "ghcr.io/acme/search:1.1.0"}
    assert (s["weight"], s["step"], s["steps"]) == (10, 1, [10, 50, 100])

    assert run(repo, "canary", "scale", "search", "--env", "prod", "--next").exit_code == 0
    assert values(repo, "HelmRelease", "search")["router"]["canaryWeight"] == 50
    r = run(repo, "canary", "promote", "search", "--env", "prod")
    assert r.exit_code == 0, r.output
    v = values(repo, "HelmRelease", "search")
    assert (v["image"]["tag"], v["canary"]["replicaCount"], v["router"]["canaryWeight"]) == ("1.1.0", 0, 0)
    assert '# pinned by CI' in (repo / "overlays/prod/helmrelease.yaml").read_text()
    assert status(repo, "search", "prod")["replicas"] == {"stable": 3, "canary": 0}


def test_canary_ab_header_and_rollback(repo: Path) -> None:
    r = run(repo, "canary", "deploy", "search", "--env", "prod", "--image", ":1.2.0", "--header", "X-Canary")
    assert r.exit_code == 0, r.output
    v = values(repo, "HelmRelease", "search")
    assert (v["router"]["canaryHeader"], v["router"]["canaryWeight"]) == ("X-Canary", 0)
    assert status(repo, "search", "prod")["match"] == "header X-Canary"
    r = run(repo, "canary", "deploy", "search", "--env", "prod", "--image", ":1.2.0", "--header", "X-Canary=yes")
    assert r.exit_code == 2 and "header_value" in r.output
    assert run(repo, "canary", "rollback", "search", "--env", "prod").exit_code == 0
    v = values(repo, "HelmRelease", "search")
    assert (v["router"]["canaryHeader"], v["canary"]["replicaCount"], v["image"]["tag"]) == ("", 0, "1.0.0")


def test_scale_refuses_a_canary_without_replicas(repo: Path) -> None:
    before = snapshot(repo)
    r = run(repo, "canary", "scale", "search", "--env", "prod", "--weight", "20")
    assert r.exit_code == 2 and "0 replicas" in r.output
    assert snapshot(repo) == before


def test_bluegreen_on_an_application_values_string_and_parameters(repo: Path) -> None:
    s = status(repo, "web", "prod")
    assert (s["active"], s["replicas"]) == ("blue", {"blue": 2, "green": 0})
    r = run(repo, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":2.1.0")
    assert r.exit_code == 0, r.output
    text = (repo / "overlays/prod/web.yaml").read_text()
    assert "      values: |\n        # web values, kept as text\n" in text
    assert "            tag: '2.1.0'\n" in text  # the quoting of the value is kept
    assert sorted(changed_lines(repo)) == sorted([
        "-            tag: '1.9.0'", "+            tag: '2.1.0'",
        "-          replicaCount: 0", "+          replicaCount: 2"])
    helm = values(repo, "Application", "web")["source"]["helm"]
    inner = yaml.safe_load(helm["values"])
    assert (inner["green"]["image"]["tag"], inner["green"]["replicaCount"]) == ("2.1.0", 2)

    r = run(repo, "bluegreen", "promote", "web", "--env", "prod")
    assert r.exit_code == 0, r.output
    assert "-          value: blue" in changed_lines(repo) and "+          value: green" in changed_lines(repo)
    assert status(repo, "web", "prod")["active"] == "green"
    assert run(repo, "bluegreen", "finish", "web", "--env", "prod").exit_code == 0
    helm = values(repo, "Application", "web")["source"]["helm"]
    assert helm["parameters"][1] == {"name": "blue.replicaCount", "value": "0"}
    r = run(repo, "bluegreen", "rollback", "web", "--env", "prod")
    assert r.exit_code == 1 and "0 replicas" in r.output  # the old color was scaled away


def test_values_object_with_one_image_string(repo: Path) -> None:
    r = run(repo, "-o", "json", "set-image", "api", ":3.1.0", "--env", "prod")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["changes"] == [{"resource": "Application/argocd/api", "path": "spec.sources[0].helm.valuesObject.image",
                               "before": "ghcr.io/acme/api:3.0.0", "after": "ghcr.io/acme/api:3.1.0"}]
    assert changed_lines(repo) == ["-          image: ghcr.io/acme/api:3.0.0",
                                   "+          image: ghcr.io/acme/api:3.1.0"]


def test_values_file_edit_keeps_comments_and_quotes(repo: Path) -> None:
    r = run(repo, "-o", "json", "set-image", "search", "ghcr.io/acme/search:1.3.0", "--env", "values")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["files"] == ["charts/search/values-prod.yaml"]
    assert changed_lines(repo) == ["-  tag: '1.0.0'", "+  tag: '1.3.0'"]
    assert status(repo, "search", "values")["images"] == {"search": "ghcr.io/acme/search:1.3.0"}


def test_values_file_env_commits_and_reverts(repo: Path) -> None:
    r = run(repo, "set-image", "search", ":1.3.0", "--env", "values", "--commit")
    assert r.exit_code == 0, r.output
    branch = "gitshift/search/values/set-image"
    sha = git(repo, "rev-parse", branch).strip()
    assert "tag: '1.3.0'" in git(repo, "show", f"{branch}:charts/search/values-prod.yaml")
    git(repo, "merge", "-q", "--ff-only", branch)
    r = run(repo, "revert", sha)
    assert r.exit_code == 0, r.output
    assert "tag: '1.0.0'" in (repo / "charts/search/values-prod.yaml").read_text()


@pytest.mark.parametrize(("edit", "needle"), [
    (("replicas: replicaCount", "replicas: replicaCont"), "value path replicaCont not found"),
    (("image: {tag: image.tag}", "image: {tag: image}"), "value path image lands on a mapping"),
])
def test_bad_value_paths_exit_2_and_change_nothing(repo_factory: Callable[..., Path], edit: tuple[str, str],
                                                   needle: str) -> None:
    repo = repo_factory(tree(CONFIG.replace(*edit)))
    before = snapshot(repo)
    r = run(repo, "set-image", "search", ":1.3.0", "--env", "values")
    assert r.exit_code == 2, r.output
    assert needle in r.output and "charts/search/values-prod.yaml" in r.output
    assert snapshot(repo) == before


def test_a_values_string_that_is_not_yaml(repo_factory: Callable[..., Path]) -> None:
    t = tree()
    t["overlays/prod/web.yaml"] = t["overlays/prod/web.yaml"].replace(
        "        router:\n          activeColor: green\n", "        router: [unclosed\n")
    repo = repo_factory(t)
    before = snapshot(repo)
    r = run(repo, "bluegreen", "deploy", "web", "--env", "prod", "--image", ":2.1.0")
    assert r.exit_code == 2, r.output
    assert "helm.values string is not YAML" in r.output and "Application/web" in r.output
    assert snapshot(repo) == before


def test_config_errors_name_the_key(repo_factory: Callable[..., Path]) -> None:
    bad = CONFIG.replace('image_tag: "${color}.image.tag"', "image_tag: blue.image.tag")
    repo = repo_factory(tree(bad))
    r = run(repo, "status")
    assert r.exit_code == 2 and "apps.web.envs.prod.helm.bluegreen.image_tag" in r.output
    both = CONFIG.replace("          release: api\n", "          release: api\n          values_file: x.yaml\n")
    r = run(repo_factory(tree(both)), "status")
    assert r.exit_code == 2 and "give overlay or helm.values_file, not both" in r.output
    neither = CONFIG.replace("          release: api\n", "")
    r = run(repo_factory(tree(neither)), "status")
    assert r.exit_code == 2 and "apps.api.envs.prod.helm: expected exactly one of release" in r.output


def test_a_helmrelease_in_a_base_is_shifted_by_a_patch_of_the_overlay(repo_factory: Callable[..., Path]) -> None:
    t = tree()
    t["base/search/helmrelease.yaml"] = t.pop("overlays/prod/helmrelease.yaml")
    t["base/search/kustomization.yaml"] = "resources:\n  - helmrelease.yaml\n"
    t["overlays/prod/kustomization.yaml"] = (
        "resources:\n  - ../../base/search\n  - web.yaml\n  - api.yaml\n"
        "patches:\n  - path: search-values.yaml\n")
    t["overlays/prod/search-values.yaml"] = (
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: search\n"
        "  namespace: prod\nspec:\n  values:\n    replicaCount: 5\n")
    repo = repo_factory(t)
    r = run(repo, "canary", "deploy", "search", "--env", "prod", "--image", ":1.1.0")
    assert r.exit_code == 0, r.output
    assert git(repo, "status", "--porcelain").split() == ["M", "overlays/prod/search-values.yaml"]
    v = values(repo, "HelmRelease", "search")
    assert (v["replicaCount"], v["canary"]["image"]["tag"], v["router"]["canaryWeight"]) == (5, "1.1.0", 10)
    assert status(repo, "search", "prod")["replicas"] == {"stable": 5, "canary": 1}


def test_promote_between_helm_envs(repo: Path) -> None:
    assert run(repo, "set-image", "search", ":1.4.0", "--env", "values").exit_code == 0
    r = run(repo, "-o", "json", "promote", "search", "--from", "values", "--to", "prod")
    assert r.exit_code == 0, r.output
    v = values(repo, "HelmRelease", "search")
    assert (v["canary"]["image"]["tag"], v["router"]["canaryWeight"]) == ("1.4.0", 10)


def test_diff_and_render_all_read_a_values_file_env(repo: Path, tmp_path: Path) -> None:
    assert run(repo, "set-image", "search", ":1.5.0", "--env", "values").exit_code == 0
    r = run(repo, "diff", "search", "--env", "values")
    assert r.exit_code == 0, r.output
    lines = [ln for ln in r.output.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert [ln.replace(" ", "") for ln in lines] == ["-tag:1.0.0", "+tag:1.5.0"]
    r = run(repo, "render", "--all", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "tag: 1.5.0" in (tmp_path / "out/search/values.yaml").read_text()
