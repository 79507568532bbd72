"""Which release strategy one app's rendered objects in one overlay show (pure functions, no I/O).

The detectors run in order, most specific first: a Flagger ``Canary`` or a
self-progressing Argo ``Rollout`` owns the release; a canary router (nginx
canary Ingress, Istio VirtualService, Gateway API HTTPRoute) tells a canary
from a blue/green pair that looks the same to the Services; two workloads
one Service selects both of are a replica-split canary; everything else rolls
or is recreated as its Deployments say.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gitshift.init import pairs, routers
from gitshift.init.workloads import Detection, app_workloads, described, has, name_of
from gitshift.manifests import Obj, Rendered, ResourceId


def detect(rendered: Rendered, image: str) -> Detection:
    """The strategy the rendered overlay shows for the app running ``image``."""
    workloads = app_workloads(rendered, image)
    notes: list[str] = []
    for finder in (_flagger, _rollout, routers.nginx, routers.istio, routers.gateway, pairs.bluegreen,
                   pairs.replicas_canary):
        found = finder(rendered, workloads, notes)
        if found is not None:
            return replace(found, notes=tuple(notes))
    return replace(rolling(workloads), notes=tuple(notes))


def rolling(workloads: Sequence[Obj]) -> Detection:
    """Recreate when every Deployment says ``Recreate``; rolling otherwise."""
    deployments = [w for w in workloads if w.get("kind") == "Deployment"]
    others = [w for w in workloads if w.get("kind") != "Deployment"]
    if not deployments:
        verb = "updates them" if len(workloads) > 1 else "updates it"
        return Detection("rolling", f"{described(workloads)}: no Deployment; set-image {verb} in place")
    also = f"; set-image also updates {described(others)}" if others else ""
    types = {name_of(d): ((d.get("spec") or {}).get("strategy") or {}).get("type") for d in deployments}
    recreate = [d for d in deployments if types[name_of(d)] == "Recreate"]
    rest = [d for d in deployments if types[name_of(d)] != "Recreate"]
    if not rest:
        return Detection("recreate", f"{described(recreate)} {has(recreate)} spec.strategy.type Recreate{also}")
    if recreate:
        return Detection("rolling", f"{described(rest)} roll; {described(recreate)} {has(recreate)} "
                         f"spec.strategy.type Recreate, which set-image keeps{also}")
    if any(types.values()):
        return Detection("rolling", f"{described(rest)} {has(rest)} spec.strategy.type RollingUpdate{also}")
    return Detection("rolling", f"{described(rest)} {has(rest)} no spec.strategy.type, so Kubernetes' default "
                     f"RollingUpdate{also}")


def _flagger(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    deployments = {name_of(w) for w in workloads if w.get("kind") == "Deployment"}
    for canary in rendered.of_kind("Canary"):
        if not ResourceId.of(canary).group.startswith("flagger.app"):
            continue
        ref = (canary.get("spec") or {}).get("targetRef") or {}
        if ref.get("kind", "Deployment") == "Deployment" and ref.get("name") in deployments:
            return Detection("flagger", f"Flagger Canary {name_of(canary)} targets Deployment {ref['name']}")
    return None


def _rollout(rendered: Rendered, workloads: Sequence[Obj], notes: list[str]) -> Detection | None:
    deployments = {name_of(w) for w in workloads if w.get("kind") == "Deployment"}
    for rollout in rendered.of_kind("Rollout"):
        spec = rollout.get("spec") or {}
        ref = spec.get("workloadRef") or {}
        if not any(w is rollout for w in workloads) and ref.get("name") not in deployments:
            continue
        strategy = spec.get("strategy") or {}
        steps = (strategy.get("canary") or {}).get("steps") if isinstance(strategy.get("canary"), dict) else None
        if steps:
            return Detection("rollout",
                             f"Rollout {name_of(rollout)} has spec.strategy.canary.steps "
                             f"({len(steps)} step{'s' if len(steps) != 1 else ''})")
        if strategy.get("blueGreen"):
            active = (strategy["blueGreen"] or {}).get("activeService")
            tail = f" (active Service {active})" if active else ""
            return Detection("rollout", f"Rollout {name_of(rollout)} has spec.strategy.blueGreen{tail}")
    return None
