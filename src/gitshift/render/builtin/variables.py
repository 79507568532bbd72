"""The legacy ``vars`` field: ``$(NAME)`` in the fields Kustomize's varReference names.

Each kustomization's vars are tied to the one object their ``objref`` names (by any
id it held, after that kustomization's transformers); at the end, once names are
final, each var's ``fieldref`` is read and substituted, as Kustomize does.
"""

from __future__ import annotations

import re
from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec
from gitshift.render.builtin.emit import go_float
from gitshift.render.builtin.fieldspec import FieldSpec
from gitshift.render.builtin.replacements import _lookup, split_path
from gitshift.render.builtin.resource import NOT_A_NAMESPACE, ResMap, effective_namespace, is_cluster_scoped

_POD = ("containers", "initContainers")


def _pod(prefix: str, kind: str, extra: tuple[str, ...] = ()) -> list[FieldSpec]:
    paths = [f"{prefix}/{c}/{f}" for c in _POD for f in ("args", "command", "env/value", "volumeMounts/mountPath")]
    return [FieldSpec(p, kind) for p in (*paths, *extra)]


# Kustomize's default varReference field specs, written out as data.
VAR_REFERENCE: tuple[FieldSpec, ...] = (
    *_pod("spec/jobTemplate/spec/template/spec", "CronJob", ("spec/jobTemplate/spec/template/volumes/nfs/server",)),
    *_pod("spec/template/spec", "DaemonSet", ("spec/template/spec/volumes/nfs/server",)),
    *_pod(
        "spec/template/spec",
        "Deployment",
        ("spec/template/spec/volumes/nfs/server", "spec/template/metadata/annotations"),
    ),
    FieldSpec("spec/rules/host", "Ingress"),
    FieldSpec("spec/tls/hosts", "Ingress"),
    FieldSpec("spec/tls/secretName", "Ingress"),
    *_pod("spec/template/spec", "Job", ("spec/template/spec/volumes/nfs/server",)),
    *_pod("spec", "Pod", ("spec/volumes/nfs/server",)),
    *_pod("spec/template/spec", "ReplicaSet", ("spec/template/spec/volumes/nfs/server",)),
    FieldSpec("spec/ports/port", "Service"),
    FieldSpec("spec/ports/targetPort", "Service"),
    *_pod("spec/template/spec", "StatefulSet", ("spec/volumeClaimTemplates/spec/nfs/server",)),
    FieldSpec("spec/nfs/server", "PersistentVolume"),
    FieldSpec("metadata/labels"),
    FieldSpec("metadata/annotations"),
)


def _describe(var: dict[str, Any]) -> str:
    ref = var.get("objref") or {}
    return f"{var.get('name')} {ref.get('kind', '')}/{ref.get('name', '')}"


def _gvk(ref: dict[str, Any]) -> tuple[str, str, str]:
    group, version = ref.get("group", ""), ref.get("version", "")
    api = ref.get("apiVersion", "")
    if api:
        parts = api.split("/")
        if len(parts) == 2:
            group, version = parts
        elif len(parts) == 1:
            version = parts[0]
    return group, version, ref.get("kind", "")


def merge(resmap: ResMap, variables: list[dict[str, Any]], where: str) -> None:
    """Tie each var to the object its objref names, and add it to the build's vars."""
    for var in variables:
        ref = var.get("objref") or {}
        group, version, kind = _gvk(ref)
        name, ns = ref.get("name", ""), ref.get("namespace", "")
        api = f"{group}/{version}" if group else version
        exact = bool(ns) or is_cluster_scoped(api, kind)
        matched = []
        for res in resmap:
            for g, v, k, rns, n in res.all_ids():
                if (g, v, k, n) != (group, version, kind, name):
                    continue
                want_ns = NOT_A_NAMESPACE if is_cluster_scoped(api, kind) else effective_namespace(ns)
                if exact and rns != want_ns:
                    continue
                matched.append(res)
                break
        if len(matched) > 1:
            raise RenderError(
                f"found {len(matched)} resId matches for var {_describe(var)} (unable to disambiguate)", where
            )
        if matched:
            matched[0].var_names.append(str(var.get("name")))
    for var in variables:
        if any(v.get("name") == var.get("name") for v in resmap.variables):
            raise RenderError(f"var '{var.get('name')}' already encountered", where)
        resmap.variables.append(var)


def _value(resmap: ResMap, var: dict[str, Any]) -> Any:
    name = var.get("name")
    for res in resmap:
        if name in res.var_names:
            path = (var.get("fieldref") or {}).get("fieldPath") or "metadata.name"
            parts = []
            for part in split_path(path):
                m = re.match(r"^(.*)\[(\d+)\]$", part)
                if m:
                    parts += [p for p in (m.group(1), m.group(2)) if p]
                else:
                    parts.append(part)
            value = _lookup(res.obj, parts)
            if value is None:
                raise RenderError(f"field specified in var '{_describe(var)}' not found in corresponding resource", "")
            return value
    raise RenderError(f"var '{_describe(var)}' cannot be mapped to a field in the set of known resources", "")


def _text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def _replace(text: str, values: dict[str, Any]) -> Any:
    """``text`` with each ``$(NAME)`` of a known var replaced (Kustomize's DoReplacements)."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            rest = text[cursor + 1 :]
            if rest[0] == "$":
                out.append("$")
                advance = 1
            elif rest[0] == "(":
                close = rest.find(")", 1)
                if close < 0:
                    out.append("$(")
                    advance = 1
                else:
                    key = rest[1:close]
                    mapped = values.get(key, f"$({key})")
                    if isinstance(mapped, (dict, list)) or mapped is None:
                        mapped = f"$({key})"
                    if text == f"$({key})":
                        return mapped
                    out.append(_text(mapped))
                    advance = close + 1
            else:
                out.append("$" + rest[0])
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def resolve(resmap: ResMap, var_reference: tuple[FieldSpec, ...]) -> None:
    """Substitute every var into the varReference fields of every object."""
    if not resmap.variables:
        return
    values = {str(v.get("name")): _value(resmap, v) for v in resmap.variables}

    def put(parent: dict[str, Any], key: str) -> None:
        value = parent.get(key)
        if isinstance(value, str):
            parent[key] = _replace(value, values)
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(v, str):
                    value[k] = _replace(v, values)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    raise RenderError("invalid value type expect a string", "")
                value[i] = _replace(item, values)

    for res in resmap:
        fieldspec.apply(res, var_reference, put)
