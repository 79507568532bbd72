"""What the builtin engine refuses (exit 3) and the build errors it reports (exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gitshift.errors import PluginError, RenderError, UnsupportedError, YamlError
from gitshift.render.builtin import BuiltinRenderer

Tree = Callable[[dict[str, str]], Path]
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("helmCharts", "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n"),
        (
            "generators",
            "generators:\n- |\n  apiVersion: builtin\n  kind: HelmChartInflationGenerator\n  metadata:\n"
            "    name: h\n  chartName: redis\n",
        ),
    ],
)
def test_unsupported_field_names_field_and_file(tree: Tree, field: str, text: str) -> None:
    root = tree({"kustomization.yaml": "resources:\n- cm.yaml\n" + text, "cm.yaml": CM})
    with pytest.raises(UnsupportedError) as info:
        BuiltinRenderer().render(root)
    assert field in info.value.what
    assert info.value.where == str(root / "kustomization.yaml")
    assert "--engine kustomize" in info.value.hint
    assert info.value.exit_code == 3


@pytest.mark.parametrize(
    ("field", "text", "what"),
    [
        ("generators", "generators:\n- |\n  apiVersion: example.com/v1\n  kind: Exec\n  metadata:\n    name: g\n",
         "the plugin example.com/v1/Exec in `generators` runs a program"),
        ("transformers", "transformers:\n- t.yaml\n", "the plugin example.com/v1/Fn in `transformers` runs a program"),
        ("validators", "validators:\n- v.yaml\n", "the `validators` field (each validator is a plugin) runs a program"),
    ],
)
def test_a_plugin_is_refused_with_what_is_needed_not_another_engine(tree: Tree, field: str, text: str,
                                                                    what: str) -> None:
    root = tree({"kustomization.yaml": "resources:\n- cm.yaml\n" + text, "cm.yaml": CM,
                 "t.yaml": "apiVersion: example.com/v1\nkind: Fn\nmetadata:\n  name: t\n  annotations:\n"
                           "    config.kubernetes.io/function: |\n      exec:\n        path: ./fn.sh\n"})
    with pytest.raises(PluginError) as info:
        BuiltinRenderer().render(root)
    assert info.value.what.startswith(what)
    assert info.value.where == str(root / "kustomization.yaml")
    assert info.value.hint.startswith("gitshift runs no plugin") and "--engine" not in info.value.hint
    assert info.value.exit_code == 3


def test_remote_resource_is_refused(tree: Tree) -> None:
    root = tree({"kustomization.yaml": "resources:\n- https://github.com/acme/base//app?ref=v1\n"})
    with pytest.raises(UnsupportedError, match="remote resources"):
        BuiltinRenderer().render(root)


def test_unsupported_field_in_a_nested_base_names_that_base(tree: Tree) -> None:
    root = tree(
        {
            "base/kustomization.yaml": "resources:\n- cm.yaml\nhelmCharts:\n- name: x\n",
            "base/cm.yaml": CM,
            "overlay/kustomization.yaml": "resources:\n- ../base\n",
        }
    )
    with pytest.raises(UnsupportedError) as info:
        BuiltinRenderer().render(root / "overlay")
    assert info.value.where == str(root / "base" / "kustomization.yaml")


@pytest.mark.parametrize(
    ("files", "message", "where"),
    [
        (
            {"kustomization.yaml": "resources:\n- missing.yaml\n"},
            "does not exist",
            "kustomization.yaml",
        ),
        ({"other.yaml": CM}, "unable to find one of", ""),
        (
            {
                "kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n",
                "cm.yaml": CM,
                "p.yaml": CM.replace("name: cm", "name: other"),
            },
            "no resource matches",
            "p.yaml",
        ),
        (
            {
                "kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: gone.yaml\n",
                "cm.yaml": CM,
            },
            "patch file not found",
            "kustomization.yaml",
        ),
        (
            {"kustomization.yaml": "resources:\n- cm.yaml\n- cm.yaml\n", "cm.yaml": CM},
            "already registered id",
            "cm.yaml",
        ),
        (
            {
                "kustomization.yaml": "resources:\n- cm.yaml\nreplicas:\n- name: nothing\n  count: 2\n",
                "cm.yaml": CM,
            },
            "does not match",
            "kustomization.yaml",
        ),
        (
            {
                "kustomization.yaml": "resources:\n- sub\n",
                "sub/kustomization.yaml": "resources:\n- ..\n",
            },
            "cycle",
            "",
        ),
        (
            {"kustomization.yaml": "resources:\n- cm.yaml\nunknownField: 1\n", "cm.yaml": CM},
            "unknown field",
            "kustomization.yaml",
        ),
    ],
    ids=[
        "missing-resource",
        "no-kustomization",
        "patch-target",
        "missing-patch",
        "duplicate-id",
        "replicas-target",
        "cycle",
        "unknown-field",
    ],
)
def test_build_errors_name_the_file(
    tree: Tree, files: dict[str, str], message: str, where: str
) -> None:
    root = tree({"app/" + k: v for k, v in files.items()})
    with pytest.raises(RenderError) as info:
        BuiltinRenderer().render(root / "app")
    assert message in info.value.what
    assert info.value.where.startswith(str(root / "app"))
    assert info.value.where.endswith(where)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("bad", ["resource", "kustomization", "patch"])
def test_malformed_yaml_names_the_file(tree: Tree, bad: str) -> None:
    broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n"
    files = {
        "kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n",
        "cm.yaml": CM,
        "p.yaml": CM.replace("a: b", "a: c"),
    }
    files[
        {"resource": "cm.yaml", "kustomization": "kustomization.yaml", "patch": "p.yaml"}[bad]
    ] = broken
    root = tree(files)
    with pytest.raises(YamlError) as info:
        BuiltinRenderer().render(root)
    assert "malformed YAML" in info.value.what
    assert Path(info.value.where).parent == root
    assert info.value.exit_code == 2


def test_files_outside_the_kustomization_root_are_refused(tree: Tree) -> None:
    root = tree({"app/kustomization.yaml": "resources:\n- ../cm.yaml\n", "cm.yaml": CM})
    with pytest.raises(RenderError, match="not in or below"):
        BuiltinRenderer().render(root / "app")


def test_objects_carrying_kustomize_build_state_are_refused(tree: Tree) -> None:
    note = "  annotations:\n    internal.config.kubernetes.io/needsHashSuffix: enabled\n"
    marked = CM.replace("  name: cm\n", "  name: cm\n" + note)
    root = tree({"kustomization.yaml": "resources:\n- cm.yaml\n", "cm.yaml": marked})
    with pytest.raises(UnsupportedError) as info:
        BuiltinRenderer().render(root)
    assert "internal.config.kubernetes.io/needsHashSuffix" in info.value.what  # kustomize adds a hash for it
    assert info.value.where == str(root / "cm.yaml")
    assert info.value.exit_code == 3


def test_value_add_of_a_number_over_a_string_that_may_have_been_quoted_is_refused(tree: Tree) -> None:
    plugin = (
        "transformers:\n- |-\n  apiVersion: builtin\n  kind: ValueAddTransformer\n  metadata:\n    name: v\n"
        "  value: '8080'\n  targets:\n  - fieldPath: data/a\n"
    )
    root = tree({"kustomization.yaml": "resources:\n- cm.yaml\n" + plugin, "cm.yaml": CM})
    with pytest.raises(UnsupportedError) as info:  # `a: b` makes 8080 a number, `a: "b"` the text "8080"
        BuiltinRenderer().render(root)
    assert "ValueAddTransformer writing '8080' over the string 'b'" in info.value.what
    assert info.value.exit_code == 3
    root.joinpath("cm.yaml").write_text(CM.replace("a: b", 'a: "true"'))  # had to be quoted: stays text
    [cm] = BuiltinRenderer().render(root)
    assert cm["data"] == {"a": "8080"}


def test_value_add_field_path_deeper_than_the_bounds_is_refused(tree: Tree) -> None:
    deep = "/".join(["a"] * 150)
    plugin = (
        "transformers:\n- |-\n  apiVersion: builtin\n  kind: ValueAddTransformer\n  metadata:\n    name: v\n"
        f"  value: x\n  targets:\n  - fieldPath: {deep}\n"
    )
    root = tree({"kustomization.yaml": "resources:\n- cm.yaml\n" + plugin, "cm.yaml": CM})
    with pytest.raises(RenderError, match="nests deeper than 100 levels"):
        BuiltinRenderer().render(root)
