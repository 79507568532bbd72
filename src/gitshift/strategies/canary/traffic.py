"""What every canary traffic kind shares: the A/B match, the workload pair, the split, and the Services.

Each kind (``nginx``, ``istio``, ``gateway``, ``replicas``) is a module of this
package satisfying ``Router``; the canary strategy picks one by
``env.canary.traffic`` from a plain table (docs/configuration.md, "canary").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gitshift.config import CanarySettings, EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import Intent, Obj, Rendered, pod_labels, selector_matches
from gitshift.strategies.base import resolve
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import find_workload

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
    """A traffic kind module (``nginx`` ...)."""

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
    """The Services that must have pods: the stable one, and the canary one while it gets traffic."""
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
