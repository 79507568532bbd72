"""``patches``, ``patchesStrategicMerge`` and ``patchesJson6902``: loading, targets, application."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from gitshift.errors import RenderError
from gitshift.files import FileView
from gitshift.render.builtin import json6902, limits, regex, schema
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.merge import DELETE, Schema, merge
from gitshift.render.builtin.resource import ResMap, Resource, id_text
from gitshift.render.builtin.yamlio import FileCache, parse_documents, read_bytes

Ran = Callable[[str, int], None]  # told, after each transformer, its kind (see build.Builder.ran)


def _selector_matches(selector: str, labels: dict[str, Any]) -> bool:
    """A label selector string: ``a=b,c!=d,e in (f,g),!h,i``."""
    for term in regex.split_top(selector):
        term = term.strip()
        if not term:
            continue
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", term)
        if m:
            values = {v.strip() for v in m.group(3).split(",")}
            has = m.group(1) in labels and str(labels[m.group(1)]) in values
            if has != (m.group(2) == "in"):
                return False
        elif "!=" in term:
            key, value = (p.strip() for p in term.split("!=", 1))
            if str(labels.get(key, "\0")) == value:
                return False
        elif "=" in term:
            key, value = (p.strip() for p in term.split("==" if "==" in term else "=", 1))
            if key not in labels or str(labels[key]) != value:
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term not in labels:
            return False
    return True


def _selector_regex(target: dict[str, Any], key: str, where: str) -> regex.Pattern | None:
    """A target field as Kustomize reads it: an anchored Go (RE2) regexp, matched in linear time."""
    value = target.get(key)
    if value in (None, ""):
        return None
    return regex.anchored(str(value), f"target.{key}", where)


def select(resmap: ResMap, target: dict[str, Any], where: str = "") -> list[Resource]:
    """The resources a patch or replacement ``target`` selects (Kustomize's ResMap.Select)."""
    if not isinstance(target, dict):
        raise RenderError("a target must be a mapping", where)
    name = _selector_regex(target, "name", where)
    ns = _selector_regex(target, "namespace", where)
    gvk = [(k, _selector_regex(target, k, where)) for k in ("group", "version", "kind")]
    out = []
    for res in resmap:
        org = res.org_id()
        if ns and not (ns.search(org[3]) or ns.search(res.eff_ns())):
            continue
        if name and not (name.search(org[4]) or name.search(res.name)):
            continue
        if any(rx and not rx.search(getattr(res, k)) for k, rx in gvk):
            continue
        if target.get("labelSelector") and not _selector_matches(target["labelSelector"], res.labels()):
            continue
        if target.get("annotationSelector") and not _selector_matches(target["annotationSelector"], res.annotations()):
            continue
        out.append(res)
    return out


def _load_text(kust: Kustomization, view: FileView, entry: dict[str, Any], field: str) -> tuple[str, str]:
    if entry.get("patch") is not None and entry.get("path") is not None:
        raise RenderError(f"`{field}` entry has both path and patch", str(kust.file))
    if entry.get("patch") is not None:
        return str(entry["patch"]), str(kust.file)
    if entry.get("path") is None:
        raise RenderError(f"`{field}` entry needs a path or a patch", str(kust.file))
    path = kust.local(str(entry["path"]))
    if not view.is_file(path):
        raise RenderError(f"patch file not found: {path}", str(kust.file))
    return _text(view, path), str(path)


def _text(view: FileView, path: Any) -> str:
    try:
        return read_bytes(view, path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RenderError("a patch file must be UTF-8", str(path)) from exc


def _apply_smp(res: Resource, patch: dict[str, Any], resmap: ResMap, options: dict[str, Any]) -> None:
    """Merge ``patch`` into ``res``; its name, namespace and kind stay unless the options allow."""
    name_change, kind_change = bool(options.get("allowNameChange")), bool(options.get("allowKindChange"))
    name, ns, kind = res.meta.get("name"), res.meta.get("namespace"), res.obj.get("kind")
    if name_change or kind_change:
        res.store_previous_id()
    result = merge(res.obj, patch, Schema(res.group, res.kind, res.version))
    if result is DELETE or not result:
        resmap.remove(res)
        return
    res.obj.clear()
    res.obj.update(result)
    if not kind_change:
        res.obj["kind"] = kind
    if not name_change:
        res.meta["name"] = name
    if ns is None:
        res.meta.pop("namespace", None)
    else:
        res.meta["namespace"] = ns


def _apply_json(res: Resource, ops: list[Any], where: str) -> None:
    meta = res.meta
    had_annotations = isinstance(meta.get("annotations"), dict)
    if not had_annotations and "annotations" not in meta:
        meta["annotations"] = {}  # Kustomize's build annotations are always there
    try:
        result = json6902.apply(res.obj, ops, where)
    except json6902.PatchError as exc:
        raise RenderError(f"JSON patch failed on {res.describe()}: {exc}", where) from exc
    if not isinstance(result, dict):
        raise RenderError(f"JSON patch turned {res.describe()} into a non-object", where)
    if result is not res.obj:
        res.obj.clear()
        res.obj.update(result)
    meta = res.meta
    if not had_annotations and meta.get("annotations") == {}:
        del meta["annotations"]


def _by_own_id(resmap: ResMap, patch: dict[str, Any], where: str) -> Resource:
    probe = Resource(patch, where)
    found = resmap.by_any_id(probe.cur_id())
    if len(found) != 1:
        what = "no matches" if not found else "multiple matches"
        raise RenderError(
            f"no resource matches strategic merge patch \"{id_text(probe.cur_id())}\": "
            f"{what} for Id {id_text(probe.cur_id())}",
            where,
        )
    return found[0]


def _apply_entry(
    resmap: ResMap, text: str, where: str, target: dict[str, Any] | None, options: dict[str, Any]
) -> None:
    docs = parse_documents(text, where)
    if len(docs) == 1 and isinstance(docs[0], list):
        if target is None:
            raise RenderError("must specify a target for JSON patch", where)
        for res in select(resmap, target, where):
            res.store_previous_id()
            _apply_json(res, docs[0], where)
        return
    for doc in docs:
        if not isinstance(doc, dict):
            raise RenderError("a strategic merge patch must be a YAML mapping", where)
    if target is not None and len(docs) > 1:
        raise RenderError(
            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
            where,
        )
    for doc in docs:
        weight = limits.weigh(doc)[0]  # what merging the patch may add
        if target is None:
            limits.charge(weight, where)
            _apply_smp(_by_own_id(resmap, doc, where), doc, resmap, options)
            continue
        for res in select(resmap, target, where):
            limits.charge(weight, where)
            patch = copy.deepcopy(doc)
            patch["apiVersion"] = res.api_version
            _apply_smp(res, patch, resmap, options)


def _strategic_merge_text(kust: Kustomization, view: FileView, entry: str) -> tuple[str, str]:
    """A ``patchesStrategicMerge`` entry: the patch it holds inline, or the file it names."""
    if "\n" not in entry and not entry.lstrip().startswith("{"):
        path = kust.local(entry)
        if not view.is_file(path):
            raise RenderError(f"patch file not found: {path}", str(kust.file))
        return _text(view, path), str(path)
    return entry, str(kust.file)


def apply_patches(
    kust: Kustomization, view: FileView, cache: FileCache, resmap: ResMap, ran: Ran | None = None
) -> None:
    """``patchesStrategicMerge`` then ``patches``, in the order Kustomize runs them; ``ran(kind, 1)``
    after the strategic merge transformer and after each patch transformer."""
    entries = kust.list("patchesStrategicMerge")
    for entry in entries:
        text, where = _strategic_merge_text(kust, view, str(entry))
        _apply_entry(resmap, text, where, None, {})
    if entries and ran is not None:
        ran("PatchStrategicMergeTransformer", 1)
    for entry in kust.list("patches"):
        apply_entry(kust, view, resmap, entry)
        if ran is not None:
            ran("PatchTransformer", 1)


def strategic_merge(kust: Kustomization, view: FileView, resmap: ResMap, paths: list[Any], text: str,
                    where: str) -> None:
    """A PatchStrategicMergeTransformer: the patches ``paths`` hold or name, then those of ``text``."""
    if not paths and not text:
        raise RenderError("empty file path and empty patch content", where)
    loaded = [_strategic_merge_text(kust, view, str(entry)) for entry in paths]
    if text:
        loaded.append((text, where))
    if not any(parse_documents(body, at) for body, at in loaded):
        raise RenderError(f"patch appears to be empty; files={paths}, Patch={text}", where)
    for body, at in loaded:
        _apply_entry(resmap, body, at, None, {})


def apply_entry(kust: Kustomization, view: FileView, resmap: ResMap, entry: Any) -> None:
    """One ``patches`` entry (or a PatchTransformer's configuration)."""
    if not isinstance(entry, dict):
        raise RenderError("`patches` entries must be mappings", str(kust.file))
    text, where = _load_text(kust, view, entry, "patches")
    options = entry.get("options") or {}
    if not isinstance(options, dict):
        raise RenderError("`patches[].options` must be a mapping", str(kust.file))
    _apply_entry(resmap, text, where, entry.get("target"), options)


def apply_json6902(kust: Kustomization, view: FileView, resmap: ResMap, ran: Ran | None = None) -> None:
    """The legacy ``patchesJson6902`` field (runs after labels and annotations); ``ran(kind, 1)``
    after each entry's transformer."""
    for entry in kust.list("patchesJson6902"):
        if not isinstance(entry, dict):
            raise RenderError("`patchesJson6902` entries must be mappings", str(kust.file))
        json6902_entry(kust, view, resmap, entry.get("target"), entry.get("path"), entry.get("patch"))
        if ran is not None:
            ran("PatchJson6902Transformer", 1)


def json6902_entry(
    kust: Kustomization, view: FileView, resmap: ResMap, target: Any, path: Any, op: Any
) -> None:
    """A PatchJson6902Transformer (a ``patchesJson6902`` entry): ``op`` or the file at ``path``
    applied to what ``target`` selects, with Kustomize's checks of its configuration."""
    where = str(kust.file)
    if not isinstance(target, dict) or not target.get("name"):
        raise RenderError("must specify the target name", where)
    if not path and not op:
        raise RenderError("empty file path and empty jsonOp", where)
    if path:
        if op:
            raise RenderError("must specify a file path or jsonOp, not both", where)
        text, where = _load_text(kust, view, {"path": path}, "patchesJson6902")
        if not text:
            raise RenderError(f"patch file '{path}' empty seems to be empty", where)
    else:
        text = str(op)
    # Kustomize decodes JSON as it is, and anything else as YAML 1.1 (yaml.v2) first.
    docs = parse_documents(text, where) if text.startswith("[") else schema.parse11(text, where)
    if len(docs) != 1 or not isinstance(docs[0], list):
        raise RenderError("a JSON 6902 patch must be a list of operations", where)
    if not docs[0]:
        raise RenderError(f"patch appears to be empty; file={path or ''}, JsonOp={text}", where)
    for res in select(resmap, target, where):
        res.store_previous_id()
        _apply_json(res, docs[0], where)
