"""Flagger progresses the release itself: gitshift sets the image of the Canary's target only.

README.md, "Argo Rollouts and Flagger", describes it for users.

A Flagger ``Canary`` watches its ``targetRef`` (a Deployment or DaemonSet): when
the target's pod template changes, Flagger creates the primary and canary
workloads and Services in the cluster and shifts the weights step by step. Git
holds only the target and the Canary, so gitshift writes the target's image and
nothing else; ``status`` shows the weights the Canary's analysis walks through.
"""

from __future__ import annotations

from gitshift.config import EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import Intent, Obj, Rendered
from gitshift.result import Controller, State
from gitshift.strategies.base import ShiftRequest
from gitshift.strategies.routes import name_of
from gitshift.strategies.workloads import (
    autoscaling,
    container_paths,
    flagger_canaries,
    image_of,
    replica_counts,
    set_image,
)

ACTIONS = ("set-image",)


def target(rendered: Rendered, canary: Obj) -> Obj | None:
    """The workload a Canary's ``targetRef`` names, when the overlay renders it."""
    ref = (canary.get("spec") or {}).get("targetRef") or {}
    return rendered.find(str(ref.get("kind") or "Deployment"), str(ref.get("name")))


def pairs(rendered: Rendered, env: EnvConfig) -> list[tuple[Obj, Obj]]:
    """(Canary, target) for every Canary whose target runs the app's image."""
    out = []
    for canary in flagger_canaries(rendered):
        obj = target(rendered, canary)
        if obj is not None and container_paths(obj, env):
            out.append((canary, obj))
    return out


def weights(analysis: dict[str, object]) -> list[int]:
    """The weights Flagger walks through: ``stepWeights``, or ``stepWeight`` up to ``maxWeight``."""
    listed = analysis.get("stepWeights")
    if isinstance(listed, list):
        return [w for w in listed if isinstance(w, int)]
    step, top = analysis.get("stepWeight"), analysis.get("maxWeight", 50)
    if not isinstance(step, int) or not isinstance(top, int) or step <= 0:
        return []
    return list(range(step, top + 1, step)) if step <= top else [top]


def _steps(analysis: dict[str, object], walked: list[int]) -> list[str]:
    out = [f"every {analysis['interval']}"] if analysis.get("interval") else []
    if walked:
        out += [f"weight {w}" for w in walked]
    elif analysis.get("iterations"):
        out.append(f"{analysis['iterations']} iterations" + (" on matching requests" if analysis.get("match") else ""))
    return [*out, "promote"]


def state(rendered: Rendered, env: EnvConfig) -> State:
    """The target's image and replicas, and the weights its Canary's analysis walks through."""
    found = pairs(rendered, env)
    controllers, walked, providers = [], [], set()
    for canary, _ in found:
        spec = canary.get("spec") or {}
        analysis = spec.get("analysis") or spec.get("canaryAnalysis") or {}
        steps = weights(analysis)
        walked += steps
        controllers.append(Controller("Canary", name_of(canary), _steps(analysis, steps)))
        if spec.get("provider"):
            providers.add(str(spec["provider"]))
    targets = [t for _, t in found]
    return State(
        strategy=env.strategy,
        images={name_of(t): image_of(t, env) or "" for t in targets},
        steps=walked or None,
        replicas=replica_counts(targets),
        autoscaling=autoscaling(rendered, targets),
        traffic=",".join(sorted(providers)) or None,
        controllers=controllers,
    )


def plan(rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    """Each Canary's target gets ``request.image``; Flagger does the rest."""
    if request.action != "set-image" or not request.image:
        raise InputError(f"flagger env {env.app}/{env.name} supports set-image only", request.action,
                         "Flagger moves the traffic itself")
    found = pairs(rendered, env)
    if not found:
        raise InputError("no Flagger Canary targets a workload that runs the app's image",
                         env.where, "check apps.<app>.image, or the env's strategy")
    out: list[Intent] = []
    for _, obj in found:
        out += set_image(obj, env, request.image)
    return out


def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """Flagger creates the primary and its Services in the cluster: no checks beyond the common ones."""
    return []
