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


def _gvk(res: Resource) -> str:
    return "_".join((res.group or "~G", res.version or "~V", res.kind or "~K"))


def legacy(
    resources: list[Resource],
    first: tuple[str, ...] | list[str] = ORDER_FIRST,
    last: tuple[str, ...] | list[str] = ORDER_LAST,
) -> list[Resource]:
    """Sorted by kind rank, then group/version/kind, then namespace and name (Kustomize's legacy order)."""
    rank = {k: i - len(first) for i, k in enumerate(first)} | {k: i + 1 for i, k in enumerate(last)}

    def key(res: Resource) -> tuple[int, int, str, str]:
        # Kustomize compares core Namespaces before Namespaces of other groups.
        core_namespace = 0 if res.kind == "Namespace" and not res.group else 1
        return (
            rank.get(res.kind, 0),
            core_namespace,
            _gvk(res),
            f"{res.namespace or '~X'}|{res.name or '~N'}",
        )

    return sorted(resources, key=key)
