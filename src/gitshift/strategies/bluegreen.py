"""Blue/green releases: two colored workloads behind an active and an optional preview Service.

README.md, "Blue/green": the idle color gets the new image and the active color's
replicas, the preview Service points at it, promote switches the active
Service, finish scales the old color to 0.

The state lives only in the rendered overlay, so the "previous" color a
rollback returns to is read from the selectors:

- with a preview Service, preview == active means "promoted": rollback
  switches the active Service to the other color; preview != active means
  the active Service already serves the color from before the deploy (never
  promoted, or already rolled back), so rollback has nothing to do;
- without a preview Service a promoted overlay cannot be told from a
  deployed one, so promote and rollback both switch to the other color.

A switch to a color with 0 replicas (rollback after finish) is refused by
``checks``: the active color must have pods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gitshift.config import BlueGreenSettings, EnvConfig
from gitshift.errors import IdleNotDeployedError, InputError
from gitshift.manifests import Intent, Obj, Rendered, pod_labels, selector_matches
from gitshift.result import State
from gitshift.strategies.base import ShiftRequest, collect, intent, resolve
from gitshift.strategies.workloads import (
    RELEASE_KINDS,
    autoscaling,
    container_paths,
    image_of,
    progressed_by,
    refuse_controlled,
    replica_counts,
    replicas_of,
    set_image,
    set_replicas,
)

ACTIONS = ("bluegreen.deploy", "bluegreen.promote", "bluegreen.rollback", "bluegreen.finish")


@dataclass(frozen=True)
class _Layout:
    """The objects of one blue/green env, resolved from the config's names."""

    label: str
    workloads: Mapping[str, Obj]  # color -> Deployment or Rollout
    active_svc: Obj
    preview_svc: Obj | None

    def color_of(self, svc: Obj | None) -> str | None:
        """The color a Service's selector names, or None."""
        selector = ((svc or {}).get("spec") or {}).get("selector") or {}
        return str(selector[self.label]) if self.label in selector else None

    def other(self, color: str) -> str:
        """The color that is not ``color``."""
        return next(c for c in self.workloads if c != color)

    def active(self, env: EnvConfig) -> str:
        """The active color; an active Service that names no configured color is bad input."""
        color = self.color_of(self.active_svc)
        if color not in self.workloads:
            name = self.active_svc["metadata"]["name"]
            raise InputError(
                f"Service {name!r} selects no single color ({self.label}: {color})",
                env.where,
                f"set its spec.selector.{self.label} to one of {', '.join(self.workloads)}",
            )
        return str(color)

    def preview(self) -> str | None:
        """The preview Service's color when it is a configured one."""
        color = self.color_of(self.preview_svc)
        return color if color in self.workloads else None


def _settings(env: EnvConfig) -> BlueGreenSettings:
    if env.bluegreen is None:
        raise InputError(f"env {env.app}/{env.name} is not a bluegreen env", env.strategy)
    return env.bluegreen


def _workload(
    rendered: Rendered, env: EnvConfig, s: BlueGreenSettings, color: str, name: str
) -> Obj:
    """The workload of one color: by its configured name, else the app workload with its label."""
    explicit = "colors" in s.explicit
    obj = resolve(
        rendered,
        RELEASE_KINDS,
        name,
        explicit=explicit,
        key=f"bluegreen.colors.{color}",
        env=env,
        required=False,
    )
    if obj is not None:
        return obj
    labelled = [
        w
        for w in rendered.of_kind(*RELEASE_KINDS)
        if str(pod_labels(w).get(s.color_label)) == color and container_paths(w, env)
    ]
    if len(labelled) == 1:
        return labelled[0]
    raise InputError(
        f"no Deployment or Rollout {name!r} for color {color!r} in the rendered overlay",
        env.where,
        f"set apps.{env.app}.envs.{env.name}.bluegreen.colors in gitshift.yaml",
    )


def _layout(rendered: Rendered, env: EnvConfig) -> _Layout:
    s = _settings(env)
    workloads = {
        color: _workload(rendered, env, s, color, name) for color, name in s.colors.items()
    }
    active = resolve(
        rendered,
        ("Service",),
        s.service,
        explicit="service" in s.explicit,
        key="bluegreen.service",
        env=env,
    )
    preview = resolve(
        rendered,
        ("Service",),
        s.preview_service,
        explicit="preview_service" in s.explicit,
        key="bluegreen.preview_service",
        env=env,
        required=False,
    )
    assert active is not None  # resolve raises for a required name
    return _Layout(s.color_label, workloads, active, preview)


