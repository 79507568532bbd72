"""What the init detectors share: the Detection value and helpers over an app's workloads (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gitshift.manifests import WORKLOAD_KINDS, Obj, Rendered, image_name, pod_labels, selector_matches

# A Job's pod template is immutable once created: it is no app to release.
APP_KINDS = tuple(k for k in WORKLOAD_KINDS if k != "Job")
RELEASE_KINDS = ("Deployment", "Rollout")
DEFAULT_STEPS = (10, 25, 50, 100)


@dataclass(frozen=True)
class Detection:
    """A strategy, why, and the config's ``bluegreen:``/``canary:`` settings that go with it.

    Attributes:
        strategy: recreate, rolling, bluegreen, canary, rollout or flagger.
        reason: the objects that show it, one line.
        settings: the env's ``bluegreen`` or ``canary`` mapping (empty for the others).
        notes: shapes seen on the way that gitshift cannot use, and why.
    """

    strategy: str
    reason: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def name_of(obj: Obj) -> str:
    """``metadata.name`` of an object."""
    return str((obj.get("metadata") or {}).get("name", ""))


def containers(obj: Obj) -> list[Obj]:
    """The (non-init) containers of a workload's pod template."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    return [c for c in pod.get("containers") or [] if isinstance(c, dict)]


def images(obj: Obj) -> list[str]:
    """The image names (no tag, no digest) a workload's containers run."""
    return [image_name(str(c["image"])) for c in containers(obj) if c.get("image")]


def app_workloads(rendered: Rendered, image: str) -> list[Obj]:
    """Workloads with a container running ``image`` (a name without tag)."""
    return [w for w in rendered.of_kind(*APP_KINDS) if image in images(w)]


def names(objs: Sequence[Obj], limit: int = 3) -> str:
    """``a, b, c and 2 more``: sorted names for a reason line."""
    found = sorted(name_of(o) for o in objs)
    shown = ", ".join(found[:limit])
    return shown + (f" and {len(found) - limit} more" if len(found) > limit else "")


def kinds(objs: Sequence[Obj]) -> str:
    """``Deployment``, ``Deployments`` or ``Deployment/Rollouts``: the kinds of ``objs`` for a reason line."""
    found = sorted({str(o.get("kind")) for o in objs})
    if len(found) == 1:
        return found[0] + ("s" if len(objs) > 1 else "")
    return "/".join(found) + "s"


def described(objs: Sequence[Obj]) -> str:
    """``Deployments a, b``, or ``CronJobs a, b and StatefulSet c`` for mixed kinds."""
    by_kind: dict[str, list[Obj]] = {}
    for o in sorted(objs, key=lambda o: str(o.get("kind"))):
        by_kind.setdefault(str(o.get("kind")), []).append(o)
    return " and ".join(f"{kinds(group)} {names(group)}" for group in by_kind.values())


def has(objs: Sequence[Obj]) -> str:
    """The verb agreeing with ``objs``."""
    return "have" if len(objs) > 1 else "has"


def release(workloads: Sequence[Obj]) -> list[Obj]:
    """The workloads a blue/green or canary pair can be made of (Deployments, Rollouts)."""
    return [w for w in workloads if w.get("kind") in RELEASE_KINDS]


def selected(rendered: Rendered, service: str, candidates: Sequence[Obj]) -> list[Obj]:
    """The ``candidates`` the Service named ``service`` selects (none when it is not rendered)."""
    svc = rendered.find("Service", service)
    if svc is None:
        return []
    selector = (svc.get("spec") or {}).get("selector")
    return [w for w in candidates if selector_matches(selector, pod_labels(w))]


def canary_settings(traffic: str, stable: Obj, canary: Obj, route: str | None = None) -> dict[str, Any]:
    """The ``canary:`` mapping of a routed canary, with the config's default steps."""
    out: dict[str, Any] = {"traffic": traffic, "stable": name_of(stable), "canary": name_of(canary)}
    if route is not None:
        out["route"] = route
    out["steps"] = list(DEFAULT_STEPS)
    return out


def replicas(obj: Obj) -> int:
    """A workload's replica count (Kubernetes' default is 1)."""
    value = (obj.get("spec") or {}).get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1
