"""The values proof refuses an edit that moved a value it did not intend, or missed one it did."""

from __future__ import annotations

import copy

import pytest
from tests.helm.trees import APPLICATION, CONFIG

from gitshift.config import EnvConfig, parse
from gitshift.errors import CheckFailedError
from gitshift.helm.place import intended_paths, prove
from gitshift.helm.values import release
from gitshift.manifests import Intent, Rendered, ResourceId, set_path


def _env() -> EnvConfig:
    from pathlib import Path

    return parse(CONFIG, Path("gitshift.yaml"), Path()).env("web", "prod")


def _rendered() -> Rendered:
    import yaml

    return Rendered([yaml.safe_load(APPLICATION)])


def test_intended_paths_read_back_from_a_values_string_and_parameters() -> None:
    env, before = _env(), _rendered()
    r = release(before, env)
    r.set("green.image.tag", "2.1.0", "k")
    r.set("router.activeColor", "green", "k")
    intents = r.intents()
    assert intended_paths(r, intents) == {("green", "image", "tag"): "2.1.0", ("router", "activeColor"): "green"}


def test_prove_passes_exact_and_refuses_more_or_less() -> None:
    env, before = _env(), _rendered()
    r = release(before, env)
    r.set("green.image.tag", "2.1.0", "k")
    intents = r.intents()
    rid = ResourceId.of(before.objects[0])

    def after(extra: list[Intent]) -> Rendered:
        objs = copy.deepcopy(before.objects)
        for it in [*intents, *extra]:
            set_path(objs[0], it.path, it.value)
        return Rendered(objs)

    prove(env, before, after([]), intents)
    sneaky = Intent(rid, ("spec", "source", "helm", "parameters", 1, "value"), "7")
    with pytest.raises(CheckFailedError, match=r"blue\.replicaCount"):
        prove(env, before, after([sneaky]), intents)
    with pytest.raises(CheckFailedError, match=r"green\.image\.tag"):
        prove(env, before, before, intents)