def _name(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def state(rendered: Rendered, env: EnvConfig) -> State:
    """Images and replicas per colored workload, the active and preview colors."""
    layout = _layout(rendered, env)
    ws = layout.workloads.values()
    return State(
        strategy="bluegreen",
        images={_name(w): image_of(w, env) or "" for w in ws},
        active=layout.color_of(layout.active_svc),
        preview=layout.color_of(layout.preview_svc) if layout.preview_svc is not None else None,
        replicas=replica_counts(list(ws)),
        autoscaling=autoscaling(rendered, list(ws)),
        serving=(_name(layout.active_svc),),
    )


def objects(rendered: Rendered, env: EnvConfig) -> tuple[dict[str, Obj], Obj, Obj | None]:
    """Each color's workload, the active Service and the preview Service (None when not rendered)."""
    layout = _layout(rendered, env)
    return dict(layout.workloads), layout.active_svc, layout.preview_svc


def _switch(layout: _Layout, color: str) -> list[Intent]:
    return collect(intent(layout.active_svc, ("spec", "selector", layout.label), color))


def _deploy(layout: _Layout, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    if not request.image:
        raise InputError("bluegreen deploy needs an image", "--image", "give --image NAME:TAG")
    if request.replicas is not None and request.replicas < 1:
        raise InputError(
            f"invalid replica count {request.replicas}", "--replicas", "give 1 or more"
        )
    active = layout.active(env)
    idle = layout.other(active)
    target = layout.workloads[idle]
    # README.md, "Blue/green": the idle color gets the active color's replica count unless --replicas is given.
    n = (
        request.replicas
        if request.replicas is not None
        else max(replicas_of(layout.workloads[active]), 1)
    )
    out = set_image(target, env, request.image) + collect(set_replicas(target, n))
    if layout.preview_svc is not None:
        out += collect(intent(layout.preview_svc, ("spec", "selector", layout.label), idle))
    return out


def _promote(layout: _Layout, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    active = layout.active(env)
    preview = layout.preview()
    # The preview names the color to promote; preview == active means it is promoted already,
    # unless the other color has no pods: then nothing was ever deployed to it.
    target = preview if preview is not None else layout.other(active)
    idle = layout.other(active)
    if replicas_of(layout.workloads[idle]) < 1 and target in (active, idle):
        w = layout.workloads[idle]
        where = "the preview Service selects the live color, and " if target == active else ""
        raise IdleNotDeployedError(
            f"nothing is deployed to the idle color {idle}: {where}{w['kind']}/{_name(w)} has 0 replicas",
            f"{env.app}/{env.name}",
            f"deploy to it first: gitshift bluegreen deploy {env.app} IMAGE --env {env.name}",
            needs="the bluegreen deploy",
        )
    return [] if target == active else _switch(layout, target)


def _rollback(layout: _Layout, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    active = layout.active(env)
    preview = layout.preview()
    if preview is not None and preview != active:
        return []  # never promoted, or rolled back already: the previous color is live
    return _switch(layout, layout.other(active))


def _finish(layout: _Layout, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    old = layout.workloads[layout.other(layout.active(env))]
    return collect(set_replicas(old, 0))


_HANDLERS = {
    "bluegreen.deploy": _deploy,
    "bluegreen.promote": _promote,
    "bluegreen.rollback": _rollback,
    "bluegreen.finish": _finish,
}


def plan(rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    """The intents of a blue/green action; empty when its target state already holds."""
    handler = _HANDLERS.get(request.action)
    if handler is None:
        raise InputError(
            f"bluegreen env {env.app}/{env.name} does not support {request.action!r}",
            request.action,
            f"use one of {', '.join(ACTIONS)}",
        )
    layout = _layout(rendered, env)
    refuse_controlled(rendered, env, layout.workloads.values())
    return handler(layout, env, request)


def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """Safety check (README.md, "How a shift works"): the active Service selects one color, whose workload can serve."""
    layout = _layout(rendered, env)
    svc = layout.active_svc
    selector = (svc.get("spec") or {}).get("selector")
    failures = [
        f"{w['kind']}/{_name(w)} pods should carry the label {layout.label}: {color}"
        for color, w in layout.workloads.items()
        if str(pod_labels(w).get(layout.label)) != color
    ]
    selected = [c for c, w in layout.workloads.items() if selector_matches(selector, pod_labels(w))]
    if len(selected) > 1:
        failures.append(
            f"Service {_name(svc)} selects more than one color ({', '.join(selected)}); "
            f"its selector needs {layout.label}: <color>"
        )
    color = layout.color_of(svc)
    if color not in layout.workloads:
        failures.append(
            f"Service {_name(svc)} selects {layout.label}: {color}, none of "
            f"{', '.join(layout.workloads)}"
        )
        return failures
    w = layout.workloads[str(color)]
    where = f"active color {color} ({w['kind']}/{_name(w)})"
    if replicas_of(w) < 1:
        failures.append(f"{where} has 0 replicas; Service {_name(svc)} would reach no pods")
    if color not in selected:
        failures.append(
            f"Service {_name(svc)} selector {selector} does not match the pods of {where}"
        )
    if not image_of(w, env):
        failures.append(f"{where} has no image")
    failures += [f"{who} progresses {w['kind']}/{_name(w)} itself; use strategy: rollout or flagger"
                 for w in layout.workloads.values() if (who := progressed_by(rendered, w))]
    return failures
