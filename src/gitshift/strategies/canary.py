"""Canary and A/B releases: what every traffic kind shares, and the dispatch to its module.

SPEC (strategies): the canary workload gets the new image and some of the
traffic; promote gives the stable workload the canary's image; rollback
leaves the stable alone. Each ``env.canary.traffic`` kind has a module
``canary_<kind>`` (a ``Router``) that reads and writes the traffic split.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from gitshift.config import CanarySettings, EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import (
    Obj,
    Rendered,
    pod_labels,
    selector_matches,
)
from gitshift.strategies.base import Intent, ShiftRequest, State, collect, resolve
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import (
    find_workload,
    image_of,
    replicas_of,
    set_image,
    set_replicas,
)

ACTIONS = ("canary.deploy", "canary.scale", "canary.promote", "canary.rollback")

# A cookie rule sends the requests whose cookie NAME is "always" to the canary:
# nginx's canary-by-cookie semantics, reproduced by the Istio and Gateway rules.
COOKIE_VALUE = "always"


@dataclass(frozen=True)
class Match:
    """An A/B rule: a header (with an optional value) or a cookie that picks the canary."""

    kind: str  # "header" or "cookie"
    name: str
    value: str | None = None

    def __str__(self) -> str:
        if self.kind == "cookie":
            return f"cookie {self.name}"
        return (
            f"header {self.name}={self.value}" if self.value is not None else f"header {self.name}"
        )


@dataclass(frozen=True)
class Pair:
    """The stable and canary workloads (Deployments or Rollouts)."""

    stable: Obj
    canary: Obj


@dataclass(frozen=True)
class Traffic:
    """The split read from the overlay; ``serving`` lists the Services that must have pods."""

    weight: int | None
    match: Match | None
    serving: tuple[str, ...]


class Router(Protocol):
    """A traffic kind module (``canary_nginx`` ...)."""

    OWNS_REPLICAS: bool  # whether the router sets the workloads' replicas itself

    def read(self, rendered: Rendered, env: EnvConfig, pair: Pair) -> Traffic:
        """The current split."""
        ...

    def route(
        self, rendered: Rendered, env: EnvConfig, pair: Pair, weight: int, match: Match | None
    ) -> list[Intent]:
        """Intents giving the canary ``weight`` percent and the A/B rule ``match`` (None: none)."""
        ...

    def next_weight(self, now: Traffic, pair: Pair, steps: Sequence[int]) -> int | None:
        """The weight ``--next`` moves to, or None past the last step."""
        ...

    def checks(self, rendered: Rendered, env: EnvConfig, pair: Pair) -> list[str]:
        """Failures of the kind's own safety checks."""
        ...


def settings(env: EnvConfig) -> CanarySettings:
    """The env's canary settings; a non-canary env is bad input."""
    if env.canary is None:
        raise InputError(f"env {env.app}/{env.name} is not a canary env", env.strategy)
    return env.canary


def router(env: EnvConfig) -> Router:
    """The module of the env's traffic kind (imported on use: it imports this module)."""
    return cast(
        Router, importlib.import_module(f"gitshift.strategies.canary_{settings(env).traffic}")
    )


def pair(rendered: Rendered, env: EnvConfig) -> Pair:
    """The stable and canary workloads the config names."""
    s = settings(env)
    return Pair(
        find_workload(
            rendered, env, s.stable, key="canary.stable", explicit="stable" in s.explicit
        ),
        find_workload(
            rendered, env, s.canary, key="canary.canary", explicit="canary" in s.explicit
        ),
    )


def service(rendered: Rendered, env: EnvConfig, role: str) -> Obj | None:
    """The stable or canary Service, named like its workload; None when the render has none."""
    s = settings(env)
    name = s.stable if role == "stable" else s.canary
    return resolve(
        rendered, ("Service",), name, explicit=False, key=f"canary.{role}", env=env, required=False
    )


def serving(
    rendered: Rendered, env: EnvConfig, weight: int | None, match: Match | None
) -> tuple[str, ...]:
    """SPEC (safety checks): the stable Service, and the canary Service while it gets traffic."""
    roles = ["stable"] + (["canary"] if (weight or 0) > 0 or match is not None else [])
    return tuple(
        name_of(svc) for svc in (service(rendered, env, r) for r in roles) if svc is not None
    )


def apart(rendered: Rendered, env: EnvConfig, p: Pair) -> list[str]:
    """Failures when the stable or canary Service selects the other's pods (the split fails)."""
    out = []
    for role, other in (("stable", p.canary), ("canary", p.stable)):
        svc = service(rendered, env, role)
        if svc is not None and selector_matches(
            (svc.get("spec") or {}).get("selector"), pod_labels(other)
        ):
            out.append(
                f"{role} Service {name_of(svc)} also selects the pods of {other['kind']}/"
                f"{name_of(other)}; give the two Services selectors that tell them apart"
            )
    return out


def service_names(rendered: Rendered, env: EnvConfig, role: str) -> set[str]:
    """Names a route may use for the stable or canary Service: as configured, and as rendered."""
    s = settings(env)
    svc = service(rendered, env, role)
    return {s.stable if role == "stable" else s.canary} | (
        {name_of(svc)} if svc is not None else set()
    )


