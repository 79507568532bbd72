"""namespace, namePrefix/nameSuffix, hash suffixes, and fixing the references to renamed objects.

The rules follow Kustomize v5.5: every rename records the id held before it, and a
name reference is updated only when exactly one object that once held the name it
holds (of the kind it refers to, reachable from the referrer) can be chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec
from gitshift.render.builtin.fieldspec import FieldSpec
from gitshift.render.builtin.generators import content_hash
from gitshift.render.builtin.resource import NOT_A_NAMESPACE, Id, ResMap, Resource


class Gvk:
    """A group/version/kind selector: an empty part selects anything; a value, equal by its fields."""

    __slots__ = ("group", "kind", "version")

    def __init__(self, group: str = "", version: str = "", kind: str = "") -> None:
        self.group = group
        self.version = version
        self.kind = kind

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Gvk):
            return NotImplemented
        return (self.group, self.version, self.kind) == (other.group, other.version, other.kind)

    def __hash__(self) -> int:
        return hash((self.group, self.version, self.kind))

    def __repr__(self) -> str:
        return f"Gvk(group={self.group!r}, version={self.version!r}, kind={self.kind!r})"

    def selects(self, group: str, version: str, kind: str) -> bool:
        return (
            (not self.group or self.group == group)
            and (not self.version or self.version == version)
            and (not self.kind or self.kind == kind)
        )


class BackReference:
    """Objects of ``target`` may be named by the fields ``referrers`` name; a value, equal by its fields."""

    __slots__ = ("referrers", "target")

    def __init__(self, target: Gvk, referrers: tuple[FieldSpec, ...]) -> None:
        self.target = target
        self.referrers = referrers

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BackReference):
            return NotImplemented
        return (self.target, self.referrers) == (other.target, other.referrers)

    def __hash__(self) -> int:
        return hash((self.target, self.referrers))

    def __repr__(self) -> str:
        return f"BackReference(target={self.target!r}, referrers={self.referrers!r})"


# --- Kustomize's default name-reference configuration, written out as data -----------------

_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"
# Where each workload kind keeps its pod spec.
_POD_SPEC = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}
_CONFIG_KINDS = ("Pod", "PodTemplate", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "CronJob")
_ACCOUNT_KINDS = ("Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet")


def _in_pods(kinds: Iterable[str], paths: Iterable[str]) -> list[FieldSpec]:
    return [
        FieldSpec(f"{_POD_SPEC[k]}/{p}", k, version="v1" if k == "Pod" else "")
        for k in kinds
        for p in paths
    ]


def _config_paths(volume: str, key_ref: str, env_ref: str, projected: str) -> list[str]:
    return [
        f"volumes/{volume}",
        *(f"{c}/env/valueFrom/{key_ref}/name" for c in ("containers", "initContainers")),
        *(f"{c}/envFrom/{env_ref}/name" for c in ("containers", "initContainers")),
        f"volumes/projected/sources/{projected}/name",
    ]


def _ingress(*paths: str) -> list[FieldSpec]:
    return [FieldSpec(p, "Ingress") for p in paths]


_ROLE_RESOURCE_NAMES = [FieldSpec("rules/resourceNames", k) for k in ("Role", "ClusterRole")]
_HPA = [FieldSpec("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")]

DEFAULT_NAME_REFERENCES: tuple[BackReference, ...] = (
    *(
        BackReference(Gvk(kind=k), tuple(_HPA))
        for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
    ),
    BackReference(
        Gvk(version="v1", kind="ConfigMap"),
        (
            *_in_pods(_CONFIG_KINDS, _config_paths("configMap/name", "configMapKeyRef", "configMapRef", "configMap")),
            FieldSpec("spec/configSource/configMap", "Node"),
            *_ROLE_RESOURCE_NAMES,
            *_ingress("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap"),
        ),
    ),
    BackReference(
        Gvk(version="v1", kind="Secret"),
        (
            *_in_pods(
                _CONFIG_KINDS,
                [*_config_paths("secret/secretName", "secretKeyRef", "secretRef", "secret"), "imagePullSecrets/name"],
            ),
            *_ingress(
                "spec/tls/secretName",
                "metadata/annotations/ingress.kubernetes.io\\/auth-secret",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret",
                "metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret",
            ),
            FieldSpec("imagePullSecrets/name", "ServiceAccount"),
            *(
                FieldSpec(f"parameters/{p}", "StorageClass")
                for p in ("secretName", "adminSecretName", "userSecretName", "secretRef")
            ),
            *_ROLE_RESOURCE_NAMES,
            FieldSpec(
                "spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
                "Service",
                "serving.knative.dev",
                "v1",
            ),
            FieldSpec("spec/azureFile/secretName", "PersistentVolume"),
        ),
    ),
    BackReference(
        Gvk(version="v1", kind="Service"),
        (
            FieldSpec("spec/serviceName", "StatefulSet", "apps"),
            *_ingress(
                "spec/rules/http/paths/backend/serviceName",
                "spec/backend/serviceName",
                "spec/rules/http/paths/backend/service/name",
                "spec/defaultBackend/service/name",
            ),
            FieldSpec("spec/service/name", "APIService", "apiregistration.k8s.io"),
            FieldSpec("webhooks/clientConfig/service", "ValidatingWebhookConfiguration", _ADMISSION),
            FieldSpec("webhooks/clientConfig/service", "MutatingWebhookConfiguration", _ADMISSION),
        ),
    ),
    BackReference(Gvk(_RBAC, kind="Role"), (FieldSpec("roleRef/name", "RoleBinding", _RBAC),)),
    BackReference(
        Gvk(_RBAC, kind="ClusterRole"),
        tuple(FieldSpec("roleRef/name", k, _RBAC) for k in ("RoleBinding", "ClusterRoleBinding")),
    ),
    BackReference(
        Gvk(version="v1", kind="ServiceAccount"),
        (
            *(FieldSpec("subjects", k, _RBAC) for k in ("RoleBinding", "ClusterRoleBinding")),
            *(FieldSpec(f"{_POD_SPEC[k]}/serviceAccountName", k) for k in _ACCOUNT_KINDS),
        ),
    ),
    BackReference(
        Gvk(version="v1", kind="PersistentVolumeClaim"),
        tuple(FieldSpec(f"{_POD_SPEC[k]}/volumes/persistentVolumeClaim/claimName", k) for k in _ACCOUNT_KINDS),
    ),
    BackReference(
        Gvk(version="v1", kind="PersistentVolume"),
        (FieldSpec("spec/volumeName", "PersistentVolumeClaim"), FieldSpec("rules/resourceNames", "ClusterRole")),
    ),
    BackReference(
        Gvk("storage.k8s.io", "v1", "StorageClass"),
        (
            FieldSpec("spec/storageClassName", "PersistentVolume"),
            FieldSpec("spec/storageClassName", "PersistentVolumeClaim"),
            FieldSpec("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
        ),
    ),
    BackReference(
        Gvk("scheduling.k8s.io", "v1", "PriorityClass"),
        tuple(FieldSpec(f"{_POD_SPEC[k]}/priorityClassName", k) for k in _ACCOUNT_KINDS),
    ),
    # Kustomize names this target's group "networking.k8s.io/v1", which no object has:
    # its references are never updated. Kept as Kustomize has it.
    BackReference(Gvk("networking.k8s.io/v1", "v1", "IngressClass"), (FieldSpec("spec/ingressClassName", "Ingress"),)),
    BackReference(
        Gvk(_ADMISSION, kind="ValidatingAdmissionPolicy"),
        (FieldSpec("spec/policyName", "ValidatingAdmissionPolicyBinding", _ADMISSION),),
    ),
)

# Kinds the prefix/suffix transformers never rename: (group or "" for any, kind).
_NO_PREFIX = (("", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"), ("", "Namespace"))

NAME_SPECS = (FieldSpec("metadata/name"),)
NAMESPACE_SPECS = (
    FieldSpec("metadata/name", "Namespace", create=True),
    FieldSpec("spec/service/namespace", "APIService", "apiregistration.k8s.io", create=True),
    FieldSpec(
        "spec/conversion/webhook/clientConfig/service/namespace",
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
    ),
)
_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
SUBJECT_MODES = ("defaultOnly", "allServiceAccounts", "none")


# --- namespace ---------------------------------------------------------------------------------


def set_namespace(
    resmap: ResMap,
    namespace: str,
    fspecs: Iterable[FieldSpec] = NAMESPACE_SPECS,
    unset_only: bool = False,
    subjects: str = "defaultOnly",
    where: str = "",
) -> None:
    """The namespace transformer: namespaced objects move, and so do the fields ``fspecs`` name."""
    if not namespace:
        return
    fspecs = tuple(fspecs)
    for res in resmap:
        res.store_previous_id()
        namespace_one(res, namespace, fspecs, unset_only, subjects, where)
        if len([r for r in resmap if r.cur_id() == res.cur_id()]) != 1:
            raise RenderError(f"namespace transformation produces ID conflict: {res.describe()}", where)


def namespace_one(
    res: Resource,
    namespace: str,
    fspecs: tuple[FieldSpec, ...] = (),
    unset_only: bool = False,
    subjects: str = "defaultOnly",
    where: str = "",
) -> None:
    """Kustomize's namespace filter on one object (its ``metadata.namespace``, binding subjects, ``fspecs``)."""

    def put(parent: dict[str, Any], key: str) -> None:
        value = parent.get(key)
        if isinstance(value, (dict, list)):
            raise RenderError("namespace field specs must target scalar nodes", where)
        if not unset_only or value in (None, ""):
            parent[key] = namespace

    specs = [
        fs
        for fs in fspecs
        if fs.path != "metadata/namespace" and (fs.path != "metadata/name" or res.api_version == "v1")
    ]
    if not res.cluster_scoped:
        put(res.meta, "namespace")
    if res.kind in _BINDINGS:
        specs = [fs for fs in specs if not (fs.kind in _BINDINGS and fs.path == "subjects/namespace")]
        _set_subjects(res, subjects, put)
    fieldspec.apply(res, specs, put)


