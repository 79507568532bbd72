"""strategy: flagger: Flagger progresses the release; gitshift sets the image of the Canary's target only.

The tree follows Flagger's podinfo tutorial: a Deployment without replicas scaled by
an HPA, and a ``Canary`` that targets it with an Istio provider and stepped weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import find, render, run, snapshot

IMG = "ghcr.io/stefanprodan/podinfo"
DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  minReadySeconds: 3
  selector:
    matchLabels:
      app: podinfo
  template:
    metadata:
      labels:
        app: podinfo
    spec:
      containers:
      - name: podinfod
        image: {IMG}:6.0.0
"""
HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: podinfo
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  minReplicas: 2
  maxReplicas: 4
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 99
"""
CANARY = """\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
spec:
  provider: istio
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  autoscalerRef:
    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
"""


def tree(strategy: str = "flagger") -> dict[str, str]:
    return {
        "test/kustomization.yaml": "namespace: test\nresources:\n- deployment.yaml\n- hpa.yaml\n- canary.yaml\n",
        "test/deployment.yaml": DEPLOYMENT,
        "test/hpa.yaml": HPA,
        "test/canary.yaml": CANARY,
        "gitshift.yaml": f"apps:\n  podinfo:\n    image: {IMG}\n    envs:\n"
                         f"      test: {{overlay: test, strategy: {strategy}}}\n",
    }


@pytest.fixture
def repo(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(tree())


def test_status_shows_the_weights_flagger_walks_and_the_autoscaler(repo: Path) -> None:
    r = run(repo, "status", "-o", "json")
    assert r.exit_code == 0, r.output
    [row] = json.loads(r.stdout)
    assert row["strategy"] == "flagger" and row["traffic"] == "istio"
    assert row["steps"] == [10, 20, 30, 40, 50]
    assert row["images"] == {"podinfo": f"{IMG}:6.0.0"}
    assert row["replicas"] == {"podinfo": None}  # the HPA decides, not 1
    assert row["autoscaling"] == {"podinfo": {"min": 2, "max": 4}}
    assert row["controllers"] == [{"kind": "Canary", "name": "podinfo", "steps": [
        "every 1m", "weight 10", "weight 20", "weight 30", "weight 40", "weight 50", "promote"]}]
    text = run(repo, "status").stdout
    assert "podinfo=auto 2-4" in text and "Canary/podinfo: every 1m → weight 10" in text


def test_set_image_changes_the_target_only(repo: Path) -> None:
    before = render(repo / "test")
    r = run(repo, "set-image", "podinfo", ":6.0.1", "--env", "test", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [c["resource"] for c in json.loads(r.stdout)["changes"]] == ["Deployment/test/podinfo"]
    after = render(repo / "test")
    dep = find(after, "Deployment", "podinfo")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:6.0.1"
    assert [o for o in after if o["kind"] != "Deployment"] == [o for o in before if o["kind"] != "Deployment"]


def test_a_rolling_env_may_set_the_image_a_flagger_canary_watches(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(tree("rolling"))
    r = run(repo, "set-image", "podinfo", ":6.0.1", "--env", "test")
    assert r.exit_code == 0, r.output


def colored(color: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo-{color}\nspec:\n  replicas: 2\n"
            f"  selector:\n    matchLabels: {{app: podinfo, color: {color}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: podinfo, color: {color}}}\n    spec:\n      containers:\n"
            f"      - name: podinfod\n        image: {IMG}:6.0.0\n")


def test_a_bluegreen_env_over_a_flagger_target_is_refused(repo_factory: Callable[..., Path]) -> None:
    files = tree("bluegreen")
    del files["test/deployment.yaml"], files["test/hpa.yaml"]
    files["test/colors.yaml"] = colored("blue") + "---\n" + colored("green")
    files["test/service.yaml"] = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\nspec:\n"
                                  "  selector: {app: podinfo, color: blue}\n  ports:\n  - port: 9898\n")
    files["test/kustomization.yaml"] = "resources: [colors.yaml, service.yaml, canary.yaml]\n"
    files["test/canary.yaml"] = CANARY.replace("    name: podinfo\n  autoscalerRef", "    name: podinfo-blue\n"
                                               "  autoscalerRef")
    repo = repo_factory(files)
    before = snapshot(repo)
    r = run(repo, "bluegreen", "finish", "podinfo", "--env", "test")
    assert r.exit_code == 2, r.output
    assert "Flagger Canary/podinfo progresses Deployment/podinfo-blue itself" in r.stderr
    assert "strategy to flagger" in r.stderr
    assert snapshot(repo) == before
