"""Kustomize field specs: which fields of which kinds a transformer visits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gitshift.render.builtin.resource import Resource


@dataclass(frozen=True)
class FieldSpec:
    """A path like ``spec/template/metadata/labels`` for the kinds it names."""

    path: str
    kind: str = ""
    group: str | None = None
    version: str = ""
    create: bool = False

    def selects(self, res: Resource) -> bool:
        """Whether the spec applies to ``res``."""
        if self.kind and self.kind != res.kind:
            return False
        if self.group and self.group != res.group:
            return False
        return not (self.version and self.version != res.version)

    def parts(self) -> list[str]:
        out: list[str] = []
        buf = ""
        escaped = False
        for ch in self.path:
            if escaped:
                buf += ch
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == "/":
                out.append(buf)
                buf = ""
            else:
                buf += ch
        out.append(buf)
        return [p[:-2] if p.endswith("[]") else p for p in out]


def specs(rows: Iterable[tuple[str, str, str | None, bool]]) -> tuple[FieldSpec, ...]:
    """FieldSpecs from (path, kind, group, create) rows."""
    return tuple(FieldSpec(path, kind, group, "", create) for path, kind, group, create in rows)


Visit = Callable[[dict[str, Any], str], None]


def visit(obj: Any, parts: list[str], create: bool, fn: Visit) -> None:
    """Call ``fn(parent, key)`` for each field at ``parts``; sequences are walked through."""
    if isinstance(obj, list):
        for item in obj:
            visit(item, parts, create, fn)
        return
    if not isinstance(obj, dict):
        return
    head = parts[0]
    if len(parts) == 1:
        if head in obj or create:
            fn(obj, head)
        return
    child = obj.get(head)
    if child is None:
        if not create:
            return
        child = obj[head] = {}
    visit(child, parts[1:], create, fn)


def apply(res: Resource, fspecs: Iterable[FieldSpec], fn: Visit) -> None:
    """Visit every field of ``res`` named by the specs that select it."""
    for fs in fspecs:
        if fs.selects(res):
            visit(res.obj, fs.parts(), fs.create, fn)


_WORKLOAD_TEMPLATES = (
    ("spec/template/metadata/{f}", "ReplicationController", ""),
    ("spec/template/metadata/{f}", "Deployment", None),
    ("spec/template/metadata/{f}", "ReplicaSet", None),
    ("spec/template/metadata/{f}", "DaemonSet", None),
    ("spec/template/metadata/{f}", "StatefulSet", "apps"),
    ("spec/template/metadata/{f}", "Job", "batch"),
    ("spec/jobTemplate/metadata/{f}", "CronJob", "batch"),
    ("spec/jobTemplate/spec/template/metadata/{f}", "CronJob", "batch"),
)

TEMPLATE_LABELS = specs(
    [(p.format(f="labels"), k, g, True) for p, k, g in _WORKLOAD_TEMPLATES]
    + [("spec/volumeClaimTemplates/metadata/labels", "StatefulSet", "apps", True)]
)
METADATA_LABELS = (FieldSpec("metadata/labels", create=True), *TEMPLATE_LABELS)

_AFFINITY = [
    f"spec/template/spec/affinity/{a}/{t}"
    for a in ("podAffinity", "podAntiAffinity")
    for t in (
        "preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
        "requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    )
] + ["spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels"]

COMMON_LABELS = (
    specs(
        [
            ("spec/selector", "Service", "", True),
            ("spec/selector", "ReplicationController", "", True),
            ("spec/selector/matchLabels", "Deployment", None, True),
            *[(p, "Deployment", "apps", False) for p in _AFFINITY],
            ("spec/selector/matchLabels", "ReplicaSet", None, True),
            ("spec/selector/matchLabels", "DaemonSet", None, True),
            ("spec/selector/matchLabels", "StatefulSet", "apps", True),
            ("spec/volumeClaimTemplates/metadata/labels", "StatefulSet", "apps", True),
            *[(p, "StatefulSet", "apps", False) for p in _AFFINITY],
            ("spec/selector/matchLabels", "Job", "batch", False),
            ("spec/jobTemplate/spec/selector/matchLabels", "CronJob", "batch", False),
            ("spec/selector/matchLabels", "PodDisruptionBudget", "policy", False),
            ("spec/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", False),
            (
                "spec/ingress/from/podSelector/matchLabels",
                "NetworkPolicy",
                "networking.k8s.io",
                False,
            ),
            ("spec/egress/to/podSelector/matchLabels", "NetworkPolicy", "networking.k8s.io", False),
        ]
    )
    + METADATA_LABELS
)

COMMON_ANNOTATIONS = (
    FieldSpec("metadata/annotations", create=True),
    *specs((p.format(f="annotations"), k, g, True) for p, k, g in _WORKLOAD_TEMPLATES),
)

REPLICAS = specs(
    ("spec/replicas", k, None, True) for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
)
