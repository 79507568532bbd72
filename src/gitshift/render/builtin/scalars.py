"""Annotation values are text: Kustomize keeps each as written, and prints it as a string."""

from __future__ import annotations

from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
NULL_TEXT = "tag:gitshift,2026:null-text"


class NullText(str):
    """A null annotation value as written (``null``, ``~`` or nothing).

    Kustomize prints it as that text when it stays in an object, while a null in a
    patch still removes the annotation.
    """


def construct_null_text(loader: Any, node: yaml.ScalarNode) -> NullText:
    return NullText(node.value)


def is_null(value: Any) -> bool:
    """Whether ``value`` is a YAML null (a null annotation value included)."""
    return value is None or type(value) is NullText


def _mapping_get(node: Any, key: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _retag(obj: Any) -> None:
    annotations = _mapping_get(_mapping_get(obj, "metadata"), "annotations")
    if not isinstance(annotations, yaml.MappingNode):
        return
    for i, (key, value) in enumerate(annotations.value):
        if isinstance(value, yaml.ScalarNode):
            value.tag = NULL_TEXT if value.tag == _NULL else _STR
        else:
            annotations.value[i] = (key, yaml.ScalarNode(_STR, "", value.start_mark, value.end_mark))


def annotations_as_text(node: Any) -> None:
    """Make the annotation values of a document's object (or its List items) strings as written."""
    _retag(node)
    items = _mapping_get(node, "items")
    if isinstance(items, yaml.SequenceNode):
        for item in items.value:
            _retag(item)


def text(value: Any) -> str:
    """A value that reached an annotation after reading (a patch, a replacement) as Kustomize prints it."""
    from gitshift.render.builtin.emit import go_float

    if isinstance(value, str):
        return str(value)
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, int):
        return str(value)
    return ""
