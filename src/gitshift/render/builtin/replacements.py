"""The ``replacements`` field: copy a field of one object into fields of others, as Kustomize does.

Sources and targets are chosen by exact id (any id the object held), a ``[key=value]``
step matches list elements by an unanchored regular expression, a scalar written into
an existing scalar keeps that field's type, and a created field takes the type its
text reads as.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import limits, regex, schema
from gitshift.render.builtin.emit import go_float
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.patches import _selector_matches
from gitshift.render.builtin.resource import ResMap, Resource, clone, effective_namespace
from gitshift.render.builtin.yamlio import FileCache, Loader


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
    # A bracketed key that held a dot names a map key, unless it matches list elements.
    return [p[1:-1] if p.startswith("[") and p.endswith("]") and "." in p and "=" not in p else p for p in parts]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value)


def _resolve(text: str) -> Any:
    """A plain scalar's value as a YAML reader types it (a created field)."""
    loader = Loader("")
    try:
        tag = loader.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if tag == "tag:yaml.org,2002:str":
            return text
        return loader.construct_object(yaml.ScalarNode(tag, text))
    except (yaml.YAMLError, ValueError, TypeError):
        return text
    finally:
        loader.dispose()


def _retype(old: Any, text: str) -> Any:
    """``text`` written into a scalar field that held ``old``: the field keeps its type."""
    if isinstance(old, str):
        return text
    if isinstance(old, bool):
        return {"true": True, "false": False}.get(text, text)
    if isinstance(old, (int, float)):
        value = _resolve(text)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else text
    return _resolve(text)