def validate_weight(weight: int, where: str = "--weight") -> int:
    """``weight`` when it is an integer 0-100; otherwise an InputError (exit 2)."""
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
        raise InputError(f"invalid weight {weight!r}", where, "give an integer from 0 to 100")
    return weight


def next_after(now: Traffic, pair: Pair, steps: Sequence[int]) -> int | None:
    """The first step above the current weight (the ``next_weight`` of the routing kinds)."""
    return next((s for s in steps if s > (now.weight or 0)), None)


def _match(request: ShiftRequest) -> Match | None:
    if request.header is not None and request.cookie is not None:
        raise InputError("give --header or --cookie, not both", "--header/--cookie")
    if request.header is not None:
        name, value = request.header
        if not name or any(c.isspace() or c in ":=" for c in name):
            raise InputError(f"invalid header name {name!r}", "--header", "give NAME or NAME=VALUE")
        return Match("header", name, value)
    if request.cookie is not None:
        if not request.cookie or any(c.isspace() or c in ";=" for c in request.cookie):
            raise InputError(f"invalid cookie name {request.cookie!r}", "--cookie")
        return Match("cookie", request.cookie)
    return None


def state(rendered: Rendered, env: EnvConfig) -> State:
    """Images, weight, step, A/B rule and replicas of the stable and canary workloads."""
    s, p = settings(env), pair(rendered, env)
    now = router(env).read(rendered, env, p)
    ws = (p.stable, p.canary)
    return State(
        strategy="canary",
        images={name_of(w): image_of(w, env) or "" for w in ws},
        weight=now.weight,
        step=s.steps.index(now.weight) + 1 if now.weight in s.steps else None,
        steps=list(s.steps),
        match=str(now.match) if now.match is not None else None,
        replicas={name_of(w): replicas_of(w) for w in ws},
        serving=now.serving,
    )


def _canary_replicas(r: Router, p: Pair, n: int) -> list[Intent]:
    return [] if r.OWNS_REPLICAS else collect(set_replicas(p.canary, n))


def _deploy(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    if not request.image:
        raise InputError("canary deploy needs an image", "--image", "give --image NAME:TAG")
    match = _match(request)
    # SPEC: with --header/--cookie only matching requests reach the canary: A/B defaults to 0.
    default = 0 if match is not None else settings(env).steps[0]
    weight = validate_weight(request.weight if request.weight is not None else default)
    if request.replicas is not None and (r.OWNS_REPLICAS or request.replicas < 1):
        raise InputError(
            f"invalid replica count {request.replicas}",
            "--replicas",
            "give 1 or more (traffic replicas derives it from the weight)",
        )
    n = request.replicas if request.replicas is not None else max(replicas_of(p.canary), 1)
    return (
        set_image(p.canary, env, request.image)
        + _canary_replicas(r, p, n)
        + r.route(rendered, env, p, weight, match)
    )


def _scale(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    if (request.weight is None) == (not request.next_step):
        raise InputError("give either --weight N or --next", "canary scale")
    now = r.read(rendered, env, p)
    if request.weight is not None:
        weight = validate_weight(request.weight)
    else:
        steps = settings(env).steps
        found = r.next_weight(now, p, steps)
        if found is None:
            raise InputError(
                f"weight {now.weight} is at or past the last step {steps[-1]}",
                "--next",
                "run `gitshift canary promote`, or give --weight N",
            )
        weight = found
    if weight > 0 and not r.OWNS_REPLICAS and replicas_of(p.canary) < 1:
        raise InputError(
            f"canary {name_of(p.canary)} has 0 replicas",
            "canary scale",
            "run `gitshift canary deploy` first",
        )
    return r.route(rendered, env, p, weight, now.match)


def _promote(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    image = image_of(p.canary, env)
    if not image:
        raise InputError(f"canary {name_of(p.canary)} has no image to promote", "canary promote")
    # Stable first: the rewriter and the PR table read intents in order.
    return (
        set_image(p.stable, env, image)
        + _canary_replicas(r, p, 0)
        + r.route(rendered, env, p, 0, None)
    )


def _rollback(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    return _canary_replicas(r, p, 0) + r.route(rendered, env, p, 0, None)


_HANDLERS = {
    "canary.deploy": _deploy,
    "canary.scale": _scale,
    "canary.promote": _promote,
    "canary.rollback": _rollback,
}


def plan(rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    """The intents of a canary action; empty when its target state already holds."""
    handler = _HANDLERS.get(request.action)
    if handler is None:
        raise InputError(
            f"canary env {env.app}/{env.name} does not support {request.action!r}",
            request.action,
            f"use one of {', '.join(ACTIONS)}",
        )
    return handler(rendered, env, request, router(env), pair(rendered, env))


def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """The traffic kind's safety checks (SPEC: weights, routes, Ingress hosts and paths)."""
    p = pair(rendered, env)
    failures = router(env).checks(rendered, env, p)
    if not image_of(p.stable, env):
        failures.insert(0, f"stable {p.stable['kind']}/{name_of(p.stable)} has no image")
    return failures
