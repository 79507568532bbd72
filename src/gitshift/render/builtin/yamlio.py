"""Reading YAML as Kustomize does: libyaml with YAML 1.2 scalar rules, and a parsed-file cache."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import yaml

from gitshift.errors import RenderError, YamlError
from gitshift.files import FileView
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


class Loader(yaml.CSafeLoader):
    """libyaml loader resolving plain scalars as yaml.v3 (Kustomize's parser) does."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  # PyYAML reads it per class

    def construct_document(self, node: Any) -> Any:
        annotations_as_text(node)  # Kustomize keeps annotation values as written, as strings
        return super().construct_document(node)


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
    try:
        return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {_one_line(exc)}", where) from exc
    except (ValueError, TypeError) as exc:
        raise YamlError(f"malformed YAML: {exc}", where) from exc


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


class FileCache:
    """Parsed documents of files that are not edited in a view, keyed on path, mtime and size."""

    def __init__(self) -> None:
        self._docs: dict[str, tuple[tuple[object, ...], list[Any]]] = {}

    def documents(self, view: FileView, path: Path) -> list[Any]:
        """The documents of ``path`` as the view holds it; callers must not mutate them."""
        key = os.path.abspath(path)  # keep symlinks, as FileView keys do
        ident = view.cache_key(path)
        if ident is None:
            return parse_documents(read_bytes(view, path), str(path))
        hit = self._docs.get(key)
        if hit is not None and hit[0] == ident:
            return hit[1]
        docs = parse_documents(read_bytes(view, path), str(path))
        self._docs[key] = (ident, docs)
        return docs


def read_bytes(view: FileView, path: Path) -> bytes:
    """The bytes of ``path`` in the view, or a RenderError naming it."""
    try:
        return view.read_bytes(path)
    except FileNotFoundError as exc:
        raise RenderError(f"file not found: {path}", str(path)) from exc
    except IsADirectoryError as exc:
        raise RenderError(f"expected a file, found a directory: {path}", str(path)) from exc
    except OSError as exc:
        raise RenderError(f"cannot read {path}: {exc.strerror}", str(path)) from exc
