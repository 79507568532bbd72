"""Canary traffic through an Istio VirtualService (README.md, "Canary with Istio").

The VirtualService ``canary.route`` has an http route with two destinations:
the stable and the canary Service (by name or FQDN ``name.ns.svc.cluster.local``),
or one host with the DestinationRule subsets ``stable`` and ``canary``. Their
weights always sum to 100. An A/B rule is an http route placed right before
that one, with the same matches plus a header condition, sending all of its
requests to the canary:

- ``--header NAME=VALUE``: ``headers: {name: {exact: VALUE}}``;
- ``--header NAME``: ``headers: {name: {regex: ".+"}}`` (present, not empty);
- ``--cookie NAME``: ``headers: {cookie: {regex: "^(.*;\\s*)?NAME=always(;.*)?$"}}``,
  ingress-nginx's cookie semantics.

Istio wants header names in lowercase, so NAME is written lowercased.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence

from gitshift.config import EnvConfig
from gitshift.manifests import Intent, Obj, Rendered
from gitshift.strategies.base import resolve
from gitshift.strategies.canary.traffic import (
    COOKIE_VALUE,
    Match,
    Pair,
    Traffic,
    apart,
    next_after,
    service_names,
    serving,
    settings,
)
from gitshift.strategies.routes import name_of, read_weight, route_with_ab, weight_failure, weighted_entries

OWNS_REPLICAS = False
PATH = ("spec", "http")
_COOKIE_HEAD, _COOKIE_TAIL = r"^(.*;\s*)?", rf"={COOKIE_VALUE}(;.*)?$"
_SUFFIXES = ("", "svc", "svc.cluster.local")

next_weight = next_after


def _service(rendered: Rendered, env: EnvConfig) -> Obj:
    s = settings(env)
    obj = resolve(
        rendered,
        ("VirtualService",),
        s.route,
        explicit="route" in s.explicit,
        key="canary.route",
        env=env,
    )
    assert obj is not None  # resolve raises for a required name
    return obj


def _http(vs: Obj) -> list[Obj]:
    return list((vs.get("spec") or {}).get("http") or [])


def _names(host: str, names: set[str], namespace: str) -> bool:
    """Whether ``host`` is one of ``names``, short or as a cluster FQDN in ``namespace``."""
    parts = host.split(".")
    if parts[0] not in names:
        return False
    if len(parts) == 1:
        return True
    return (not namespace or parts[1] == namespace) and ".".join(parts[2:]) in _SUFFIXES


def _roles(rendered: Rendered, env: EnvConfig, vs: Obj) -> list[list[str | None]]:
    stable, canary = service_names(rendered, env, "stable"), service_names(rendered, env, "canary")
    namespace = str((vs.get("metadata") or {}).get("namespace") or "")

    def role(dest: Obj) -> str | None:
        host, subset = str(dest.get("host", "")), dest.get("subset")
        if subset in ("stable", "canary") and _names(host, stable | canary, namespace):
            return str(subset)
        if _names(host, canary, namespace):
            return "canary"
        return "stable" if _names(host, stable, namespace) else None

    return [
        [role(r.get("destination") or {}) for r in entry.get("route") or []] for entry in _http(vs)
    ]


def _ab(vs: Obj, roles: list[list[str | None]]) -> list[int]:
    """Indexes of the A/B routes: header matches, every destination the canary."""
    http = _http(vs)
    return [
        i
        for i, r in enumerate(roles)
        if r
        and all(x == "canary" for x in r)
        and any(m.get("headers") for m in http[i].get("match") or [])
    ]


def _condition(match: Match) -> tuple[str, Obj]:
    if match.kind == "cookie":
        return "cookie", {"regex": _COOKIE_HEAD + re.escape(match.name) + _COOKIE_TAIL}
    if match.value is None:
        return match.name.lower(), {"regex": ".+"}
    return match.name.lower(), {"exact": match.value}


def _parse(entry: Obj, base: Obj | None) -> Match | None:
    """The A/B rule of an A/B route: its header condition the weighted route has not."""
    known = set(((base or {}).get("match") or [{}])[0].get("headers") or {})
    headers = ((entry.get("match") or [{}])[0].get("headers")) or {}
    for name, cond in headers.items():
        if name in known:
            continue
        regex = str(cond.get("regex", ""))
        if name == "cookie" and regex.startswith(_COOKIE_HEAD) and regex.endswith(_COOKIE_TAIL):
            return Match(
                "cookie", re.sub(r"\\(.)", r"\1", regex[len(_COOKIE_HEAD) : -len(_COOKIE_TAIL)])
            )
        return Match("header", str(name), str(cond["exact"]) if "exact" in cond else None)
    return None


def read(rendered: Rendered, env: EnvConfig, pair: Pair) -> Traffic:
    """The canary weight of the first weighted route, and the A/B rule of the route in front."""
    vs = _service(rendered, env)
    roles = _roles(rendered, env, vs)
    http = _http(vs)
    weighted, ab = weighted_entries(roles), _ab(vs, roles)
    base = http[weighted[0]] if weighted else None
    weight = read_weight(base, "route", roles[weighted[0]], 0) if base is not None else None
    match = _parse(http[ab[0]], base) if ab else None
    return Traffic(weight, match, serving(rendered, env, weight, match))


def _rule(base: Obj, roles: Sequence[str | None], match: Match) -> Obj:
    """The A/B route: the weighted route's matches plus the header condition, to the canary only."""
    canary = next(r for r, role in zip(base["route"], roles, strict=True) if role == "canary")
    name, cond = _condition(match)
    rule = {k: copy.deepcopy(v) for k, v in base.items() if k not in ("name", "match", "route")}
    rule["match"] = [
        {**copy.deepcopy(m), "headers": {**(m.get("headers") or {}), name: cond}}
        for m in base.get("match") or [{}]
    ]
    rule["route"] = [{"destination": copy.deepcopy(canary["destination"]), "weight": 100}]
    return rule


def route(
    rendered: Rendered, env: EnvConfig, pair: Pair, weight: int, match: Match | None
) -> list[Intent]:
    """Weights on every stable/canary route; the A/B route in front of the first one, or none."""
    vs = _service(rendered, env)
    roles = _roles(rendered, env, vs)
    return route_with_ab(vs, PATH, "route", roles, _ab(vs, roles), _parse, _rule, weight, match)


def checks(rendered: Rendered, env: EnvConfig, pair: Pair) -> list[str]:
    """Safety check: the weights of each http route are integers 0-100 summing to 100."""
    vs = _service(rendered, env)
    failures = []
    for i, entry in enumerate(_http(vs)):
        dests = entry.get("route") or []
        weights = [d.get("weight") for d in dests]
        if len(dests) < 2 and all(w is None for w in weights):
            continue  # one destination without a weight gets everything
        failure = weight_failure(f"VirtualService {name_of(vs)} http[{i}]", weights)
        if failure:
            failures.append(failure)
    roles = _roles(rendered, env, vs)
    if not weighted_entries(roles):
        failures.append(
            f"VirtualService {name_of(vs)} has no http route with both a stable and a canary "
            "destination"
        )
    subsets = any(
        d.get("subset") in ("stable", "canary")
        for e in _http(vs)
        for d in (r.get("destination") or {} for r in e.get("route") or [])
    )
    return failures + ([] if subsets else apart(rendered, env, pair))
