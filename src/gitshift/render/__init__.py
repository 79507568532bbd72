"""The Renderer protocol and the choice of engine (builtin, kustomize, kubectl)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gitshift.errors import InputError, RendererUnavailableError

if TYPE_CHECKING:
    from gitshift.files import FileView
    from gitshift.manifests import Obj

ENGINES = ("auto", "builtin", "kustomize", "kubectl")


class Renderer(Protocol):
    """Renders a Kustomize overlay into its objects.

    ``view`` lays edited files over the disk; a renderer must render what the
    view holds, not what the disk holds, without writing to the repository.
    """

    name: str
    # Whether the engine renders a commit's files from git's objects (a FileView over the commit);
    # when False, the commit is checked out in a temporary worktree for it.
    reads_git_objects: bool

    def render(self, path: Path, view: FileView | None = None) -> list[Obj]:
        """The objects of the overlay at ``path`` in kustomize's output order."""
        ...

    def render_text(self, path: Path, view: FileView | None = None) -> str:
        """The overlay at ``path`` as YAML, exactly as ``kustomize build`` prints it."""
        ...


def builtin_available() -> bool:
    """Whether the builtin engine is installed in this build."""
    try:
        from gitshift.render import builtin
    except ImportError:
        return False
    return hasattr(builtin, "BuiltinRenderer")


def get_renderer(engine: str = "auto") -> Renderer:
    """The renderer for ``engine``: ``auto`` prefers builtin, then kustomize, then kubectl."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}", "--engine", f"choose one of {', '.join(ENGINES)}")
    if engine == "auto":
        if builtin_available():
            from gitshift.render.builtin import BuiltinRenderer
            from gitshift.render.helmcharts import HelmFallbackRenderer

            return HelmFallbackRenderer(BuiltinRenderer())  # helmCharts: kustomize --enable-helm
        if shutil.which("kustomize"):
            engine = "kustomize"
        elif shutil.which("kubectl"):
            engine = "kubectl"
        else:
            raise RendererUnavailableError(
                "no renderer found", "--engine auto", "install kustomize or kubectl"
            )
    if engine == "builtin":
        if not builtin_available():
            raise RendererUnavailableError("the builtin engine is not available", "--engine builtin")
        from gitshift.render.builtin import BuiltinRenderer

        return BuiltinRenderer()
    from gitshift.render.external import ExternalRenderer

    return ExternalRenderer(engine)
