"""Where an intent can be placed in an overlay: candidate edits, most idiomatic first.

Each candidate edits an ``Overlay`` in memory and says whether it applied.
The pipeline renders the result and keeps the first candidate whose render
shows exactly the intended change (DESIGN: verification by re-render).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitshift import images
from gitshift.manifests import MISSING, Intent, Obj, ResourceId
from gitshift.rewrite.overlay import Overlay, target_matches
from gitshift.rewrite.scalars import add_key, set_in, set_smp, smp_path, to_ruamel

Candidate = Callable[[Overlay], bool]

# API groups whose kinds carry strategic-merge keys; other kinds (CRDs) replace lists whole.
_CORE_GROUPS = {"", "apps", "batch", "networking.k8s.io", "policy", "autoscaling", "extensions"}


def _pointer(path: tuple[Any, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _is_image(intent: Intent) -> bool:
    return len(intent.path) >= 2 and intent.path[-1] == "image" and isinstance(intent.path[-2], int)


def candidates(intent: Intent, obj: Obj, overlay: Overlay) -> list[Candidate]:
    """Placements for ``intent`` on the rendered object ``obj``, most idiomatic first."""
    name = overlay.input_name(intent.resource.name)
    out: list[Candidate] = []
    if _is_image(intent):
        out += _image_entries(intent)
    if intent.path == ("spec", "replicas"):
        out.append(lambda ov: _replicas_entry(ov, name, intent.value))
    out.append(lambda ov: _local_resource(ov, intent, name, create=False))
    out.append(lambda ov: _existing_patch(ov, intent, obj, name, create=False))
    out.append(lambda ov: _drop_from_patch(ov, intent, name))
    out.append(lambda ov: _existing_json6902(ov, intent, name))
    out.append(lambda ov: _local_resource(ov, intent, name, create=True))
    out.append(lambda ov: _existing_patch(ov, intent, obj, name, create=True))
    out.append(lambda ov: _new_patch(ov, intent, obj, name))
    if _is_image(intent):
        out.append(lambda ov: _placeholder(ov, intent, obj, name))
    return out


def _list(kustomization: Any, key: str) -> Any:
    """The kustomization's list ``key``; a new one goes at the end of the file (an empty one stays put)."""
    if key not in kustomization:
        return add_key(kustomization, key, [])
    if kustomization[key] is None:
        kustomization[key] = to_ruamel([])
    return kustomization[key]


# -- images: and replicas: entries ---------------------------------------------------------------
def _image_entries(intent: Intent) -> list[Candidate]:
    def edit_entry(ov: Overlay, which: int) -> bool:
        before, after = images.parse(str(intent.before)), images.parse(str(intent.value))
        k = ov.kustomization
        entries = [e for e in (k.get("images") or []) if isinstance(e, dict)
                   and (e.get("newName") or e.get("name")) == before.name]
        if which >= len(entries) and not (which == 0 and not entries):
            return False
        if not entries:
            _list(k, "images").append(to_ruamel({"name": before.name}))
            entry = k["images"][-1]
        else:
            entry = entries[which]
        _fill_entry(entry, before.name, after)
        ov.touch(ov.kfile)
        return True

    return [lambda ov, i=i: edit_entry(ov, i) for i in range(3)]  # type: ignore[misc]


def _fill_entry(entry: Any, current_name: str, ref: images.ImageRef) -> None:
    """Point a kustomize ``images:`` entry at ``ref``, editing only what differs."""
    if ref.name != current_name or (entry.get("newName") and entry["newName"] != ref.name):
        set_in(entry, ("newName",), ref.name, create=True)
    set_in(entry, ("newTag",), ref.tag or MISSING, create=True)
    set_in(entry, ("digest",), ref.digest or MISSING, create=True)


def _replicas_entry(ov: Overlay, name: str, count: Any) -> bool:
    for entry in ov.kustomization.get("replicas") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            set_in(entry, ("count",), count, create=True)
            ov.touch(ov.kfile)
            return True
    return False


# -- files of the overlay ------------------------------------------------------------------------
def _local_resource(ov: Overlay, intent: Intent, name: str, *, create: bool) -> bool:
    """Edit the object where the overlay itself defines it (a resource file in the overlay folder)."""
    rid = intent.resource
    for path in ov.resource_files():
        for d in ov.doc(path).docs:
            if isinstance(d, dict) and d.get("kind") == rid.kind and \
                    (d.get("metadata") or {}).get("name") == name:
                if set_in(d, intent.path, intent.value, create=create):
                    ov.touch(path)
                    return True
                return False
    return False


def _patch_docs(ov: Overlay, rid: ResourceId, name: str, *, json6902: bool) -> list[tuple[Path, Any]]:
    found = []
    for ref in ov.patches():
        if ref.path is None or ref.json6902 != json6902:
            continue
        for d in ov.doc(ref.path).docs:
            if json6902:
                if ref.target and target_matches(ref.target, rid, name):
                    found.append((ref.path, d))
            elif isinstance(d, dict) and (
                (ref.target and target_matches(ref.target, rid, name))
                or (not ref.target and d.get("kind") == rid.kind
                    and (d.get("metadata") or {}).get("name") == name)):
                found.append((ref.path, d))
    return found


