"""Helpers over workloads shared by strategies: finding the app's containers, image and replica intents."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gitshift import images
from gitshift.config import EnvConfig
from gitshift.errors import InputError
from gitshift.manifests import (
    SCALABLE_KINDS,
    WORKLOAD_KINDS,
    FieldPath,
    Intent,
    Obj,
    Rendered,
    image_name,
    pod_template,
    pod_template_path,
)
from gitshift.strategies.base import collect, intent, resolve


def container_paths(obj: Obj, env: EnvConfig) -> list[tuple[FieldPath, str]]:
    """Paths of the ``image`` fields of the app's containers in a workload, with their images.

    The app's containers are those whose image name is the configured ``image``;
    without one, the workload's first container.
    """
    spec = pod_template(obj).get("spec") or {}
    base = (*pod_template_path(str(obj.get("kind"))), "spec")
    found: list[tuple[FieldPath, str]] = []
    for key in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(key) or []):
            img = str(c.get("image", ""))
            if env.image and image_name(img) == env.image:
                found.append(((*base, key, i, "image"), img))
    if not found and not env.image and spec.get("containers"):
        found.append(((*base, "containers", 0, "image"), str(spec["containers"][0].get("image", ""))))
    return found


def image_of(obj: Obj, env: EnvConfig) -> str | None:
    """The app's image in a workload, or None."""
    paths = container_paths(obj, env)
    return paths[0][1] if paths else None


def set_image(obj: Obj, env: EnvConfig, ref: str) -> list[Intent]:
    """Intents giving the app's containers in ``obj`` the image ``ref`` (``:tag`` keeps the name)."""
    new = images.parse(ref, allow_bare_tag=True)
    paths = container_paths(obj, env)
    if not paths:
        name = (obj.get("metadata") or {}).get("name")
        what = f"no container with image {env.image!r}" if env.image else "no container"
        raise InputError(f"{what} in {obj.get('kind')}/{name}", env.where,
                         "check apps.<app>.image in gitshift.yaml")
    if new.name and env.image and new.name != env.image:
        raise InputError(f"image {new.name!r} is not the app's image {env.image!r}", "IMAGE",
                         f"give {env.image}:<tag>, or :<tag>")
    return collect([intent(obj, path, str(images.resolve(new, current))) for path, current in paths])


def replicas_of(obj: Obj) -> int:
    """A workload's replica count (Kubernetes' default is 1)."""
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if value is not None else 1


def declared_replicas(obj: Obj) -> int | None:
    """The replica count the object itself sets; None when it sets none (an autoscaler or the default decides)."""
    value = (obj.get("spec") or {}).get("replicas")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def replica_counts(workloads: Sequence[Obj]) -> dict[str, int | None]:
    """``status``'s replicas: the scalable workloads' own counts (a CronJob or DaemonSet has none)."""
    return {str(w["metadata"]["name"]): declared_replicas(w) for w in workloads if w.get("kind") in SCALABLE_KINDS}


def autoscaling(rendered: Rendered, workloads: Sequence[Obj]) -> dict[str, dict[str, int]]:
    """The bounds an autoscaler in the overlay sets, by workload: HorizontalPodAutoscaler or KEDA ScaledObject."""
    names = {(str(w.get("kind")), str(w["metadata"]["name"])) for w in workloads}
    out: dict[str, dict[str, int]] = {}
    for scaler in rendered.of_kind("HorizontalPodAutoscaler", "ScaledObject"):
        spec = scaler.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        key = (str(ref.get("kind") or "Deployment"), str(ref.get("name")))
        if key not in names:
            continue
        if scaler.get("kind") == "HorizontalPodAutoscaler":
            low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
        else:  # KEDA's defaults
            low, high = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
        if isinstance(low, int) and isinstance(high, int):
            out[key[1]] = {"min": low, "max": high}
    return out


def progressed_by(rendered: Rendered, obj: Obj) -> str | None:
    """Who progresses a release of ``obj`` by itself: a Rollout's own steps, or a Flagger ``Canary``; else None.

    gitshift then only sets the image (strategies ``rollout`` and ``flagger``): writing the
    weights, Services or replicas they own would fight them.
    """
    name = str((obj.get("metadata") or {}).get("name"))
    if obj.get("kind") == "Rollout":
        strategy = (obj.get("spec") or {}).get("strategy") or {}
        if (strategy.get("canary") or {}).get("steps"):
            return f"Rollout/{name} (spec.strategy.canary.steps)"
        if strategy.get("blueGreen") is not None:
            return f"Rollout/{name} (spec.strategy.blueGreen)"
    for canary in flagger_canaries(rendered):
        ref = (canary.get("spec") or {}).get("targetRef") or {}
        if ref.get("name") == name and ref.get("kind", "Deployment") == obj.get("kind"):
            return f"Flagger Canary/{canary['metadata']['name']}"
    return None


def refuse_controlled(rendered: Rendered, env: EnvConfig, workloads: Iterable[Obj]) -> None:
    """Refuse to write weights, selectors or replicas of a workload that Argo Rollouts or Flagger progresses."""
    for w in workloads:
        who = progressed_by(rendered, w)
        if who is not None:
            instead = "flagger" if who.startswith("Flagger") else "rollout"
            raise InputError(f"{who} progresses {w.get('kind')}/{w['metadata']['name']} itself; "
                             f"{env.strategy} would fight it", env.where,
                             f"set apps.{env.app}.envs.{env.name}.strategy to {instead}: "
                             "gitshift then sets the image only")


def flagger_canaries(rendered: Rendered) -> list[Obj]:
    """The Flagger ``Canary`` objects of the overlay."""
    return [c for c in rendered.of_kind("Canary") if str(c.get("apiVersion", "")).startswith("flagger.app/")]


def set_replicas(obj: Obj, n: int) -> Intent | None:
    """An intent setting a workload's replicas to ``n``, or None when already so."""
    if obj.get("kind") not in SCALABLE_KINDS:
        return None
    return intent(obj, ("spec", "replicas"), n)


def app_workloads(rendered: Rendered, env: EnvConfig) -> list[Obj]:
    """Workloads that run the app's image (all workloads when no image is configured)."""
    out = [w for w in rendered.of_kind(*WORKLOAD_KINDS) if container_paths(w, env)]
    return out


# docs/configuration.md: an Argo Rollouts ``Rollout`` may stand in for a Deployment.
RELEASE_KINDS = ("Deployment", "Rollout")


def find_workload(
    rendered: Rendered, env: EnvConfig, name: str, *, key: str, explicit: bool
) -> Obj:
    """The Deployment or Rollout a configured name refers to; a missing one raises (``resolve``)."""
    obj = resolve(rendered, RELEASE_KINDS, name, explicit=explicit, key=key, env=env)
    if obj is None:  # resolve raises for a required name; this keeps the type narrow
        raise InputError(f"Deployment/Rollout {name!r} not found", f"{env.app}/{env.name}")
    return obj
