"""commonLabels, labels and commonAnnotations."""

from __future__ import annotations

from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec
from gitshift.render.builtin.fieldspec import FieldSpec, from_config
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap
from gitshift.render.builtin.tconfig import TransformerConfig, merge_specs


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


def _label_specs(kust: Kustomization, entry: dict[str, Any], config: TransformerConfig) -> tuple[FieldSpec, ...]:
    where = str(kust.file)
    specs = merge_specs(from_config(entry.get("fields"), where), config.get("labels"), "labels")
    if entry.get("includeSelectors"):
        return merge_specs(specs, config.get("commonLabels"), "labels")
    if entry.get("includeTemplates"):
        specs = merge_specs(specs, config.get("templateLabels"), "labels")
    return merge_specs(specs, (FieldSpec("metadata/labels", create=True),), "labels")


def apply(kust: Kustomization, resmap: ResMap, config: TransformerConfig) -> None:
    """The label transformers (each ``labels`` entry, then ``commonLabels``), then annotations."""
    for entry in kust.list("labels"):
        if not isinstance(entry, dict):
            raise RenderError("`labels` entries must be mappings", str(kust.file))
        pairs = _as_strings(kust, "labels.pairs", entry.get("pairs") or {})
        if pairs:
            _set_all(resmap, pairs, _label_specs(kust, entry, config))
    _set_all(resmap, _as_strings(kust, "commonLabels", kust.get("commonLabels", {})), config.get("commonLabels"))
    _set_all(
        resmap,
        _as_strings(kust, "commonAnnotations", kust.get("commonAnnotations", {})),
        config.get("commonAnnotations"),
    )
