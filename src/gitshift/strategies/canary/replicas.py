"""Kubernetes-native canary: the split is the replica count behind one Service (README.md, "Kubernetes-native canary").

The stable and canary workloads share a Service, so each pod gets an equal
share and the weight is ``canary / (stable + canary)``. A shift keeps the
total T and gives the canary ``floor(T * weight / 100 + 1/2)`` replicas
(half up), at least 1 when the weight is above 0 and at most T - 1 when it
is below 100; the stable gets the rest. Weight 100 gives the canary all T
and the stable 0; weight 0 (promote, rollback) gives the stable all T. A
split between 1 and 99 needs T >= 2. The weight read back is the split
rounded half up, which may differ from the one asked (T = 4, 10 -> 1/4 = 25).
There is no request-level routing, so ``--header``/``--cookie`` are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from gitshift.config import EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import Intent, Obj, Rendered, pod_labels, selector_matches
from gitshift.strategies.base import collect
from gitshift.strategies.canary.traffic import Match, Pair, Traffic
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import replicas_of, set_replicas

OWNS_REPLICAS = True


def split(total: int, weight: int) -> int | None:
    """The canary's share of ``total`` replicas for ``weight`` percent; None when impossible."""
    if weight in (0, 100):
        return total * weight // 100
    if total < 2:
        return None
    return min(max((total * weight + 50) // 100, 1), total - 1)


def _services(rendered: Rendered, pair: Pair) -> list[Obj]:
    """Services whose selector matches the stable or the canary pods."""
    return [
        svc
        for svc in rendered.of_kind("Service")
        if any(
            selector_matches((svc.get("spec") or {}).get("selector"), pod_labels(w))
            for w in (pair.stable, pair.canary)
        )
    ]


def read(rendered: Rendered, env: EnvConfig, pair: Pair) -> Traffic:
    """The canary's share of the replicas, in percent (half up)."""
    canary, total = replicas_of(pair.canary), replicas_of(pair.stable) + replicas_of(pair.canary)
    weight = (canary * 100 + total // 2) // total if total > 0 else 0
    return Traffic(weight, None, tuple(name_of(svc) for svc in _services(rendered, pair)))


def route(
    rendered: Rendered, env: EnvConfig, pair: Pair, weight: int, match: Match | None
) -> list[Intent]:
    """Replica intents for the stable and the canary workload, the total kept."""
    if match is not None:
        raise InputError(
            "traffic replicas cannot route by header or cookie",
            "--header/--cookie",
            "A/B needs a router: set canary.traffic to nginx, istio or gateway",
        )
    total = replicas_of(pair.stable) + replicas_of(pair.canary)
    canary = split(total, weight)
    if canary is None:
        raise InputError(
            f"{total} replica(s) in total cannot split {weight}% to the canary",
            f"{name_of(pair.stable)} + {name_of(pair.canary)}",
            "give the stable workload 2 or more replicas first",
        )
    return collect(set_replicas(pair.stable, total - canary), set_replicas(pair.canary, canary))


def next_weight(now: Traffic, pair: Pair, steps: Sequence[int]) -> int | None:
    """The first step that moves more replicas to the canary (or cannot be split, to say so)."""
    canary, total = replicas_of(pair.canary), replicas_of(pair.stable) + replicas_of(pair.canary)
    for step in steps:
        share = split(total, step)
        if share is None or share > canary:
            return step
    return None


def checks(rendered: Rendered, env: EnvConfig, pair: Pair) -> list[str]:
    """One Service must select the stable and the canary pods, or the canary gets no traffic."""
    both = [
        svc
        for svc in _services(rendered, pair)
        if all(
            selector_matches((svc.get("spec") or {}).get("selector"), pod_labels(w))
            for w in (pair.stable, pair.canary)
        )
    ]
    if both:
        return []
    return [
        f"no Service selects the pods of both {pair.stable['kind']}/{name_of(pair.stable)} and "
        f"{pair.canary['kind']}/{name_of(pair.canary)}; traffic replicas needs one Service "
        "over both"
    ]
