"""Canary and A/B releases: the actions, and the dispatch to the module of the env's traffic kind.

The canary workload gets the new image and some of the traffic; promote gives
the stable workload the canary's image; rollback leaves the stable alone
(README.md, "Canary"). Each ``env.canary.traffic`` kind is a module of this
package (a ``Router``) that reads and writes the traffic split.
"""

from __future__ import annotations

from gitshift.config import EnvConfig
from gitshift.errors import InputError, NotDeployedError
from gitshift.manifests import Intent, Rendered
from gitshift.result import State
from gitshift.strategies.base import ShiftRequest, collect
from gitshift.strategies.canary import gateway, istio, nginx, replicas
from gitshift.strategies.canary.traffic import Match, Pair, Router, pair, settings, validate_weight
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import (
    autoscaling,
    image_of,
    progressed_by,
    refuse_controlled,
    replica_counts,
    replicas_of,
    set_image,
    set_replicas,
)

ACTIONS = ("canary.deploy", "canary.scale", "canary.promote", "canary.rollback")

# The traffic kinds, by ``env.canary.traffic``.
ROUTERS: dict[str, Router] = {"nginx": nginx, "istio": istio, "gateway": gateway, "replicas": replicas}


def router(env: EnvConfig) -> Router:
    """The module of the env's traffic kind."""
    return ROUTERS[settings(env).traffic]


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
    ws = [p.stable, p.canary]
    return State(
        strategy="canary",
        images={name_of(w): image_of(w, env) or "" for w in ws},
        weight=now.weight,
        step=s.steps.index(now.weight) + 1 if now.weight in s.steps else None,
        steps=list(s.steps),
        match=str(now.match) if now.match is not None else None,
        replicas=replica_counts(ws),
        autoscaling=autoscaling(rendered, ws),
        serving=now.serving,
        traffic=s.traffic,
    )


def _canary_replicas(r: Router, p: Pair, n: int) -> list[Intent]:
    return [] if r.OWNS_REPLICAS else collect(set_replicas(p.canary, n))


def _deploy(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    if not request.image:
        raise InputError("canary deploy needs an image", "--image", "give --image NAME:TAG")
    match = _match(request)
    # README.md, "A/B testing": with --header/--cookie only matching requests reach the canary: A/B defaults to 0.
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
        raise NotDeployedError(
            f"canary {name_of(p.canary)} has 0 replicas",
            "canary scale",
            "run `gitshift canary deploy` first",
            needs="the canary deploy",
        )
    return r.route(rendered, env, p, weight, now.match)


def _promote(
    rendered: Rendered, env: EnvConfig, request: ShiftRequest, r: Router, p: Pair
) -> list[Intent]:
    image = image_of(p.canary, env)
    if not image:
        raise InputError(f"canary {name_of(p.canary)} has no image to promote", "canary promote",
                         "run `gitshift canary deploy` first")
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
    p = pair(rendered, env)
    refuse_controlled(rendered, env, (p.stable, p.canary))
    return handler(rendered, env, request, router(env), p)


def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """The traffic kind's safety checks (weights, routes, Ingress hosts and paths)."""
    p = pair(rendered, env)
    failures = router(env).checks(rendered, env, p)
    if not image_of(p.stable, env):
        failures.insert(0, f"stable {p.stable['kind']}/{name_of(p.stable)} has no image")
    failures += [f"{who} progresses {w['kind']}/{name_of(w)} itself; use strategy: rollout or flagger"
                 for w in (p.stable, p.canary) if (who := progressed_by(rendered, w))]
    return failures
