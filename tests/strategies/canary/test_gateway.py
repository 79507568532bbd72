"""Canary through a Gateway API HTTPRoute: backendRef weights and header-match rules."""

from __future__ import annotations

from typing import Any

import pytest

from gitshift.errors import ConfigError, InputError
from gitshift.manifests import Obj, Rendered
from gitshift.strategies import canary

from ..builders import (
    IMAGE,
    affixed,
    canary_env,
    canary_plan,
    canary_run,
    canary_workloads,
    changes,
    http_route,
)

ENV = canary_env("gateway")
IMG = ("spec", "template", "spec", "containers", 0, "image")
ROUTE = "HTTPRoute/web"
ADMIN = {
    "matches": [{"path": {"type": "PathPrefix", "value": "/admin"}}],
    "backendRefs": [{"name": "admin", "port": 80}],
}
FILTERS = [
    {
        "type": "RequestHeaderModifier",
        "requestHeaderModifier": {"set": [{"name": "x-env", "value": "p"}]},
    }
]


def main_rule(weight: int | None = 0, stable: str = "web", canary_name: str = "web-canary") -> Obj:
    refs: list[Obj] = [{"name": stable, "port": 80}, {"name": canary_name, "port": 80}]
    if weight is not None:
        refs[0]["weight"], refs[1]["weight"] = 100 - weight, weight
    return {
        "name": "main",
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
        "filters": FILTERS,
        "backendRefs": refs,
    }


def ab_rule(header: Obj) -> Obj:
    return {
        "filters": FILTERS,
        "matches": [{"path": {"type": "PathPrefix", "value": "/"}, "headers": [header]}],
        "backendRefs": [{"name": "web-canary", "port": 80}],
    }


def layout(
    kind: str = "Deployment",
    *,
    weight: int | None = 0,
    canary_replicas: int = 0,
    ab: Obj | None = None,
) -> list[Obj]:
    rules = [ADMIN, *([ab] if ab else []), main_rule(weight)]
    return [*canary_workloads(kind, canary_replicas=canary_replicas), http_route("web", rules)]


def weights(i: int, stable: int) -> list[tuple[str, tuple[Any, ...], int]]:
    return [
        (ROUTE, ("spec", "rules", i, "backendRefs", 0, "weight"), stable),
        (ROUTE, ("spec", "rules", i, "backendRefs", 1, "weight"), 100 - stable),
    ]


@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_deploy_sets_backend_weights(kind: str) -> None:
    assert changes(canary_plan(layout(kind), ENV, "deploy", image=":2.0")) == [
        (f"{kind}/web-canary", IMG, f"{IMAGE}:2.0"),
        (f"{kind}/web-canary", ("spec", "replicas"), 1),
        *weights(1, 90),
    ]


@pytest.mark.parametrize(
    ("kw", "header", "match"),
    [
        (
            {"header": ("X-Canary", "always")},
            {"type": "Exact", "name": "X-Canary", "value": "always"},
            "header X-Canary=always",
        ),
        (
            {"header": ("X-Beta", None)},
            {"type": "RegularExpression", "name": "X-Beta", "value": ".+"},
            "header X-Beta",
        ),
        (
            {"cookie": "beta"},
            {
                "type": "RegularExpression",
                "name": "Cookie",
                "value": r"^(.*;\s*)?beta=always(;.*)?$",
            },
            "cookie beta",
        ),
    ],
)
def test_deploy_ab_adds_a_header_rule_in_front(kw: dict[str, Any], header: Obj, match: str) -> None:
    rendered = Rendered(layout(canary_replicas=1))
    assert changes(canary_plan(rendered, ENV, "deploy", image=":1.0", **kw)) == [
        (ROUTE, ("spec", "rules"), [ADMIN, ab_rule(header), main_rule(0)])
    ]
    assert canary.state(canary_run(rendered, ENV, "deploy", image=":1.0", **kw), ENV).match == match


def test_scale_keeps_the_ab_rule() -> None:
    objects = layout(weight=25, canary_replicas=1, ab=ab_rule({"name": "X-Canary", "value": "1"}))
    assert changes(canary_plan(objects, ENV, "scale", weight=50)) == weights(2, 50)