def _set_subjects(res: Resource, mode: str, put: fieldspec.Visit) -> None:
    items = res.obj.get("subjects")
    if mode == "none" or not isinstance(items, list):
        return
    for subject in items:
        if not isinstance(subject, dict):
            continue
        if (mode == "defaultOnly" and subject.get("name") == "default") or (
            mode == "allServiceAccounts" and subject.get("kind") == "ServiceAccount"
        ):
            put(subject, "namespace")


# --- prefixes, suffixes, hashes ----------------------------------------------------------------


def _skips_prefix(res: Resource) -> bool:
    kind = res.org_id()[2]
    return any(k == kind and (not g or g == res.group) for g, k in _NO_PREFIX)


def add_prefix(resmap: ResMap, prefix: str, fspecs: Iterable[FieldSpec] = NAME_SPECS) -> None:
    """``namePrefix``: ``prefix`` before every name the specs name."""
    _affix(resmap, prefix, tuple(fspecs), before=True)


def add_suffix(resmap: ResMap, suffix: str, fspecs: Iterable[FieldSpec] = NAME_SPECS) -> None:
    """``nameSuffix``: ``suffix`` after every name the specs name."""
    _affix(resmap, suffix, tuple(fspecs), before=False)


def _affix(resmap: ResMap, affix: str, fspecs: tuple[FieldSpec, ...], before: bool) -> None:
    def put(parent: dict[str, Any], key: str) -> None:
        value = parent.get(key)
        if isinstance(value, (dict, list)) or value is None:
            return
        text = value if isinstance(value, str) else str(value)
        parent[key] = affix + text if before else text + affix

    for res in resmap:
        if _skips_prefix(res):
            continue
        group, version, kind = res.org_id()[:3]
        for fs in fspecs:
            if not fs.selects_gvk(group, version, kind):
                continue
            if fs.path == "metadata/name" and affix:
                (res.prefixes if before else res.suffixes).append(affix)
                res.store_previous_id()
            fieldspec.visit(res.obj, fs.steps, fs.create, put)


