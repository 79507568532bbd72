"""The ``replacements`` field: copy a field of one object into fields of others."""

from __future__ import annotations

import copy
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.patches import select
from gitshift.render.builtin.resource import ResMap
from gitshift.render.builtin.yamlio import FileCache


def split_path(path: str) -> list[str]:
    """``a.[name=x].b`` -> ``['a', '[name=x]', 'b']``; dots inside brackets stay."""
    parts, buf, depth = [], "", 0
    for ch in path:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "." and depth == 0:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return parts


def _step(node: Any, part: str, create: bool) -> list[tuple[Any, Any]]:
    """(container, key) pairs that ``part`` names under ``node``."""
    if isinstance(node, list):
        if part.startswith("[") and "=" in part:
            key, _, value = part[1:-1].partition("=")
            return [(node, i) for i, item in enumerate(node) if isinstance(item, dict) and str(item.get(key)) == value]
        if part == "*":
            return [(node, i) for i in range(len(node))]
        if part.lstrip("-").isdigit():
            idx = int(part)
            return [(node, idx)] if -len(node) <= idx < len(node) else []
        return []
    if isinstance(node, dict):
        key = part[1:-1] if part.startswith("[") and part.endswith("]") else part
        if key == "*":
            return [(node, k) for k in node]
        if key in node or create:
            return [(node, key)]
    return []


def _locate(obj: Any, parts: list[str], create: bool) -> list[tuple[Any, Any]]:
    current: list[tuple[Any, Any]] = []
    nodes = [obj]
    for i, part in enumerate(parts):
        current = []
        for node in nodes:
            current += _step(node, part, create)
        last = i == len(parts) - 1
        nodes = []
        for container, key in current:
            if not last and (isinstance(container, dict) and container.get(key) is None):
                if not create:
                    continue
                container[key] = {}
            if not last:
                nodes.append(container[key])
    return current


def _source_value(resmap: ResMap, source: dict[str, Any], where: str) -> Any:
    ids = {k: source[k] for k in ("group", "version", "kind", "name", "namespace") if source.get(k)}
    found = select(resmap, ids)
    if len(found) != 1:
        what = "nothing selected by" if not found else "multiple matches for selector"
        raise RenderError(f"{what} {ids} in replacement source", where)
    spots = _locate(found[0].obj, split_path(str(source.get("fieldPath") or "metadata.name")), False)
    if not spots:
        raise RenderError(f"replacement source field not found: {source.get('fieldPath')}", where)
    container, key = spots[0]
    value = container[key]
    opts = source.get("options") or {}
    if opts.get("delimiter") is not None and isinstance(value, str):
        pieces = value.split(str(opts["delimiter"]))
        index = int(opts.get("index") or 0)
        if not 0 <= index < len(pieces):
            raise RenderError(f"options.index {index} is out of bounds for value {value}", where)
        value = pieces[index]
    return value


def _put(container: Any, key: Any, value: Any, opts: dict[str, Any]) -> None:
    if opts.get("delimiter") is not None and isinstance(container[key], str):
        pieces = container[key].split(str(opts["delimiter"]))
        index = int(opts.get("index") or 0)
        if index >= len(pieces):
            pieces.append(str(value))
        elif index < 0:
            pieces.insert(0, str(value))
        else:
            pieces[index] = str(value)
        container[key] = str(opts["delimiter"]).join(pieces)
    else:
        container[key] = copy.deepcopy(value)


def _entries(kust: Kustomization, view: FileView, cache: FileCache) -> list[tuple[dict[str, Any], str]]:
    out = []
    for entry in kust.list("replacements"):
        if isinstance(entry, dict) and entry.get("path"):
            path = kust.local(str(entry["path"]))
            for doc in cache.documents(view, path):
                out += [(d, str(path)) for d in (doc if isinstance(doc, list) else [doc])]
        else:
            out.append((entry, str(kust.file)))
    return out


def apply(kust: Kustomization, view: FileView, cache: FileCache, resmap: ResMap) -> None:
    """Run every replacement in order."""
    for entry, where in _entries(kust, view, cache):
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), dict):
            raise RenderError("a replacement needs a source", where)
        value = _source_value(resmap, entry["source"], where)
        for target in entry.get("targets") or []:
            chosen = select(resmap, target.get("select") or {})
            for reject in target.get("reject") or []:
                rejected = {id(r) for r in select(resmap, reject)}
                chosen = [r for r in chosen if id(r) not in rejected]
            opts = target.get("options") or {}
            for res in chosen:
                for fpath in target.get("fieldPaths") or ["metadata.name"]:
                    spots = _locate(res.obj, split_path(str(fpath)), bool(opts.get("create")))
                    if not spots and not opts.get("create"):
                        raise RenderError(
                            f"unable to find field {fpath!r} in replacement target {res.describe()}",
                            where,
                        )
                    for container, key in spots:
                        if isinstance(container, dict) and key not in container:
                            container[key] = None
                        _put(container, key, value, opts)