def _existing_patch(ov: Overlay, intent: Intent, obj: Obj, name: str, *, create: bool) -> bool:
    spath = _patch_path(intent, obj)
    if spath is None:
        return False
    for path, d in reversed(_patch_docs(ov, intent.resource, name, json6902=False)):
        if set_smp(d, spath, intent.value, create=create):
            ov.touch(path)
            return True
    return False


def _existing_json6902(ov: Overlay, intent: Intent, name: str) -> bool:
    pointer = _pointer(intent.path)
    for path, ops in reversed(_patch_docs(ov, intent.resource, name, json6902=True)):
        for op in ops if isinstance(ops, list) else []:
            if isinstance(op, dict) and op.get("path") == pointer and op.get("op") in ("add", "replace"):
                if intent.value is MISSING:
                    op["op"] = "remove"
                    op.pop("value", None)
                else:
                    set_in(op, ("value",), intent.value, create=True)
                ov.touch(path)
                return True
    return False


def _string_map_removal(intent: Intent) -> bool:
    """Removing an annotation or label: kustomize renders ``key: null`` in a patch of these as ``""``."""
    return intent.value is MISSING and intent.path[:2] in (("metadata", "annotations"), ("metadata", "labels"))


def _drop_from_patch(ov: Overlay, intent: Intent, name: str) -> bool:
    """An annotation or label a strategic-merge patch of the overlay sets is removed from that patch."""
    if not _string_map_removal(intent) or len(intent.path) != 3:
        return False
    for path, d in reversed(_patch_docs(ov, intent.resource, name, json6902=False)):
        entries = ((d.get("metadata") or {}) if isinstance(d, dict) else {}).get(intent.path[1])
        if isinstance(entries, dict) and intent.path[2] in entries:
            del entries[intent.path[2]]
            ov.touch(path)
            return True
    return False


def _patch_path(intent: Intent, obj: Obj) -> tuple[Any, ...] | None:
    """The strategic-merge path for an intent, or None when only JSON 6902 can place it."""
    if any(isinstance(p, int) for p in intent.path) and intent.resource.group not in _CORE_GROUPS:
        return None
    if _string_map_removal(intent):
        return None  # a JSON 6902 remove does what `key: null` does not
    return smp_path(obj, intent.path)


def _patch_file(ov: Overlay, rid: ResourceId, name: str, suffix: str) -> Path:
    return ov.dir / f"gitshift-{rid.kind.lower()}-{name}{suffix}.yaml"


def _register(ov: Overlay, path: Path, rid: ResourceId, name: str) -> None:
    k = ov.kustomization
    rel = path.relative_to(ov.dir).as_posix()
    if any(isinstance(p, dict) and p.get("path") == rel for p in (k.get("patches") or [])):
        return
    target = {"kind": rid.kind, "name": name}
    if rid.group:
        target = {"group": rid.group, **target}
    _list(k, "patches").append(to_ruamel({"path": rel, "target": target}))
    ov.touch(ov.kfile)


def _new_patch(ov: Overlay, intent: Intent, obj: Obj, name: str) -> bool:
    """Add (or extend) gitshift's own patch file for the object."""
    rid = intent.resource
    spath = _patch_path(intent, obj)
    if spath is not None:
        path = _patch_file(ov, rid, name, "")
        if ov.has(path):
            d = ov.doc(path).docs[0]
        else:
            d = ov.create(path, [to_ruamel({"apiVersion": obj.get("apiVersion"), "kind": rid.kind,
                                            "metadata": {"name": name}})]).docs[0]
        set_smp(d, spath, intent.value, create=True)
    else:
        path = _patch_file(ov, rid, name, "-json6902")
        op = {"op": "remove", "path": _pointer(intent.path)} if intent.value is MISSING else \
            {"op": "replace" if intent.before is not MISSING else "add", "path": _pointer(intent.path),
             "value": intent.value}
        if ov.has(path):
            ops = ov.doc(path).docs[0]
            ops[:] = [o for o in ops if o.get("path") != op["path"]]
            ops.append(to_ruamel(op))
        else:
            ov.create(path, [to_ruamel([op])])
    ov.touch(path)
    _register(ov, path, rid, name)
    return True


def _placeholder(ov: Overlay, intent: Intent, obj: Obj, name: str) -> bool:
    """Give one workload its own image name, and map it to the real image with an ``images:`` entry.

    Needed when an ``images:`` entry for the same name would undo a plain patch
    (DESIGN: two workloads that share an image name but must differ).
    """
    after = images.parse(str(intent.value))
    container: Any = obj
    for part in intent.path[:-1]:
        container = container[part]
    holder = f"gitshift.local/{name}/{container.get('name', 'app')}".lower()
    placeholder = Intent(intent.resource, intent.path, holder, intent.before)
    _new_patch(ov, placeholder, obj, name)
    k = ov.kustomization
    for entry in k.get("images") or []:
        if isinstance(entry, dict) and entry.get("name") == holder:
            k["images"].remove(entry)
            break
    entry = to_ruamel({"name": holder})
    _list(k, "images").append(entry)
    _fill_entry(entry, holder, after)
    ov.touch(ov.kfile)
    return True
