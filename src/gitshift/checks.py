"""The safety checks over plain data: a rendered overlay, the intents of a shift, the Services that serve (pure).

The list is in README.md, "How a shift works". A strategy's own checks are run by
the caller and handed in as failures: nothing here knows a strategy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gitshift import images
from gitshift.config import EnvConfig
from gitshift.errors import GitshiftError
from gitshift.manifests import WORKLOAD_KINDS, Intent, Obj, Rendered, image_name, pod_labels, selector_matches


def _name(obj: Obj) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def _replicas(obj: Obj) -> int:
    value = (obj.get("spec") or {}).get("replicas", 1)
    return int(value) if isinstance(value, int) else 1


def selectors_match(rendered: Rendered) -> list[str]:
    """Every Service selector matches the pods of at least one workload."""
    workloads = rendered.of_kind(*WORKLOAD_KINDS)
    out = []
    for svc in rendered.of_kind("Service"):
        selector = (svc.get("spec") or {}).get("selector")
        if not selector:
            continue  # headless or ExternalName Services select nothing on purpose
        if not any(selector_matches(selector, pod_labels(w)) for w in workloads):
            out.append(f"{_name(svc)}: selector {dict(selector)} matches no Deployment/Rollout pods")
    return out


def serving_has_pods(rendered: Rendered, serving: Sequence[str]) -> list[str]:
    """Services that carry traffic select pods with replicas > 0."""
    out = []
    for name in serving:
        svc = rendered.find("Service", name)
        if svc is None:
            continue
        selected = rendered.workloads_selected_by(svc)
        if not any(_replicas(w) > 0 for w in selected):
            out.append(f"{_name(svc)} carries traffic but selects no pods with replicas > 0")
    return out


def rollout_knobs(rendered: Rendered) -> list[str]:
    """``maxSurge`` and ``maxUnavailable`` are not both 0."""
    out = []
    for d in rendered.of_kind("Deployment"):
        ru = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
        if str(ru.get("maxSurge", "25%")) in ("0", "0%") and str(ru.get("maxUnavailable", "25%")) in ("0", "0%"):
            out.append(f"{_name(d)}: maxSurge and maxUnavailable are both 0")
    return out


def intent_images(intents: Sequence[Intent], env: EnvConfig) -> list[str]:
    """The images a shift sets are valid; with ``require_digest`` they carry a digest."""
    out = []
    for it in intents:
        if not (it.path and it.path[-1] == "image" and isinstance(it.value, str)):
            continue
        try:
            ref = images.parse(it.value)
        except GitshiftError as exc:
            out.append(f"{it.resource}: {exc.what}")
            continue
        if env.require_digest and not ref.digest:
            out.append(f"{it.resource}: {it.value} has no digest, and {env.app}/{env.name} sets require_digest")
    return out


def container_images(obj: object) -> list[str]:
    """Every container image in a rendered object, wherever its pod template sits (CRDs included)."""
    out: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("containers", "initContainers", "ephemeralContainers") and isinstance(value, list):
                out += [str(c["image"]) for c in value if isinstance(c, dict) and c.get("image")]
            else:
                out += container_images(value)
    elif isinstance(obj, list):
        for value in obj:
            out += container_images(value)
    return out


def image_found(rendered: Rendered, env: EnvConfig) -> list[str]:
    """The app's image runs in the rendered overlay (``status`` marks the env, ``check`` fails it)."""
    if not env.image:
        return []
    if any(image_name(i) == env.image for o in rendered for i in container_images(o)):
        return []
    return [f"image not found: no container runs {env.image} (apps.{env.app}.image)"]


def stale_images(entries: Sequence[object], names: Sequence[str]) -> list[str]:
    """``images:`` entries of the overlay that match no container.

    ``names`` are the image names the overlay's objects carry before its own
    ``images:`` apply. Entries apply in order, so one may match what an earlier
    one renamed (a placeholder's entry).
    """
    seen, out = set(names), []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name = str(entry["name"])
        if name not in seen:
            out.append(f"images: entry {name!r} matches no container of the rendered overlay")
        elif entry.get("newName"):
            seen.add(str(entry["newName"]))
    return out


