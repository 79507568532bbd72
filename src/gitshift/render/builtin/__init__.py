"""A pure-Python Kustomize engine for the fields GitOps repositories use (DESIGN.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gitshift.files import FileView
from gitshift.render.builtin import emit, ordering, scalars
from gitshift.render.builtin.build import Builder
from gitshift.render.builtin.yamlio import FileCache

__all__ = ["BuiltinRenderer"]


def _tidy(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop an empty ``metadata.annotations``, as Kustomize does when it strips its own."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "annotations" in meta:
        annotations = meta["annotations"]
        if not annotations:
            del meta["annotations"]
        elif isinstance(annotations, dict):
            for key, value in annotations.items():
                if type(value) is not str:
                    annotations[key] = scalars.text(value)
    return obj


class BuiltinRenderer:
    """Renders overlays in-process; parsed files not edited in a view are cached per instance."""

    name = "builtin"
    reads_git_objects = True  # renders from a FileView, so straight from a commit's blobs

    def __init__(self) -> None:
        self._cache = FileCache()

    def render(self, path: Path, view: FileView | None = None) -> list[dict[str, Any]]:
        """The objects of the overlay at ``path``, in kustomize's output order."""
        builder = Builder(view or FileView(), self._cache)
        kust, resmap = builder.top(Path(os.path.abspath(path)))  # keep symlinks
        resources = list(resmap)
        sort = kust.get("sortOptions", {})
        if sort.get("order") != "fifo":
            legacy = sort.get("legacySortOptions")
            if legacy is not None:
                first, last = legacy.get("orderFirst") or [], legacy.get("orderLast") or []
                resources = ordering.legacy(resources, first, last)
            else:
                resources = ordering.legacy(resources)
        return [_tidy(r.obj) for r in resources]

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as YAML, as ``kubectl kustomize`` prints it."""
        return emit.dump_all(self.render(path, view))