def test_changing_the_ab_rule_replaces_the_rules() -> None:
    objects = layout(weight=25, canary_replicas=1, ab=ab_rule({"name": "X-Canary", "value": "1"}))
    header = {"type": "Exact", "name": "X-Canary", "value": "2"}
    assert changes(
        canary_plan(objects, ENV, "deploy", image=":1.0", weight=25, header=("X-Canary", "2"))
    ) == [(ROUTE, ("spec", "rules"), [ADMIN, ab_rule(header), main_rule(25)])]


@pytest.mark.parametrize("action", ["promote", "rollback"])
def test_promote_and_rollback_remove_the_ab_rule(action: str) -> None:
    objects = layout(weight=50, canary_replicas=2, ab=ab_rule({"name": "X-Canary", "value": "1"}))
    objects[1]["spec"]["template"]["spec"]["containers"][0]["image"] = f"{IMAGE}:2.0"
    head = [("Deployment/web", IMG, f"{IMAGE}:2.0")] if action == "promote" else []
    assert changes(canary_plan(objects, ENV, action)) == [
        *head,
        ("Deployment/web-canary", ("spec", "replicas"), 0),
        (ROUTE, ("spec", "rules"), [ADMIN, main_rule(0)]),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"weight": 101}, "invalid weight"),
        ({"weight": -1}, "invalid weight"),
        ({"next_step": True}, "past the last step"),
    ],
)
def test_scale_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        canary_plan(layout(weight=100, canary_replicas=1), ENV, "scale", **kw)


def test_deploy_again_is_a_no_op() -> None:
    done = canary_run(Rendered(layout()), ENV, "deploy", image=":2.0", cookie="beta", weight=10)
    assert canary_plan(done, ENV, "deploy", image=":2.0", cookie="beta", weight=10) == []


@pytest.mark.parametrize("refs", [("web", "web-canary"), ("prod-web", "prod-web-canary")])
def test_prefixed_names(refs: tuple[str, str]) -> None:
    objects = affixed(layout(), "prod-")
    objects[-1]["spec"]["rules"][1] = main_rule(0, *refs)
    env = canary_env("gateway", route="web", stable="web")
    assert changes(canary_plan(objects, env, "scale", weight=0)) == []
    objects[1]["spec"]["replicas"] = 1
    assert changes(canary_plan(objects, env, "scale", weight=50)) == [
        ("HTTPRoute/prod-web", ("spec", "rules", 1, "backendRefs", 0, "weight"), 50),
        ("HTTPRoute/prod-web", ("spec", "rules", 1, "backendRefs", 1, "weight"), 50),
    ]


def test_explicit_missing_route_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"canary\.route"):
        canary_plan(layout(), canary_env("gateway", route="shop"), "deploy", image=":2.0")


def test_missing_weights_read_as_gateway_defaults_and_fail_checks() -> None:
    rendered = Rendered(layout(weight=None))
    assert canary.state(rendered, ENV).weight == 50
    assert canary.checks(rendered, ENV) == ["HTTPRoute web rules[1] weights sum to 2, not 100"]


def test_checks() -> None:
    assert canary.checks(Rendered(layout()), ENV) == []
    objects = layout()
    objects[-1]["spec"]["rules"][1]["backendRefs"][1]["name"] = "other"
    assert canary.checks(Rendered(objects), ENV) == [
        "HTTPRoute web has no rule with both the stable and the canary Service as backends"
    ]


def test_round_trip_state() -> None:
    rendered = Rendered(layout())
    deployed = canary_run(rendered, ENV, "deploy", image=":2.0", header=("X-Canary", None))
    st = canary.state(deployed, ENV)
    assert (st.weight, st.step, st.match, st.serving) == (
        0,
        None,
        "header X-Canary",
        ("web", "web-canary"),
    )
    scaled = canary_run(deployed, ENV, "scale", next_step=True)
    assert (canary.state(scaled, ENV).weight, canary.state(scaled, ENV).match) == (
        10,
        "header X-Canary",
    )
    assert canary.checks(scaled, ENV) == []
    promoted = canary_run(scaled, ENV, "promote")
    st = canary.state(promoted, ENV)
    assert (st.weight, st.match, st.images["web"], st.serving) == (
        0,
        None,
        f"{IMAGE}:2.0",
        ("web",),
    )
    assert promoted.objects[-1] == rendered.objects[-1]
