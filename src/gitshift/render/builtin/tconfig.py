"""Transformer configuration: which fields each built-in transformer visits.

Kustomize's defaults, merged with the files a kustomization's ``configurations``
field names; a kustomization's configuration also holds its bases' and
components'. Merging keeps the first of two equal field specs, refuses two that
differ only in ``create``, and sorts as Kustomize sorts (by kind rank, then
group/version/kind).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import fieldspec, names, ordering, schema, variables
from gitshift.render.builtin.fieldspec import FieldSpec
from gitshift.render.builtin.names import BackReference, Gvk
from gitshift.render.builtin.yamlio import read_bytes

CATEGORIES = (
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "templateLabels",
    "commonAnnotations",
    "varReference",
    "images",
    "replicas",
)

_GO_NAMES = {"namespace": "NameSpace"}  # as Kustomize names the categories in its errors
_FS = schema.L(schema.FIELD_SPEC)
_SHAPE = schema.Struct(
    "TransformerConfig",
    {
        **dict.fromkeys(CATEGORIES, _FS),
        "nameReference": schema.L(
            schema.Struct("NameBackReferences", {"group": schema.S, "version": schema.S, "kind": schema.S,
                                                 "fieldSpecs": _FS})
        ),
    },
)


def _gvk_key(group: str | None, version: str, kind: str) -> tuple[int, str]:
    rank = ordering.rank(kind)
    return rank, "_".join((group or "~G", version or "~V", kind or "~K"))


def _fs_key(fs: FieldSpec) -> tuple[int, str]:
    return _gvk_key(fs.group, fs.version, fs.kind)


def _same(a: FieldSpec, b: FieldSpec) -> bool:
    """Kustomize's effectivelyEquals: ``b``'s kind/group/version select ``a``, and the paths match."""
    return a.path == b.path and b.selects_gvk(a.group or "", a.version, a.kind)


def merge_specs(have: tuple[FieldSpec, ...], more: tuple[FieldSpec, ...], what: str) -> tuple[FieldSpec, ...]:
    out = list(have)
    for fs in more:
        found = next((x for x in out if _same(x, fs)), None)
        if found is None:
            out.append(fs)
        elif found.create != fs.create:
            raise RenderError(f"failed to merge {what} fieldSpec: conflicting fieldspecs", "")
    return tuple(sorted(out, key=_fs_key))


def _merge_refs(have: tuple[BackReference, ...], more: tuple[BackReference, ...]) -> tuple[BackReference, ...]:
    out = list(have)
    for ref in more:
        for i, old in enumerate(out):
            if old.target == ref.target:
                out[i] = BackReference(old.target, merge_specs(old.referrers, ref.referrers, "NameReference"))
                break
        else:
            out.append(ref)
    return tuple(sorted(out, key=lambda r: _gvk_key(r.target.group, r.target.version, r.target.kind)))


class TransformerConfig:
    """The field specs of each transformer category, and the name references; never changed once made."""

    __slots__ = ("name_reference", "specs")

    def __init__(self, specs: dict[str, tuple[FieldSpec, ...]] | None = None,
                 name_reference: tuple[BackReference, ...] = ()) -> None:
        self.specs: dict[str, tuple[FieldSpec, ...]] = {} if specs is None else specs
        self.name_reference = name_reference

    def get(self, category: str) -> tuple[FieldSpec, ...]:
        return self.specs.get(category, ())

    def merge(self, other: TransformerConfig) -> TransformerConfig:
        """This configuration with ``other``'s field specs added."""
        if other is self or other is EMPTY:
            return self
        if self is EMPTY:
            return other
        return _merged(self, other)


_MERGED: dict[tuple[int, int], tuple[TransformerConfig, TransformerConfig, TransformerConfig]] = {}


def _merged(a: TransformerConfig, b: TransformerConfig) -> TransformerConfig:
    key = (id(a), id(b))
    hit = _MERGED.get(key)
    if hit is not None and hit[0] is a and hit[1] is b:
        return hit[2]
    specs = {c: merge_specs(a.get(c), b.get(c), _GO_NAMES.get(c, c[0].upper() + c[1:])) for c in CATEGORIES}
    result = TransformerConfig(specs, _merge_refs(a.name_reference, b.name_reference))
    if len(_MERGED) > 512:
        _MERGED.clear()
    _MERGED[key] = (a, b, result)
    return result


EMPTY = TransformerConfig()
DEFAULT = TransformerConfig(
    specs={
        "namePrefix": names.NAME_SPECS,
        "nameSuffix": names.NAME_SPECS,
        "namespace": tuple(sorted(names.NAMESPACE_SPECS, key=_fs_key)),
        "commonLabels": tuple(sorted(fieldspec.COMMON_LABELS, key=_fs_key)),
        "templateLabels": tuple(sorted(fieldspec.METADATA_LABELS, key=_fs_key)),
        "commonAnnotations": tuple(sorted(fieldspec.COMMON_ANNOTATIONS, key=_fs_key)),
        "images": fieldspec.IMAGES,
        "replicas": tuple(sorted(fieldspec.REPLICAS, key=_fs_key)),
        "varReference": tuple(sorted(variables.VAR_REFERENCE, key=_fs_key)),
    },
    name_reference=tuple(
        sorted(names.DEFAULT_NAME_REFERENCES, key=lambda r: _gvk_key(r.target.group, r.target.version, r.target.kind))
    ),
)


