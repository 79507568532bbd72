"""A resource under construction (its object and the names it has carried) and the resource map."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from gitshift.errors import RenderError

Obj = dict[str, Any]

# (apiVersion, kind) pairs Kustomize knows to be cluster-scoped: its built-in schema's list.
# Any other object, a Namespace of another group included, is namespaced for Kustomize.
_CLUSTER_SCOPED_TEXT = """
admissionregistration.k8s.io/v1 v1beta1: MutatingWebhookConfiguration ValidatingWebhookConfiguration
apiextensions.k8s.io/v1 v1beta1: CustomResourceDefinition
apiregistration.k8s.io/v1 v1beta1: APIService
certificates.k8s.io/v1 v1beta1: CertificateSigningRequest
flowcontrol.apiserver.k8s.io/v1beta1: FlowSchema PriorityLevelConfiguration
networking.k8s.io/v1 v1beta1: IngressClass
node.k8s.io/v1 v1beta1: RuntimeClass
policy/v1beta1: PodSecurityPolicy
rbac.authorization.k8s.io/v1 v1beta1: ClusterRole ClusterRoleBinding
scheduling.k8s.io/v1 v1beta1: PriorityClass
storage.k8s.io/v1 v1beta1: CSIDriver CSINode StorageClass VolumeAttachment
v1: ComponentStatus Namespace Node NodeProxyOptions PersistentVolume
"""


def _cluster_scoped() -> frozenset[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    for line in _CLUSTER_SCOPED_TEXT.strip().splitlines():
        versions, _, kinds = line.partition(":")
        first, *more = versions.split()
        group = first.rpartition("/")[0]
        for version in [first.rpartition("/")[2], *more]:
            api = f"{group}/{version}" if group else version
            out.update((api, kind) for kind in kinds.split())
    return frozenset(out)


CLUSTER_SCOPED = _cluster_scoped()
# The kinds Kustomize knows namespaced without reading a schema; with CLUSTER_SCOPED, those whose
# scope a custom OpenAPI schema cannot change.
_NAMESPACED = {
    "apps/v1": "ControllerRevision DaemonSet Deployment ReplicaSet StatefulSet",
    "autoscaling/v1": "HorizontalPodAutoscaler Scale",
    "autoscaling/v2beta1": "HorizontalPodAutoscaler",
    "autoscaling/v2beta2": "HorizontalPodAutoscaler",
    "batch/v1": "CronJob Job",
    "batch/v1beta1": "CronJob",
    "coordination.k8s.io/v1": "Lease",
    "coordination.k8s.io/v1beta1": "Lease",
    "discovery.k8s.io/v1": "EndpointSlice",
    "discovery.k8s.io/v1beta1": "EndpointSlice",
    "events.k8s.io/v1": "Event",
    "events.k8s.io/v1beta1": "Event",
    "extensions/v1beta1": "Ingress",
    "networking.k8s.io/v1": "Ingress NetworkPolicy",
    "networking.k8s.io/v1beta1": "Ingress",
    "policy/v1": "PodDisruptionBudget",
    "policy/v1beta1": "PodDisruptionBudget",
    "rbac.authorization.k8s.io/v1": "Role RoleBinding",
    "rbac.authorization.k8s.io/v1beta1": "Role RoleBinding",
    "storage.k8s.io/v1beta1": "CSIStorageCapacity",
    "v1": "ConfigMap Endpoints Event LimitRange PersistentVolumeClaim Pod PodAttachOptions PodExecOptions "
    "PodPortForwardOptions PodProxyOptions PodTemplate ReplicationController ResourceQuota Secret Service "
    "ServiceAccount ServiceProxyOptions",
}
PRECOMPUTED = CLUSTER_SCOPED | {(api, kind) for api, kinds in _NAMESPACED.items() for kind in kinds.split()}
# Further kinds the build's custom OpenAPI schema declares cluster-scoped (openapi.activate sets it).
SCHEMA_CLUSTER_SCOPED: ContextVar[frozenset[tuple[str, str]]] = ContextVar(
    "gitshift_schema_cluster_scoped", default=frozenset()
)


def is_cluster_scoped(api: str, kind: str) -> bool:
    """Whether Kustomize takes objects of that apiVersion and kind to be cluster-scoped."""
    return (api, kind) in CLUSTER_SCOPED or (api, kind) in SCHEMA_CLUSTER_SCOPED.get()


NOT_A_NAMESPACE = "~X"  # the namespace Kustomize gives cluster-scoped ids

# An id as Kustomize compares them: group, version, kind, effective namespace, name.
Id = tuple[str, str, str, str, str]


def clone(value: Any) -> Any:
    """A deep copy of plain YAML data (several times faster than copy.deepcopy)."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def split_api_version(api: str) -> tuple[str, str]:
    """``apps/v1`` -> (``apps``, ``v1``); ``v1`` -> (``""``, ``v1``)."""
    group, slash, version = api.partition("/")
    return (group, version) if slash else ("", api)


def effective_namespace(ns: str) -> str:
    return "default" if ns in ("", "default") else ns