def add_prefix_suffix(resmap: ResMap, prefix: str, suffix: str) -> None:
    """``namePrefix`` then ``nameSuffix``, as a kustomization runs them."""
    if prefix:
        add_prefix(resmap, prefix)
    if suffix:
        add_suffix(resmap, suffix)


def add_hashes(resmap: ResMap) -> None:
    """Append the content hash to generated objects that want one."""
    for res in resmap:
        if res.hash_suffix:
            res.store_previous_id()
            res.set_name(f"{res.name}-{content_hash(res.obj)}")


# --- name references ---------------------------------------------------------------------------


def _binding_namespaces(res: Resource) -> set[str]:
    if res.kind != "RoleBinding" or not isinstance(res.obj.get("subjects"), list):
        return set()
    out = set()
    for subject in res.obj["subjects"]:
        if not isinstance(subject, dict) or "namespace" not in subject or "kind" not in subject:
            continue
        if subject["kind"] == "ServiceAccount":
            if not isinstance(subject["namespace"], str):
                raise RenderError(
                    f'Invalid Input: namespace is blank for resource "{res.id_str()}"', res.origin
                )
            out.add(subject["namespace"])
    return out


def _reachable(resmap: ResMap, referrer: Resource) -> list[Resource]:
    """The objects ``referrer`` could name: Kustomize's SubsetThatCouldBeReferencedByResource."""
    if referrer.cluster_scoped:
        return list(resmap.items)
    spaces = _binding_namespaces(referrer)
    ns = referrer.eff_ns()
    return [r for r in resmap.items if r.cluster_scoped or r.eff_ns() == ns or r.namespace in spaces]


