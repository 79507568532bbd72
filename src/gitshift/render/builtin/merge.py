"""Strategic merge patches as Kustomize applies them (kyaml merge2, Kubernetes merge keys)."""

from __future__ import annotations

import copy
from typing import Any

from gitshift.render.builtin import openapi
from gitshift.render.builtin.scalars import is_null

Path_ = tuple[str, ...]

BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "extensions",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "scheduling.k8s.io",
        "node.k8s.io",
        "apiextensions.k8s.io",
        "admissionregistration.k8s.io",
        "apiregistration.k8s.io",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
    }
)
_POD_SPEC: dict[str, Path_] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    **{
        k: ("spec", "template", "spec")
        for k in (
            "Deployment",
            "ReplicaSet",
            "DaemonSet",
            "StatefulSet",
            "Job",
            "ReplicationController",
        )
    },
}
_CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
Key = str | tuple[str, ...]
_POD_KEYS: dict[Path_, Key] = {
    **{(c,): "name" for c in _CONTAINER_LISTS},
    ("volumes",): "name",
    ("imagePullSecrets",): "name",
    ("hostAliases",): "ip",
    ("topologySpreadConstraints",): "topologyKey",
    ("resourceClaims",): "name",
    ("schedulingGates",): "name",
    **{(c, "ports"): ("containerPort", "protocol") for c in _CONTAINER_LISTS},
    **{(c, "env"): "name" for c in _CONTAINER_LISTS},
    **{(c, "volumeMounts"): "mountPath" for c in _CONTAINER_LISTS},
    **{(c, "volumeDevices"): "devicePath" for c in _CONTAINER_LISTS},
    **{(c, "resizePolicy"): "resourceName" for c in _CONTAINER_LISTS},
}
SET = "<set>"
DELETE = object()


class Schema:
    """Merge keys of the lists of one kind; ``None`` for kinds without a schema (lists replaced)."""

    def __init__(self, group: str, kind: str, version: str = "") -> None:
        self.known = group in BUILTIN_GROUPS
        self.pod = _POD_SPEC.get(kind)
        self.kind = kind
        self.gvk = (group, version, kind)
        self.custom = openapi.ACTIVE.get()

    def list_key(self, path: Path_) -> Key | None:
        """The merge key of the list at ``path`` (``SET`` for merged scalar lists), or None."""
        if self.custom is not None:
            key: Key | None = self.custom.list_key(*self.gvk, path)
            return key
        if not self.known:
            return None
        if path == ("metadata", "finalizers"):
            return SET
        if path == ("metadata", "ownerReferences"):
            return "uid"
        if self.kind == "Service" and path == ("spec", "ports"):
            return ("port", "protocol")
        if self.pod and path[: len(self.pod)] == self.pod:
            return _POD_KEYS.get(path[len(self.pod) :])
        return None


def strip_directives(value: Any) -> Any:
    """A patch value with nulls and ``$`` directives removed, as it lands where nothing was."""
    if isinstance(value, dict):
        if value.get("$patch") == "delete":
            return DELETE
        out = {}
        for k, v in value.items():
            if k == "$patch":
                continue
            if is_null(v):
                continue
            v = strip_directives(v)
            if v is not DELETE:
                out[k] = v
        return out
    if isinstance(value, list):
        items = [strip_directives(v) for v in value if not _is_directive(v)]
        return [v for v in items if v is not DELETE]
    return value


def _is_directive(item: Any) -> bool:
    return isinstance(item, dict) and set(item) == {"$patch"}


def merge(dest: Any, patch: Any, schema: Schema, path: Path_ = ()) -> Any:
    """``dest`` with ``patch`` merged in; ``DELETE`` when the patch removes it."""
    if isinstance(patch, dict):
        directive = patch.get("$patch")
        if directive == "delete":
            return DELETE
        if directive == "replace" or not isinstance(dest, dict):
            return strip_directives({k: v for k, v in patch.items() if k != "$patch"})
        out = dict(dest)
        for key, value in patch.items():
            if key == "$patch":
                continue
            if is_null(value):
                out.pop(key, None)
                continue
            merged = merge(dest.get(key), value, schema, (*path, str(key)))
            if merged is DELETE:
                out.pop(key, None)
            else:
                out[key] = merged
        return out
    if isinstance(patch, list):
        key = schema.list_key(path)
        if key is None or not isinstance(dest, list):
            return strip_directives(patch)
        if key == SET:
            return patch + [v for v in dest if v not in patch]
        return _merge_list(dest, patch, key, schema, path)
    return copy.deepcopy(patch)


def _key_of(item: dict[str, Any], key: Key) -> Any:
    if isinstance(key, str):
        return item.get(key)
    return tuple(item.get(k) for k in key)


def _shadowed(item: dict[str, Any], key: Key, by_key: dict[Any, Any]) -> bool:
    if isinstance(key, str) or all(item.get(k) is not None for k in key):
        return False
    return any(isinstance(k, tuple) and k[0] == item.get(key[0]) for k in by_key)


def _merge_list(dest: list[Any], patch: list[Any], key: Key, schema: Schema, path: Path_) -> list[Any]:
    if any(_is_directive(p) and p["$patch"] == "replace" for p in patch):
        replaced: list[Any] = strip_directives([p for p in patch if not _is_directive(p)])
        return replaced
    by_key = {_key_of(d, key): d for d in dest if isinstance(d, dict)}
    merged: dict[Any, Any] = {}
    added: list[Any] = []
    for item in patch:
        if not isinstance(item, dict) or _is_directive(item):
            continue
        k = _key_of(item, key)
        if k in by_key:
            merged[k] = merge(by_key[k], item, schema, path)
            continue
        if _shadowed(item, key, by_key):
            # Kustomize v5.5 (kyaml) drops a patch element that leaves out part of a
            # composite key (a port without protocol) when the base has one with the
            # same leading key; observed with kubectl kustomize.
            continue
        new = strip_directives(item)
        if new is not DELETE:
            added.append((k, new))
    kept = [d if not isinstance(d, dict) else merged.get(_key_of(d, key), d) for d in dest]
    kept = [d for d in kept if d is not DELETE]
    items = [i for i in (*dest, *patch) if isinstance(i, dict)]
    if isinstance(key, str) or not any(i.get(k) not in (None, "") for i in items for k in key[1:]):
        # One merge key (or no element uses the others): the patch's elements in its order, then the rest of the base.
        ordered = [x for x in _patch_order(patch, key, merged, dict(added)) if x is not DELETE]
        rest = [d for d in dest if not (isinstance(d, dict) and _key_of(d, key) in merged)]
        return ordered + rest
    # A composite key (port and protocol): kyaml puts the new elements first, then
    # every element of the base, in the base's order; a base element that lacks part
    # of the key also takes the place of new elements sharing its leading key.
    for d in dest:
        if isinstance(d, dict) and d.get(key[0]) is not None and any(d.get(k) is None for k in key[1:]):
            added = [(k, v) for k, v in added if k[0] != d.get(key[0])]
    return [v for _, v in added] + kept


def _patch_order(patch: list[Any], key: Key, merged: dict[Any, Any], added: dict[Any, Any]) -> list[Any]:
    out = []
    seen = set()
    for item in patch:
        if not isinstance(item, dict) or _is_directive(item):
            continue
        k = _key_of(item, key)
        if k in seen:
            continue
        if k in merged:
            seen.add(k)
            out.append(merged[k])
        elif k in added:
            seen.add(k)
            out.append(added[k])
    return out
