"""strategy: rollout: Argo Rollouts progresses the release; gitshift sets the image and shows the steps from Git.

The trees follow the Argo Rollouts getting-started examples: a canary Rollout with
setWeight and pause steps behind nginx, a blue/green Rollout with active and preview
Services, and a Rollout that references a Deployment (``workloadRef``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import find, render, run, snapshot

IMG = "argoproj/rollouts-demo"

POD = f"""\
    metadata:
      labels:
        app: rollouts-demo
    spec:
      containers:
      - name: rollouts-demo
        image: {IMG}:blue
        ports:
        - containerPort: 8080
"""
CANARY = f"""\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: rollouts-demo
spec:
  replicas: 5
  strategy:
    canary:
      canaryService: rollouts-demo-canary
      stableService: rollouts-demo-stable
      trafficRouting:
        nginx:
          stableIngress: rollouts-demo-stable
      steps:
      - setWeight: 20
      - pause: {{}}
      - setWeight: 40
      - pause: {{duration: 10m}}
      - setWeight: 80
      - pause: {{duration: 30}}
  selector:
    matchLabels:
      app: rollouts-demo
  template:
{POD}"""
BLUE_GREEN = CANARY.replace("""    canary:
      canaryService: rollouts-demo-canary
      stableService: rollouts-demo-stable
      trafficRouting:
        nginx:
          stableIngress: rollouts-demo-stable
      steps:
      - setWeight: 20
      - pause: {}
      - setWeight: 40
      - pause: {duration: 10m}
      - setWeight: 80
      - pause: {duration: 30}
""", """    blueGreen:
      activeService: rollouts-demo-active
      previewService: rollouts-demo-preview
      autoPromotionEnabled: false
""")
SERVICES = "".join(f"""\
---
apiVersion: v1
kind: Service
metadata:
  name: rollouts-demo-{name}
spec:
  selector:
    app: rollouts-demo
  ports:
  - port: 80
    targetPort: 8080
""" for name in ("stable", "canary", "active", "preview"))
INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rollouts-demo-stable
spec:
  ingressClassName: nginx
  rules:
  - host: rollouts-demo.local
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: rollouts-demo-stable
            port:
              number: 80
"""


def tree(rollout: str, strategy: str = "rollout") -> dict[str, str]:
    return {
        "base/kustomization.yaml": "resources:\n- rollout.yaml\n- services.yaml\n- ingress.yaml\n",
        "base/rollout.yaml": rollout,
        "base/services.yaml": SERVICES,
        "base/ingress.yaml": INGRESS,
        "overlays/prod/kustomization.yaml": "resources:\n- ../../base\n",
        "gitshift.yaml": f"apps:\n  rollouts-demo:\n    image: {IMG}\n    envs:\n"
                         f"      prod: {{overlay: overlays/prod, strategy: {strategy}}}\n",
    }


@pytest.fixture
def canary_repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(tree(CANARY))


def status(repo: Path) -> dict[str, object]:
    r = run(repo, "status", "-o", "json")
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout)[0])


def test_status_shows_the_steps_and_set_weights_from_git(canary_repo: Path) -> None:
    row = status(canary_repo)
    assert row["strategy"] == "rollout" and row["traffic"] == "nginx"
    assert row["steps"] == [20, 40, 80] and row["weight"] is None
    assert row["controllers"] == [{"kind": "Rollout", "name": "rollouts-demo", "steps": [
        "setWeight 20", "pause", "setWeight 40", "pause 10m", "setWeight 80", "pause 30s"]}]
    assert row["replicas"] == {"rollouts-demo": 5}
    text = run(canary_repo, "status").stdout
    assert "nginx: Rollout/rollouts-demo: setWeight 20 → pause → setWeight 40 → pause 10m" in text


