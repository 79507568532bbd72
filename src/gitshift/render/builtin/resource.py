"""A resource under construction (its object and the names it has carried) and the resource map."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from gitshift.errors import RenderError

Obj = dict[str, Any]

# Kinds Kustomize treats as cluster-scoped (no namespace set, none compared).
CLUSTER_SCOPED = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "FlowSchema",
        "IngressClass",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PodSecurityPolicy",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectRulesReview",
        "StorageClass",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
    }
)


def split_api_version(api: str) -> tuple[str, str]:
    """``apps/v1`` -> (``apps``, ``v1``); ``v1`` -> (``""``, ``v1``)."""
    group, _, version = api.rpartition("/")
    return group, version


@dataclass
class Resource:
    """One object plus what Kustomize remembers about it while building."""

    obj: Obj
    origin: str
    org_name: str = ""
    org_ns: str = ""
    names: list[tuple[str, str]] = field(default_factory=list)  # every (name, namespace) held
    prefixes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=list)
    generated: bool = False
    hash_suffix: bool = False
    behavior: str = "create"

    def __post_init__(self) -> None:
        if not self.names:
            self.org_name, self.org_ns = self.name, self.namespace
            self.names.append((self.name, self.namespace))

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion") or "")

    @property
    def group(self) -> str:
        return split_api_version(self.api_version)[0]

    @property
    def version(self) -> str:
        return split_api_version(self.api_version)[1]

    @property
    def meta(self) -> Obj:
        meta = self.obj.get("metadata")
        if not isinstance(meta, dict):
            meta = self.obj["metadata"] = {}
        return meta

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "")

    @property
    def cluster_scoped(self) -> bool:
        return self.kind in CLUSTER_SCOPED

    def set_name(self, name: str) -> None:
        """Rename, remembering the name held before."""
        self.meta["name"] = name
        self._remember()

    def set_namespace(self, namespace: str) -> None:
        """Move to ``namespace``, remembering where it was."""
        self.meta["namespace"] = namespace
        self._remember()

    def _remember(self) -> None:
        now = (self.name, self.namespace)
        if now not in self.names:
            self.names.append(now)

    def id(self) -> tuple[str, str, str, str]:
        """The current id: group, kind, effective namespace, name."""
        return (self.group, self.kind, self.eff_ns(self.namespace), self.name)

    def org_id(self) -> tuple[str, str, str, str]:
        return (self.group, self.kind, self.eff_ns(self.org_ns), self.org_name)

    def eff_ns(self, ns: str) -> str:
        if self.cluster_scoped:
            return ""
        return ns or "default"

    def any_id_matches(self, group: str, kind: str, ns: str, name: str) -> bool:
        """Whether the current or any earlier id equals the given one (group ignored when empty)."""
        if kind != self.kind or (group and group != self.group):
            return False
        want = self.eff_ns(ns)
        return any(n == name and self.eff_ns(s) == want for n, s in self.names)

    def describe(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"

    def labels(self) -> dict[str, Any]:
        labels = self.meta.get("labels")
        return labels if isinstance(labels, dict) else {}

    def annotations(self) -> dict[str, Any]:
        ann = self.meta.get("annotations")
        return ann if isinstance(ann, dict) else {}


class ResMap:
    """Resources in the order they were added; ids must stay unique."""

    def __init__(self) -> None:
        self.items: list[Resource] = []

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def append(self, res: Resource) -> None:
        """Add ``res``; an id already present is an error, as in Kustomize."""
        rid = res.id()
        for other in self.items:
            if other.id() == rid:
                raise RenderError(
                    f"may not add resource with an already registered id: {res.describe()}",
                    res.origin,
                )
        self.items.append(res)

    def extend(self, other: ResMap) -> None:
        for res in other.items:
            self.append(res)

    def remove(self, res: Resource) -> None:
        self.items = [r for r in self.items if r is not res]

    def replace(self, old: Resource, new: Resource) -> None:
        self.items = [new if r is old else r for r in self.items]
