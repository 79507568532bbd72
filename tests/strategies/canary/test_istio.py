"""Canary through an Istio VirtualService: weights, header routes, hosts, FQDNs, subsets."""

from __future__ import annotations

import copy
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
    service,
    virtual_service,
)

ENV = canary_env("istio")
IMG = ("spec", "template", "spec", "containers", 0, "image")
ADMIN = {"match": [{"uri": {"prefix": "/admin"}}], "route": [{"destination": {"host": "admin"}}]}
HOSTS = {
    "name": ("web", "web-canary", None, None),
    "fqdn": ("web.shop.svc.cluster.local", "web-canary.shop.svc.cluster.local", None, None),
    "subsets": ("web", "web", "stable", "canary"),
}


def dest(host: str, subset: str | None) -> Obj:
    return {"host": host, **({"subset": subset} if subset else {}), "port": {"number": 80}}


def main_route(mode: str, weight: int = 0) -> Obj:
    stable, canary_host, s1, s2 = HOSTS[mode]
    return {
        "name": "primary",
        "match": [{"uri": {"prefix": "/"}}],
        "timeout": "5s",
        "route": [
            {"destination": dest(stable, s1), "weight": 100 - weight},
            {"destination": dest(canary_host, s2), "weight": weight},
        ],
    }


def layout(
    mode: str = "name",
    kind: str = "Deployment",
    *,
    weight: int = 0,
    canary_replicas: int = 0,
    ab: Obj | None = None,
) -> list[Obj]:
    objects = canary_workloads(kind, canary_replicas=canary_replicas, services=mode != "subsets")
    if mode == "subsets":
        objects.append(service("web", {"app": "web"}))
    http = [ADMIN, *([ab] if ab else []), main_route(mode, weight)]
    return [*objects, virtual_service("web", http, namespace="shop" if mode == "fqdn" else "")]


def ab_route(mode: str, headers: Obj) -> Obj:
    _, canary_host, _, s2 = HOSTS[mode]
    return {
        "timeout": "5s",
        "match": [{"uri": {"prefix": "/"}, "headers": headers}],
        "route": [{"destination": dest(canary_host, s2), "weight": 100}],
    }


def vs_id(mode: str = "name") -> str:
    return "VirtualService/shop/web" if mode == "fqdn" else "VirtualService/web"


def weights(i: int, stable: int, mode: str = "name") -> list[tuple[str, tuple[Any, ...], int]]:
    return [
        (vs_id(mode), ("spec", "http", i, "route", 0, "weight"), stable),
        (vs_id(mode), ("spec", "http", i, "route", 1, "weight"), 100 - stable),
    ]


@pytest.mark.parametrize("mode", list(HOSTS))
@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_deploy_sets_weights_summing_to_100(mode: str, kind: str) -> None:
    assert changes(canary_plan(layout(mode, kind), ENV, "deploy", image=":2.0")) == [
        (f"{kind}/web-canary", IMG, f"{IMAGE}:2.0"),
        (f"{kind}/web-canary", ("spec", "replicas"), 1),
        *weights(1, 90, mode),
    ]


@pytest.mark.parametrize(
    ("kw", "headers", "match"),
    [
        (
            {"header": ("X-Canary", "always")},
            {"x-canary": {"exact": "always"}},
            "header x-canary=always",
        ),
        ({"header": ("X-Beta", None)}, {"x-beta": {"regex": ".+"}}, "header x-beta"),
        ({"cookie": "beta"}, {"cookie": {"regex": r"^(.*;\s*)?beta=always(;.*)?$"}}, "cookie beta"),
    ],
)
@pytest.mark.parametrize("mode", list(HOSTS))
def test_deploy_ab_adds_a_header_route_in_front(
    mode: str, kw: dict[str, Any], headers: Obj, match: str
) -> None:
    rendered = Rendered(layout(mode, canary_replicas=1))
    intents = canary_plan(rendered, ENV, "deploy", image=":1.0", **kw)
    assert changes(intents) == [
        (vs_id(mode), ("spec", "http"), [ADMIN, ab_route(mode, headers), main_route(mode)])
    ]
    assert canary.state(canary_run(rendered, ENV, "deploy", image=":1.0", **kw), ENV).match == match


