"""A custom OpenAPI schema (the ``openapi`` field): the merge keys strategic merge patches use.

As in Kustomize, a schema given by ``openapi.path`` replaces the built-in one for
the rest of the build: lists of kinds it describes merge by its
``x-kubernetes-patch-merge-key`` / ``x-kubernetes-list-map-keys`` where its
``x-kubernetes-patch-strategy`` says ``merge``, and every other list is replaced.
The top kustomization's field decides; without one, the first base that sets it does.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import schema
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


ACTIVE: ContextVar[CustomSchema | None] = ContextVar("gitshift_openapi_schema", default=None)


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
