"""Where edits land in an overlay: a new key at the end of the file, inline patches edited in place.

Each tree is shaped like the public repository where the placement went wrong; every
result is checked on the overlay as ``kubectl kustomize`` renders it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import find, render, run

IMG = "us-central1-docker.pkg.dev/google-samples/microservices-demo/frontend"

DEPLOYMENT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
spec:
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
        - name: server
          image: {IMG}:v0.10.1
"""

# microservices-demo's kustomize/kustomization.yaml: an empty `components:` whose entries are comments.
MICROSERVICES_KUSTOMIZATION = """\
# Copyright 2022 Google LLC
#
# Licensed under the Apache License, Version 2.0 (the "License");

apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- base
components:
# - components/cymbal-branding
# - components/network-policies
# These must be run last and in this order
# - components/container-images-tag
# - components/container-images-registry
"""


def _microservices(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory({
        "kustomize/base/kustomization.yaml": "resources:\n- frontend.yaml\n",
        "kustomize/base/frontend.yaml": DEPLOYMENT,
        "kustomize/kustomization.yaml": MICROSERVICES_KUSTOMIZATION,
        "gitshift.yaml": f"apps:\n  frontend:\n    image: {IMG}\n    envs:\n"
                         "      demo: {overlay: kustomize, strategy: rolling}\n",
    })


def test_new_key_goes_after_the_comments_that_end_the_file(repo_factory: Callable[..., Path]) -> None:
    repo = _microservices(repo_factory)
    r = run(repo, "set-image", "frontend", ":v0.10.2", "--env", "demo")
    assert r.exit_code == 0, r.output
    text = (repo / "kustomize/kustomization.yaml").read_text()
    assert text == MICROSERVICES_KUSTOMIZATION + f"images:\n- name: {IMG}\n  newTag: v0.10.2\n"
    dep = find(render(repo / "kustomize"), "Deployment", "frontend")
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == f"{IMG}:v0.10.2"


# argocd-example-apps' kustomize-guestbook: apiVersion and kind come last.
GUESTBOOK_KUSTOMIZATION = """\
namePrefix: kustomize-

resources:
- guestbook-ui-deployment.yaml
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
"""


def test_new_key_goes_after_the_last_key(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({
        "kustomize-guestbook/kustomization.yaml": GUESTBOOK_KUSTOMIZATION,
        "kustomize-guestbook/guestbook-ui-deployment.yaml": DEPLOYMENT.replace(IMG, "gcr.io/google-samples/gb"),
        "gitshift.yaml": "apps:\n  guestbook:\n    image: gcr.io/google-samples/gb\n    envs:\n"
                         "      kustomize-guestbook: {overlay: kustomize-guestbook}\n",
    })
    r = run(repo, "set-image", "guestbook", ":v6", "--env", "kustomize-guestbook")
    assert r.exit_code == 0, r.output
    text = (repo / "kustomize-guestbook/kustomization.yaml").read_text()
    assert text == GUESTBOOK_KUSTOMIZATION + "images:\n- name: gcr.io/google-samples/gb\n  newTag: v6\n"


BG_BASE = {
    "base/kustomization.yaml": "resources:\n- deployments.yaml\n- service.yaml\n",
    "base/deployments.yaml": "".join(f"""\
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{color}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web, color: {color}}}
  template:
    metadata:
      labels: {{app: web, color: {color}}}
    spec:
      containers:
      - name: web
        image: ghcr.io/acme/web:1.0.0
""" for color in ("blue", "green")),
    "base/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
                         "  selector: {app: web, color: green}\n  ports:\n  - port: 80\n",
    "gitshift.yaml": "apps:\n  web:\n    image: ghcr.io/acme/web\n    envs:\n"
                     "      prod: {overlay: overlays/prod, strategy: bluegreen}\n",
}

INLINE_SMP = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
patches:
  - patch: |-
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        selector:
          color: blue
  - target:
      kind: Deployment
    patch: |
      - op: add
        path: /metadata/annotations
        value: {team: web}
"""


def test_inline_patch_that_sets_the_field_is_edited_in_place(repo_factory: Callable[..., Path]) -> None:
    repo = repo_factory({**BG_BASE, "overlays/prod/kustomization.yaml": INLINE_SMP})
    r = run(repo, "bluegreen", "promote", "web", "--env", "prod")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (repo / "overlays/prod").iterdir()) == ["kustomization.yaml"]
    text = (repo / "overlays/prod/kustomization.yaml").read_text()
    assert text == INLINE_SMP.replace("color: blue", "color: green")
    assert find(render(repo / "overlays/prod"), "Service", "web")["spec"]["selector"]["color"] == "green"


def test_inline_flow_style_patch_keeps_its_block_scalar(repo_factory: Callable[..., Path]) -> None:
    kust = INLINE_SMP.replace("        selector:\n          color: blue", "        selector: {color: blue}")
    repo = repo_factory({**BG_BASE, "overlays/prod/kustomization.yaml": kust})
    assert run(repo, "bluegreen", "promote", "web", "--env", "prod").exit_code == 0
    text = (repo / "overlays/prod/kustomization.yaml").read_text()
    assert text == kust.replace("{color: blue}", "{color: green}")
    assert "  - patch: |-\n" in text and "    patch: |\n" in text


def test_inline_patches_strategic_merge_entry_is_edited_in_place(repo_factory: Callable[..., Path]) -> None:
    kust = ("resources:\n- ../../base\npatchesStrategicMerge:\n- |-\n  apiVersion: v1\n  kind: Service\n"
            "  metadata:\n    name: web\n  spec:\n    selector:\n      color: blue\n")
    repo = repo_factory({**BG_BASE, "overlays/prod/kustomization.yaml": kust})
    r = run(repo, "bluegreen", "promote", "web", "--env", "prod")
    assert r.exit_code == 0, r.output
    assert (repo / "overlays/prod/kustomization.yaml").read_text() == kust.replace("color: blue", "color: green")


def test_inline_json6902_patch_is_edited_in_place(repo_factory: Callable[..., Path]) -> None:
    kust = """\
resources:
- ../../base
patches:
- target: {kind: Service, name: web}
  patch: |-
    - op: replace
      path: /spec/selector/color
      value: blue
"""
    repo = repo_factory({**BG_BASE, "overlays/prod/kustomization.yaml": kust})
    r = run(repo, "bluegreen", "promote", "web", "--env", "prod")
    assert r.exit_code == 0, r.output
    assert (repo / "overlays/prod/kustomization.yaml").read_text() == kust.replace("value: blue", "value: green")
    assert find(render(repo / "overlays/prod"), "Service", "web")["spec"]["selector"]["color"] == "green"
