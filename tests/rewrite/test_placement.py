"""rewrite.placement through rewrite.place: each kind of placement, with the exact text it leaves in the overlay.

Every case is verified the way a shift is: the edited overlay is rendered again and must show
exactly the intended change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from tests.support.trees import (
    BASE,
    COPIES_IMAGE,
    IMAGE,
    OVERLAY,
    app_tree,
    deployment,
    kustomization,
    plant,
    service,
    texts,
)

from gitshift import rewrite
from gitshift.errors import CheckFailedError
from gitshift.files import FileView
from gitshift.manifests import MISSING, Intent, Rendered, ResourceId
from gitshift.render import Renderer

WEB = ResourceId("apps", "Deployment", "", "web")
CANARY = ResourceId("apps", "Deployment", "", "web-canary")
ROUTE = ResourceId("networking.istio.io", "VirtualService", "", "web")
IMAGE_PATH = ("spec", "template", "spec", "containers", 0, "image")
REPLICAS = ("spec", "replicas")
PINNED = "images:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0\n"
DIGEST = "sha256:" + "a" * 64


def base_with(*files: tuple[str, str]) -> dict[str, str]:
    """``BASE`` with more resources in it."""
    names = ["deployment.yaml", "service.yaml", *(name for name, _ in files)]
    return {**BASE, "base/kustomization.yaml": kustomization(*names), **{f"base/{n}": t for n, t in files}}


def patch_file(name: str = "web", body: str = "spec:\n  replicas: 3\n", kind: str = "Deployment") -> str:
    return f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n{body}"


def registered(path: str, group: str, kind: str, name: str) -> str:
    return f"patches:\n- path: {path}\n  target:\n    group: {group}\n    kind: {kind}\n    name: {name}\n"


ROUTE_YAML = """apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: web
spec:
  hosts: [web.example.com]
  http:
  - route:
    - destination: {host: web}
      weight: 100
    - destination: {host: web-canary}
      weight: 0
