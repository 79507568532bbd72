"""``gitshift init`` end to end: real repositories, the CLI as a user runs it, and the config it writes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import git, run, snapshot
from tests.init import shapes

from gitshift import config

RepoFactory = Callable[..., Path]


def summary(cfg: config.Config) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Apps, envs, overlays, images and strategy settings of a config, comparable across two files."""
    out: dict[tuple[str, str], tuple[Any, ...]] = {}
    for app in cfg.apps.values():
        for env in app.envs.values():
            bg = env.bluegreen
            cn = env.canary
            out[(app.name, env.name)] = (
                env.overlay, env.strategy, env.image,
                (bg.service, bg.preview_service, bg.color_label, dict(bg.colors)) if bg else None,
                (cn.traffic, cn.stable, cn.canary, cn.route, cn.steps) if cn else None,
            )
    return out


def load(repo: Path, name: str = "gitshift.yaml") -> config.Config:
    return config.load(repo / name, repo)


def test_example_tree_gives_the_hand_written_config(example_repo: Path) -> None:
    shutil.move(example_repo / "gitshift.yaml", example_repo / "hand-written.yaml")
    result = run(example_repo, "init")
    assert result.exit_code == 0, result.output
    assert summary(load(example_repo)) == summary(load(example_repo, "hand-written.yaml"))
    lines = result.stdout.splitlines()
    assert ("web/production: bluegreen (Deployments web-blue, web-green differ by label color; "
            "Service web selects color=blue)") in lines
    assert "web/dev: recreate (Deployment web has spec.strategy.type Recreate)" in lines
    assert any(line.startswith("web/production-istio: canary istio (VirtualService web ") for line in lines)
    assert lines[-1].startswith("wrote gitshift.yaml: 1 app(s), 7 env(s)")
    check = run(example_repo, "check")
    assert check.exit_code == 0, check.output
    assert check.stdout.count("ok   web/") == 7


def test_the_written_file_says_why(example_repo: Path) -> None:
    (example_repo / "gitshift.yaml").unlink()
    assert run(example_repo, "init", "-q").exit_code == 0
    text = (example_repo / "gitshift.yaml").read_text()
    assert "      # recreate: Deployment web has spec.strategy.type Recreate\n      dev:\n" in text
    assert "          route: web                 # VirtualService\n" in text
    assert "          route: web                 # HTTPRoute\n" in text
    assert "# forge:" in text and "\nforge:" not in text


def test_setting_up_as_the_readme_shows(example_repo: Path) -> None:
    (example_repo / "gitshift.yaml").unlink()
    assert run(example_repo, "init").exit_code == 0
    status = run(example_repo, "status")
    assert status.exit_code == 0, status.output
    assert "active=blue preview=green" in status.stdout
    shifted = run(example_repo, "set-image", "web", "--env", "staging", ":1.1.0")
    assert shifted.exit_code == 0, shifted.output
    assert "newTag: 1.1.0" in (example_repo / "overlays/staging/kustomization.yaml").read_text()


def test_forge_from_the_origin_remote(example_repo: Path) -> None:
    (example_repo / "gitshift.yaml").unlink()
    git(example_repo, "remote", "set-url", "origin", "https://x-access-token:s3cr3t@github.com/acme/gitops.git")
    result = run(example_repo, "init")
    assert result.exit_code == 0, result.output
    cfg = load(example_repo)
    assert cfg.forge is not None and (cfg.forge.kind, cfg.forge.project) == ("github", "acme/gitops")
    text = (example_repo / "gitshift.yaml").read_text()
    assert "s3cr3t" not in text + result.output
    assert "# where --pr opens pull requests, read from the origin remote; the token is read from GITHUB_TOKEN" in text


def test_an_existing_file_is_kept_without_force(example_repo: Path) -> None:
    before = snapshot(example_repo)
    result = run(example_repo, "init")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith("gitshift: error: gitshift.yaml already exists (")
    assert "hint: pass --force" in result.stderr
    assert snapshot(example_repo) == before
    forced = run(example_repo, "init", "--force")
    assert forced.exit_code == 0, forced.output
    assert "written by" not in (example_repo / "gitshift.yaml").read_text().lower()
    assert "`gitshift init` found it" in (example_repo / "gitshift.yaml").read_text()