_FILES: dict[tuple[str, tuple[object, ...]], TransformerConfig] = {}


def load(view: FileView, path: Path, where: str) -> TransformerConfig:
    """A transformer configuration file (Kustomize reads it strictly)."""
    ident = view.cache_key(path)
    key = (str(path), ident) if ident is not None else None
    if key is not None and key in _FILES:
        return _FILES[key]
    docs = schema.parse11(read_bytes(view, path), str(path))
    try:
        data: Any = schema.decode(docs[0] if docs else {}, _SHAPE)
    except schema.DecodeError as exc:
        raise RenderError(f"invalid transformer configuration: json: {exc}", str(path)) from exc
    specs = {c: tuple(sorted(fieldspec.from_config(data.get(c), str(path)), key=_fs_key)) for c in CATEGORIES}
    refs = tuple(
        BackReference(
            Gvk(ref.get("group", ""), ref.get("version", ""), ref.get("kind", "")),
            fieldspec.from_config(ref.get("fieldSpecs"), str(path)),
        )
        for ref in data.get("nameReference") or []
    )
    config = TransformerConfig(specs, _merge_refs((), refs))
    if key is not None:
        if len(_FILES) > 1024:
            _FILES.clear()
        _FILES[key] = config
    return config


_CRD_CONFIGS: dict[tuple[str, tuple[object, ...]], TransformerConfig] = {}


def load_crds(view: FileView, path: Path) -> TransformerConfig:
    """Field specs from an OpenAPI definitions file (the ``crds`` field), as Kustomize reads it.

    Each type with ``kind``, ``apiVersion`` and ``metadata`` properties contributes its
    ``x-kubernetes-annotation`` (commonAnnotations), ``x-kubernetes-label-selector``
    (commonLabels), ``x-kubernetes-identity`` (namePrefix) and object-reference
    (nameReference) properties, following ``$ref`` into other types.
    """
    ident = view.cache_key(path)
    key = (str(path), ident) if ident is not None else None
    if key is not None and key in _CRD_CONFIGS:
        return _CRD_CONFIGS[key]
    raw = read_bytes(view, path)
    docs = schema.parse11(raw, str(path))
    types = docs[0] if docs else None
    if not isinstance(types, dict):
        raise RenderError(f"unable to parse open API definition from '{path.name}'", str(path))
    config = EMPTY
    for name, api in types.items():
        props = _props(api)
        if not all(k in props for k in ("kind", "apiVersion", "metadata")):
            continue
        kind = str(name).split(".")[-1]
        found: dict[str, list[Any]] = {"commonAnnotations": [], "commonLabels": [], "namePrefix": [], "refs": []}
        _walk_crd(types, str(name), kind, [], found, set())
        specs = {
            "commonAnnotations": tuple(FieldSpec(p, kind) for p in found["commonAnnotations"]),
            "commonLabels": tuple(FieldSpec(p, kind) for p in found["commonLabels"]),
            "namePrefix": tuple(FieldSpec(p, kind) for p in found["namePrefix"]),
        }
        refs = tuple(BackReference(Gvk("", v, k), (FieldSpec(p, kind),)) for v, k, p in found["refs"])
        config = config.merge(TransformerConfig({c: merge_specs((), specs.get(c, ()), c) for c in CATEGORIES},
                                                _merge_refs((), refs)))
    if key is not None:
        if len(_CRD_CONFIGS) > 256:
            _CRD_CONFIGS.clear()
        _CRD_CONFIGS[key] = config
    return config


def _props(api: Any) -> dict[str, Any]:
    if not isinstance(api, dict):
        return {}
    found = next((v for k, v in api.items() if str(k).lower() == "schema"), None)
    if not isinstance(found, dict):
        return {}
    props = found.get("properties")
    return props if isinstance(props, dict) else {}


def _ext(prop: dict[str, Any], name: str) -> str | None:
    for k, v in prop.items():
        if str(k).lower() == name and isinstance(v, str):
            return v
    return None


def _walk_crd(
    types: dict[Any, Any], name: str, kind: str, path: list[str], found: dict[str, list[Any]], seen: set[str]
) -> None:
    if name in seen or name not in types:
        return
    seen = seen | {name}
    for prop_name, prop in _props(types[name]).items():
        if not isinstance(prop, dict):
            continue
        here = [*path, str(prop_name)]
        if _ext(prop, "x-kubernetes-annotation") is not None:
            found["commonAnnotations"].append("/".join(here))
        if _ext(prop, "x-kubernetes-label-selector") is not None:
            found["commonLabels"].append("/".join(here))
        if _ext(prop, "x-kubernetes-identity") is not None:
            found["namePrefix"].append("/".join(here))
        version = _ext(prop, "x-kubernetes-object-ref-api-version")
        ref_kind = _ext(prop, "x-kubernetes-object-ref-kind")
        if version is not None and ref_kind is not None:
            key = _ext(prop, "x-kubernetes-object-ref-name-key") or "name"
            found["refs"].append((version, ref_kind, "/".join([*here, key])))
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref:
            _walk_crd(types, ref, kind, here, found, seen)
