"""rewrite.overlay: the overlay's kustomization, its patches and local files as the rewriter reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.conftest import build_tree

from gitshift.errors import InputError
from gitshift.files import FileView
from gitshift.manifests import ResourceId
from gitshift.rewrite.overlay import Overlay, PatchRef, find_kustomization, target_matches
from gitshift.rewrite.scalars import to_ruamel

WEB = ResourceId("apps", "Deployment", "", "web")
SMP = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
OPS = "- op: replace\n  path: /spec/replicas\n  value: 1\n"


def overlay(root: Path, files: dict[str, str]) -> Overlay:
    build_tree(root, files)
    return Overlay(root / "ov", FileView(root=root))


@pytest.mark.parametrize("name", ["kustomization.yaml", "kustomization.yml", "Kustomization"])
def test_the_kustomization_file_by_each_name(tmp_path: Path, name: str) -> None:
    build_tree(tmp_path, {f"ov/{name}": "resources: []\n"})
    assert find_kustomization(tmp_path / "ov", FileView()) == tmp_path / "ov" / name


def test_an_overlay_without_a_kustomization_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "ov").mkdir()
    with pytest.raises(InputError) as info:
        Overlay(tmp_path / "ov", FileView())
    assert str(info.value) == f"no kustomization.yaml in the overlay ({tmp_path / 'ov'})"


@pytest.mark.parametrize(("affixes", "rendered", "entering"), [
    ("", "web", "web"),
    ("namePrefix: eu-\n", "eu-web", "web"),
    ("nameSuffix: -v2\n", "web-v2", "web"),
    ("namePrefix: eu-\nnameSuffix: -v2\n", "eu-web-v2", "web"),
    ("namePrefix: eu-\n", "other", "other"),  # a name without the prefix came from elsewhere
])
def test_input_name_strips_the_overlays_own_affixes(tmp_path: Path, affixes: str, rendered: str,
                                                    entering: str) -> None:
    ov = overlay(tmp_path, {"ov/kustomization.yaml": affixes or "resources: []\n"})
    assert ov.input_name(rendered) == entering


def test_patches_are_listed_from_every_field_with_their_kind(tmp_path: Path) -> None:
    ov = overlay(tmp_path, {
        "ov/kustomization.yaml": (
            "resources:\n- web.yaml\n- ../outside.yaml\n- https://example.com/remote.yaml\n"
            "patches:\n- path: smp.yaml\n- path: ops.yaml\n  target: {kind: Deployment, name: web}\n"
            "- patch: '[{op: replace, path: /spec/replicas, value: 2}]'\n  target: {kind: Deployment}\n"
            "- patch: 'spec: {replicas: 2}'\n"
            "patchesStrategicMerge:\n- legacy.yaml\n"
            "patchesJson6902:\n- path: legacy-ops.yaml\n  target: {group: apps, kind: Deployment, name: web}\n"),
        "ov/web.yaml": SMP, "ov/smp.yaml": SMP, "ov/ops.yaml": OPS, "ov/legacy.yaml": SMP,
        "ov/legacy-ops.yaml": OPS, "outside.yaml": SMP})
    d = tmp_path / "ov"
    assert list(ov.resource_files()) == [d / "web.yaml"]  # neither outside the folder nor remote
    assert list(ov.patches()) == [
        PatchRef(0, "patches", d / "smp.yaml", None, False),
        PatchRef(1, "patches", d / "ops.yaml", {"kind": "Deployment", "name": "web"}, True),
        # An inline patch is named by its place in the kustomization, so it can be edited there.
        PatchRef(2, "patches", d / "kustomization.yaml#patches[2]", {"kind": "Deployment"}, True, True),
        PatchRef(3, "patches", d / "kustomization.yaml#patches[3]", None, False, True),
        PatchRef(0, "patchesStrategicMerge", d / "legacy.yaml", None, False),
        PatchRef(0, "patchesJson6902", d / "legacy-ops.yaml", {"group": "apps", "kind": "Deployment", "name": "web"},
                 True),
    ]


def test_a_patch_that_links_outside_the_overlay_is_not_its_file(tmp_path: Path) -> None:
    ov = overlay(tmp_path, {"ov/kustomization.yaml": "patches:\n- path: linked.yaml\n", "base/p.yaml": SMP})
    (tmp_path / "ov/linked.yaml").symlink_to(tmp_path / "base/p.yaml")
    assert [p.path for p in ov.patches()] == [None]


@pytest.mark.parametrize(("target", "entering", "matches"), [
    ({"kind": "Deployment", "name": "web"}, "web", True),
    ({"kind": "Deployment"}, "web", True),
    ({"group": "apps", "name": "w.*"}, "web", True),  # names are regular expressions, as kustomize's
    ({"name": "we"}, "web", False),  # matched whole
    ({"kind": "StatefulSet", "name": "web"}, "web", False),
    ({"group": "", "kind": "Deployment"}, "web", False),
    ({"kind": "Deployment", "name": "web"}, "eu-web", False),
    ({"kind": "Deployment", "labelSelector": "app=web"}, "web", False),  # undecidable here: a new patch instead
])
def test_target_matches(target: dict[str, Any], entering: str, matches: bool) -> None:
    assert target_matches(target, WEB, entering) is matches


def test_edits_hold_only_touched_files_and_never_leave_the_overlay(tmp_path: Path) -> None:
    ov = overlay(tmp_path, {"ov/kustomization.yaml": "resources:\n- web.yaml  # the app\n", "ov/web.yaml": SMP})
    ov.kustomization["namespace"] = "shop"
    ov.touch(ov.kfile)
    ov.doc(tmp_path / "ov/web.yaml")  # read, not touched
    new = ov.create(tmp_path / "ov/extra.yaml", [to_ruamel({"a": 1})])
    assert ov.has(tmp_path / "ov/extra.yaml") and new.docs[0]["a"] == 1
    assert {p.name: b for p, b in ov.edits().items()} == {
        "extra.yaml": b"a: 1\n", "kustomization.yaml": b"resources:\n- web.yaml  # the app\nnamespace: shop\n"}
    ov.create(tmp_path / "elsewhere.yaml", [to_ruamel({"a": 1})])
    with pytest.raises(InputError) as info:
        ov.edits()
    assert str(info.value) == f"refusing to write outside the overlay ({tmp_path / 'elsewhere.yaml'})"
