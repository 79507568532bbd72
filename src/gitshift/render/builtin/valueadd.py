"""The ValueAddTransformer's filter: one value written at a field path, or into a file path there.

As Kustomize's valueadd filter walks a path (kyaml's PathGetter, creating what is
missing): a step is a field, a list index (``0``; ``-`` the last), or a list element
``[key=value]`` (``[=value]`` for a list of scalars), made when none matches. A null on
the way ends the walk without a change; a list index past the end too. The value is
written as plain YAML text (``123`` becomes a number), except over a string that had
to be quoted, which stays a string; over a string that may have been quoted or not,
a value that would not stay a string is refused (the fallback renders it). With a
``filePathPosition`` p > 0, the field holds a file path and the value is inserted as
its p-th part.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from gitshift.errors import RenderError, UnsupportedError
from gitshift.render.builtin import limits, scalars
from gitshift.render.builtin.emit import _needs_quotes
from gitshift.render.builtin.kustomization import HINT
from gitshift.render.builtin.replacements import _resolve

_ATOI = re.compile(r"^[+-]?[0-9]+$")


def split_field_path(path: str) -> list[str]:
    """``a/b\\/c/d`` -> ``['a', 'b/c', 'd']``, blank steps dropped (as the filter reads it)."""
    fields: list[str] = []
    for part in path.split("/"):
        if fields and fields[-1].endswith("\\"):
            fields[-1] = fields[-1][:-1] + "/" + part
        else:
            fields.append(part)
    return [f.strip() for f in fields if f.strip()]


def path_split(path: str) -> list[str]:
    """A file path's parts; an absolute path's first part is empty (Go kyaml's PathSplit)."""
    if not path:
        return []
    tail: list[str] = []
    while True:
        cut = path.rfind("/")
        head, last = path[: cut + 1], path[cut + 1 :]
        if head == "/":
            return ([""] if last == "" else ["", last]) + tail[::-1]
        head = head[:-1] if head.endswith("/") else head
        if head == "":
            return [last, *tail[::-1]]
        tail.append(last)
        path = head


def _join(parts: list[str]) -> str:
    """Go's filepath.Join: the non-empty parts joined and cleaned ("" when none)."""
    kept = [p for p in parts if p]
    return posixpath.normpath("/".join(kept)) if kept else ""


def insert_path_part(path: str, pos: int, part: str) -> str:
    """``part`` inserted as the ``pos``-th part of ``path`` (0 first; past the end appends)."""
    if not part:
        return path
    parts = path_split(path)
    pos = max(0, min(pos, len(parts)))
    if parts and parts[0] == "" and pos < len(parts):
        pos += 1  # an absolute path stays absolute
    joined = [*parts[:pos], part, *parts[pos:]]
    if joined[0] == "":
        return "/" + _join(joined[1:])
    return _join(joined)


def _kind(node: Any) -> str:
    if isinstance(node, dict):
        return "MappingNode"
    if isinstance(node, list):
        return "SequenceNode"
    return "ScalarNode"


def _expect(node: Any, kind: str, where: str) -> None:
    if node is not None and _kind(node) != kind:
        raise RenderError(f"wrong node kind: expected {kind} but got {_kind(node)}", where)


def _text(value: Any) -> str:
    return "" if value is None else scalars.text(value)


_CREATED = object()  # a scalar field the walk made


def write(obj: dict[str, Any], fields: list[str], value: str, position: int, where: str) -> None:
    """Write ``value`` at ``fields`` of ``obj`` (an annotation's value stays text)."""
    limits.charge_value(value, where, len(fields))  # what the walk may make counts against the bounds
    limits.charge(len(fields), where)
    parent: Any = None
    key: Any = None
    node: Any = obj
    for i, part in enumerate(fields):
        following = fields[i + 1] if i + 1 < len(fields) else ""
        if _ATOI.match(part) or part == "-":
            index = int(part) if part != "-" else -1
            if part != "-" and index < 0:
                raise RenderError(f"array index {index} cannot be negative", where)
            _expect(node, "SequenceNode", where)
            if node is None or index >= len(node):
                return
            if index < 0 and not node:
                raise RenderError("index out of range: the last element of an empty list", where)
            parent, key = node, index if index >= 0 else len(node) - 1
        elif part == "*":
            raise RenderError("wildcard is not supported in PathGetter", where)
        elif part.startswith("[") and part.endswith("]"):
            name, eq, want = part[1:-1].partition("=")
            if not eq:
                raise RenderError("list path element must contain fieldName=fieldValue for element to match", where)
            _expect(node, "SequenceNode", where)
            if node is None:
                return
            found = _element(node, name, want)
            if found is None:
                node.append({name: _resolve(want)} if name else _resolve(want))
                found = len(node) - 1
            parent, key = node, found
        else:
            if node is None:
                return  # a null is never walked into
            _expect(node, "MappingNode", where)
            if part not in node:
                if _is_list_step(following):
                    node[part] = []
                elif following:
                    node[part] = {}
                else:
                    node[part] = _CREATED
            parent, key = node, part
        node = parent[key]
    if parent is None:
        raise RenderError("wrong node kind: expected ScalarNode but got MappingNode", where)
    created = node is _CREATED
    if created:
        node = None
    _expect(node, "ScalarNode", where)
    text = value if position <= 0 else insert_path_part(_text(node), position - 1, value)
    typed = _resolve(text)
    meta = obj.get("metadata")
    if (isinstance(meta, dict) and parent is meta.get("annotations")) or (
        isinstance(node, str) and ("\n" in node or _needs_quotes(node))
    ):
        parent[key] = text  # text stays text where it was quoted (or is an annotation)
    elif isinstance(node, str) and not isinstance(typed, str):
        # Kustomize keeps the style the field had: quoted, the value stays text; plain, it reads as
        # YAML. A string that needs no quotes does not say which it was.
        raise UnsupportedError(
            f"the builtin engine does not support a ValueAddTransformer writing {text!r} over the "
            f"string {node!r} (Kustomize types it by how the file quoted that string)",
            where,
            HINT,
        )
    else:
        parent[key] = typed


def _is_list_step(part: str) -> bool:
    """Whether a step names list elements (what the walk makes a missing field before it)."""
    return (bool(_ATOI.match(part)) and int(part) >= 0) or (part.startswith("[") and part.endswith("]"))


def _element(items: list[Any], name: str, want: str) -> int | None:
    for i, item in enumerate(items):
        if not name:
            if not isinstance(item, (dict, list)) and _text(item) == want:
                return i
        elif isinstance(item, dict) and item.get(name) is not None and _text(item[name]) == want:
            return i
    return None
