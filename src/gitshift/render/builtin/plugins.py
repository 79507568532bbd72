"""``generators:`` and ``transformers:`` entries that configure Kustomize's built-in plugins.

An entry is a file, a kustomization directory, or inline YAML; each object it holds
with ``apiVersion: builtin`` names a built-in plugin by kind and configures it as
Kustomize does (fields in any case, unknown fields ignored, no default field specs).
Any other plugin (exec, Go, KRM function) is refused.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from gitshift.errors import RenderError
from gitshift.render.builtin import generators, images, labels, names, patches, replacements, schema, tconfig
from gitshift.render.builtin.fieldspec import FieldSpec, from_config
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap
from gitshift.render.builtin.yamlio import parse_documents

if TYPE_CHECKING:
    from gitshift.render.builtin.build import Builder

S, B = schema.S, schema.B
_FS = schema.L(schema.FIELD_SPEC)
_META = schema.Struct("ObjectMeta", {"name": S, "namespace": S})
CONFIGS: dict[str, schema.Struct] = {
    "LabelTransformer": schema.Struct("LabelTransformerPlugin", {"labels": schema.M(S), "fieldSpecs": _FS}),
    "AnnotationsTransformer": schema.Struct(
        "AnnotationsTransformerPlugin", {"annotations": schema.M(S), "fieldSpecs": _FS}
    ),
    "PrefixSuffixTransformer": schema.Struct(
        "PrefixSuffixTransformerPlugin", {"prefix": S, "suffix": S, "fieldSpecs": _FS}
    ),
    "PrefixTransformer": schema.Struct("PrefixTransformerPlugin", {"prefix": S, "fieldSpecs": _FS}),
    "SuffixTransformer": schema.Struct("SuffixTransformerPlugin", {"suffix": S, "fieldSpecs": _FS}),
    "ImageTagTransformer": schema.Struct("ImageTagTransformerPlugin", {"imageTag": schema.IMAGE, "fieldSpecs": _FS}),
    "PatchTransformer": schema.PATCH,
    "ReplicaCountTransformer": schema.Struct(
        "ReplicaCountTransformerPlugin", {"replica": schema.REPLICA, "fieldSpecs": _FS}
    ),
    "NamespaceTransformer": schema.Struct(
        "NamespaceTransformerPlugin",
        {"metadata": _META, "fieldSpecs": _FS, "unsetOnly": B, "setRoleBindingSubjects": S},
    ),
    "ReplacementTransformer": schema.Struct(
        "ReplacementTransformerPlugin", {"replacements": schema.L(schema.REPLACEMENT)}
    ),
    "ConfigMapGenerator": schema.Struct("ConfigMapGeneratorPlugin", {"metadata": _META, **schema.GENERATOR_FIELDS}),
    "SecretGenerator": schema.Struct(
        "SecretGeneratorPlugin", {"metadata": _META, **schema.GENERATOR_FIELDS, "type": S}
    ),
}
GENERATOR_KINDS = ("ConfigMapGenerator", "SecretGenerator")


def _objects(builder: Builder, kust: Kustomization, field: str) -> list[tuple[dict[str, Any], str]]:
    """The plugin configurations a ``generators``/``transformers`` field lists, in order."""
    out: list[tuple[dict[str, Any], str]] = []
    for entry in kust.list(field):
        text = str(entry)
        docs: list[Any] | None = None
        if "\n" in text or ":" in text.split("/")[0]:
            try:
                docs = parse_documents(text, str(kust.file))
            except RenderError:
                docs = None
            if docs is not None and not all(isinstance(d, dict) for d in docs):
                docs = None
        if docs is not None:
            out += [(d, str(kust.file)) for d in docs]
            continue
        path = builder.entry_path(kust, text, field)
        if builder.view.is_dir(path):
            _, sub, _ = builder.target(path, ResMap(), False, tconfig.EMPTY)
            out += [(r.obj, r.origin) for r in sub]
            continue
        kust.local(text)
        out += [(d, str(path)) for d in builder.cache.documents(builder.view, path) if isinstance(d, dict)]
    return out


def _config(kust: Kustomization, obj: dict[str, Any], where: str, field: str) -> tuple[str, dict[str, Any]]:
    api, kind = obj.get("apiVersion"), str(obj.get("kind") or "")
    if api != "builtin":
        raise kust.plugin(f"the plugin {api}/{kind} in `{field}`")
    shape = CONFIGS.get(kind)
    if shape is None:
        raise kust.unsupported(f"the built-in plugin {kind} in `{field}`")
    try:
        data = schema.decode(obj, shape, strict=False)
    except schema.DecodeError as exc:
        raise RenderError(f"plugin {kind} fails configuration: {exc}", where) from exc
    assert isinstance(data, dict)
    return kind, data


def run_generators(builder: Builder, kust: Kustomization, resmap: ResMap) -> None:
    """Each built-in generator the ``generators`` field configures, in order."""
    for obj, where in _objects(builder, kust, "generators"):
        kind, data = _config(kust, obj, where, "generators")
        if kind not in GENERATOR_KINDS:
            raise RenderError(f"plugin {kind} not a generator", where)
        meta = data.pop("metadata", {})
        origin = _origin(builder, where, kind, meta)
        data.setdefault("name", meta.get("name"))
        if meta.get("namespace") and not data.get("namespace"):
            data["namespace"] = meta["namespace"]
        res = generators.generate(
            kust, builder.view, data, "ConfigMap" if kind == "ConfigMapGenerator" else "Secret", False
        )
        if origin is not None:
            builder.annotate_origin(res, origin)
        generators.absorb(resmap, res, where)


def _origin(builder: Builder, where: str, kind: str, meta: dict[str, Any]) -> str | None:
    """The origin annotation kustomize gives what a configured generator made, if wanted."""
    if builder.origin_root is None:
        return None
    lines = [
        f"configuredIn: {os.path.relpath(where, builder.origin_root)}",
        "configuredBy:",
        "  apiVersion: builtin",
        f"  kind: {kind}",
    ]
    lines += [f"  {k}: {meta[k]}" for k in ("name", "namespace") if meta.get(k)]
    return "\n".join(lines) + "\n"


def _fspecs(data: dict[str, Any], where: str) -> tuple[FieldSpec, ...]:
    return from_config(data.get("fieldSpecs"), where)


def run_transformers(builder: Builder, kust: Kustomization, resmap: ResMap) -> None:
    """Each built-in transformer the ``transformers`` field configures, in order."""
    for obj, where in _objects(builder, kust, "transformers"):
        kind, data = _config(kust, obj, where, "transformers")
        if kind in GENERATOR_KINDS:
            raise RenderError(f"plugin {kind} not a transformer", where)
        _transform(builder, kust, kind, data, where, resmap)


def _transform(
    builder: Builder, kust: Kustomization, kind: str, data: dict[str, Any], where: str, resmap: ResMap
) -> None:
    if kind in ("LabelTransformer", "AnnotationsTransformer"):
        pairs = data.get("labels" if kind == "LabelTransformer" else "annotations") or {}
        if pairs:
            labels.set_pairs(resmap, pairs, _fspecs(data, where))
    elif kind in ("PrefixSuffixTransformer", "PrefixTransformer", "SuffixTransformer"):
        if data.get("fieldSpecs") is None:
            raise RenderError(f"plugin {kind} fails configuration: fieldSpecs is not expected to be nil", where)
        if kind != "SuffixTransformer":
            names.add_prefix(resmap, data.get("prefix", ""), _fspecs(data, where))
        if kind != "PrefixTransformer":
            names.add_suffix(resmap, data.get("suffix", ""), _fspecs(data, where))
    elif kind == "ImageTagTransformer":
        images.set_image(resmap, data.get("imageTag") or {}, _fspecs(data, where), where)
    elif kind == "PatchTransformer":
        patches.apply_entry(kust, builder.view, resmap, data)
    elif kind == "ReplicaCountTransformer":
        images.set_replica(resmap, data.get("replica") or {}, _fspecs(data, where), where)
    elif kind == "NamespaceTransformer":
        mode = data.get("setRoleBindingSubjects") or "defaultOnly"
        if mode not in names.SUBJECT_MODES:
            raise RenderError(
                f'invalid value "{mode}" for setRoleBindingSubjects: must be one of '
                '"defaultOnly", "none" or "allServiceAccounts"',
                where,
            )
        names.set_namespace(
            resmap,
            (data.get("metadata") or {}).get("namespace", ""),
            _fspecs(data, where),
            bool(data.get("unsetOnly")),
            mode,
            where,
        )
    elif kind == "ReplacementTransformer":
        entries = [(r, where) for r in data.get("replacements") or []]
        replacements.run_config(resmap, entries, kust, builder.view, builder.cache)
