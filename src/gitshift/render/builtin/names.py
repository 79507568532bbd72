"""namespace, namePrefix/nameSuffix, hash suffixes, and fixing the references to renamed objects."""

from __future__ import annotations

from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec
from gitshift.render.builtin.fieldspec import FieldSpec
from gitshift.render.builtin.generators import content_hash
from gitshift.render.builtin.resource import ResMap, Resource

_NO_PREFIX = frozenset({"CustomResourceDefinition", "Namespace", "APIService"})

_TEMPLATES = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
    **{k: "spec/template/spec" for k in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job")},
}


def _pod_refs(suffixes: tuple[str, ...], kinds: tuple[str, ...] = tuple(_TEMPLATES)) -> list[FieldSpec]:
    return [FieldSpec(f"{_TEMPLATES[k]}/{s}", k) for k in kinds for s in suffixes]


def _config_refs(vol: str, key_ref: str, env_ref: str, source: str) -> list[FieldSpec]:
    return _pod_refs(
        (
            f"volumes/{vol}",
            f"containers/env/valueFrom/{key_ref}/name",
            f"initContainers/env/valueFrom/{key_ref}/name",
            f"containers/envFrom/{env_ref}/name",
            f"initContainers/envFrom/{env_ref}/name",
            f"volumes/projected/sources/{source}/name",
        )
    )


_WORKLOADS = ("StatefulSet", "Deployment", "Job", "DaemonSet", "CronJob", "Pod")
# kustomize's nameReference configuration for the common kinds: referral kind -> referrer fields.
NAME_REFERENCES: dict[str, list[FieldSpec]] = {
    "ConfigMap": [
        *_config_refs("configMap/name", "configMapKeyRef", "configMapRef", "configMap"),
        FieldSpec("rules/resourceNames", "Role"),
        FieldSpec("rules/resourceNames", "ClusterRole"),
        FieldSpec("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap", "Ingress"),
    ],
    "Secret": _config_refs("secret/secretName", "secretKeyRef", "secretRef", "secret")
    + _pod_refs(("imagePullSecrets/name",))
    + [
        FieldSpec("spec/tls/secretName", "Ingress"),
        FieldSpec("metadata/annotations/ingress.kubernetes.io\\/auth-secret", "Ingress"),
        FieldSpec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret", "Ingress"),
        FieldSpec("metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret", "Ingress"),
        FieldSpec("imagePullSecrets/name", "ServiceAccount"),
        FieldSpec("rules/resourceNames", "Role"),
        FieldSpec("rules/resourceNames", "ClusterRole"),
    ],
    "Service": [
        FieldSpec("spec/serviceName", "StatefulSet", "apps"),
        FieldSpec("spec/rules/http/paths/backend/serviceName", "Ingress"),
        FieldSpec("spec/backend/serviceName", "Ingress"),
        FieldSpec("spec/rules/http/paths/backend/service/name", "Ingress"),
        FieldSpec("spec/defaultBackend/service/name", "Ingress"),
        FieldSpec("spec/service/name", "APIService", "apiregistration.k8s.io"),
    ],
    "Role": [FieldSpec("roleRef/name", "RoleBinding", "rbac.authorization.k8s.io")],
    "ClusterRole": [
        FieldSpec("roleRef/name", k, "rbac.authorization.k8s.io") for k in ("RoleBinding", "ClusterRoleBinding")
    ],
    "ServiceAccount": [
        FieldSpec("subjects", k, "rbac.authorization.k8s.io") for k in ("RoleBinding", "ClusterRoleBinding")
    ]
    + _pod_refs(("serviceAccountName",), _WORKLOADS),
    "PersistentVolumeClaim": _pod_refs(("volumes/persistentVolumeClaim/claimName",), _WORKLOADS),
    "PersistentVolume": [FieldSpec("spec/volumeName", "PersistentVolumeClaim")],
    "PriorityClass": _pod_refs(("priorityClassName",), _WORKLOADS),
    "IngressClass": [FieldSpec("spec/ingressClassName", "Ingress")],
    "StorageClass": [
        FieldSpec("spec/storageClassName", "PersistentVolume"),
        FieldSpec("spec/storageClassName", "PersistentVolumeClaim"),
        FieldSpec("spec/volumeClaimTemplates/spec/storageClassName", "StatefulSet"),
    ],
    "HorizontalPodAutoscaler": [],
    **{
        k: [FieldSpec("spec/scaleTargetRef/name", "HorizontalPodAutoscaler")]
        for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
    },
}


