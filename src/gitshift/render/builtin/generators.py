"""configMapGenerator and secretGenerator, and the content hash Kustomize appends to their names."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import limits
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import Obj, Resource
from gitshift.render.builtin.yamlio import read_bytes

_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_HASH_MAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def _go_json(value: Any) -> str:
    """JSON as Go's encoding/json writes it (sorted keys, HTML characters escaped)."""
    import json  # here, as hashlib below: only generated objects need them

    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text


def content_hash(obj: Obj) -> str:
    """The ten-character suffix Kustomize derives from a ConfigMap's or Secret's content.

    Kustomize looks the name up under a key that never exists, so the name it
    hashes is always empty; the suffix depends on kind, type and data only.
    """

    def field(key: str) -> Any:
        value = obj.get(key)
        if isinstance(value, (dict, list)):
            return value
        return "" if value is None else _scalar(value)

    doc: dict[str, Any] = {"kind": obj.get("kind"), "name": "", "data": field("data")}
    extra = "stringData" if obj.get("kind") == "Secret" else "binaryData"
    if obj.get("kind") == "Secret":
        doc["type"] = field("type")
    if isinstance(obj.get(extra), dict):
        doc[extra] = obj[extra]
    import hashlib

    digest = hashlib.sha256(_go_json(doc).encode()).hexdigest()
    return digest[:10].translate(_HASH_MAP)


