"""Rolling and recreate updates: the app's workloads get a new image (README.md, "Rolling update and recreate")."""

from __future__ import annotations

import re

from gitshift.config import EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import MISSING, Intent, Obj, Rendered
from gitshift.result import State
from gitshift.strategies.base import ShiftRequest, collect, intent
from gitshift.strategies.workloads import app_workloads, autoscaling, image_of, replica_counts, set_image

ACTIONS = ("set-image",)
_INT_OR_PERCENT = re.compile(r"(?:0|[1-9][0-9]{0,9})%?")
INT32 = 2**31 - 1  # Kubernetes' int32 fields


def state(rendered: Rendered, env: EnvConfig) -> State:
    """Images and replicas of the app's workloads."""
    workloads = app_workloads(rendered, env)
    return State(
        strategy=env.strategy,
        images={w["metadata"]["name"]: image_of(w, env) or "" for w in workloads},
        replicas=replica_counts(workloads),
        autoscaling=autoscaling(rendered, workloads),
    )


def _knob(value: str | None, flag: str) -> int | str | None:
    if value is None:
        return None
    if not _INT_OR_PERCENT.fullmatch(value) or int(value.rstrip("%")) > (100 if value.endswith("%") else INT32):
        raise InputError(f"invalid {flag} {value!r}", flag, "give an integer or a percentage such as 25%")
    return value if value.endswith("%") else int(value)


def _strategy_intents(obj: Obj, env: EnvConfig, request: ShiftRequest) -> list[Intent | None]:
    if obj.get("kind") != "Deployment":
        return []
    if env.strategy == "recreate":
        out = [intent(obj, ("spec", "strategy", "type"), "Recreate")]
        if ((obj.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") is not None:
            out.append(intent(obj, ("spec", "strategy", "rollingUpdate"), MISSING))
        return out
    surge = _knob(request.max_surge, "--max-surge")
    unavailable = _knob(request.max_unavailable, "--max-unavailable")
    out = []
    if surge is not None:
        out.append(intent(obj, ("spec", "strategy", "rollingUpdate", "maxSurge"), surge))
    if unavailable is not None:
        out.append(intent(obj, ("spec", "strategy", "rollingUpdate", "maxUnavailable"), unavailable))
    return out


def plan(rendered: Rendered, env: EnvConfig, request: ShiftRequest) -> list[Intent]:
    """Every workload running the app's image gets ``request.image``; Deployments get the strategy knobs."""
    if request.action != "set-image" or not request.image:
        raise InputError(f"{env.strategy} env {env.app}/{env.name} supports set-image only", request.action)
    workloads = app_workloads(rendered, env)
    if not workloads:
        raise InputError(f"no workload runs the app's image {env.image or ''!r}".replace(" ''", ""),
                         env.where, f"check apps.{env.app}.image (or the env's image) in gitshift.yaml against "
                         f"the images `gitshift render {env.overlay}` shows")
    if env.strategy == "recreate" and (request.max_surge or request.max_unavailable):
        raise InputError("--max-surge/--max-unavailable apply to rolling envs only", f"{env.app}/{env.name}")
    out: list[Intent] = []
    for w in workloads:
        out += set_image(w, env, request.image)
        out += collect(_strategy_intents(w, env, request))
    return out



def checks(rendered: Rendered, env: EnvConfig) -> list[str]:
    """A rolling update has no checks of its own beyond the common ones."""
    return []
