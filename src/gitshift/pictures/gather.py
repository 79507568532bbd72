"""What the status page shows, read from the repository: each env's render and state, and the shift history."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from gitshift import files
from gitshift import strategies as registry
from gitshift.config import Config
from gitshift.errors import GitError, GitshiftError
from gitshift.gitops.history import Entry
from gitshift.manifests import Rendered
from gitshift.pictures import traffic
from gitshift.pictures.page import EnvView
from gitshift.render import Renderer


def history(config: Config) -> Sequence[Entry]:
    """Every shift reachable from HEAD, newest first; none in a repository without commits."""
    from gitshift.gitops import history as hist
    from gitshift.gitops.repo import Repo

    try:
        return hist.read(Repo(config.root), "HEAD")
    except GitError:
        return []


def views(config: Config, renderer: Renderer, app: str | None = None, env: str | None = None,
          limit: int = 5) -> list[EnvView]:
    """Each selected env's state, picture and last ``limit`` shifts.

    An env whose overlay cannot be read gets its error on its card: one broken
    overlay does not hide the others.
    """
    past = history(config)
    view = files.FileView(root=config.root)
    out = []
    for e in config.select(app, env):
        shifts = [h for h in past if h.app == e.app and h.env == e.name][:limit]
        try:
            overlay = files.guard_inside(config.root, Path(e.overlay), f"overlay of {e.app}/{e.name}")
            rendered = Rendered(renderer.render(overlay, view))
            state = registry.get(e.strategy).state(rendered, e)
            out.append(EnvView(e, state, traffic.graph(rendered, e), shifts))
        except GitshiftError as exc:
            out.append(EnvView(e, history=shifts, error=str(exc)))
    return out
