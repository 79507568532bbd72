"""A base several overlays include is built once per process, and reused only when the view agrees."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gitshift.files import FileView
from gitshift.render import RecordingView
from gitshift.render.builtin import BuiltinRenderer, bases

Tree = Callable[[dict[str, str]], Path]
DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
          "  template:\n    spec:\n      containers:\n      - name: app\n        image: web:1.0\n")
FILES = {
    "common/kustomization.yaml": "configMapGenerator:\n- name: common\n  literals: [A=1]\n",
    "base/kustomization.yaml": "resources:\n- ../common\n- deploy.yaml\ncommonLabels:\n  team: a\n",
    "base/deploy.yaml": DEPLOY,
    "one/kustomization.yaml": "resources:\n- ../base\nnamespace: one\n",
    "two/kustomization.yaml": "resources:\n- ../base\nnamePrefix: two-\ncommonLabels:\n  env: two\n",
}


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    bases.forget()
    yield
    bases.forget()


def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The base directories built (not served from the cache) from now on."""
    seen: list[str] = []
    real = bases._Record

    class Counting(real):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            seen.append("built")

    monkeypatch.setattr(bases, "_Record", Counting)
    return seen


def fresh_render(path: Path, view: FileView | None = None) -> str:
    """What a renderer with nothing kept renders."""
    bases.forget()
    return BuiltinRenderer().render_text(path, view)


def test_a_base_is_built_once_and_each_overlay_gets_its_own_copy(tree: Tree,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(FILES)
    expected = {name: fresh_render(root / name) for name in ("one", "two")}
    bases.forget()
    seen = builds(monkeypatch)
    renderer = BuiltinRenderer()
    for _ in range(3):
        for name in ("one", "two"):
            assert renderer.render_text(root / name) == expected[name]
    assert len(seen) == 2  # base (with common inside it) once, common once
    assert BuiltinRenderer().render_text(root / "two") == expected["two"]  # another renderer, same process
    assert len(seen) == 2


def test_a_changed_file_on_disk_is_read_again(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    assert "replicas: 1" in renderer.render_text(root / "one")
    deploy = root / "base" / "deploy.yaml"
    stat = deploy.stat()
    deploy.write_text(DEPLOY.replace("replicas: 1", "replicas: 2"))  # the same size and, below, time
    os.utime(deploy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    # A renderer's own parse cache goes by time and size; what is kept for the process goes by content.
    renderer = BuiltinRenderer()
    assert "replicas: 2" in renderer.render_text(root / "one")
    (root / "common" / "kustomization.yaml").write_text("configMapGenerator:\n- name: common\n  literals: [A=2]\n")
    assert renderer.render_text(root / "two") == fresh_render(root / "two")


def test_a_view_s_edit_of_a_base_file_is_rendered_and_not_kept(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    plain = renderer.render_text(root / "one")
    edited = FileView({root / "base" / "deploy.yaml": DEPLOY.replace("web:1.0", "web:2.0").encode()}, root)
    assert "web:2.0" in renderer.render_text(root / "one", edited)
    assert renderer.render_text(root / "one") == plain
    added = FileView({root / "base" / "kustomization.yml": b"resources: []\n"}, root)  # a second kustomization
    with pytest.raises(Exception, match="kustomization"):
        renderer.render_text(root / "one", added)


def test_a_view_that_notes_reads_sees_the_base_s_files_on_a_reuse(tree: Tree) -> None:
    root = tree(FILES)
    renderer = BuiltinRenderer()
    renderer.render_text(root / "one")
    recording = RecordingView(FileView(root=root))
    renderer.render_text(root / "two", recording)
    read = {p.relative_to(root).as_posix() for p in recording.read}
    assert {"base/deploy.yaml", "base/kustomization.yaml", "common/kustomization.yaml"} <= read


def test_an_overlay_with_origin_annotations_gets_its_own_build(tree: Tree) -> None:
    root = tree({**FILES, "three/kustomization.yaml": "resources:\n- ../base\nbuildMetadata: [originAnnotations]\n"})
    renderer = BuiltinRenderer()
    renderer.render_text(root / "one")
    assert renderer.render_text(root / "three") == fresh_render(root / "three")
    assert "config.kubernetes.io/origin" in renderer.render_text(root / "three")
