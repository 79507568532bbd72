"""Reading YAML as Kustomize does: libyaml with YAML 1.2 scalar rules, and a parsed-file cache."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import yaml

from gitshift.errors import RenderError, YamlError
from gitshift.files import FileTooLargeError, FileView
from gitshift.render.builtin import limits
from gitshift.render.builtin.scalars import NULL_TEXT, annotations_as_text, construct_null_text

_INT = re.compile(r"^[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TIMESTAMP = re.compile(
    r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?)$"
)


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """A mapping repeats a key (yaml.v3 refuses it in resources; gitshift refuses it everywhere)."""

    def __init__(self, key: str, first: int, mark: Any) -> None:
        super().__init__(None, None, f"duplicate key {key!r}, first at line {first}", mark)
        self.key = key
        self.first = first
        self.line = mark.line + 1


class UniqueKeys:
    """A PyYAML constructor refusing duplicate keys, at the cost of one length comparison per mapping.

    A mapping built with fewer keys than it was written with repeats one. The
    merge-key pass of PyYAML is skipped: a text that may hold merge keys
    (``<<``) is read with a MergeKeys constructor.
    """

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, f"expected a mapping node, but found {node.id}",
                                                    node.start_mark)
        mapping: dict[Any, Any] = yaml.constructor.BaseConstructor.construct_mapping(self, node, deep=deep)
        if len(mapping) != len(node.value):
            self._unique(node.value, constructed=True)
        return mapping

    def _unique(self: Any, pairs: list[tuple[Any, Any]], constructed: bool) -> None:
        seen: dict[Any, int] = {}
        for key_node, _ in pairs:
            if key_node.tag == _MERGE:
                continue
            if constructed:
                key = self.construct_object(key_node, deep=True)
            elif isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                continue
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: PyYAML reports it
                continue
            if first is not None:
                raise DuplicateKeyError(str(key_node.value), first, key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1


class MergeKeys(UniqueKeys):
    """UniqueKeys for a text with merge keys: each mapping's written keys are checked before merging."""

    checked: set[Any]

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = yaml.constructor.SafeConstructor.construct_mapping(self, node, deep=deep)
        return mapping

    def flatten_mapping(self: Any, node: Any) -> None:
        if not hasattr(self, "checked"):
            self.checked = set()
        if node not in self.checked:
            self.checked.add(node)
            self._unique(node.value, constructed=False)
        yaml.constructor.SafeConstructor.flatten_mapping(self, node)


