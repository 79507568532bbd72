"""A custom OpenAPI schema (the ``openapi`` field): merge keys, and which kinds are cluster-scoped.

As in Kustomize, a schema given by ``openapi.path`` replaces the built-in one for
the rest of the build: lists of kinds it describes merge by its
``x-kubernetes-patch-merge-key`` / ``x-kubernetes-list-map-keys`` where its
``x-kubernetes-patch-strategy`` says ``merge``, and every other list is replaced.
A kind Kustomize does not know by heart (resource.PRECOMPUTED) is cluster-scoped when
the schema's ``paths`` have a GET of it and none under ``namespaces/{namespace}``:
the namespace transformer then leaves it alone and its id has no namespace.
The top kustomization's field decides; without one, the first base that sets it does.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import resource, schema
from gitshift.render.builtin.yamlio import read_bytes

BUILTIN_VERSIONS = ("v1_21_2", "v1.21.2")
_MAX_REFS = 64


class CustomSchema:
    """The definitions of one schema file, indexed by group/version/kind."""

    def __init__(self, doc: Any, where: str) -> None:
        defs = doc.get("definitions") if isinstance(doc, dict) else None
        if not isinstance(defs, dict):
            raise RenderError("an OpenAPI schema needs `definitions`", where)
        self.defs: dict[str, Any] = defs
        self.by_gvk: dict[tuple[str, str, str], Any] = {}
        for definition in defs.values():
            if not isinstance(definition, dict):
                continue
            for gvk in definition.get("x-kubernetes-group-version-kind") or []:
                if isinstance(gvk, dict):
                    key = (str(gvk.get("group") or ""), str(gvk.get("version") or ""), str(gvk.get("kind") or ""))
                    self.by_gvk.setdefault(key, definition)
        self.cluster_scoped = _cluster_scoped(doc.get("paths"))

    def _resolve(self, node: Any) -> Any:
        for _ in range(_MAX_REFS):
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return node
            node = self.defs.get(node["$ref"].rpartition("/")[2])
        return None

    def list_key(self, group: str, version: str, kind: str, path: tuple[str, ...]) -> Any:
        """The merge key of the list at ``path`` in objects of that kind, ``"<set>"`` or None."""
        node = self._resolve(self.by_gvk.get((group, version, kind)))
        for part in path:
            if not isinstance(node, dict):
                return None
            if node.get("type") == "array" or node.get("type") == ["array"]:
                node = self._resolve(node.get("items"))
                if not isinstance(node, dict):
                    return None
            props = node.get("properties") or {}
            if part in props:
                node = self._resolve(props[part])
            elif isinstance(node.get("additionalProperties"), dict):
                node = self._resolve(node["additionalProperties"])
            else:
                return None
        if not isinstance(node, dict):
            return None
        strategy = str(node.get("x-kubernetes-patch-strategy") or "")
        if "merge" not in strategy.split(","):
            return None
        keys = node.get("x-kubernetes-list-map-keys")
        if isinstance(keys, list) and keys:
            return tuple(str(k) for k in keys) if len(keys) > 1 else str(keys[0])
        key = node.get("x-kubernetes-patch-merge-key")
        return str(key) if key else "<set>"


def _cluster_scoped(paths: Any) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of the kinds ``paths`` show cluster-scoped, as Kustomize's schema reader finds them."""
    namespaced: dict[tuple[str, str], bool] = {}
    for path, item in paths.items() if isinstance(paths, dict) else ():
        get = item.get("get") if isinstance(item, dict) else None
        gvk = get.get("x-kubernetes-group-version-kind") if isinstance(get, dict) else None
        if not isinstance(gvk, dict) or not isinstance(gvk.get("version"), str) or not isinstance(gvk.get("kind"), str):
            continue
        group = gvk.get("group")
        api = f"{group}/{gvk['version']}" if isinstance(group, str) and group else gvk["version"]
        key = (api, gvk["kind"])
        if "namespaces/{namespace}" in str(path):
            namespaced[key] = True
        else:
            namespaced.setdefault(key, False)
    return frozenset(k for k, v in namespaced.items() if not v and k not in resource.PRECOMPUTED)


ACTIVE: ContextVar[CustomSchema | None] = ContextVar("gitshift_openapi_schema", default=None)
Tokens = tuple[Token[CustomSchema | None], Token[frozenset[tuple[str, str]]]]


def activate(found: CustomSchema | None) -> Tokens:
    """Make ``found`` the schema of the build (None: the built-in one); ``deactivate`` undoes it."""
    scope = found.cluster_scoped if found is not None else frozenset()
    return ACTIVE.set(found), resource.SCHEMA_CLUSTER_SCOPED.set(scope)


def deactivate(tokens: Tokens) -> None:
    ACTIVE.reset(tokens[0])
    resource.SCHEMA_CLUSTER_SCOPED.reset(tokens[1])


def load(view: FileView, field: dict[str, Any], root: Path, where: str) -> CustomSchema | None:
    """The schema an ``openapi`` field names (None for the built-in one), or its refusal."""
    path, version = field.get("path"), field.get("version")
    if path and version:
        raise RenderError("builtin version and custom schema provided, cannot use both", where)
    if version and version not in BUILTIN_VERSIONS:
        raise RenderError("the specified OpenAPI version is not built in", where)
    if not path:
        return None
    file = Path(root / path)
    docs = schema.parse11(read_bytes(view, file), str(file))
    return CustomSchema(docs[0] if docs else None, str(file))
