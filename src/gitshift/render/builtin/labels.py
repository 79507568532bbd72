"""commonLabels, labels and commonAnnotations."""

from __future__ import annotations

from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec
from gitshift.render.builtin.fieldspec import (
    COMMON_ANNOTATIONS,
    COMMON_LABELS,
    TEMPLATE_LABELS,
    FieldSpec,
)
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap


def _as_strings(kust: Kustomization, field: str, pairs: Any) -> dict[str, str]:
    if not isinstance(pairs, dict):
        raise RenderError(f"`{field}` must be a mapping", str(kust.file))
    out = {}
    for key, value in pairs.items():
        if isinstance(value, (dict, list)):
            raise RenderError(f"`{field}.{key}` must be a string", str(kust.file))
        out[str(key)] = "" if value is None else _scalar(value)
    return out


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def set_pairs(resmap: ResMap, pairs: dict[str, str], fspecs: tuple[FieldSpec, ...]) -> None:
    """Put ``pairs`` into the label or annotation maps the specs name (made where they allow)."""
    _set_all(resmap, pairs, fspecs)


def _set_all(resmap: ResMap, pairs: dict[str, str], fspecs: tuple[FieldSpec, ...]) -> None:
    if not pairs:
        return

    def put(parent: dict[str, Any], key: str) -> None:
        target = parent.get(key)
        if not isinstance(target, dict):
            target = parent[key] = {}
        target.update(pairs)

    for res in resmap:
        fieldspec.apply(res, fspecs, put)


def _label_specs(kust: Kustomization, entry: dict[str, Any]) -> tuple[FieldSpec, ...]:
    extra = tuple(
        FieldSpec(
            str(fs.get("path", "")),
            str(fs.get("kind") or ""),
            fs.get("group"),
            str(fs.get("version") or ""),
            bool(fs.get("create")),
        )
        for fs in entry.get("fields") or []
    )
    if entry.get("includeSelectors"):
        return extra + COMMON_LABELS
    base: tuple[FieldSpec, ...] = (FieldSpec("metadata/labels", create=True),)
    if entry.get("includeTemplates"):
        base += TEMPLATE_LABELS
    return extra + base


def apply(kust: Kustomization, resmap: ResMap) -> None:
    """The label transformers (each ``labels`` entry, then ``commonLabels``), then annotations."""
    for entry in kust.list("labels"):
        if not isinstance(entry, dict):
            raise RenderError("`labels` entries must be mappings", str(kust.file))
        pairs = _as_strings(kust, "labels.pairs", entry.get("pairs") or {})
        _set_all(resmap, pairs, _label_specs(kust, entry))
    _set_all(resmap, _as_strings(kust, "commonLabels", kust.get("commonLabels", {})), COMMON_LABELS)
    _set_all(
        resmap,
        _as_strings(kust, "commonAnnotations", kust.get("commonAnnotations", {})),
        COMMON_ANNOTATIONS,
    )
