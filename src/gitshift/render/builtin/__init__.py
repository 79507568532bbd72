"""A pure-Python Kustomize engine for the fields GitOps repositories use (DESIGN.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gitshift.errors import UnsupportedError
from gitshift.files import FileView, repository_top
from gitshift.render.builtin import buildmeta, emit, limits, ordering, scalars
from gitshift.render.builtin.build import Builder
from gitshift.render.builtin.kustomization import HINT
from gitshift.render.builtin.resource import Resource
from gitshift.render.builtin.yamlio import FileCache

__all__ = ["BuiltinRenderer"]


_WATCHED = buildmeta.STATE | buildmeta.READER | {buildmeta.ORIGIN, buildmeta.TRANSFORMATIONS}


def _tidy(res: Resource, dropped: frozenset[str]) -> dict[str, Any]:
    """The object as Kustomize prints it: the annotations it keeps for itself dropped (``dropped``),
    annotation values as text, an empty ``metadata.annotations`` gone."""
    obj = res.obj
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "annotations" in meta:
        annotations = meta["annotations"]
        if isinstance(annotations, dict) and not _WATCHED.isdisjoint(annotations):
            state = sorted(buildmeta.STATE.intersection(annotations))
            if state:
                raise UnsupportedError(
                    f"the builtin engine does not support Kustomize's build annotations in objects ({state[0]})",
                    res.origin,
                    HINT,
                )
            for key in dropped.intersection(annotations):
                del annotations[key]
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
        self._views: dict[Path, FileView] = {}
        self._tops: dict[str, str | None] = {}

    def _disk_view(self, path: Path) -> FileView:
        """The files on disk, confined to the repository of ``path`` (one view per repository, reused)."""
        top = repository_top(path, self._tops)
        view = self._views.get(top)
        if view is None:
            view = self._views[top] = FileView(root=top)
        return view

    def render(self, path: Path, view: FileView | None = None) -> list[dict[str, Any]]:
        """The objects of the overlay at ``path``, in kustomize's output order.

        Reads stay inside the view's repository; a view without a root (or
        none) is confined to the git top level above ``path``, or to ``path``
        itself outside git. The work is bounded (limits).
        """
        path = Path(os.path.abspath(path))  # keep symlinks
        if view is None:
            view = self._disk_view(path)
        elif view.root is None:
            view = FileView(view.overlay, repository_top(path))
        token = limits.start()
        try:
            kust, resmap = Builder(view, self._cache).top(path)
        finally:
            limits.stop(token)
        resources = list(resmap)
        sort = kust.get("sortOptions", {})
        if sort.get("order") != "fifo":
            legacy = sort.get("legacySortOptions")
            if legacy is not None:
                first, last = legacy.get("orderFirst") or [], legacy.get("orderLast") or []
                resources = ordering.legacy(resources, first, last)
            else:
                resources = ordering.legacy(resources)
        dropped = buildmeta.dropped(kust.list("buildMetadata"))
        return [_tidy(r, dropped) for r in resources]

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as YAML, as ``kubectl kustomize`` prints it."""
        return emit.dump_all(self.render(path, view))
