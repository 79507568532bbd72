"""Helpers over workloads shared by strategies: finding the app's containers, image and replica intents."""

from __future__ import annotations

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
        raise InputError(f"{what} in {obj.get('kind')}/{name}", f"{env.app}/{env.name} ({env.overlay})",
                         "check apps.<app>.image in gitshift.yaml")
    if new.name and env.image and new.name != env.image:
        raise InputError(f"image {new.name!r} is not the app's image {env.image!r}", "IMAGE",
                         f"give {env.image}:<tag>, or :<tag>")
    return collect([intent(obj, path, str(images.resolve(new, current))) for path, current in paths])


def replicas_of(obj: Obj) -> int:
    """A workload's replica count (Kubernetes' default is 1)."""
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if value is not None else 1


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