def test_scale_keeps_the_ab_route_and_moves_weights_by_index() -> None:
    objects = layout(
        weight=10, canary_replicas=1, ab=ab_route("name", {"x-canary": {"exact": "1"}})
    )
    assert changes(canary_plan(objects, ENV, "scale", next_step=True)) == weights(2, 75)


@pytest.mark.parametrize("action", ["promote", "rollback"])
def test_promote_and_rollback_remove_the_ab_route(action: str) -> None:
    objects = layout(
        weight=50, canary_replicas=2, ab=ab_route("name", {"x-canary": {"exact": "1"}})
    )
    objects[1]["spec"]["template"]["spec"]["containers"][0]["image"] = f"{IMAGE}:2.0"
    intents = changes(canary_plan(objects, ENV, action))
    assert intents[-2:] == [
        ("Deployment/web-canary", ("spec", "replicas"), 0),
        ("VirtualService/web", ("spec", "http"), [ADMIN, main_route("name", 0)]),
    ]
    assert len(intents) == (2 if action == "rollback" else 3)


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
    done = canary_run(Rendered(layout()), ENV, "deploy", image=":2.0", header=("X-Canary", None))
    assert canary_plan(done, ENV, "deploy", image=":2.0", header=("X-Canary", None)) == []


@pytest.mark.parametrize("given", [{}, {"stable": "web", "canary": "web-canary", "route": "web"}])
def test_prefixed_names_with_plain_hosts(given: dict[str, str]) -> None:
    objects = affixed(layout(), "prod-")
    assert changes(canary_plan(objects, canary_env("istio", **given), "deploy", image=":2.0"))[
        2:
    ] == [
        ("VirtualService/prod-web", ("spec", "http", 1, "route", 0, "weight"), 90),
        ("VirtualService/prod-web", ("spec", "http", 1, "route", 1, "weight"), 10),
    ]


def test_explicit_missing_route_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"canary\.route"):
        canary_plan(layout(), canary_env("istio", route="shop"), "deploy", image=":2.0")


def test_route_without_a_canary_destination_is_refused() -> None:
    objects = layout()
    objects[-1]["spec"]["http"][1]["route"].pop()
    with pytest.raises(InputError, match=r"no spec\.http entry with both a stable and a canary"):
        canary_plan(objects, ENV, "deploy", image=":2.0")


def test_checks() -> None:
    assert canary.checks(Rendered(layout()), ENV) == []
    assert canary.checks(Rendered(layout("subsets")), ENV) == []
    objects = layout()
    objects[-1]["spec"]["http"][1]["route"][1]["weight"] = 20
    bad = copy.deepcopy(objects)
    bad[-1]["spec"]["http"][1]["route"][1]["weight"] = "20"
    assert canary.checks(Rendered(objects), ENV) == [
        "VirtualService web http[1] weights sum to 120, not 100"
    ]
    assert canary.checks(Rendered(bad), ENV) == [
        "VirtualService web http[1] weights [100, '20'] are not all integers 0-100"
    ]


@pytest.mark.parametrize("mode", list(HOSTS))
def test_round_trip_state(mode: str) -> None:
    rendered = Rendered(layout(mode))
    deployed = canary_run(rendered, ENV, "deploy", image=":2.0", cookie="beta", weight=10)
    st = canary.state(deployed, ENV)
    assert (st.weight, st.step, st.match) == (10, 1, "cookie beta")
    assert st.serving == (("web", "web-canary") if mode != "subsets" else ("web",))
    scaled = canary_run(deployed, ENV, "scale", next_step=True)
    st = canary.state(scaled, ENV)
    assert (st.weight, st.step, st.match) == (25, 2, "cookie beta")
    assert canary.checks(scaled, ENV) == []
    back = canary_run(scaled, ENV, "rollback")
    st = canary.state(back, ENV)
    assert (st.weight, st.match, st.images["web"]) == (0, None, f"{IMAGE}:1.0")
    assert back.objects[-1] == rendered.objects[-1]
