"""Canary traffic through ingress-nginx: annotations on the canary Ingress (README.md, "Canary with nginx").

The canary Ingress is named like the canary workload (``canary.canary``) and
the stable one like the stable workload (``canary.stable``). The canary
Ingress always keeps ``canary: "true"``: without it ingress-nginx would treat
it as a second, conflicting Ingress for the same host and path. A header
rule without a value follows ingress-nginx: a request whose header is
``always`` goes to the canary, ``never`` never does.
"""

from __future__ import annotations

from typing import Any

from gitshift.config import EnvConfig
from gitshift.manifests import MISSING, Intent, Obj, Rendered
from gitshift.strategies.base import collect, intent, resolve
from gitshift.strategies.canary.traffic import (
    Match,
    Pair,
    Traffic,
    apart,
    next_after,
    serving,
    settings,
)
from gitshift.strategies.routes import name_of

OWNS_REPLICAS = False
PREFIX = "nginx.ingress.kubernetes.io/"
CANARY = PREFIX + "canary"
WEIGHT = PREFIX + "canary-weight"
HEADER = PREFIX + "canary-by-header"
HEADER_VALUE = PREFIX + "canary-by-header-value"
HEADER_PATTERN = PREFIX + "canary-by-header-pattern"
COOKIE = PREFIX + "canary-by-cookie"

next_weight = next_after


def _ingress(rendered: Rendered, env: EnvConfig, role: str) -> Obj:
    s = settings(env)
    name = s.stable if role == "stable" else s.canary
    obj = resolve(
        rendered, ("Ingress",), name, explicit=role in s.explicit, key=f"canary.{role}", env=env
    )
    assert obj is not None  # resolve raises for a required name
    return obj


def _annotations(obj: Obj) -> dict[str, Any]:
    return dict((obj.get("metadata") or {}).get("annotations") or {})


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def read(rendered: Rendered, env: EnvConfig, pair: Pair) -> Traffic:
    """The weight and A/B rule in the canary Ingress's annotations."""
    ann = _annotations(_ingress(rendered, env, "canary"))
    weight = _int(ann.get(WEIGHT, 0)) if str(ann.get(CANARY)) == "true" else 0
    match = None
    if ann.get(HEADER):
        value = ann.get(HEADER_VALUE)
        match = Match("header", str(ann[HEADER]), str(value) if value is not None else None)
    elif ann.get(COOKIE):
        match = Match("cookie", str(ann[COOKIE]))
    return Traffic(weight, match, serving(rendered, env, weight, match))


def route(
    rendered: Rendered, env: EnvConfig, pair: Pair, weight: int, match: Match | None
) -> list[Intent]:
    """Annotation intents; a rule's annotations not in the target are removed (``MISSING``)."""
    obj = _ingress(rendered, env, "canary")
    target: dict[str, Any] = {
        CANARY: "true",
        WEIGHT: str(weight),
        HEADER: MISSING,
        HEADER_VALUE: MISSING,
        HEADER_PATTERN: MISSING,
        COOKIE: MISSING,
    }
    if match is not None and match.kind == "header":
        target[HEADER] = match.name
        if match.value is not None:
            target[HEADER_VALUE] = match.value
    elif match is not None:
        target[COOKIE] = match.name
    return collect(
        [intent(obj, ("metadata", "annotations", key), value) for key, value in target.items()]
    )


def _hosts_paths(obj: Obj) -> set[tuple[str, str]]:
    out = set()
    for rule in (obj.get("spec") or {}).get("rules") or []:
        host = str(rule.get("host") or "*")
        for p in (rule.get("http") or {}).get("paths") or [{}]:
            out.add((host, str(p.get("path") or "/")))
    return out


def checks(rendered: Rendered, env: EnvConfig, pair: Pair) -> list[str]:
    """Safety check: the canary Ingress has the stable one's hosts and paths; weight is an integer 0-100."""
    stable, canary = _ingress(rendered, env, "stable"), _ingress(rendered, env, "canary")
    failures = []
    ann = _annotations(canary)
    if str(ann.get(CANARY)) != "true":
        failures.append(f'Ingress {name_of(canary)} lacks the annotation {CANARY}: "true"')
    weight = _int(ann.get(WEIGHT, 0))
    if weight is None or not 0 <= weight <= 100:
        failures.append(
            f"Ingress {name_of(canary)} {WEIGHT} is {ann.get(WEIGHT)!r}, not an integer 0-100"
        )
    want, got = _hosts_paths(stable), _hosts_paths(canary)
    if want != got:
        failures.append(
            f"canary Ingress {name_of(canary)} routes {_show(got)}, but stable Ingress "
            f"{name_of(stable)} routes {_show(want)}; they must be the same"
        )
    return failures + apart(rendered, env, pair)


def _show(pairs: set[tuple[str, str]]) -> str:
    return ", ".join(f"{h}{p}" for h, p in sorted(pairs)) or "nothing"
