"""Argo Rollouts progresses the release itself: gitshift sets the Rollout's image only.

README.md, "Argo Rollouts and Flagger", describes it for users.

A Rollout with ``spec.strategy.canary.steps`` or ``spec.strategy.blueGreen`` moves
traffic, scales ReplicaSets and switches its Services on its own once its pod
template changes. gitshift writes the image only (in the Rollout, or in the
Deployment its ``workloadRef`` names) and never the weights, Services or routes
Argo Rollouts owns; ``status`` shows the steps Git gives it.
"""

from __future__ import annotations

from gitshift.config import EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import Intent, Obj, Rendered
from gitshift.result import Controller, State
from gitshift.strategies.base import ShiftRequest
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import autoscaling, container_paths, image_of, replica_counts, set_image

ACTIONS = ("set-image",)


def template_owner(rendered: Rendered, rollout: Obj) -> Obj:
    """The object holding the Rollout's pod template: itself, or the Deployment its ``workloadRef`` names."""
    ref = (rollout.get("spec") or {}).get("workloadRef") or {}
    if ref.get("name"):
        found = rendered.find(str(ref.get("kind") or "Deployment"), str(ref["name"]))
        if found is not None:
            return found
    return rollout


def rollouts(rendered: Rendered, env: EnvConfig) -> list[Obj]:
    """The Rollouts that run the app's image (every Rollout when the app names no image)."""
    return [r for r in rendered.of_kind("Rollout") if container_paths(template_owner(rendered, r), env)]


def _duration(value: object) -> str:
    return f"{value}s" if isinstance(value, int) else str(value)


def _step(step: object) -> str:
    """One canary step as a person reads it: ``setWeight 20``, ``pause``, ``pause 10m``, ``analysis``."""
    if not isinstance(step, dict) or not step:
        return str(step)
    key, value = next(iter(step.items()))
    if key == "setWeight":
        return f"setWeight {value}"
    if key == "pause":
        duration = (value or {}).get("duration") if isinstance(value, dict) else None
        return f"pause {_duration(duration)}" if duration is not None else "pause"
    if key == "analysis" and isinstance(value, dict):
        names = [t.get("templateName") for t in value.get("templates") or [] if isinstance(t, dict)]
        return "analysis " + ",".join(str(n) for n in names) if names else "analysis"
    return str(key)


def _canary(strategy: dict[str, object]) -> tuple[list[str], list[int], str]:
    canary = strategy.get("canary") or {}
    assert isinstance(canary, dict)
    steps = [s for s in canary.get("steps") or [] if isinstance(s, dict)]
    weights = [int(s["setWeight"]) for s in steps if isinstance(s.get("setWeight"), int)]
    routing = canary.get("trafficRouting") or {}
    kinds = [k for k in routing if k not in ("managedRoutes", "maxTrafficWeight")] if isinstance(routing, dict) else []
    if kinds == ["plugins"] and isinstance(routing.get("plugins"), dict):
        kinds = list(routing["plugins"])
    return [_step(s) for s in steps], weights, ",".join(str(k) for k in kinds) or "replicas"


def _blue_green(strategy: dict[str, object]) -> list[str]:
    bg = strategy.get("blueGreen") or {}
    assert isinstance(bg, dict)
    out = [f"active Service {bg.get('activeService')}"]
    if bg.get("previewService"):
        out.append(f"preview Service {bg['previewService']}")
    if bg.get("prePromotionAnalysis"):
        out.append("analysis")
    if bg.get("autoPromotionEnabled") is False:
        out.append("promote by hand")
    elif bg.get("autoPromotionSeconds") is not None:
        out.append(f"promote after {_duration(bg['autoPromotionSeconds'])}")
    else:
        out.append("promote")
    return out


def state(rendered: Rendered, env: EnvConfig) -> State:
    """Images and replicas of the app's Rollouts, and the steps and setWeights Git gives them."""
    found = rollouts(rendered, env)
    controllers, weights, traffic = [], [], []
    for r in found:
        strategy = (r.get("spec") or {}).get("strategy") or {}
        if "blueGreen" in strategy:
            controllers.append(Controller("Rollout", name_of(r), _blue_green(strategy)))
            traffic.append("bluegreen")
        else:
            steps, set_weights, routing = _canary(strategy)
            controllers.append(Controller("Rollout", name_of(r), steps))
            weights += set_weights
            traffic.append(routing)
    return State(
        strategy=env.strategy,
        images={name_of(r): image_of(template_owner(rendered, r), env) or "" for r in found},
        steps=weights or None,
        replicas=replica_counts(found),
        autoscaling=autoscaling(rendered, found),
        traffic=",".join(sorted(set(traffic))) or None,
        controllers=controllers,
    )


def plan(rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    """The app's Rollouts (or the Deployments their ``workloadRef`` names) get ``request.image``; nothing else."""
    if request.action != "set-image" or not request.image:
        raise InputError(f"{env.strategy} env {env.app}/{env.name} supports set-image only", request.action,
                         f"{'Argo Rollouts' if env.strategy == 'rollout' else 'Flagger'} moves the traffic itself")
    found = rollouts(rendered, env)
    if not found:
        raise InputError(f"no Argo Rollouts Rollout runs the app's image {env.image or ''!r}".replace(" ''", ""),
                         env.where, "check apps.<app>.image, or the env's strategy")
    out: list[Intent] = []
    for r in found:
        out += set_image(template_owner(rendered, r), env, request.image)
    return out


def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """Argo Rollouts owns the Services and routes: no checks beyond the common ones."""
    return []
