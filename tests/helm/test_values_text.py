"""The values of a release, layer by layer: an Argo CD values string edited as YAML, precedence of layers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.helm.trees import CONFIG, VALUES_OBJECT_APP

from gitshift.config import EnvConfig, parse
from gitshift.errors import InputError
from gitshift.helm.values import edit_text, release
from gitshift.manifests import Rendered


def _env(app: str) -> EnvConfig:
    return parse(CONFIG, Path("gitshift.yaml"), Path()).env(app, "prod")


def test_edit_text_keeps_comments_layout_and_chomping() -> None:
    text = "# the values\nimage:\n    tag: 1.0.0  # pinned\nreplicaCount: 2"
    out = edit_text(text, [(("image", "tag"), "1.1.0"), (("replicaCount",), 3)], "where")
    assert out == "# the values\nimage:\n    tag: 1.1.0  # pinned\nreplicaCount: 3"


def test_edit_text_refuses_a_missing_path() -> None:
    with pytest.raises(InputError, match=r"value path image\.digest not found"):
        edit_text("image:\n  tag: 1\n", [(("image", "digest"), "x")], "where")


def test_a_value_is_written_where_the_highest_layer_sets_it() -> None:
    app = yaml.safe_load(VALUES_OBJECT_APP)
    helm = app["spec"]["sources"][0]["helm"]
    helm["values"] = "image: ghcr.io/acme/api:2.0.0\nreplicaCount: 1\nextra: 5\n"
    helm["parameters"] = [{"name": "replicaCount", "value": "4"}]
    r = release(Rendered([app]), _env("api"))
    assert r.get("image", "k") == "ghcr.io/acme/api:3.0.0"  # valuesObject over the values string
    assert r.get("replicaCount", "k") == 4  # a parameter over both, typed as --set types it
    assert r.get("extra", "k") == 5
    r.set("replicaCount", 6, "k")
    r.set("extra", 7, "k")
    paths = {i.path: i.value for i in r.intents()}
    assert paths[("spec", "sources", 0, "helm", "parameters", 0, "value")] == "6"
    text = paths[("spec", "sources", 0, "helm", "values")]
    assert text == "image: ghcr.io/acme/api:2.0.0\nreplicaCount: 1\nextra: 7\n"