class Loader(UniqueKeys, yaml.CSafeLoader):
    """libyaml loader resolving plain scalars as yaml.v3 (Kustomize's parser) does; no duplicate keys."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  # PyYAML reads it per class

    def construct_document(self, node: Any) -> Any:
        annotations_as_text(node)  # Kustomize keeps annotation values as written, as strings
        return super().construct_document(node)


class MergeLoader(MergeKeys, Loader):
    """Loader for a text that may hold merge keys."""


def _add(tag: str, regexp: re.Pattern[str], first: str) -> None:
    Loader.add_implicit_resolver(tag, regexp, list(first))


_add("tag:yaml.org,2002:bool", _BOOL, "tTfF")
_add("tag:yaml.org,2002:int", _INT, "-+0123456789")
_add("tag:yaml.org,2002:float", _FLOAT, "-+.0123456789")
_add("tag:yaml.org,2002:float", _SPECIAL_FLOAT, "-+.")
_add("tag:yaml.org,2002:null", _NULL, "~nN\0")
Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, [""])
_add("tag:yaml.org,2002:timestamp", _TIMESTAMP, "0123456789")
_add("tag:yaml.org,2002:merge", re.compile(r"^<<$"), "<")
_MERGE = "tag:yaml.org,2002:merge"


def _construct_int(loader: Loader, node: yaml.ScalarNode) -> int | float:
    text = node.value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("-+")
    prefixes = {"0b": 2, "0o": 8, "0x": 16}
    if digits[:2] in prefixes:
        return sign * int(digits[2:], prefixes[digits[:2]])
    if len(digits) > 1 and digits.startswith("0"):
        try:
            return sign * int(digits, 8)
        except ValueError:
            return sign * float(digits)
    return sign * int(digits)


def _construct_timestamp(loader: Loader, node: yaml.ScalarNode) -> str:
    # yaml.v3 decodes a plain timestamp into time.Time, which Kustomize prints as RFC 3339.
    value = yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        text = value.isoformat().replace("+00:00", "Z")
        if "." in text:
            head, _, tail = text.partition(".")
            frac = re.match(r"[0-9]+", tail)
            assert frac is not None
            rest = tail[frac.end() :]
            digits = frac.group().rstrip("0")
            text = head + (f".{digits}" if digits else "") + rest
        return text
    return f"{value.isoformat()}T00:00:00Z"


Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
Loader.add_constructor(NULL_TEXT, construct_null_text)


def parse_documents(text: str | bytes, where: str) -> list[Any]:
    """All non-empty documents of a YAML stream."""
    return parse(text, where)[0]


Loaders = tuple[type[yaml.CSafeLoader], type[yaml.CSafeLoader]]  # without and with merge keys


def parse(text: str | bytes, where: str, loaders: Loaders = (Loader, MergeLoader)) -> tuple[list[Any], list[int]]:
    """The non-empty documents of a YAML stream and their weights (about their size in bytes).

    Refused with exit 2 naming ``where``: malformed YAML, a duplicate key, a
    text over MAX_FILE_BYTES, aliases repeating more than MAX_ALIAS_WEIGHT, a
    recursive alias, nesting deeper than MAX_DEPTH.
    """
    if len(text) > limits.MAX_FILE_BYTES:
        raise limits.LimitError(f"file is larger than {limits.MAX_FILE_BYTES} bytes", where)
    marks = (b"&", b"*", b"<<", b"merge") if isinstance(text, bytes) else ("&", "*", "<<", "merge")
    aliases = marks[0] in text and marks[1] in text  # type: ignore[operator]  # str in str, bytes in bytes
    docs: list[Any] = []
    extra = 0  # what aliases add
    may_merge = marks[2] in text or marks[3] in text  # type: ignore[operator]
    loader = loaders[1](text) if may_merge else loaders[0](text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if aliases:
                extra += _check_aliases(node, where)
            doc = loader.construct_document(node)
            if doc is not None:
                limits.check_depth(doc, where)
                docs.append(doc)
    except DuplicateKeyError as exc:
        raise YamlError(f"duplicate key {exc.key!r} (first at line {exc.first})", f"{where}:{exc.line}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {_one_line(exc)}", where) from exc
    except (ValueError, TypeError) as exc:
        raise YamlError(f"malformed YAML: {exc}", where) from exc
    finally:
        loader.dispose()
    # A file weighs about its size: each document its share, plus what its aliases repeat.
    share = (len(text) + extra) // max(len(docs), 1) + 1
    return docs, [share] * len(docs)


def _check_aliases(root: Any, where: str) -> int:
    """What aliases repeat in the document; refused past MAX_ALIAS_WEIGHT, or for a recursive alias.

    Walks the node graph once (aliases are shared nodes), computing each node's
    weight with every alias expanded; nothing is expanded for real.
    """
    expanded: dict[int, int] = {}
    written = 0
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        value = node.value
        if done:
            own = 1 + len(value) if isinstance(value, str) else 1
            written += own
            total = own if isinstance(value, str) else own + sum(
                expanded[id(c)] for c in _children(node))
            expanded[key] = total
            open_.discard(key)
            if total - written > limits.MAX_ALIAS_WEIGHT:
                raise limits.LimitError(
                    f"YAML aliases repeat more than {limits.MAX_ALIAS_WEIGHT} of content", where)
            continue
        if key in expanded:
            continue
        if key in open_:
            raise YamlError("malformed YAML: an alias refers to a node that contains it", where)
        open_.add(key)
        stack.append((node, True))
        if not isinstance(value, str):
            stack.extend((c, False) for c in _children(node) if id(c) not in expanded)
    return expanded[id(root)] - written


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


class FileCache:
    """Parsed documents of files that are not edited in a view, keyed on path, mtime and size."""

    def __init__(self) -> None:
        self._docs: dict[str, tuple[tuple[object, ...], tuple[list[Any], list[int]]]] = {}

    def documents(self, view: FileView, path: Path) -> list[Any]:
        """The documents of ``path`` as the view holds it; callers must not mutate them."""
        return self.parsed(view, path)[0]

    def parsed(self, view: FileView, path: Path) -> tuple[list[Any], list[int]]:
        """The documents of ``path`` and their weights (about their size in bytes)."""
        key = os.path.abspath(path)  # keep symlinks, as FileView keys do
        ident = view.cache_key(path)
        if ident is None:
            return parse(read_bytes(view, path), str(path))
        hit = self._docs.get(key)
        if hit is not None and hit[0] == ident:
            return hit[1]
        parsed = parse(read_bytes(view, path), str(path))
        self._docs[key] = (ident, parsed)
        return parsed


def read_bytes(view: FileView, path: Path) -> bytes:
    """The bytes of ``path`` in the view, or a RenderError naming it (also past MAX_FILE_BYTES)."""
    try:
        return view.read_bytes(path, limit=limits.MAX_FILE_BYTES)
    except FileTooLargeError as exc:
        raise limits.LimitError(f"file is larger than {limits.MAX_FILE_BYTES} bytes", str(path)) from exc
    except FileNotFoundError as exc:
        raise RenderError(f"file not found: {path}", str(path)) from exc
    except IsADirectoryError as exc:
        raise RenderError(f"expected a file, found a directory: {path}", str(path)) from exc
    except OSError as exc:
        raise RenderError(f"cannot read {path}: {exc.strerror}", str(path)) from exc