def test_dry_run_prints_and_writes_nothing(example_repo: Path) -> None:
    before = snapshot(example_repo)
    result = run(example_repo, "init", "--dry-run")
    assert result.exit_code == 0, result.output
    assert snapshot(example_repo) == before
    parsed = config.parse(result.stdout, example_repo / "gitshift.yaml", example_repo)
    assert set(parsed.apps["web"].envs) == set(load(example_repo).apps["web"].envs)


def test_config_option_names_the_file(example_repo: Path) -> None:
    result = run(example_repo, "-c", str(example_repo / "generated.yaml"), "init")
    assert result.exit_code == 0, result.output
    assert "wrote generated.yaml:" in result.stdout
    assert run(example_repo, "-c", str(example_repo / "generated.yaml"), "check").exit_code == 0


def test_one_odd_overlay_never_blinds_the_rest(repo_factory: RepoFactory) -> None:
    repo = repo_factory({
        "overlays/broken/kustomization.yaml": "resources:\n- missing.yaml\n",
        "overlays/unsupported/kustomization.yaml": "resources:\n- ../../base\nhelmCharts:\n- name: x\n",
        "overlays/garbled/kustomization.yaml": "resources: [\n",
    }, example=True)
    (repo / "gitshift.yaml").unlink()
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    assert [line.split(":")[0] for line in skipped] == [
        "skipped overlays/broken", "skipped overlays/garbled", "skipped overlays/unsupported"]
    assert str(repo) not in result.stdout  # paths shown relative to the repository
    assert len(load(repo).apps["web"].envs) == 7


