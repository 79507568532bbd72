"""The ``images`` and ``replicas`` fields."""

from __future__ import annotations

from typing import Any

from gitshift.errors import RenderError
from gitshift.render.builtin import fieldspec, regex
from gitshift.render.builtin.fieldspec import REPLICAS, FieldSpec
from gitshift.render.builtin.kustomization import Kustomization
from gitshift.render.builtin.resource import ResMap

_CONTAINER_KEYS = ("containers", "initContainers")


def split(image: str) -> tuple[str, str, str]:
    """``registry:5000/app:1.2@sha256:..`` -> (name, tag, digest), as Kustomize splits it."""
    slash = image.find("/")
    start = slash if slash > 0 else 0
    search = image[start:]
    at, colon = search.find("@"), search.find(":")
    if colon < 0 and at < 0:
        return image, "", ""
    if at >= 0 and (at < colon or colon < 0):
        return image[: start + at], "", image[start + at + 1 :]
    if at >= 0 and colon >= 0:
        return (
            image[: start + colon],
            image[start + colon + 1 : start + at],
            image[start + at + 1 :],
        )
    return image[: start + colon], image[start + colon + 1 :], ""


class _Rule:
    def __init__(self, where: str, entry: Any) -> None:
        if not isinstance(entry, dict) or not entry.get("name"):
            raise RenderError("each `images` entry needs a name", where)
        self.name = str(entry["name"])
        self.new_name = str(entry.get("newName") or "")
        self.new_tag = "" if entry.get("newTag") is None else str(entry["newTag"])
        self.digest = str(entry.get("digest") or "")
        self.tag_suffix = str(entry.get("tagSuffix") or "")
        # Kustomize matches images with a Go (RE2) regexp built from the name.
        self.pattern = regex.compile_go("^" + self.name + r"(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$",
                                        "`images[].name`", where, self.name)

    def rewrite(self, image: str) -> str:
        if not self.pattern.search(image):
            return image
        name, tag, digest = split(image)
        if self.new_name:
            name = self.new_name
        if self.new_tag and self.digest:
            tag, digest = self.new_tag, self.digest
        elif self.new_tag:
            tag, digest = self.new_tag, ""
        elif self.digest:
            tag, digest = "", self.digest
        elif self.tag_suffix:
            tag, digest = tag + self.tag_suffix, ""
        return name + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


def _walk(node: Any, rule: _Rule) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _CONTAINER_KEYS and isinstance(value, list):
                for item in value:
                    if isinstance(item, dict) and isinstance(item.get("image"), str):
                        item["image"] = rule.rewrite(item["image"])
            _walk(value, rule)
    elif isinstance(node, list):
        for item in node:
            _walk(item, rule)


def set_images(kust: Kustomization, resmap: ResMap, fspecs: tuple[FieldSpec, ...] = ()) -> None:
    """Each ``images`` entry in order, over every containers/initContainers list of every object."""
    for entry in kust.list("images"):
        set_image(resmap, entry, fspecs, str(kust.file))


def set_image(resmap: ResMap, entry: Any, fspecs: tuple[FieldSpec, ...], where: str) -> None:
    """One image rule: every containers/initContainers list, then the image fields ``fspecs`` name."""
    rule = _Rule(where, entry)

    def put(parent: dict[str, Any], key: str) -> None:
        if isinstance(parent.get(key), str):
            parent[key] = rule.rewrite(parent[key])

    lookups = _lookups(fspecs)
    for res in resmap:
        _walk(res.obj, rule)
        fieldspec.apply(res, lookups, put)


_LOOKUPS: dict[tuple[FieldSpec, ...], tuple[FieldSpec, ...]] = {}


def _lookups(fspecs: tuple[FieldSpec, ...]) -> tuple[FieldSpec, ...]:
    """The specs without ``create``: kustomize's image filter never makes a field."""
    hit = _LOOKUPS.get(fspecs)
    if hit is None:
        if len(_LOOKUPS) > 256:
            _LOOKUPS.clear()
        hit = _LOOKUPS[fspecs] = tuple(FieldSpec(fs.path, fs.kind, fs.group, fs.version) for fs in fspecs)
    return hit


def set_replicas(kust: Kustomization, resmap: ResMap, fspecs: tuple[FieldSpec, ...] = REPLICAS) -> None:
    """Each ``replicas`` entry; a name no scalable object has is an error, as in Kustomize."""
    for entry in kust.list("replicas"):
        set_replica(resmap, entry, fspecs, str(kust.file))


def set_replica(resmap: ResMap, entry: Any, fspecs: tuple[FieldSpec, ...], where: str) -> None:
    """One replica count, into the fields ``fspecs`` name of the objects that held its name."""
    name, count = (entry or {}).get("name"), (entry or {}).get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        raise RenderError(f"replicas count for {name!r} must be an integer", where)
    found = False
    for fs in fspecs:
        for res in resmap:
            if any(n == name and fs.selects_gvk(g, v, k) for g, v, k, _, n in res.all_ids()):
                found = True

                def put(parent: dict[str, Any], key: str, count: int = count) -> None:
                    parent[key] = count

                fieldspec.visit(res.obj, fs.steps, fs.create, put)
    if not found:
        kinds = " ".join(f"{fs.kind or '[noKind]'}.{fs.version or '[noVer]'}.{fs.group or '[noGrp]'}" for fs in fspecs)
        raise RenderError(
            f"resource with name {name} does not match a config with the following GVK [{kinds}]", where
        )
