"""Overlays written in every common shape: where the objects live, prefixes, existing patches, CRDs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import find, render, run

IMG = "ghcr.io/acme/shop"


def deployment(name: str, label: str, color: str, replicas: int, kind: str = "Deployment") -> str:
    api = "argoproj.io/v1alpha1" if kind == "Rollout" else "apps/v1"
    return f"""apiVersion: {api}
kind: {kind}
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: shop, {label}: {color}}}
  template:
    metadata:
      labels: {{app: shop, {label}: {color}}}
    spec:
      containers:
      - name: shop
        image: {IMG}:1.0.0
"""


def service(name: str, label: str, color: str) -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: shop, {label}: {color}}}
  ports:
  - port: 80
"""


def kustomization(*resources: str, extra: str = "") -> str:
    items = "".join(f"- {r}\n" for r in resources)
    return f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{items}{extra}"


def config(env_extra: str = "") -> str:
    return f"""apps:
  shop:
    image: {IMG}
    envs:
      prod:
        overlay: overlays/prod
        strategy: bluegreen
{env_extra}"""


def bg_objects(label: str = "color", kind: str = "Deployment") -> dict[str, str]:
    return {
        "blue.yaml": deployment("shop-blue", label, "blue", 2, kind),
        "green.yaml": deployment("shop-green", label, "green", 0, kind),
        "svc.yaml": service("shop", label, "blue") + "---\n" + service("shop-preview", label, "blue"),
    }


def in_base() -> dict[str, str]:
    tree = {f"base/{k}": v for k, v in bg_objects().items()}
    tree["base/kustomization.yaml"] = kustomization("blue.yaml", "green.yaml", "svc.yaml")
    tree["overlays/prod/kustomization.yaml"] = kustomization(
        "../../base", extra="namePrefix: eu-\nimages:\n- name: ghcr.io/acme/shop\n  newTag: 1.0.0\n"
                            "patches:\n- path: blue-replicas.yaml\n")
    tree["overlays/prod/blue-replicas.yaml"] = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                                "  name: shop-blue\nspec:\n  replicas: 4  # peak season\n")
    tree["gitshift.yaml"] = config()
    return tree


def in_shared_folder() -> dict[str, str]:
    tree = {f"shared/bluegreen/{k}": v for k, v in bg_objects().items()}
    tree["shared/bluegreen/kustomization.yaml"] = kustomization("blue.yaml", "green.yaml", "svc.yaml")
    tree["overlays/prod/kustomization.yaml"] = kustomization("../../shared/bluegreen",
                                                             extra="nameSuffix: -v2\nnamespace: shop\n")
    tree["gitshift.yaml"] = config()
    return tree


def in_overlay_rollouts() -> dict[str, str]:
    tree = {f"overlays/prod/{k}": v for k, v in bg_objects("slot", "Rollout").items()}
    tree["overlays/prod/kustomization.yaml"] = kustomization("blue.yaml", "green.yaml", "svc.yaml")
    tree["gitshift.yaml"] = config("        bluegreen:\n          color_label: slot\n")
    return tree


SHAPES: dict[str, Callable[[], dict[str, str]]] = {
    "base+prefix+images+existing-patch": in_base,
    "shared-folder+suffix+namespace": in_shared_folder,
    "overlay+rollouts+custom-label": in_overlay_rollouts,
}


def ok(repo: Path, *args: str) -> dict[str, Any]:
    r = run(repo, "-o", "json", *args)
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.stdout))


def named(objs: list[dict[str, Any]], kind: str, plain: str) -> dict[str, Any]:
    for o in objs:
        name = o["metadata"]["name"]
        if o["kind"] == kind and plain in name and name.replace(plain, "", 1) in ("eu-", "-v2", ""):
            return o
    raise AssertionError(f"{kind} {plain} not rendered")


@pytest.mark.parametrize("shape", list(SHAPES))
def test_bluegreen_in_every_shape(repo_factory: Callable[..., Path], shape: str) -> None:
    repo = repo_factory(SHAPES[shape]())
    kind = "Rollout" if "rollouts" in shape else "Deployment"
    label = "slot" if "custom-label" in shape else "color"
    ok(repo, "bluegreen", "deploy", "shop", "--env", "prod", "--image", ":2.0.0")
    objs = render(repo / "overlays/prod")
    green, blue = named(objs, kind, "shop-green"), named(objs, kind, "shop-blue")
    assert green["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:2.0.0"
    assert blue["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:1.0.0"
    assert green["spec"]["replicas"] == blue["spec"]["replicas"]
    assert named(objs, "Service", "shop-preview")["spec"]["selector"][label] == "green"
    ok(repo, "bluegreen", "promote", "shop", "--env", "prod")
    ok(repo, "bluegreen", "finish", "shop", "--env", "prod")
    objs = render(repo / "overlays/prod")
    assert named(objs, "Service", "shop")["spec"]["selector"][label] == "green"
    assert named(objs, kind, "shop-blue")["spec"]["replicas"] == 0
    changed = [p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert not any(p.startswith(("base/", "shared/")) and p not in SHAPES[shape]() for p in changed)
    assert run(repo, "check").exit_code == 0


def test_existing_patch_is_edited_in_place(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory(in_base())
    ok(repo, "bluegreen", "deploy", "shop", "--env", "prod", "--image", ":2.0.0", "--replicas", "6")
    ok(repo, "bluegreen", "promote", "shop", "--env", "prod")
    ok(repo, "bluegreen", "finish", "shop", "--env", "prod")
    text = (repo / "overlays/prod/blue-replicas.yaml").read_text()
    assert text.endswith("spec:\n  replicas: 0  # peak season\n")
    assert find(render(repo / "overlays/prod"), "Deployment", "eu-shop-green")["spec"]["replicas"] == 6