def test_set_image_writes_the_image_and_nothing_argo_rollouts_owns(canary_repo: Path) -> None:
    before = render(canary_repo / "overlays/prod")
    r = run(canary_repo, "set-image", "rollouts-demo", ":yellow", "--env", "prod", "-o", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [(c["resource"], c["path"]) for c in data["changes"]] == [
        ("Rollout/rollouts-demo", "spec.template.spec.containers[0].image")]
    after = render(canary_repo / "overlays/prod")
    rollout = find(after, "Rollout", "rollouts-demo")
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:yellow"
    assert rollout["spec"]["strategy"] == find(before, "Rollout", "rollouts-demo")["spec"]["strategy"]
    unchanged = [o for o in after if o["kind"] != "Rollout"]
    assert unchanged == [o for o in before if o["kind"] != "Rollout"]


@pytest.mark.parametrize("action", [("canary", "scale", "--weight", "50"), ("canary", "promote")])
def test_rollout_envs_refuse_the_actions_argo_rollouts_takes(canary_repo: Path, action: tuple[str, ...]) -> None:
    before = snapshot(canary_repo)
    r = run(canary_repo, *action, "rollouts-demo", "--env", "prod")
    assert r.exit_code == 2, r.output
    assert snapshot(canary_repo) == before


def test_a_canary_env_over_a_self_progressing_rollout_is_refused(repo_factory: Callable[..., Path]) -> None:
    files = tree(CANARY, "canary")
    files["gitshift.yaml"] = files["gitshift.yaml"].replace(
        "strategy: canary}", "strategy: canary, canary: {stable: rollouts-demo, canary: rollouts-demo-canary, "
        "traffic: replicas}}")
    files["base/rollout.yaml"] += "---\n" + CANARY.replace("name: rollouts-demo\n", "name: rollouts-demo-canary\n", 1)
    repo = repo_factory(files)
    before = snapshot(repo)
    r = run(repo, "canary", "deploy", "rollouts-demo", "--env", "prod", "--image", ":yellow")
    assert r.exit_code == 2, r.output
    assert "progresses Rollout/rollouts-demo itself" in r.stderr
    assert "strategy to rollout" in r.stderr
    assert snapshot(repo) == before
    r = run(repo, "check")
    assert r.exit_code == 1 and "use strategy: rollout or flagger" in r.stdout


def test_blue_green_rollout(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(tree(BLUE_GREEN))
    row = status(repo)
    assert row["traffic"] == "bluegreen" and row["steps"] is None
    assert row["controllers"][0]["steps"] == [  # type: ignore[index]
        "active Service rollouts-demo-active", "preview Service rollouts-demo-preview", "promote by hand"]
    r = run(repo, "set-image", "rollouts-demo", ":green", "--env", "prod")
    assert r.exit_code == 0, r.output
    rollout = find(render(repo / "overlays/prod"), "Rollout", "rollouts-demo")
    assert rollout["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:green"


def test_workload_ref_rollout_gets_the_image_in_its_deployment(repo_factory: Callable[..., Path]) -> None:
    rollout = CANARY.split("  selector:\n")[0] + (
        "  selector:\n    matchLabels:\n      app: rollouts-demo\n"
        "  workloadRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: rollouts-demo\n")
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rollouts-demo\nspec:\n  replicas: 0\n"
                  "  selector:\n    matchLabels:\n      app: rollouts-demo\n  template:\n" + POD)
    repo = repo_factory(tree(rollout + "---\n" + deployment))
    assert status(repo)["images"] == {"rollouts-demo": f"{IMG}:blue"}
    r = run(repo, "set-image", "rollouts-demo", ":purple", "--env", "prod", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [c["resource"] for c in json.loads(r.stdout)["changes"]] == ["Deployment/rollouts-demo"]
    dep = find(render(repo / "overlays/prod"), "Deployment", "rollouts-demo")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:purple"


def test_promote_into_a_rollout_env_sets_the_image(repo_factory: Callable[..., Path]) -> None:
    files = tree(CANARY)
    files["overlays/staging/kustomization.yaml"] = ("resources:\n- ../../base\nimages:\n"
                                                    f"- name: {IMG}\n  newTag: yellow\n")
    files["gitshift.yaml"] += "      staging: {overlay: overlays/staging, strategy: rollout}\n"
    repo = repo_factory(files)
    r = run(repo, "promote", "rollouts-demo", "--from", "staging", "--to", "prod", "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["changes"][0]["after"] == f"{IMG}:yellow"
