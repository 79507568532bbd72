"""Kustomize's output order: the legacy kind order, or the order of reading (``fifo``)."""

from __future__ import annotations

import functools

from gitshift.render.builtin.resource import Resource

ORDER_FIRST = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


_DEFAULT_RANK = {k: i - len(ORDER_FIRST) for i, k in enumerate(ORDER_FIRST)} | {
    k: i + 1 for i, k in enumerate(ORDER_LAST)
}


def rank(kind: str) -> int:
    """A kind's place in Kustomize's default order (negative first, 0 unlisted, positive last)."""
    return _DEFAULT_RANK.get(kind, 0)


def _gvk(res: Resource) -> str:
    return "_".join((res.group or "~G", res.version or "~V", res.kind or "~K"))


def legacy(
    resources: list[Resource],
    first: tuple[str, ...] | list[str] = ORDER_FIRST,
    last: tuple[str, ...] | list[str] = ORDER_LAST,
) -> list[Resource]:
    """Sorted by kind rank, then group/version/kind, then namespace and name (Kustomize's legacy order)."""
    rank = {k: i - len(first) for i, k in enumerate(first)} | {k: i + 1 for i, k in enumerate(last)}

    def key(res: Resource) -> tuple[int, str, str]:
        return (rank.get(res.kind, 0), _gvk(res), f"{res.namespace or '~X'}|{res.name or '~N'}")

    namespaces = {r.group for r in resources if r.kind == "Namespace"}
    if len(namespaces) < 2 or "" not in namespaces:
        return sorted(resources, key=key)

    def compare(a: Resource, b: Resource) -> int:
        # Kustomize compares a core Namespace before a Namespace of another group.
        ka, kb = key(a), key(b)
        if ka[0] == kb[0] and ka[1] != kb[1] and a.kind == b.kind == "Namespace" and not (a.group and b.group):
            return -1 if ka[1] > kb[1] else 1
        return (ka > kb) - (ka < kb)

    return sorted(resources, key=functools.cmp_to_key(compare))