def _ends_alike(a: list[str], b: list[str]) -> bool:
    """Whether the shorter list is the tail of the longer (Kustomize's SameEndingSubSlice)."""
    if not a or not b:
        return True
    n = min(len(a), len(b))
    return a[len(a) - n :] == b[len(b) - n :]


def _affixes_equal(r: Resource, o: Resource, allow_empty: bool) -> bool:
    if allow_empty:
        return (not r.prefixes or not o.prefixes or _ends_alike(r.prefixes, o.prefixes)) and (
            not r.suffixes or not o.suffixes or _ends_alike(r.suffixes, o.suffixes)
        )
    return _same_ending(r.prefixes, o.prefixes) and _same_ending(r.suffixes, o.suffixes)


def _same_ending(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return not a and not b
    return _ends_alike(a, b)


class _Referrer:
    """Fixes the name fields of one referrer, choosing among the objects it can reach."""

    def __init__(self, resmap: ResMap, res: Resource) -> None:
        self.res = res
        self.candidates = _reachable(resmap, res)
        self.by_org_ns: dict[str, list[Resource]] = {}
        self.by_cur_ns: dict[str, list[Resource]] = {}
        for r in self.candidates:
            if r.cluster_scoped:
                continue
            self.by_org_ns.setdefault(r.org_id()[3], []).append(r)
            self.by_cur_ns.setdefault(r.eff_ns(), []).append(r)

    def fix(self, spec: FieldSpec, target: Gvk) -> None:
        def visit(parent: dict[str, Any], key: str) -> None:
            value = parent.get(key)
            if value is None:
                return
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is None:
                        continue
                    if isinstance(item, dict):
                        self._mapping(item, spec, target)
                    elif isinstance(item, list):
                        raise RenderError(
                            f"{item!r} is expected to be either a string or a map of string", self.res.origin
                        )
                    else:
                        new = self._scalar(item, spec, target)
                        if new is not None:
                            value[i] = new
            elif isinstance(value, dict):
                self._mapping(value, spec, target)
            else:
                new = self._scalar(value, spec, target)
                if new is not None:
                    parent[key] = new

        try:
            fieldspec.visit(self.res.obj, spec.steps, False, visit)
        except fieldspec.FieldError as exc:
            raise RenderError(
                f"updating name reference in '{spec.path}' field of '{self.res.id_str()}': {exc}",
                self.res.origin,
            ) from exc

    def _scalar(self, value: Any, spec: FieldSpec, target: Gvk) -> str | None:
        old = _text(value)
        referral = self._select(old, self.candidates, spec, target, lambda rs: len({r.name for r in rs}) == 1)
        if referral is None or referral.name == old:
            return None
        return referral.name

    def _mapping(self, node: dict[str, Any], spec: FieldSpec, target: Gvk) -> None:
        if "name" not in node:
            raise RenderError(
                f"updating name reference in '{spec.path}' field of '{self.res.id_str()}': "
                "path config error; no 'name' field in node",
                self.res.origin,
            )
        candidates = self.candidates
        if "namespace" in node:
            ns = _text(node["namespace"])
            candidates = self.by_org_ns[ns] if ns in self.by_org_ns else self.by_cur_ns.get(ns, [])
        old = _text(node["name"])
        referral = self._select(
            old, candidates, spec, target, lambda rs: len({(r.name, r.namespace) for r in rs}) == 1
        )
        if referral is None or (referral.name == old and not referral.namespace):
            return
        node["name"] = referral.name
        if referral.namespace:
            node["namespace"] = referral.namespace

    def _select(
        self,
        old: str,
        candidates: list[Resource],
        spec: FieldSpec,
        target: Gvk,
        identical: Any,
    ) -> Resource | None:
        role_ref = self._role_ref_gvk() if spec.path.endswith("roleRef/name") else None
        found = []
        for r in candidates:
            prev = r.prev_ids()
            if not any(p[4] == old for p in prev):
                continue
            if not any(target.selects(p[0], p[1], p[2]) for p in prev):
                continue
            if role_ref is not None and not any(role_ref.selects(p[0], p[1], p[2]) for p in prev):
                continue
            if not (
                self.res.cluster_scoped
                or r.cluster_scoped
                or r.kind == "ServiceAccount"
                or r.eff_ns() == self.res.eff_ns()
            ):
                continue
            found.append(r)
        if len(found) == 1:
            return found[0]
        found = [r for r in found if _affixes_equal(r, self.res, True)]
        if len(found) > 1:
            found = [r for r in found if _affixes_equal(r, self.res, False)]
        if len(found) == 1:
            return found[0]
        if not found:
            return None
        if identical(found):
            return found[0]
        ids = ", ".join(r.id_str() for r in found)
        raise RenderError(
            f"updating name reference in '{spec.path}' field of '{self.res.id_str()}': "
            f"found multiple possible referrals: {ids}",
            self.res.origin,
        )

    def _role_ref_gvk(self) -> Gvk | None:
        ref = self.res.obj.get("roleRef")
        if not isinstance(ref, dict) or ref.get("apiGroup") is None or ref.get("kind") is None:
            return None
        return Gvk(_text(ref["apiGroup"]), "", _text(ref["kind"]))


def _text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


_INDEX: dict[int, tuple[tuple[BackReference, ...], dict[str, list[tuple[FieldSpec, Gvk]]]]] = {}


def _by_kind(back_refs: tuple[BackReference, ...]) -> dict[str, list[tuple[FieldSpec, Gvk]]]:
    """(referrer spec, target) pairs per referrer kind, in Kustomize's order ("" for any kind)."""
    hit = _INDEX.get(id(back_refs))
    if hit is not None and hit[0] is back_refs:
        return hit[1]
    index: dict[str, list[tuple[FieldSpec, Gvk]]] = {}
    ordered = [(spec, ref.target) for ref in back_refs for spec in ref.referrers]
    for kind in {spec.kind for spec, _ in ordered}:
        index[kind] = [(spec, t) for spec, t in ordered if not spec.kind or spec.kind == kind]
    index[""] = [(spec, t) for spec, t in ordered if not spec.kind]
    if len(_INDEX) > 64:
        _INDEX.clear()
    _INDEX[id(back_refs)] = (back_refs, index)
    return index


def fix_references(resmap: ResMap, back_refs: Iterable[BackReference] = DEFAULT_NAME_REFERENCES) -> None:
    """Point every known reference at the current name of the object it names."""
    index = _by_kind(tuple(back_refs))
    for res in resmap:
        group, version, kind = res.org_id()[:3]
        fixer: _Referrer | None = None
        for spec, target in index.get(kind, index[""]):
            if not spec.selects_gvk(group, version, kind):
                continue
            if fixer is None:
                fixer = _Referrer(resmap, res)
            fixer.fix(spec, target)


__all__ = [
    "DEFAULT_NAME_REFERENCES",
    "NOT_A_NAMESPACE",
    "BackReference",
    "Gvk",
    "Id",
    "add_hashes",
    "add_prefix",
    "add_prefix_suffix",
    "add_suffix",
    "fix_references",
    "set_namespace",
]
