"""Kubernetes-native canary: replica counts behind one Service, the total kept."""

from __future__ import annotations

from typing import Any

import pytest

from gitshift.errors import ConfigError, InputError
from gitshift.manifests import Obj, Rendered
from gitshift.strategies import canary
from gitshift.strategies.canary import replicas as canary_replicas

from ..builders import (
    IMAGE,
    affixed,
    canary_env,
    canary_plan,
    canary_run,
    canary_workloads,
    changes,
    service,
)

ENV = canary_env("replicas")
IMG = ("spec", "template", "spec", "containers", 0, "image")


def layout(kind: str = "Deployment", stable: int = 3, canary_n: int = 0) -> list[Obj]:
    objects = canary_workloads(kind, canary_replicas=canary_n, services=False)
    objects[0]["spec"]["replicas"] = stable
    return [*objects, service("web", {"app": "web"})]


def replicas(kind: str, stable: int, canary_n: int) -> list[tuple[str, tuple[str, ...], int]]:
    return [
        (f"{kind}/web", ("spec", "replicas"), stable),
        (f"{kind}/web-canary", ("spec", "replicas"), canary_n),
    ]


@pytest.mark.parametrize(
    ("total", "weight", "expected"),
    [
        (10, 0, 0),
        (10, 10, 1),
        (10, 25, 3),
        (10, 50, 5),
        (10, 100, 10),
        (4, 10, 1),
        (4, 25, 1),
        (4, 50, 2),
        (4, 99, 3),
        (3, 50, 2),
        (2, 1, 1),
        (1, 100, 1),
        (0, 0, 0),
        (1, 10, None),
        (0, 50, None),
    ],
)
def test_split_rounds_half_up_within_one_and_total_minus_one(
    total: int, weight: int, expected: int | None
) -> None:
    assert canary_replicas.split(total, weight) == expected


@pytest.mark.parametrize("kind", ["Deployment", "Rollout"])
def test_deploy_sets_image_and_splits_the_total(kind: str) -> None:
    assert changes(canary_plan(layout(kind, 10), ENV, "deploy", image=":2.0")) == [
        (f"{kind}/web-canary", IMG, f"{IMAGE}:2.0"),
        *replicas(kind, 9, 1),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"header": ("X-Canary", "1")}, "cannot route by header or cookie"),
        ({"cookie": "beta"}, "cannot route by header or cookie"),
        ({"weight": 101}, "invalid weight"),
        ({"weight": -1}, "invalid weight"),
        ({"replicas": 2}, "invalid replica count"),
    ],
)
def test_deploy_bad_input(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        canary_plan(layout(), ENV, "deploy", image=":2.0", **kw)


def test_a_single_replica_cannot_be_split() -> None:
    with pytest.raises(InputError, match="1 replica"):
        canary_plan(layout(stable=1), ENV, "deploy", image=":2.0")


@pytest.mark.parametrize(
    ("stable", "canary_n", "expected"),
    [
        (9, 1, (7, 3)),  # 10% -> 25%
        (3, 1, (2, 2)),  # T = 4: 10% and 25% both give 1 canary, so --next goes to 50%
        (2, 2, (0, 4)),  # 50% -> 100%
    ],
)
def test_next_moves_replicas(stable: int, canary_n: int, expected: tuple[int, int]) -> None:
    assert changes(
        canary_plan(layout("Deployment", stable, canary_n), ENV, "scale", next_step=True)
    ) == (replicas("Deployment", *expected))


def test_next_past_the_end_and_no_op() -> None:
    with pytest.raises(InputError, match="past the last step"):
        canary_plan(layout(stable=0, canary_n=4), ENV, "scale", next_step=True)
    assert canary_plan(layout(stable=9, canary_n=1), ENV, "scale", weight=10) == []


@pytest.mark.parametrize("action", ["promote", "rollback"])
def test_promote_and_rollback_give_the_stable_the_total(action: str) -> None:
    objects = layout(stable=5, canary_n=5)
    objects[1]["spec"]["template"]["spec"]["containers"][0]["image"] = f"{IMAGE}:2.0"
    head = [("Deployment/web", IMG, f"{IMAGE}:2.0")] if action == "promote" else []
    assert changes(canary_plan(objects, ENV, action)) == [*head, *replicas("Deployment", 10, 0)]


def test_prefixed_names_and_explicit_missing() -> None:
    objects = affixed(layout(stable=4), "prod-", "-x")
    assert changes(
        canary_plan(objects, canary_env("replicas", stable="web"), "scale", weight=50)
    ) == [
        ("Deployment/prod-web-x", ("spec", "replicas"), 2),
        ("Deployment/prod-web-canary-x", ("spec", "replicas"), 2),
    ]
    with pytest.raises(ConfigError, match=r"canary\.stable"):
        canary_plan(objects, canary_env("replicas", stable="api"), "scale", weight=50)


def test_checks_need_one_service_over_both() -> None:
    assert canary.checks(Rendered(layout()), ENV) == []
    objects = layout()
    objects[-1]["spec"]["selector"] = {"app": "web", "track": "stable"}
    assert canary.checks(Rendered(objects), ENV) == [
        "no Service selects the pods of both Deployment/web and Deployment/web-canary; "
        "traffic replicas "
        "needs one Service over both"
    ]


def test_round_trip_state() -> None:
    rendered = Rendered(layout(stable=10))
    deployed = canary_run(rendered, ENV, "deploy", image=":2.0", weight=25)
    st = canary.state(deployed, ENV)
    assert (st.weight, st.step, st.match, dict(st.replicas), st.serving) == (
        30,
        None,
        None,
        {"web": 7, "web-canary": 3},
        ("web",),
    )
    full = canary_run(deployed, ENV, "scale", weight=100)
    assert (canary.state(full, ENV).weight, canary.state(full, ENV).step) == (100, 4)
    promoted = canary_run(full, ENV, "promote")
    st = canary.state(promoted, ENV)
    assert (st.weight, st.images["web"], dict(st.replicas)) == (
        0,
        f"{IMAGE}:2.0",
        {"web": 10, "web-canary": 0},
    )
    assert canary.checks(promoted, ENV) == []