def stale_patches(patches: Sequence[tuple[str, Mapping[str, object]]], rendered: Rendered,
                  affix: tuple[str, str]) -> list[str]:
    """gitshift's own patches (``gitshift-*.yaml``) whose target is no longer rendered.

    ``patches`` are (file, target); ``affix`` is the overlay's own name prefix and suffix,
    which the rendered names carry and the targets do not.
    """
    out = []
    for path, target in patches:
        kind, name = target.get("kind"), target.get("name")
        rendered_names = {f"{affix[0]}{name}{affix[1]}", str(name)}
        if not any(o.get("kind") == kind and (o.get("metadata") or {}).get("name") in rendered_names
                   for o in rendered):
            out.append(f"patch {path} targets {kind}/{name}, which the overlay no longer renders")
    return out


def names(env: EnvConfig) -> list[str]:
    """The checks a shift of ``env`` passes before anything is written (shown in the PR body)."""
    out = ["Service selectors match pods", "serving Services have replicas > 0",
           "maxSurge and maxUnavailable not both 0", "image references valid"]
    if env.require_digest:
        out.append("images pinned by digest")
    if env.helm is not None:  # README.md, "Helm releases"
        own = {"bluegreen": ["one color live, with replicas and a tag"],
               "canary": ["weight 0-100, a canary with traffic has replicas and a tag"]}.get(env.strategy, [])
        return [*out, *own, "re-render shows exactly the intended values changed", "only the release's files written"]
    if env.bluegreen is not None:
        out.append("one color live, with pods and an image")
    if env.canary is not None:
        extra = {"nginx": "canary Ingress on the stable hosts and paths", "istio": "route weights sum to 100",
                 "gateway": "route weights sum to 100", "replicas": "one Service selects both tracks"}
        out.append(extra[env.canary.traffic])
    return [*out, "re-render shows exactly the intended change", "only files of the overlay written"]


def run(rendered: Rendered, env: EnvConfig, serving: Sequence[str], intents: Sequence[Intent] = (),
        own: Sequence[str] = ()) -> list[str]:
    """Every check for one env; the failures, empty when all pass.

    ``serving`` names the Services that carry traffic (the strategy's state
    says which); ``own`` are the failures of the strategy's own checks.
    """
    out = selectors_match(rendered) + serving_has_pods(rendered, serving) + rollout_knobs(rendered)
    return out + intent_images(intents, env) + list(own)


# What to do about each kind of failure, matched on its text (the checks above and the strategies' own).
_FIXES: tuple[tuple[str, str], ...] = (
    (r"matches no Deployment/Rollout pods", "make the Service's selector match the pod labels of a Deployment "
     "(or Rollout) of the overlay"),
    (r"selects no pods with replicas > 0|has 0 replicas; Service .* would reach no pods",
     "deploy to that workload first (`bluegreen deploy`, `canary deploy` give it replicas), or scale it above 0"),
    (r"maxSurge and maxUnavailable are both 0", "give --max-surge or --max-unavailable a value above 0"),
    (r"has no digest, and .* sets require_digest", "give the image with its digest: name:tag@sha256:<64 hex>"),
    (r"invalid image|image reference", "use name:tag, name@sha256:<64 hex>, name:tag@sha256:<64 hex> or :tag"),
    (r"pods should carry the label", "label each color's pod template with the color label and its color"),
    (r"selects more than one color", "add the color label to the Service's selector"),
    (r"none of ", "point the Service's selector at one of the colors in bluegreen.colors"),
    (r"does not match the pods of", "make the Service's selector match the live color's pod labels"),
    (r"has no image", "give the workload's container an image"),
    (r"lacks the annotation", 'add nginx.ingress.kubernetes.io/canary: "true" to the canary Ingress'),
    (r"not an integer 0-100|not all integers 0-100|sum", "make the weights integers 0-100 (route weights summing "
     "to 100)"),
    (r"they must be the same", "give the canary Ingress the same hosts and paths as the stable Ingress"),
    (r"with both (the|a) stable and (the|a) canary", "route to the stable and the canary Service in one rule "
     "(docs/preparing.md shows the layout)"),
    (r"also selects the pods of", "label stable and canary pods apart (track: stable / track: canary) and select "
     "on that label"),
)


def fix(failure: str) -> str:
    """What to do about ``failure``, one line (docs/troubleshooting.md has the longer story)."""
    import re

    for pattern, advice in _FIXES:
        if re.search(pattern, failure):
            return advice
    return "see docs/troubleshooting.md"
