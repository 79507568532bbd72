"""Reading a kustomization as Kustomize does: YAML 1.1 scalars, then a strict, typed decode.

Kustomize turns the file into JSON (yaml.v2, so ``yes``, ``on`` and ``0755`` are a
bool and a number) and decodes that into its Go types: field names match
case-insensitively, an unknown field is an error, and a value of the wrong type
(a number where a string belongs) is an error. This module does the same and
returns the data with Kustomize's own field names.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from gitshift.errors import RenderError
from gitshift.render.builtin import yamlio


class Loader11(yamlio.UniqueKeys, yaml.CSafeLoader):
    """YAML 1.1 scalars as yaml.v2 reads them (timestamps stay strings); no duplicate keys."""


class MergeLoader11(yamlio.MergeKeys, Loader11):
    """Loader11 for a text that may hold merge keys."""


def _as_text(loader: Loader11, node: yaml.ScalarNode) -> str:
    return str(node.value)


_BOOLS_11 = {"y": True, "Y": True, "n": False, "N": False}


def _bool11(loader: Loader11, node: yaml.ScalarNode) -> bool:
    """yaml.v2's booleans: PyYAML's, plus ``y`` and ``n`` in either case."""
    if node.value in _BOOLS_11:
        return _BOOLS_11[node.value]
    return bool(yaml.SafeLoader.construct_yaml_bool(loader, node))


Loader11.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
Loader11.add_constructor("tag:yaml.org,2002:bool", _bool11)
Loader11.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
Loader11.add_constructor("tag:yaml.org,2002:value", _as_text)


def parse11(text: bytes | str, where: str) -> list[Any]:
    """All non-empty documents of ``text`` read as YAML 1.1, within the bounds of yamlio.parse."""
    return yamlio.parse(text, where, (Loader11, MergeLoader11))[0]


# Types: "string", "bool", "int", "any"; ("list", T); ("map", T); or a Struct.
class Struct:
    """A Go struct: its type name and its JSON fields."""

    def __init__(self, name: str, fields: dict[str, Any]) -> None:
        self.name = name
        self.fields = fields
        self.folded = {k.lower(): k for k in fields}


S, B, INT, ANY = "string", "bool", "int", "any"


def L(t: Any) -> tuple[str, Any]:  # reads like the Go type
    return ("list", t)


def M(t: Any) -> tuple[str, Any]:
    return ("map", t)


_GVK = {"group": S, "version": S, "kind": S}
_RESID = {**_GVK, "name": S, "namespace": S}
SELECTOR = Struct("Selector", {**_RESID, "annotationSelector": S, "labelSelector": S})
FIELD_SPEC = Struct("FieldSpec", {**_GVK, "path": S, "create": B})
_FIELD_OPTIONS = Struct("FieldOptions", {"delimiter": S, "index": INT, "encoding": S, "create": B})
REPLACEMENT = Struct(
    "ReplacementField",
    {
        "source": Struct("SourceSelector", {**_RESID, "fieldPath": S, "options": _FIELD_OPTIONS}),
        "targets": L(
            Struct(
                "TargetSelector",
                {"select": SELECTOR, "reject": L(SELECTOR), "fieldPaths": L(S), "options": _FIELD_OPTIONS},
            )
        ),
        "path": S,
    },
)
IMAGE = Struct("Image", {"name": S, "newName": S, "tagSuffix": S, "newTag": S, "digest": S})
PATCH = Struct("Patch", {"path": S, "patch": S, "target": SELECTOR, "options": M(B)})
GENERATOR_OPTIONS = Struct(
    "GeneratorOptions", {"labels": M(S), "annotations": M(S), "disableNameSuffixHash": B, "immutable": B}
)
GENERATOR_FIELDS = {
    "namespace": S,
    "name": S,
    "behavior": S,
    "literals": L(S),
    "files": L(S),
    "envs": L(S),
    "env": S,
    "options": GENERATOR_OPTIONS,
}
REPLICA = Struct("Replica", {"name": S, "count": INT})
CONFIG_MAP_ARGS = Struct("ConfigMapArgs", GENERATOR_FIELDS)
SECRET_ARGS = Struct("SecretArgs", {**GENERATOR_FIELDS, "type": S})
_VAR = Struct(
    "Var",
    {
        "name": S,
        "objref": Struct("Target", {"apiVersion": S, **_RESID}),
        "fieldref": Struct("FieldSelector", {"fieldPath": S}),
    },
)
KUSTOMIZATION = Struct(
    "Kustomization",
    {
        "apiVersion": S,
        "kind": S,
        "metadata": ANY,
        "openapi": M(S),
        "namePrefix": S,
        "nameSuffix": S,
        "namespace": S,
        "commonLabels": M(S),
        "labels": L(
            Struct(
                "Label",
                {"pairs": M(S), "includeSelectors": B, "includeTemplates": B, "fields": L(FIELD_SPEC)},
            )
        ),
        "commonAnnotations": M(S),
        "patchesStrategicMerge": L(S),
        "patchesJson6902": L(PATCH),
        "patches": L(PATCH),
        "images": L(IMAGE),
        "imageTags": L(IMAGE),
        "replacements": L(REPLACEMENT),
        "replicas": L(REPLICA),
        "vars": L(_VAR),
        "sortOptions": Struct(
            "SortOptions",
            {"order": S, "legacySortOptions": Struct("LegacySortOptions", {"orderFirst": L(S), "orderLast": L(S)})},
        ),
        "resources": L(S),
        "components": L(S),
        "crds": L(S),
        "bases": L(S),
        "configMapGenerator": L(CONFIG_MAP_ARGS),
        "secretGenerator": L(SECRET_ARGS),
        "helmGlobals": ANY,
        "helmCharts": ANY,
        "helmChartInflationGenerator": ANY,
        "generatorOptions": GENERATOR_OPTIONS,
        "configurations": L(S),
        "generators": L(S),
        "transformers": L(S),
        "validators": L(S),
        "buildMetadata": L(S),
    },
)


class DecodeError(Exception):
    """The data does not fit the Go type."""


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_GO_TYPES = {S: "string", B: "bool", INT: "int"}


def _go_type(t: Any) -> str:
    if isinstance(t, Struct):
        return f"types.{t.name}"
    if isinstance(t, tuple):
        return ("[]" if t[0] == "list" else "map[string]") + _go_type(t[1])
    return _GO_TYPES.get(t, "interface {}")


def _key_text(key: Any) -> str:
    if key is True or key is False:
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def decode(value: Any, t: Any, struct: str = "", path: str = "", strict: bool = True) -> Any:
    """``value`` checked against ``t``; struct fields renamed to their JSON names. Nulls drop out.

    Unknown fields are an error when ``strict`` (a kustomization), skipped when not (a plugin's config).
    """
    if t == ANY or value is None:
        return value
    where = f"Go struct field {struct}.{path}" if struct else "Go value"
    if isinstance(t, Struct):
        if not isinstance(value, dict):
            raise DecodeError(f"cannot unmarshal {_json_kind(value)} into {where} of type {_go_type(t)}")
        out: dict[str, Any] = {}
        for raw_key, item in value.items():
            key = _key_text(raw_key)
            name = key if key in t.fields else t.folded.get(key.lower())
            if name is None:
                if not strict:
                    continue
                raise DecodeError(f'unknown field "{key}"')
            sub = f"{path}.{name}" if path else name
            decoded = decode(item, t.fields[name], t.name, sub, strict)
            if decoded is not None:
                out[name] = decoded
        return out
    if isinstance(t, tuple):
        kind, inner = t
        if kind == "list":
            if not isinstance(value, list):
                raise DecodeError(f"cannot unmarshal {_json_kind(value)} into {where} of type {_go_type(t)}")
            return [decode(v, inner, struct, path, strict) for v in value]
        if not isinstance(value, dict):
            raise DecodeError(f"cannot unmarshal {_json_kind(value)} into {where} of type {_go_type(t)}")
        return {_key_text(k): decode(v, inner, struct, path, strict) for k, v in value.items()}
    ok = {
        S: isinstance(value, str),
        B: isinstance(value, bool),
        INT: isinstance(value, int) and not isinstance(value, bool),
    }[t]
    if not ok:
        if t == INT and isinstance(value, float) and value.is_integer():
            return int(value)
        shown = f" {_number_text(value)}" if t == INT and isinstance(value, float) else ""
        raise DecodeError(f"cannot unmarshal {_json_kind(value)}{shown} into {where} of type {_go_type(t)}")
    return value


def _number_text(value: float) -> str:
    return re.sub(r"\.0$", "", repr(value))


def decode_kustomization(data: Any, where: str) -> dict[str, Any]:
    """A kustomization's data as Kustomize reads it, or its refusal."""
    try:
        out = decode(data, KUSTOMIZATION)
    except DecodeError as exc:
        raise RenderError(f"invalid Kustomization: json: {exc}", where) from exc
    assert isinstance(out, dict)
    return out
