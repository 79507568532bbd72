"""Kustomize's output order: the legacy kind order, or the order of reading (``fifo``)."""

from __future__ import annotations

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
_RANK = {k: i - len(ORDER_FIRST) for i, k in enumerate(ORDER_FIRST)} | {k: i + 1 for i, k in enumerate(ORDER_LAST)}


def _gvk(res: Resource) -> str:
    return "_".join((res.group or "~G", res.version or "~V", res.kind or "~K"))


def _key(res: Resource) -> tuple[int, str, str]:
    gvk = _gvk(res)
    return (_RANK.get(res.kind, 0), gvk, f"{gvk}|{res.namespace or '~X'}|{res.name or '~N'}")


def legacy(resources: list[Resource]) -> list[Resource]:
    """Sorted by kind rank, then group/version/kind, then namespace and name."""
    return sorted(resources, key=_key)
