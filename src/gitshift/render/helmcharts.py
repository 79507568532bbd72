"""``--engine auto`` on overlays with ``helmCharts:``: the builtin engine, else ``kustomize build --enable-helm``.

The builtin engine does not inflate Helm charts. When it refuses an overlay for
a ``helmCharts`` (or ``helmChartInflationGenerator``) field and ``helm`` is on
PATH, that overlay is rendered by ``kustomize build --enable-helm`` (or
``kubectl kustomize --enable-helm`` where only kubectl is installed) on a
temporary copy of the files the view holds: a commit's blobs or the working
tree with in-memory edits. Every other overlay stays with the builtin engine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.errors import UnsupportedError

if TYPE_CHECKING:
    from gitshift.files import FileView
    from gitshift.manifests import Obj
    from gitshift.render import Renderer

HELM_FIELDS = ("helmCharts", "helmGlobals", "helmChartInflationGenerator")
MAX_FILES = 50_000
MAX_BYTES = 512 * 1024 * 1024


def helm_engine() -> str | None:
    """``kustomize`` or ``kubectl`` when it and ``helm`` are on PATH, else None."""
    if shutil.which("helm") is None:
        return None
    if shutil.which("kustomize"):
        return "kustomize"
    if shutil.which("kubectl"):
        return "kubectl"
    return None


class HelmFallbackRenderer:
    """The builtin engine, with ``kustomize --enable-helm`` for the overlays that inflate Helm charts."""

    reads_git_objects = True  # the fallback copies what the view holds, so a commit's blobs work too

    def __init__(self, inner: Renderer) -> None:
        self.inner = inner
        self.name = inner.name
        self.fallbacks = 0  # overlays rendered by the external engine, for tests and -v

    def _helm_text(self, path: Path, view: FileView | None, exc: UnsupportedError) -> str:
        from gitshift.files import FileView
        from gitshift.render.external import ExternalRenderer

        engine = helm_engine()
        if engine is None:
            raise UnsupportedError(exc.what, exc.where, "install helm and kustomize (or kubectl) for --engine "
                                   "auto to inflate helmCharts with kustomize --enable-helm") from exc
        self.fallbacks += 1
        external = ExternalRenderer(engine, enable_helm=True)
        path = Path(os.path.abspath(path))
        if view is None or (type(view) is FileView and not view.overlay):
            return external.render_text(path)
        root = Path(os.path.abspath(view.root or path))
        with tempfile.TemporaryDirectory(prefix="gitshift-helm-render-") as tmp:
            from gitshift.files import copy_out

            copy_out(view, root, Path(tmp), MAX_FILES, MAX_BYTES, "the repository copied for kustomize --enable-helm")
            return external.render_text(Path(tmp) / path.relative_to(root)).replace(tmp, str(root))

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay as YAML; a Helm-inflating overlay as kustomize prints it with ``--enable-helm``."""
        try:
            return self.inner.render_text(path, view)
        except UnsupportedError as exc:
            if not any(f in exc.what for f in HELM_FIELDS):
                raise
            return self._helm_text(path, view, exc)

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The overlay's objects (see ``render_text``)."""
        try:
            return self.inner.render(path, view)
        except UnsupportedError as exc:
            if not any(f in exc.what for f in HELM_FIELDS):
                raise
            from gitshift.render.external import parse_stream

            return parse_stream(self._helm_text(path, view, exc), str(path))