"""
TRACKS = {"base/kustomization.yaml": kustomization("web.yaml", "canary.yaml"),
          "base/web.yaml": deployment(track="stable"),
          "base/canary.yaml": deployment("web-canary", track="canary", replicas=0)}
LOCAL = kustomization("deployment.yaml", "service.yaml")
PREFIXED = kustomization("../../base", extra="namePrefix: eu-\npatches:\n- path: replicas.yaml\n")
JSON6902 = kustomization("../../base", extra="patches:\n- path: ops.yaml\n  target:\n    kind: Deployment\n"
                                             "    name: web\n")
NOTES = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    team: web  # owners\n"
INLINE = "patches:\n- target:\n    kind: Deployment\n    name: web\n  patch: |-\n{body}"


class Case:
    """An overlay (and base), the intents, and the files the placement must leave, by overlay-relative path."""

    def __init__(self, overlay: Mapping[str, str], intents: list[Intent], want: Mapping[str, str],
                 base: Mapping[str, str] | None = None) -> None:
        self.overlay, self.intents, self.want, self.base = overlay, intents, want, base


CASES: dict[str, Case] = {
    "images entry, tag edited in place": Case(
        {"kustomization.yaml": kustomization("../../base", extra=PINNED.replace("\n  newTag: 1.0.0",
                                                                                "\n  newTag: 1.0.0  # pinned"))},
        [Intent(WEB, IMAGE_PATH, f"{IMAGE}:1.1.0", f"{IMAGE}:1.0.0")],
        {"kustomization.yaml": kustomization("../../base", extra="images:\n- name: ghcr.io/acme/web\n"
                                                                 "  newTag: 1.1.0  # pinned\n")}),
    "images entry, tag replaced by a digest": Case(
        {"kustomization.yaml": kustomization("../../base", extra=PINNED)},
        [Intent(WEB, IMAGE_PATH, f"{IMAGE}@{DIGEST}", f"{IMAGE}:1.0.0")],
        {"kustomization.yaml": kustomization("../../base", extra=f"images:\n- name: ghcr.io/acme/web\n"
                                                                 f"  digest: {DIGEST}\n")}),
    "images entry, added": Case(
        {"kustomization.yaml": kustomization("../../base")},
        [Intent(WEB, IMAGE_PATH, f"{IMAGE}:1.1.0", f"{IMAGE}:1.0.0")],
        {"kustomization.yaml": kustomization("../../base", extra=PINNED.replace("1.0.0", "1.1.0"))}),
    "replicas entry": Case(
        {"kustomization.yaml": kustomization("../../base", extra="replicas:\n- name: web\n  count: 2\n")},
        [Intent(WEB, REPLICAS, 3, 2)],
        {"kustomization.yaml": kustomization("../../base", extra="replicas:\n- name: web\n  count: 3\n")}),
    "overlay-local resource, comment kept": Case(
        {"kustomization.yaml": LOCAL, "service.yaml": service(),
         "deployment.yaml": deployment().replace("replicas: 2\n", "replicas: 2  # two\n")},
        [Intent(WEB, REPLICAS, 3, 2)],
        {"deployment.yaml": deployment().replace("replicas: 2\n", "replicas: 3  # two\n")}),
    "existing strategic-merge patch, through a namePrefix": Case(
        {"kustomization.yaml": PREFIXED, "replicas.yaml": patch_file(body="spec:\n  replicas: 4  # peak\n")},
        [Intent(ResourceId("apps", "Deployment", "", "eu-web"), REPLICAS, 5, 4)],
        {"replicas.yaml": patch_file(body="spec:\n  replicas: 5  # peak\n")}),
    "existing JSON 6902 op": Case(
        {"kustomization.yaml": JSON6902, "ops.yaml": "- op: replace\n  path: /spec/replicas\n  value: 4\n"},
        [Intent(WEB, REPLICAS, 5, 4)],
        {"ops.yaml": "- op: replace\n  path: /spec/replicas\n  value: 5\n"}),
    "inline strategic-merge patch, its block scalar kept": Case(
        {"kustomization.yaml": kustomization("../../base", extra=INLINE.format(body=(
            "      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n"
            "      spec:\n        replicas: 4\n")))},
        [Intent(WEB, REPLICAS, 5, 4)],
        {"kustomization.yaml": kustomization("../../base", extra=INLINE.format(body=(
            "      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: web\n"
            "      spec:\n        replicas: 5\n")))}),
    "inline JSON 6902 op": Case(
        {"kustomization.yaml": kustomization("../../base", extra=INLINE.format(
            body="      - op: replace\n        path: /spec/replicas\n        value: 4\n"))},
        [Intent(WEB, REPLICAS, 5, 4)],
        {"kustomization.yaml": kustomization("../../base", extra=INLINE.format(
            body="      - op: replace\n        path: /spec/replicas\n        value: 5\n"))}),
    "annotation dropped from an existing patch": Case(
        {"kustomization.yaml": kustomization("../../base", extra="patches:\n- path: notes.yaml\n"),
         "notes.yaml": NOTES + "    note: drop me\n"},
        [Intent(WEB, ("metadata", "annotations", "note"), MISSING, "drop me")],
        {"notes.yaml": NOTES}),
    "new strategic-merge patch file": Case(
        {"kustomization.yaml": kustomization("../../base")},
        [Intent(WEB, REPLICAS, 3, 2)],
        {"gitshift-deployment-web.yaml": patch_file(),
         "kustomization.yaml": kustomization("../../base", extra=registered(
             "gitshift-deployment-web.yaml", "apps", "Deployment", "web"))}),
    "new JSON 6902 patch file (a list inside a custom resource)": Case(
        {"kustomization.yaml": kustomization("../../base")},
        [Intent(ROUTE, ("spec", "http", 0, "route", 0, "weight"), 90, 100),
         Intent(ROUTE, ("spec", "http", 0, "route", 1, "weight"), 10, 0),
         Intent(ROUTE, ("spec", "http", 0, "timeout"), "5s", MISSING)],
        {"gitshift-virtualservice-web-json6902.yaml":
            "- op: replace\n  path: /spec/http/0/route/0/weight\n  value: 90\n"
            "- op: replace\n  path: /spec/http/0/route/1/weight\n  value: 10\n"
            "- op: add\n  path: /spec/http/0/timeout\n  value: 5s\n",
         "kustomization.yaml": kustomization("../../base", extra=registered(
             "gitshift-virtualservice-web-json6902.yaml", "networking.istio.io", "VirtualService", "web"))},
        base=base_with(("route.yaml", ROUTE_YAML))),
    # An images: entry for the shared name would move both tracks: the canary gets a name of its own.
    "placeholder image entry": Case(
        {"kustomization.yaml": kustomization("../../base", extra=PINNED)},
        [Intent(CANARY, IMAGE_PATH, f"{IMAGE}:2.0.0", f"{IMAGE}:1.0.0")],
        {"gitshift-deployment-web-canary.yaml": patch_file("web-canary", "spec:\n  template:\n    spec:\n"
                                                           "      containers:\n      - name: app\n"
                                                           "        image: gitshift.local/web-canary/app\n"),
         "kustomization.yaml": kustomization("../../base", extra=(
             PINNED + "- name: gitshift.local/web-canary/app\n  newName: ghcr.io/acme/web\n  newTag: 2.0.0\n"
             + registered("gitshift-deployment-web-canary.yaml", "apps", "Deployment", "web-canary")))},
        base=TRACKS),
}


def placed(root: Path, renderer: Renderer, case: Case) -> tuple[dict[str, str | None], Rendered, Rendered]:
    """Plant the case's tree, place its intents; the edits (overlay-relative), the render before and after."""
    plant(root, app_tree(case.overlay, base=case.base))
    overlay = root / OVERLAY

    def render(view: FileView) -> Rendered:
        return Rendered(renderer.render(overlay, view))

    view = FileView(root=root)
    before = render(view)
    edits, after = rewrite.place(overlay, view, before, case.intents, render)
    assert render(view.with_edits(edits)).objects == after.objects
    return texts(overlay, edits), before, after


