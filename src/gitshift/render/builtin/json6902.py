"""JSON 6902 patches as Kustomize applies them (evanphx/json-patch v4).

Its rules differ from RFC 6902 and from the ``jsonpatch`` library in ways a patch can
see: ``replace`` (and ``test`` against null) of a missing key succeeds, negative array
indices count from the end, and a missing parent is an error for every operation.
Kustomize's objects always carry ``metadata.annotations`` while patches run (its
build annotations live there), so a patch may add into it when the file has none.
"""

from __future__ import annotations

from typing import Any

from gitshift.render.builtin import limits
from gitshift.render.builtin.resource import clone


class PatchError(Exception):
    """An operation does not apply to the document."""


def _decode(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _find(doc: Any, path: str) -> tuple[Any, str] | None:
    """The container holding the last token of ``path``, and that token (evanphx findObject)."""
    split = path.split("/")
    if len(split) < 2:
        return None
    node = doc
    for part in split[1:-1]:
        child = _get(node, _decode(part))
        if not isinstance(child, (dict, list)):
            return None
        node = child
    return node, _decode(split[-1])


def _index(key: str, size: int, allow_end: bool) -> int:
    try:
        idx = int(key)
    except ValueError as exc:
        raise PatchError(f"value was not a proper array index: '{key}'") from exc
    if idx < 0:
        if idx < -size:
            raise PatchError(f"Unable to access invalid index: {idx}")
        idx += size
    if idx > size or (idx == size and not allow_end):
        raise PatchError(f"Unable to access invalid index: {idx}")
    return idx


def _get(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list):
        try:
            return node[_index(key, len(node), False)]
        except PatchError:
            return None
    return None


def _add(node: Any, key: str, value: Any, path: str) -> None:
    if isinstance(node, dict):
        node[key] = value
        return
    if key == "-":
        node.append(value)
        return
    try:
        idx = int(key)
    except ValueError as exc:
        raise PatchError(f"error in add for path: '{path}': value was not a proper array index: '{key}'") from exc
    size = len(node) + 1
    if idx >= size or idx < -size:
        raise PatchError(f"error in add for path: '{path}': Unable to access invalid index: {idx}")
    node.insert(idx + size if idx < 0 else idx, value)


def _remove(node: Any, key: str, path: str, what: str = "remove") -> Any:
    if isinstance(node, dict):
        if key not in node:
            raise PatchError(
                f"error in {what} for path: '{path}': Unable to remove nonexistent key: {key}: missing value"
            )
        return node.pop(key)
    try:
        return node.pop(_index(key, len(node), False))
    except PatchError as exc:
        raise PatchError(f"error in {what} for path: '{path}': {exc}") from exc


def _target(doc: Any, op: dict[str, Any], field: str, what: str) -> tuple[Any, str, str]:
    path = op.get(field)
    if not isinstance(path, str):
        raise PatchError(f"{what} operation failed to decode {field}")
    found = _find(doc, path)
    if found is None:
        where = "destination path" if what in ("move", "copy") and field == "path" else (
            "from path" if field == "from" else "path"
        )
        raise PatchError(f"{what} operation does not apply: doc is missing {where}: {path}: missing value")
    return found[0], found[1], path


def _grow(value: Any, path: str, where: str) -> None:
    """Count a value placed at ``path`` against the render's bounds (copies can double an object)."""
    limits.charge_value(value, where, path.count("/"))


def apply(doc: Any, ops: list[Any], where: str = "") -> Any:
    """``doc`` after ``ops`` (changed in place); PatchError if one fails.

    Every value placed counts against the render's bounds (limits.LimitError naming ``where``).
    """
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(f"malformed operation {op!r}")
        kind = op.get("op")
        if kind == "add":
            node, key, path = _target(doc, op, "path", "add")
            _grow(op.get("value"), path, where)
            _add(node, key, clone(op.get("value")), path)
        elif kind == "remove":
            node, key, path = _target(doc, op, "path", "remove")
            _remove(node, key, path)
        elif kind == "replace":
            if op.get("path") == "":
                if not isinstance(op.get("value"), (dict, list)):
                    raise PatchError("replace operation value must be object or array")
                _grow(op["value"], "", where)
                doc = clone(op["value"])
                continue
            node, key, path = _target(doc, op, "path", "replace")
            _grow(op.get("value"), path, where)
            if isinstance(node, dict):
                node[key] = clone(op.get("value"))
            else:
                node[_index(key, len(node), False)] = clone(op.get("value"))
        elif kind == "move":
            node, key, source = _target(doc, op, "from", "move")
            value = _remove(node, key, source, "move")
            node, key, path = _target(doc, op, "path", "move")
            _grow(value, path, where)
            _add(node, key, value, path)
        elif kind == "copy":
            node, key, _ = _target(doc, op, "from", "copy")
            value = _get(node, key)
            node, key, path = _target(doc, op, "path", "copy")
            _grow(value, path, where)
            _add(node, key, clone(value), path)
        elif kind == "test":
            path = str(op.get("path"))
            if path == "":
                actual = doc
            else:
                found = _find(doc, path)
                if found is None:
                    raise PatchError(f"test operation does not apply: is missing path: {path}")
                actual = _get(*found)
            if actual != op.get("value") or (actual is None and "value" in op and op["value"] is not None):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {kind}")
    return doc
