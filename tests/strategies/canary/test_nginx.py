"""Canary through ingress-nginx annotations: every action, A/B rules, no-ops, names, checks."""

from __future__ import annotations

from typing import Any

import pytest

from gitshift.errors import ConfigError, InputError
from gitshift.manifests import MISSING, Obj, Rendered
from gitshift.strategies import canary

from ..builders import (
    IMAGE,
    affixed,
    canary_env,
    canary_plan,
    canary_run,
    canary_workloads,
    changes,
    ingress,
)

ENV = canary_env("nginx")
ANN = "nginx.ingress.kubernetes.io/"
IMG = ("spec", "template", "spec", "containers", 0, "image")


def ann(key: str) -> tuple[str, ...]:
    return ("metadata", "annotations", ANN + key)


def layout(
    kind: str = "Deployment",
    *,
    weight: str = "0",
    canary_replicas: int = 0,
    extra: dict[str, str] | None = None,
) -> list[Obj]:
    annotations = {ANN + "canary": "true", ANN + "canary-weight": weight, **(extra or {})}
    return [
        *canary_workloads(kind, canary_replicas=canary_replicas),
        ingress("web", "web"),
        ingress("web-canary", "web-canary", annotations=annotations),
    ]


@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_deploy_sets_image_one_replica_and_first_step(kind: str) -> None:
    assert changes(canary_plan(layout(kind), ENV, "deploy", image=f"{IMAGE}:2.0")) == [
        (f"{kind}/web-canary", IMG, f"{IMAGE}:2.0"),
        (f"{kind}/web-canary", ("spec", "replicas"), 1),
        ("Ingress/web-canary", ann("canary-weight"), "10"),
    ]


def test_deploy_keeps_existing_replicas_and_takes_weight() -> None:
    assert changes(
        canary_plan(layout(canary_replicas=2), ENV, "deploy", image=":2.0", weight=25)
    ) == [
        ("Deployment/web-canary", IMG, f"{IMAGE}:2.0"),
        ("Ingress/web-canary", ann("canary-weight"), "25"),
    ]


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            {"header": ("X-Canary", "always")},
            [(ann("canary-by-header"), "X-Canary"), (ann("canary-by-header-value"), "always")],
        ),
        ({"header": ("X-Beta", None)}, [(ann("canary-by-header"), "X-Beta")]),
        ({"cookie": "beta"}, [(ann("canary-by-cookie"), "beta")]),
    ],
)
def test_deploy_ab_rule_defaults_to_weight_zero(kw: dict[str, Any], expected: list[Any]) -> None:
    intents = canary_plan(layout(canary_replicas=1), ENV, "deploy", image=":2.0", **kw)
    assert changes(intents) == [("Deployment/web-canary", IMG, f"{IMAGE}:2.0")] + [
        ("Ingress/web-canary", path, value) for path, value in expected
    ]


def test_deploy_replaces_a_previous_rule() -> None:
    objects = layout(
        canary_replicas=1,
        extra={ANN + "canary-by-header": "X-Old", ANN + "canary-by-header-value": "1"},
    )
    assert changes(canary_plan(objects, ENV, "deploy", image=":1.0", cookie="beta")) == [
        ("Ingress/web-canary", ann("canary-by-header"), MISSING),
        ("Ingress/web-canary", ann("canary-by-header-value"), MISSING),
        ("Ingress/web-canary", ann("canary-by-cookie"), "beta"),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({}, "needs an image"),
        ({"image": ":2.0", "weight": 101}, "invalid weight 101"),
        ({"image": ":2.0", "weight": -1}, "invalid weight -1"),
        ({"image": ":2.0", "header": ("X", "1"), "cookie": "c"}, "not both"),
        ({"image": ":2.0", "header": ("X Y", None)}, "invalid header name"),
    ],
)
def test_deploy_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        canary_plan(layout(), ENV, "deploy", **kw)


@pytest.mark.parametrize(
    ("weight", "kw", "expected"),
    [
        ("10", {"weight": 50}, "50"),
        ("10", {"next_step": True}, "25"),
        ("30", {"next_step": True}, "50"),
        ("0", {"next_step": True}, "10"),
    ],
)
def test_scale(weight: str, kw: dict[str, Any], expected: str) -> None:
    objects = layout(weight=weight, canary_replicas=1, extra={ANN + "canary-by-cookie": "beta"})
    assert changes(canary_plan(objects, ENV, "scale", **kw)) == [
        ("Ingress/web-canary", ann("canary-weight"), expected)
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"weight": 101}, "invalid weight"),
        ({"weight": -1}, "invalid weight"),
        ({"next_step": True}, "past the last step 100"),
        ({}, "--weight N or --next"),
        ({"weight": 5, "next_step": True}, "--weight N or --next"),
    ],
)
def test_scale_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        canary_plan(layout(weight="100", canary_replicas=1), ENV, "scale", **kw)


