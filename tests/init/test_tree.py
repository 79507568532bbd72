"""Finding kustomizations and telling overlays (leaves) from bases and components."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import build_tree

from gitshift.init.tree import walk


def test_leaves_leave_out_bases_components_and_hidden_folders(tmp_path: Path) -> None:
    build_tree(tmp_path, {
        "base/kustomization.yaml": "resources:\n- d.yaml\n",
        "base/common/kustomization.yml": "resources: []\n",
        "components/mesh/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        "overlays/dev/kustomization.yaml": "resources:\n- ../../base\n- ../../base/common\n"
                                           "- https://github.com/acme/remote//base?ref=v1\n- github.com/acme/x\n",
        "overlays/prod/Kustomization": "bases:\n- ../../base\ncomponents:\n- ../../components/mesh\n",
        "legacy/kustomization.yaml": "resources:\n- ../../outside\n",
        ".github/kustomization.yaml": "resources: []\n",
        "node_modules/pkg/kustomization.yaml": "resources: []\n",
        "broken/kustomization.yaml": "resources: [\n",
    })
    tree = walk(tmp_path)
    assert [k.path for k in tree.kustomizations] == [
        "base", "base/common", "broken", "components/mesh", "legacy", "overlays/dev", "overlays/prod"]
    assert [k.path for k in tree.leaves()] == ["broken", "legacy", "overlays/dev", "overlays/prod"]
    by_path = {k.path: k for k in tree.kustomizations}
    assert by_path["overlays/dev"].refs == ("base", "base/common")
    assert by_path["components/mesh"].component
    assert by_path["broken"].error.startswith("malformed kustomization.yaml")
    assert not tree.truncated


def test_a_kustomization_linked_from_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    build_tree(outside, {"kustomization.yaml": "resources:\n- secret.yaml\n"})
    repo = tmp_path / "repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / "kustomization.yaml").symlink_to(outside / "kustomization.yaml")
    (repo / "linked-dir").symlink_to(outside)
    tree = walk(repo)
    assert [(k.path, k.error) for k in tree.kustomizations] == [
        ("app", "kustomization.yaml is a link to outside the repository")]


def test_the_root_itself(tmp_path: Path) -> None:
    build_tree(tmp_path, {"kustomization.yaml": "resources:\n- app\n", "app/kustomization.yaml": "resources: []\n"})
    assert [k.path for k in walk(tmp_path).leaves()] == ["."]