class Resource:
    """One object plus what Kustomize remembers about it while building.

    ``prev`` holds every id the object had before a rename, oldest first, as
    (kind, effective namespace, name); ``prefixes``/``suffixes`` the name
    prefixes and suffixes added so far, innermost first; ``var_names`` the vars
    whose objref names this object. Compared by identity (fieldspec.py: why no dataclass).
    """

    __slots__ = ("allow_kind_change", "allow_name_change", "behavior", "generated", "hash_suffix", "obj",
                 "origin", "prefixes", "prev", "suffixes", "var_names")

    def __init__(self, obj: Obj, origin: str, prev: list[tuple[str, str, str]] | None = None,
                 prefixes: list[str] | None = None, suffixes: list[str] | None = None, generated: bool = False,
                 hash_suffix: bool = False, behavior: str = "create", allow_name_change: bool = False,
                 allow_kind_change: bool = False, var_names: list[str] | None = None) -> None:
        self.obj = obj
        self.origin = origin
        self.prev: list[tuple[str, str, str]] = [] if prev is None else prev
        self.prefixes: list[str] = [] if prefixes is None else prefixes
        self.suffixes: list[str] = [] if suffixes is None else suffixes
        self.generated = generated
        self.hash_suffix = hash_suffix
        self.behavior = behavior
        self.allow_name_change = allow_name_change
        self.allow_kind_change = allow_kind_change
        self.var_names: list[str] = [] if var_names is None else var_names

    def copy(self, obj: Obj) -> Resource:
        """This resource holding ``obj`` instead, with lists of its own."""
        return Resource(obj, self.origin, list(self.prev), list(self.prefixes), list(self.suffixes), self.generated,
                        self.hash_suffix, self.behavior, self.allow_name_change, self.allow_kind_change,
                        list(self.var_names))

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
        return is_cluster_scoped(self.api_version, self.kind)

    def set_name(self, name: str) -> None:
        self.meta["name"] = name

    def set_namespace(self, namespace: str) -> None:
        self.meta["namespace"] = namespace

    def store_previous_id(self) -> None:
        """Remember the current id before a rename (Kustomize's StorePreviousId)."""
        self.prev.append((self.kind, self.eff_ns(), self.name))

    def eff_ns(self) -> str:
        """The current namespace as Kustomize compares it."""
        return NOT_A_NAMESPACE if self.cluster_scoped else effective_namespace(self.namespace)

    def cur_id(self) -> Id:
        obj = self.obj
        api = str(obj.get("apiVersion") or "")
        kind = str(obj.get("kind") or "")
        group, slash, version = api.partition("/")
        if not slash:
            group, version = "", api
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = {}
        ns = str(meta.get("namespace") or "")
        eff = NOT_A_NAMESPACE if is_cluster_scoped(api, kind) else ("default" if ns in ("", "default") else ns)
        return (group, version, kind, eff, str(meta.get("name") or ""))

    def prev_ids(self) -> list[Id]:
        group, version = self.group, self.version
        return [(group, version, k, effective_namespace(ns), n) for k, ns, n in self.prev]

    def org_id(self) -> Id:
        return self.prev_ids()[0] if self.prev else self.cur_id()

    def all_ids(self) -> list[Id]:
        return [*self.prev_ids(), self.cur_id()] if self.prev else [self.cur_id()]

    def copy_build_state(self, other: Resource) -> None:
        """Take over the ids, prefixes and suffixes ``other`` carried."""
        self.prev = list(other.prev)
        self.prefixes, self.suffixes = list(other.prefixes), list(other.suffixes)
        self.var_names = list(other.var_names)

    def id_str(self) -> str:
        """The current id as Kustomize prints it (the namespace as written)."""
        return id_text((self.group, self.version, self.kind, self.namespace, self.name))

    def describe(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"

    def labels(self) -> dict[str, Any]:
        labels = self.meta.get("labels")
        return labels if isinstance(labels, dict) else {}

    def annotations(self) -> dict[str, Any]:
        ann = self.meta.get("annotations")
        return ann if isinstance(ann, dict) else {}


def id_text(rid: Id) -> str:
    """An id as Kustomize prints it: ``Kind.version.group/name.namespace``."""
    group, version, kind, ns, name = rid
    ns = "[noNs]" if ns in (NOT_A_NAMESPACE, "") else ns
    return f"{kind or '[noKind]'}.{version or '[noVer]'}.{group or '[noGrp]'}/{name or '[noName]'}.{ns}"


class ResMap:
    """Resources in the order they were added; ids must stay unique.

    The ids present are indexed so that adding is not quadratic; transformers
    change ids in place, so whoever runs them calls ``invalidate`` after.
    """

    def __init__(self) -> None:
        self.items: list[Resource] = []
        self.variables: list[dict[str, Any]] = []  # the ``vars`` gathered so far
        self._ids: set[Id] | None = None

    def invalidate(self) -> None:
        """Forget the id index (ids may have changed)."""
        self._ids = None

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def append(self, res: Resource) -> None:
        """Add ``res``; an id already present is an error, as in Kustomize."""
        if self._ids is None:
            self._ids = {r.cur_id() for r in self.items}
        rid = res.cur_id()
        if rid in self._ids:
            raise RenderError(
                f"may not add resource with an already registered id: {res.describe()}",
                res.origin,
            )
        self._ids.add(rid)
        self.items.append(res)

    def extend(self, other: ResMap) -> None:
        for res in other.items:
            self.append(res)
        for var in other.variables:
            if any(v.get("name") == var.get("name") for v in self.variables):
                raise RenderError(f"var '{var.get('name')}' already encountered", "")
            self.variables.append(var)

    def by_any_id(self, rid: Id) -> list[Resource]:
        """Resources whose current or any earlier id equals ``rid``."""
        return [r for r in self.items if rid in r.all_ids()]

    def remove(self, res: Resource) -> None:
        self.items = [r for r in self.items if r is not res]
        self._ids = None

    def replace(self, old: Resource, new: Resource) -> None:
        self.items = [new if r is old else r for r in self.items]
        self._ids = None