def test_scale_refuses_a_canary_without_pods() -> None:
    with pytest.raises(InputError, match="has 0 replicas"):
        canary_plan(layout(), ENV, "scale", weight=10)


def test_scale_to_the_current_weight_is_a_no_op() -> None:
    assert canary_plan(layout(weight="25", canary_replicas=1), ENV, "scale", weight=25) == []


def test_promote_and_rollback() -> None:
    objects = layout(weight="50", canary_replicas=2, extra={ANN + "canary-by-header": "X-Canary"})
    objects[1]["spec"]["template"]["spec"]["containers"][0]["image"] = f"{IMAGE}:2.0"
    tail = [
        ("Deployment/web-canary", ("spec", "replicas"), 0),
        ("Ingress/web-canary", ann("canary-weight"), "0"),
        ("Ingress/web-canary", ann("canary-by-header"), MISSING),
    ]
    assert changes(canary_plan(objects, ENV, "promote")) == [
        ("Deployment/web", IMG, f"{IMAGE}:2.0"),
        *tail,
    ]
    assert changes(canary_plan(objects, ENV, "rollback")) == tail


@pytest.mark.parametrize(("prefix", "suffix"), [("prod-", ""), ("", "-eu")])
@pytest.mark.parametrize("given", [{}, {"stable": "web", "canary": "web-canary"}])
def test_names_before_prefix_and_suffix(prefix: str, suffix: str, given: dict[str, str]) -> None:
    objects = affixed(layout(), prefix, suffix)
    assert changes(canary_plan(objects, canary_env("nginx", **given), "deploy", image=":2.0"))[
        2
    ] == (f"Ingress/{prefix}web-canary{suffix}", ann("canary-weight"), "10")


def test_explicit_missing_name_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"canary\.canary"):
        canary_plan(layout(), canary_env("nginx", canary="web-beta"), "deploy", image=":2.0")


def test_missing_default_ingress_is_input_error() -> None:
    with pytest.raises(InputError, match="Ingress 'web-canary' not found"):
        canary_plan(layout()[:-1], ENV, "deploy", image=":2.0")


def test_checks() -> None:
    assert canary.checks(Rendered(layout()), ENV) == []
    objects = layout()
    objects[-1]["spec"]["rules"][0]["host"] = "beta.example.com"
    del objects[-1]["metadata"]["annotations"][ANN + "canary"]
    objects[2]["spec"]["selector"] = {"app": "web"}
    assert canary.checks(Rendered(objects), ENV) == [
        f'Ingress web-canary lacks the annotation {ANN}canary: "true"',
        "canary Ingress web-canary routes beta.example.com/, but stable Ingress web routes "
        "web.example.com/; they must be the same",
        "stable Service web also selects the pods of Deployment/web-canary; give the two Services "
        "selectors that tell them apart",
    ]


def test_round_trip_state() -> None:
    env = ENV
    rendered = Rendered(layout())
    assert canary.state(rendered, env).serving == ("web",)
    deployed = canary_run(
        rendered, env, "deploy", image=":2.0", header=("X-Canary", "always"), weight=10
    )
    st = canary.state(deployed, env)
    assert (st.weight, st.step, st.match, st.serving) == (
        10,
        1,
        "header X-Canary=always",
        ("web", "web-canary"),
    )
    scaled = canary_run(deployed, env, "scale", next_step=True)
    assert (canary.state(scaled, env).weight, canary.state(scaled, env).step) == (25, 2)
    promoted = canary_run(scaled, env, "promote")
    st = canary.state(promoted, env)
    assert st.images == {"web": f"{IMAGE}:2.0", "web-canary": f"{IMAGE}:2.0"}
    assert (st.weight, st.match, dict(st.replicas), st.serving) == (
        0,
        None,
        {"web": 3, "web-canary": 0},
        ("web",),
    )
    assert canary_plan(promoted, env, "promote") == []
    assert canary.checks(promoted, env) == []