class _Selector:
    """A replacement's id selector: exact fields, matched against every id an object held."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.group = raw.get("group") or ""
        self.version = raw.get("version") or ""
        self.kind = raw.get("kind") or ""
        self.name = raw.get("name") or ""
        self.namespace = raw.get("namespace") or ""
        self.raw = raw

    @property
    def empty(self) -> bool:
        return not (self.group or self.version or self.kind or self.name or self.namespace)

    def selects(self, res: Resource) -> bool:
        for group, version, kind, ns, name in res.all_ids():
            if self.name and self.name != name:
                continue
            if self.namespace and effective_namespace(self.namespace) != ns:
                continue
            if (self.group and self.group != group) or (self.version and self.version != version):
                continue
            if self.kind and self.kind != kind:
                continue
            return True
        return False

    def text(self) -> str:
        return f"{self.kind or '[noKind]'}.{self.version or '[noVer]'}.{self.group or '[noGrp]'}/" + (
            f"{self.name or '[noName]'}.{self.namespace or '[noNs]'}"
        )


def _labels_match(res: Resource, sel: dict[str, Any]) -> bool:
    if sel.get("labelSelector") and not _selector_matches(sel["labelSelector"], res.labels()):
        return False
    return not (sel.get("annotationSelector") and not _selector_matches(sel["annotationSelector"], res.annotations()))


def _lookup(obj: Any, parts: list[str]) -> Any:
    """The value at ``parts`` (Kustomize's Lookup: ``[k=v]`` matches exactly), or None."""
    node = obj
    for part in parts:
        if isinstance(node, list):
            if part.startswith("[") and part.endswith("]") and "=" in part:
                key, _, want = part[1:-1].partition("=")
                node = next(
                    (i for i in node if isinstance(i, dict) and key in i and _text(i[key]) == want), None
                )
            elif part.isdigit():
                index = int(part)
                node = node[index] if index < len(node) else None
            else:
                return None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def _match(node: Any, parts: list[str], create: bool, leaf_default: Any) -> list[tuple[Any, Any]]:
    """(container, key) pairs ``parts`` names under ``node`` (Kustomize's PathMatcher)."""
    if not parts:
        return []
    head, rest = parts[0], parts[1:]

    def made(next_part: str) -> Any:
        if (next_part.startswith("[") and next_part.endswith("]")) or (next_part.isdigit()):
            return []
        if next_part:
            return {}
        return leaf_default if leaf_default is _UNSET else copy.deepcopy(leaf_default)

    if head.isdigit():
        if not isinstance(node, list):
            return []
        index = int(head)
        if index == len(node) and create:
            node.append(made(rest[0] if rest else ""))
        if index >= len(node):
            raise RenderError(f"index {index} specified but only {len(node)} elements found", "")
        return [(node, index)] if not rest else _match(node[index], rest, create, leaf_default)
    if head.startswith("[") and head.endswith("]"):
        if "=" not in head:
            raise RenderError("list path element must contain fieldName=fieldValue for element to match", "")
        if not isinstance(node, list):
            return []
        field, _, pattern = head[1:-1].partition("=")
        found = _seq(node, field, pattern, rest, create, leaf_default)
        if found or not create:
            return found
        node.append(_resolve(pattern) if not field else {field: _resolve(pattern)})
        return _seq(node, field, pattern, rest, create, leaf_default)
    if head == "*":
        items = node if isinstance(node, list) else []
        out: list[tuple[Any, Any]] = []
        for item in items:
            out += _match(item, rest, create, leaf_default) if rest else []
        return out
    if not isinstance(node, dict):
        return []
    if head not in node or (node[head] is None and create):
        if not create:
            return []
        node[head] = made(rest[0] if rest else "")
    return [(node, head)] if not rest else _match(node[head], rest, create, leaf_default)


def _seq(
    node: list[Any], field: str, pattern: str, rest: list[str], create: bool, leaf_default: Any
) -> list[tuple[Any, Any]]:
    rx = regex.compile_go(pattern, "a replacement's list match", "")
    out: list[tuple[Any, Any]] = []
    for i, item in enumerate(node):
        if not field:
            if rx.search(_text(item).strip()):
                out.append((node, i))
            continue
        if not isinstance(item, dict) or item.get(field) is None or not rx.search(_text(item[field]).strip()):
            continue
        out += [(node, i)] if not rest else _match(item, rest, create, leaf_default)
    return out


def _source_value(resmap: ResMap, source: dict[str, Any], where: str) -> Any:
    sel = _Selector(source)
    found = [r for r in resmap if sel.selects(r)]
    if len(found) > 1:
        raise RenderError(f"multiple matches for selector {sel.text()}", where)
    if not found:
        raise RenderError(f"nothing selected by {sel.text()}", where)
    field_path = source.get("fieldPath") or "metadata.name"
    value = _lookup(found[0].obj, split_path(field_path))
    if value is None or value == {} or value == []:
        raise RenderError(f"fieldPath `{field_path}` is missing for replacement source {sel.text()}", where)
    opts = source.get("options") or {}
    if opts.get("delimiter"):
        if isinstance(value, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes", where)
        pieces = _text(value).split(opts["delimiter"])
        index = int(opts.get("index") or 0)
        if not 0 <= index < len(pieces):
            raise RenderError(f"options.index {index} is out of bounds for value {_text(value)}", where)
        return pieces[index]
    return value


def _put(container: Any, key: Any, value: Any, opts: dict[str, Any], created: bool, where: str) -> None:
    old = container[key]
    if opts.get("delimiter"):
        if isinstance(old, (dict, list)):
            raise RenderError("delimiter option can only be used with scalar nodes", where)
        pieces = ("" if created else _text(old)).split(opts["delimiter"])
        index = int(opts.get("index") or 0)
        if index < 0:
            pieces.insert(0, _text(value))
        elif index >= len(pieces):
            pieces.append(_text(value))
        else:
            pieces[index] = _text(value)
        value = opts["delimiter"].join(pieces)
    if isinstance(old, (dict, list)) or isinstance(value, (dict, list)):
        container[key] = clone(value)
    elif created:
        container[key] = _resolve(_text(value))
    else:
        container[key] = _retype(old, _text(value))


_UNSET = object()


def _expand(
    entries: list[tuple[Any, str]], kust: Kustomization, view: FileView, cache: FileCache
) -> list[tuple[dict[str, Any], str]]:
    out = []
    for entry, where in entries:
        if isinstance(entry, dict) and entry.get("path"):
            path = kust.local(str(entry["path"]))
            for doc in cache.documents(view, path):
                for item in doc if isinstance(doc, list) else [doc]:
                    try:
                        decoded = schema.decode(item, schema.REPLACEMENT)
                    except schema.DecodeError as exc:
                        raise RenderError(f"invalid replacement: {exc}", str(path)) from exc
                    out.append((decoded, str(path)))
        else:
            out.append((entry, where))
    return out


def apply(kust: Kustomization, view: FileView, cache: FileCache, resmap: ResMap) -> None:
    """Run every replacement of the ``replacements`` field in order."""
    entries = [(e, str(kust.file)) for e in kust.list("replacements")]
    run(resmap, _expand(entries, kust, view, cache))


def run_config(resmap: ResMap, entries: list[tuple[Any, str]], kust: Kustomization, view: FileView,
               cache: FileCache) -> None:
    """A ReplacementTransformer's replacements (inline or ``path``)."""
    run(resmap, _expand(entries, kust, view, cache))


def run(resmap: ResMap, entries: list[tuple[dict[str, Any], str]]) -> None:
    """Each replacement in order."""
    for entry, where in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), dict):
            raise RenderError("a replacement needs a source", where)
        value = _source_value(resmap, entry["source"], where)
        weight, depth = limits.weigh(value)  # every copy counts against the render's bounds
        for target in entry.get("targets") or []:
            if not isinstance(target.get("select"), dict):
                raise RenderError("target must specify resources to select", where)
            select = _Selector(target["select"])
            rejects = [r for r in target.get("reject") or [] if isinstance(r, dict)]
            opts = target.get("options") or {}
            create = bool(opts.get("create"))
            for res in resmap:
                if not _labels_match(res, target["select"]):
                    continue
                if any(
                    (r.get("annotationSelector") or r.get("labelSelector")) and _labels_match(res, r)
                    for r in rejects
                ):
                    continue
                if not select.selects(res):
                    continue
                if any(not _Selector(r).empty and _Selector(r).selects(res) for r in rejects):
                    continue
                _write(res, target, value, opts, create, where, (weight, depth))


def _write(res: Resource, target: dict[str, Any], value: Any, opts: dict[str, Any], create: bool, where: str,
           size: tuple[int, int]) -> None:
    leaf: Any = {} if isinstance(value, dict) else [] if isinstance(value, list) else _UNSET
    for fpath in target.get("fieldPaths") or ["metadata.name"]:
        parts = split_path(str(fpath))
        if len(parts) + size[1] > limits.MAX_DEPTH:
            raise limits.LimitError(f"the result nests deeper than {limits.MAX_DEPTH} levels", where)
        before = _lookup(res.obj, parts) if create else None
        spots = _match(res.obj, parts, create, leaf)
        if not spots:
            what = "find or create" if create else "find"
            raise RenderError(f'unable to {what} field "{fpath}" in replacement target', where)
        for container, key in spots:
            limits.charge(size[0], where)
            created = container[key] is _UNSET or (create and before is None and container[key] in ({}, []))
            if container[key] is _UNSET:
                container[key] = ""
            _put(container, key, value, opts, created, where)