def set_namespace(resmap: ResMap, namespace: str) -> None:
    """The ``namespace`` field: namespaced objects move, and so do subjects named ``default``."""
    for res in resmap:
        if not res.cluster_scoped:
            res.set_namespace(namespace)
        if res.kind in ("RoleBinding", "ClusterRoleBinding"):
            for subject in res.obj.get("subjects") or []:
                if isinstance(subject, dict) and subject.get("name") == "default":
                    subject["namespace"] = namespace


def add_prefix_suffix(resmap: ResMap, prefix: str, suffix: str) -> None:
    """``namePrefix`` and ``nameSuffix``."""
    if not prefix and not suffix:
        return
    for res in resmap:
        if res.kind in _NO_PREFIX:
            continue
        res.set_name(f"{prefix}{res.name}{suffix}")
        if prefix:
            res.prefixes.append(prefix)
        if suffix:
            res.suffixes.append(suffix)


def add_hashes(resmap: ResMap) -> None:
    """Append the content hash to generated objects that want one."""
    for res in resmap:
        if res.hash_suffix:
            res.set_name(f"{res.name}-{content_hash(res.obj)}")


def _reachable(referrer: Resource, target: Resource) -> bool:
    if referrer.cluster_scoped or target.cluster_scoped:
        return True
    if referrer.eff_ns(referrer.namespace) == target.eff_ns(target.namespace):
        return True
    if referrer.kind in ("RoleBinding", "ClusterRoleBinding"):
        spaces = {s.get("namespace") for s in referrer.obj.get("subjects") or [] if isinstance(s, dict)}
        return target.namespace in spaces
    return False


def _select(resmap: ResMap, referrer: Resource, kind: str, value: str, ns: str | None) -> Resource | None:
    found = [
        r
        for r in resmap
        if r.kind == kind
        and (ns is not None or _reachable(referrer, r))
        and any(n == value and (ns is None or r.eff_ns(s) == r.eff_ns(ns)) for n, s in r.names)
    ]
    if len(found) > 1:
        same = [r for r in found if r.prefixes == referrer.prefixes and r.suffixes == referrer.suffixes]
        found = same or found
    if len(found) > 1 and len({r.name for r in found}) > 1:
        names = ", ".join(r.describe() for r in found)
        raise RenderError(f"found multiple possible referrals: {names}", referrer.origin)
    return found[0] if found else None


def fix_references(resmap: ResMap) -> None:
    """Point every known reference at the current name of the object it names."""
    for kind, fspecs in NAME_REFERENCES.items():
        for referrer in resmap:

            def fix(parent: dict[str, Any], key: str, referrer: Resource = referrer, kind: str = kind) -> None:
                _fix_value(resmap, referrer, kind, parent, key)

            fieldspec.apply(referrer, fspecs, fix)


def _fix_value(resmap: ResMap, referrer: Resource, kind: str, parent: dict[str, Any], key: str) -> None:
    value = parent.get(key)
    if isinstance(value, str):
        target = _select(resmap, referrer, kind, value, None)
        if target is not None:
            parent[key] = target.name
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                target = _select(resmap, referrer, kind, item, None)
                if target is not None:
                    value[i] = target.name
            elif isinstance(item, dict) and kind == "ServiceAccount":
                _fix_subject(resmap, referrer, item)


def _fix_subject(resmap: ResMap, referrer: Resource, subject: dict[str, Any]) -> None:
    if subject.get("kind") != "ServiceAccount" or not isinstance(subject.get("name"), str):
        return
    target = _select(resmap, referrer, "ServiceAccount", subject["name"], subject.get("namespace") or "")
    if target is not None:
        subject["name"] = target.name
        if target.namespace:
            subject["namespace"] = target.namespace
