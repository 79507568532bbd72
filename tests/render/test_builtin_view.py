"""Rendering through a FileView: edits in memory are rendered, the disk is untouched."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from gitshift.files import FileView
from gitshift.render.builtin import BuiltinRenderer

Tree = Callable[[dict[str, str]], Path]
DEPLOY = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
    "  template:\n    spec:\n      containers:\n      - name: app\n        image: web:1.0\n"
)
FILES = {
    "base/kustomization.yaml": "resources:\n- deploy.yaml\n",
    "base/deploy.yaml": DEPLOY,
    "overlay/kustomization.yaml": 'resources:\n- ../base\nimages:\n- name: web\n  newTag: "2.0"\n',
}


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_edited_overlay_is_rendered_without_touching_disk(tree: Tree) -> None:
    root = tree(FILES)
    before = _snapshot(root)
    renderer = BuiltinRenderer()
    assert (
        renderer.render(root / "overlay")[0]["spec"]["template"]["spec"]["containers"][0]["image"]
        == "web:2.0"
    )
    edited = (
        FILES["overlay/kustomization.yaml"].replace('"2.0"', '"2.1"')
        + "replicas:\n- name: web\n  count: 4\n"
    )
    view = FileView({root / "overlay/kustomization.yaml": edited.encode()}, root)
    obj = renderer.render(root / "overlay", view)[0]
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "web:2.1"
    assert obj["spec"]["replicas"] == 4
    assert _snapshot(root) == before
    # The edit stays in its view: the disk's render is unchanged afterwards.
    assert renderer.render(root / "overlay")[0]["spec"]["replicas"] == 1


def test_new_file_in_view_only(tree: Tree) -> None:
    root = tree(FILES)
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n"
    view = FileView(
        {
            root / "overlay/kustomization.yaml": (
                FILES["overlay/kustomization.yaml"] + "patches:\n- path: new.yaml\n"
            ).encode(),
            root / "overlay/new.yaml": patch.encode(),
        },
        root,
    )
    assert BuiltinRenderer().render(root / "overlay", view)[0]["spec"]["replicas"] == 9
    assert not (root / "overlay/new.yaml").exists()


def test_edited_base_file_in_view(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    renderer.render(root / "overlay")  # warm the cache with the disk's version
    view = FileView(
        {root / "base/deploy.yaml": DEPLOY.replace("replicas: 1", "replicas: 3").encode()}, root
    )
    assert renderer.render(root / "overlay", view)[0]["spec"]["replicas"] == 3
    assert renderer.render(root / "overlay")[0]["spec"]["replicas"] == 1


def test_cached_documents_are_not_mutated_by_transformers(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    first = renderer.render_text(root / "overlay")
    renderer.render(root / "overlay")[0]["metadata"]["name"] = "mutated by a caller"
    assert renderer.render_text(root / "overlay") == first
    assert (
        renderer.render(root / "base")[0]["spec"]["template"]["spec"]["containers"][0]["image"]
        == "web:1.0"
    )


def test_changed_file_on_disk_is_reparsed(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    renderer.render(root / "overlay")
    (root / "base/deploy.yaml").write_text(DEPLOY.replace("replicas: 1", "replicas: 12"))
    assert renderer.render(root / "overlay")[0]["spec"]["replicas"] == 12


def test_deleted_file_in_view_is_missing(tree: Tree) -> None:
    import pytest

    from gitshift.errors import RenderError

    root = tree(FILES)
    view = FileView({root / "base/deploy.yaml": None}, root)
    with pytest.raises(RenderError, match="does not exist"):
        BuiltinRenderer().render(root / "overlay", view)