@pytest.mark.parametrize("name", list(CASES))
def test_each_placement_leaves_exactly_this_text(tmp_path: Path, builtin: Renderer, name: str) -> None:
    case = CASES[name]
    edits, before, after = placed(tmp_path, builtin, case)
    assert edits == case.want
    assert after.objects == rewrite.expected_after(before, case.intents).objects


REFUSED: dict[str, tuple[Case, str]] = {
    # A replacement copies the image into a ConfigMap: every placement also moves the copy.
    "moves more than intended": (Case(
        COPIES_IMAGE,
        [Intent(WEB, IMAGE_PATH, f"{IMAGE}:1.1.0", f"{IMAGE}:1.0.0")], {}),
        "every placement also moved: ConfigMap/version data.image"),
    # Labels with includeSelectors run after the patches: no placement gets through.
    "moves less than intended": (Case(
        {"kustomization.yaml": kustomization("../../base", extra="labels:\n- pairs: {tier: web}\n"
                                                                  "  includeSelectors: true\n")},
        [Intent(ResourceId("", "Service", "", "web"), ("spec", "selector", "tier"), "api", "web")], {}),
        "every placement also moved: Service/web spec.selector.tier"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_no_exact_placement_is_refused(tmp_path: Path, builtin: Renderer, name: str) -> None:
    case, hint = REFUSED[name]
    with pytest.raises(CheckFailedError) as info:
        placed(tmp_path, builtin, case)
    assert info.value.what == f"cannot place {case.intents[0].describe()} exactly in the overlay"
    assert info.value.where == str(tmp_path / OVERLAY)
    assert info.value.hint == hint