def _scalar(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def encode_base64(data: bytes) -> str:
    """Base64 as Kustomize writes it: when longer than 70, lines of 70 each ending in a newline."""
    text = base64.b64encode(data).decode()
    if len(text) <= 70:
        return text
    return "".join(text[i : i + 70] + "\n" for i in range(0, len(text), 70))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _env_pairs(kust: Kustomization, text: bytes, where: Path) -> list[tuple[str, bytes]]:
    """The pairs of an env file. A key without ``=`` has the empty value, as in Kustomize 5.5:
    the process environment is never read (it holds the CI runner's tokens)."""
    pairs = []
    for n, raw in enumerate(text.split(b"\n")):
        line = raw[3:] if n == 0 and raw.startswith(b"\xef\xbb\xbf") else raw
        line = line.rstrip(b"\r").lstrip()
        if not line or line.startswith(b"#"):
            continue
        try:
            key, _, value = line.decode("utf-8").partition("=")
        except UnicodeDecodeError as exc:
            raise RenderError(f"env file {where} is not UTF-8 (line {n + 1})", str(where)) from exc
        if not _ENV_NAME.match(key):
            raise RenderError(f"invalid key {key!r} in env file {where}", str(kust.file))
        pairs.append((key, value.encode()))
    return pairs


def _pairs(kust: Kustomization, view: FileView, args: dict[str, Any]) -> list[tuple[str, bytes]]:
    pairs: list[tuple[str, bytes]] = []
    envs = list(args.get("envs") or []) + ([args["env"]] if args.get("env") else [])
    for env in envs:
        path = kust.local(env)
        pairs += _env_pairs(kust, read_bytes(view, path), path)
    for literal in args.get("literals") or []:
        key, eq, value = str(literal).partition("=")
        if not eq:
            raise RenderError(f"invalid literal source {literal!r}, expected key=value", str(kust.file))
        pairs.append((key, _unquote(value).encode()))
    for spec in args.get("files") or []:
        key, eq, rel = str(spec).partition("=")
        if not eq:
            key, rel = Path(spec).name, spec
        path = kust.local(rel)
        if view.is_dir(path):
            raise kust.unsupported(f"a directory as a generator file source ({spec})")
        pairs.append((key, read_bytes(view, path)))
    return pairs


def generate(
    kust: Kustomization, view: FileView, args: dict[str, Any], kind: str, global_options: bool = True
) -> Resource:
    """One generated ConfigMap or Secret from its generator entry (a plugin's takes no generatorOptions)."""
    field = "configMapGenerator" if kind == "ConfigMap" else "secretGenerator"
    if not isinstance(args, dict):
        raise RenderError(f"`{field}` entries must be mappings", str(kust.file))
    name = args.get("name")
    if not name:
        raise RenderError(f"a {kind} generator needs a name", str(kust.file))
    for key in ("name", "namespace"):
        if args.get(key) is not None and not isinstance(args[key], str):
            raise RenderError(f"`{field}[].{key}` must be a string, not {limits.type_name(args[key])}",
                              str(kust.file))
    options = dict(args.get("options") or {})
    glob = kust.get("generatorOptions", {}) if global_options else {}
    labels = {**(options.get("labels") or {}), **(glob.get("labels") or {})}
    annotations = {**(options.get("annotations") or {}), **(glob.get("annotations") or {})}
    data: dict[str, str] = {}
    binary: dict[str, str] = {}
    for key, value in _pairs(kust, view, args):
        if key in data or key in binary:
            raise RenderError(f"configmap {name} illegally repeats the key `{key}`", str(kust.file))
        if kind == "Secret":
            data[key] = encode_base64(value)
            continue
        try:
            data[key] = value.decode("utf-8")
        except UnicodeDecodeError:
            binary[key] = encode_base64(value)
    meta: Obj = {"name": name}
    if args.get("namespace"):
        meta["namespace"] = args["namespace"]
    if labels:
        meta["labels"] = {k: str(v) for k, v in labels.items()}
    if annotations:
        meta["annotations"] = {k: str(v) for k, v in annotations.items()}
    obj: Obj = {"apiVersion": "v1", "kind": kind, "metadata": meta}
    if kind == "Secret":
        obj["type"] = args.get("type") or "Opaque"
    if data:
        obj["data"] = data
    if binary:
        obj["binaryData"] = binary
    if options.get("immutable") or glob.get("immutable"):
        obj["immutable"] = True
    no_hash = bool(options.get("disableNameSuffixHash") or glob.get("disableNameSuffixHash"))
    limits.charge(limits.weigh(obj)[0], str(kust.file), objects=1)
    res = Resource(obj, str(kust.file), generated=True, hash_suffix=not no_hash)
    res.behavior = str(args.get("behavior") or "create")
    if res.behavior not in ("create", "merge", "replace"):
        raise RenderError(f"invalid generator behavior {res.behavior!r}", str(kust.file))
    return res


def absorb(resmap: Any, res: Resource, where: str) -> None:
    """Add a generated resource to ``resmap``, merging or replacing one of the same id."""
    if res.behavior == "create":
        resmap.append(res)
        return
    matches = resmap.by_any_id(res.cur_id())
    if len(matches) != 1:
        raise RenderError(f"id {res.kind}/{res.name} does not exist; cannot merge or replace", where)
    old = matches[0]
    if res.behavior == "merge":
        for field in ("data", "binaryData"):
            merged = {**(old.obj.get(field) or {}), **(res.obj.get(field) or {})}
            if merged or field in old.obj or field in res.obj:
                res.obj[field] = merged
        res.meta["labels"] = {**old.labels(), **res.labels()}
        res.meta["annotations"] = {**old.annotations(), **res.annotations()}
        for key in ("labels", "annotations"):
            if not res.meta[key]:
                del res.meta[key]
    origin = old.annotations().get("config.kubernetes.io/origin")
    if origin is not None:
        res.meta.setdefault("annotations", {})["config.kubernetes.io/origin"] = origin
    res.obj["metadata"] = {**old.meta, **{k: v for k, v in res.meta.items() if k != "name"}}
    res.obj["metadata"]["name"] = old.name
    if old.namespace:
        res.obj["metadata"]["namespace"] = old.namespace
    res.copy_build_state(old)
    res.hash_suffix = old.hash_suffix and res.hash_suffix
    resmap.replace(old, res)
