"""Canary traffic through a Gateway API HTTPRoute (README.md, "Canary with Gateway API").

The HTTPRoute ``canary.route`` has a rule whose ``backendRefs`` are the stable
and the canary Service; their weights are set to sum to 100 (a missing
weight counts as Gateway API's default of 1 when read). An A/B rule is a
rule placed right before it, with the same path matches plus a header
condition, whose only backendRef is the canary Service:

- ``--header NAME=VALUE``: ``{type: Exact, name: NAME, value: VALUE}``;
- ``--header NAME``: ``{type: RegularExpression, name: NAME, value: ".+"}`` (present, not empty);
- ``--cookie NAME``: ``{type: RegularExpression, name: Cookie,
  value: "^(.*;\\s*)?NAME=always(;.*)?$"}``,
  ingress-nginx's cookie semantics.

A rule with the same path and more header matches takes precedence in Gateway
API, so the A/B rule wins whatever the order; it is put first for readers.
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
PATH = ("spec", "rules")
_COOKIE_HEAD, _COOKIE_TAIL = r"^(.*;\s*)?", rf"={COOKIE_VALUE}(;.*)?$"

next_weight = next_after


def _route(rendered: Rendered, env: EnvConfig) -> Obj:
    s = settings(env)
    obj = resolve(
        rendered,
        ("HTTPRoute",),
        s.route,
        explicit="route" in s.explicit,
        key="canary.route",
        env=env,
    )
    assert obj is not None  # resolve raises for a required name
    return obj


def _rules(route: Obj) -> list[Obj]:
    return list((route.get("spec") or {}).get("rules") or [])


def _roles(rendered: Rendered, env: EnvConfig, route: Obj) -> list[list[str | None]]:
    stable, canary = service_names(rendered, env, "stable"), service_names(rendered, env, "canary")

    def role(ref: Obj) -> str | None:
        if ref.get("kind", "Service") != "Service" or ref.get("group", "") not in ("", "core"):
            return None
        name = ref.get("name")
        return "canary" if name in canary else "stable" if name in stable else None

    return [[role(ref) for ref in rule.get("backendRefs") or []] for rule in _rules(route)]


def _ab(route: Obj, roles: list[list[str | None]]) -> list[int]:
    """Indexes of the A/B rules: header matches, every backend the canary."""
    rules = _rules(route)
    return [
        i
        for i, r in enumerate(roles)
        if r
        and all(x == "canary" for x in r)
        and any(m.get("headers") for m in rules[i].get("matches") or [])
    ]


def _condition(match: Match) -> Obj:
    if match.kind == "cookie":
        value = _COOKIE_HEAD + re.escape(match.name) + _COOKIE_TAIL
        return {"type": "RegularExpression", "name": "Cookie", "value": value}
    if match.value is None:
        return {"type": "RegularExpression", "name": match.name, "value": ".+"}
    return {"type": "Exact", "name": match.name, "value": match.value}


def _parse(rule: Obj, base: Obj | None) -> Match | None:
    """The A/B rule of an A/B HTTPRoute rule: its header condition the weighted rule has not."""
    known = (((base or {}).get("matches") or [{}])[0].get("headers")) or []
    for cond in ((rule.get("matches") or [{}])[0].get("headers")) or []:
        if cond in known:
            continue
        name, value, kind = str(cond.get("name")), str(cond.get("value")), cond.get("type", "Exact")
        if (
            name.lower() == "cookie"
            and value.startswith(_COOKIE_HEAD)
            and value.endswith(_COOKIE_TAIL)
        ):
            return Match(
                "cookie", re.sub(r"\\(.)", r"\1", value[len(_COOKIE_HEAD) : -len(_COOKIE_TAIL)])
            )
        return Match("header", name, value if kind == "Exact" else None)
    return None


def read(rendered: Rendered, env: EnvConfig, pair: Pair) -> Traffic:
    """The canary weight of the first weighted rule, and the A/B rule in front."""
    route_obj = _route(rendered, env)
    roles, rules = _roles(rendered, env, route_obj), _rules(route_obj)
    weighted, ab = weighted_entries(roles), _ab(route_obj, roles)
    base = rules[weighted[0]] if weighted else None
    weight = read_weight(base, "backendRefs", roles[weighted[0]], 1) if base is not None else None
    match = _parse(rules[ab[0]], base) if ab else None
    return Traffic(weight, match, serving(rendered, env, weight, match))


def _rule(base: Obj, roles: Sequence[str | None], match: Match) -> Obj:
    """The A/B rule: the weighted rule's matches plus the header condition, to the canary only."""
    pairs = zip(base["backendRefs"], roles, strict=True)
    ref = copy.deepcopy(next(r for r, role in pairs if role == "canary"))
    ref.pop("weight", None)
    rule = {
        k: copy.deepcopy(v) for k, v in base.items() if k not in ("name", "matches", "backendRefs")
    }
    rule["matches"] = [
        {**copy.deepcopy(m), "headers": [*(m.get("headers") or []), _condition(match)]}
        for m in base.get("matches") or [{}]
    ]
    rule["backendRefs"] = [ref]
    return rule


def route(
    rendered: Rendered, env: EnvConfig, pair: Pair, weight: int, match: Match | None
) -> list[Intent]:
    """Weights on every stable/canary rule; the A/B rule in front of the first one, or none."""
    route_obj = _route(rendered, env)
    roles = _roles(rendered, env, route_obj)
    return route_with_ab(route_obj, PATH, "backendRefs", roles, _ab(route_obj, roles), _parse, _rule, weight, match)


def checks(rendered: Rendered, env: EnvConfig, pair: Pair) -> list[str]:
    """Safety check: in each rule with two or more backends, weights are integers 0-100 summing to 100."""
    route_obj = _route(rendered, env)
    failures = []
    for i, rule in enumerate(_rules(route_obj)):
        weights = [ref.get("weight", 1) for ref in rule.get("backendRefs") or []]
        failure = weight_failure(f"HTTPRoute {name_of(route_obj)} rules[{i}]", weights) if len(weights) > 1 else None
        if failure:
            failures.append(failure)
    if not weighted_entries(_roles(rendered, env, route_obj)):
        failures.append(
            f"HTTPRoute {name_of(route_obj)} has no rule with both the stable and the canary "
            "Service as backends"
        )
    return failures + apart(rendered, env, pair)