def test_json_output(example_repo: Path) -> None:
    (example_repo / "gitshift.yaml").unlink()
    result = run(example_repo, "init", "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == 1 and data["written"] is True and data["config"] == "gitshift.yaml"
    assert data["kustomizations"] == 9 and data["overlays"] == 7 and data["skipped"] == []
    [app] = data["apps"]
    assert app["app"] == "web" and app["image"] == "ghcr.io/acme/web"
    by_env = {e["env"]: e for e in app["envs"]}
    assert by_env["production"]["settings"] == {
        "service": "web", "preview_service": "web-preview", "color_label": "color",
        "colors": {"blue": "web-blue", "green": "web-green"}}
    assert by_env["production-replicas"]["settings"]["steps"] == [25, 50, 75]
    assert data["checks"] == []


def test_nothing_to_release_is_bad_input(repo_factory: RepoFactory) -> None:
    repo = repo_factory({"config/kustomization.yaml": "configMapGenerator:\n- name: c\n  literals: [a=b]\n"})
    before = snapshot(repo)
    result = run(repo, "init")
    assert result.exit_code == 2
    assert result.stderr.startswith("gitshift: error: no app found")
    assert snapshot(repo) == before
    empty = run(repo_factory({"README.md": "nothing here\n"}), "init")
    assert empty.exit_code == 2
    assert "no kustomization.yaml was found" in empty.stderr


ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
spec:
  replicas: 3
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
      - name: shop
        image: ghcr.io/acme/shop:2.0.0
  strategy:
    canary:
      steps:
      - setWeight: 20
      - pause: {}
"""


def test_rollout_envs_are_written_live(repo_factory: RepoFactory) -> None:
    repo = repo_factory({
        "apps/shop/base/kustomization.yaml": "resources:\n- rollout.yaml\n",
        "apps/shop/base/rollout.yaml": ROLLOUT,
        "apps/shop/production/kustomization.yaml": "resources:\n- ../base\n",
        "apps/shop/dev/kustomization.yaml": "resources:\n- ../../api/base\n",  # not the shop: another app
        "apps/api/base/kustomization.yaml": "resources:\n- deployment.yaml\n",
        "apps/api/base/deployment.yaml": shapes.deployment("api", "ghcr.io/acme/api:1.0.0"),
    })
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    assert "shop/production: rollout (Rollout shop has spec.strategy.canary.steps (2 steps))" in result.stdout
    text = (repo / "gitshift.yaml").read_text()
    assert "        strategy: rollout\n" in text
    assert set(load(repo).apps) == {"api", "shop"}
    assert run(repo, "check").exit_code == 0


def test_only_rollouts_is_a_config(repo_factory: RepoFactory) -> None:
    repo = repo_factory({"shop/kustomization.yaml": "resources:\n- rollout.yaml\n", "shop/rollout.yaml": ROLLOUT})
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    assert load(repo).env("shop", "shop").strategy == "rollout"


def test_microservices_demo_shape(repo_factory: RepoFactory) -> None:
    repo = repo_factory(shapes.MICROSERVICES_DEMO)
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    cfg = load(repo)
    assert set(cfg.apps) == shapes.MICROSERVICES_DEMO_APPS
    ad = cfg.apps["adservice"]
    assert ad.image == "us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo/adservice"
    assert set(ad.envs) == {"kubernetes-manifests", "kustomize", "service-mesh-istio-with-all-components",
                            "without-loadgenerator"}
    assert ad.envs["kubernetes-manifests"].image == "adservice"  # the bare name skaffold fills in
    assert set(cfg.apps["loadgenerator"].envs) == {"kubernetes-manifests", "kustomize",
                                                   "service-mesh-istio-with-all-components"}
    assert set(cfg.apps["opentelemetry-collector-contrib"].envs) == {"service-mesh-istio-with-all-components"}
    assert "busybox" not in cfg.apps  # an init container is no app
    assert {e.strategy for a in cfg.apps.values() for e in a.envs.values()} == {"rolling"}
    assert "kustomize/components" not in result.stdout  # a Component is never rendered on its own
    assert run(repo, "check").exit_code == 0


def test_argocd_example_apps_shape(repo_factory: RepoFactory) -> None:
    repo = repo_factory(shapes.ARGOCD_EXAMPLE_APPS)
    result = run(repo, "init")
    assert result.exit_code == 0, result.output
    cfg = load(repo)
    assert set(cfg.apps) == shapes.ARGOCD_EXAMPLE_APPS_APPS
    assert set(cfg.apps["gb-frontend"].envs) == {"pre-post-sync"}  # kustomize-guestbook is its base
    assert "alpine" not in cfg.apps  # a hook Job is no app
    assert "rolling (Deployments carts-db, orders-db have no spec.strategy.type" in result.stdout
    assert "skipped plugins/kustomized-helm:" in result.stdout
    assert run(repo, "check").exit_code == 0


@pytest.mark.parametrize("engine", ["builtin", "kubectl"])
def test_podinfo_shape(repo_factory: RepoFactory, engine: str) -> None:
    if engine == "kubectl" and shutil.which("kubectl") is None:
        pytest.skip("kubectl is not installed")
    repo = repo_factory(shapes.PODINFO)
    result = run(repo, "--engine", engine, "init")
    assert result.exit_code == 0, result.output
    cfg = load(repo)
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    if engine == "builtin" and skipped:  # the builtin engine refuses `transformers:` and says what to use
        assert [line.split(":")[0] for line in skipped] == [
            f"skipped deploy/overlays/{env}" for env in ("dev", "production", "staging")]
        assert all("`transformers`" in line and "--engine kustomize" in line for line in skipped)
        assert {a: list(c.envs) for a, c in cfg.apps.items()} == {"podinfo": ["kustomize"]}
        return
    assert skipped == []
    assert set(cfg.apps) == shapes.PODINFO_APPS
    assert list(cfg.apps["podinfo"].envs) == ["dev", "staging", "production", "kustomize"]
    assert list(cfg.apps["redis"].envs) == ["dev", "staging", "production"]
    assert ("podinfo/dev: rolling (Deployments backend, database-replica, frontend have spec.strategy.type "
            "RollingUpdate; set-image also updates CronJobs backup-daily, warm-cache and StatefulSet "
            "database-primary)") in result.stdout
    assert run(repo, "--engine", engine, "check").exit_code == 0


def test_envs_with_one_folder_name_get_their_parents(repo_factory: RepoFactory) -> None:
    tree = {"base/kustomization.yaml": "resources:\n- d.yaml\n",
            "base/d.yaml": shapes.deployment("web", "ghcr.io/acme/web:1")}
    for region in ("eu", "us"):
        tree[f"clusters/{region}/prod/kustomization.yaml"] = f"namespace: {region}\nresources:\n- ../../../base\n"
    repo = repo_factory(tree)
    assert run(repo, "init").exit_code == 0
    assert {e: c.overlay for e, c in load(repo).apps["web"].envs.items()} == {
        "eu-prod": "clusters/eu/prod", "us-prod": "clusters/us/prod"}
    git(repo, "status", "--porcelain")
