"""What the status page shows, read from the repository: each env's render and state, and the shift history."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from gitshift import files
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.errors import GitError, GitshiftError
from gitshift.gitops.history import Entry
from gitshift.manifests import Rendered
from gitshift.pictures import page, traffic
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
            rendered = _render(config, renderer, e, view)
            state = registry.for_env(e).state(rendered, e)
            out.append(EnvView(e, state, traffic.graph(rendered, e), shifts))
        except GitshiftError as exc:
            out.append(EnvView(e, history=shifts, error=str(exc)))
    return out


def _render(config: Config, renderer: Renderer, env: EnvConfig, view: files.FileView) -> Rendered:
    """The env's overlay rendered; a Helm env whose values are a file or a helmCharts entry, its values."""
    if env.helm is not None and (env.helm.values_file or env.helm.helm_chart):
        from gitshift.helm.values import render_source

        return render_source(config.root, env, view)
    overlay = files.guard_inside(config.root, Path(env.overlay), f"overlay of {env.app}/{env.name}")
    return Rendered(renderer.render(overlay, view))


@dataclass(frozen=True)
class Written:
    """What ``write`` wrote, and the envs whose card shows an error instead of a picture."""

    files: list[str]
    errors: list[tuple[str, str, str]]  # app, env, error


def write(config: Config, renderer: Renderer, out: Path, app: str | None = None, env: str | None = None,
          now: datetime | None = None) -> Written:
    """Build the status page of the selected envs and write its files into ``out`` (atomically, file by file)."""
    shown = views(config, renderer, app, env)
    revision = None
    with suppress(GitshiftError):  # a repository without commits has no revision to name
        from gitshift.gitops.repo import Repo

        revision = Repo(config.root).rev_parse("HEAD")
    generated = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    title = config.forge.project if config.forge else config.root.name
    written = []
    for name, text in page.build(shown, title=title, generated=generated, revision=revision,
                                 forge=config.forge).items():
        files.atomic_write(out / name, text.encode())
        written.append(str(out / name))
    return Written(written, [(v.env.app, v.env.name, v.error) for v in shown if v.error])
