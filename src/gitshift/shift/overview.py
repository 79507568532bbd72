"""What the read-only commands compute: status rows, check results, rendered diffs, render --all."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitshift import checks, files
from gitshift import strategies as registry
from gitshift.config import Config
from gitshift.render import Renderer
from gitshift.result import StatusRow
from gitshift.shift.compute import dump, files_at, render


def collect(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[StatusRow]:
    """The state of every selected env, read from its rendered overlay."""
    rows = []
    view = files.FileView(root=config.root)
    for e in config.select(app, env):
        rendered = render(renderer, config.root, e, view)
        rows.append(StatusRow(e, registry.for_env(e).state(rendered, e)))
    return rows


def check(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[dict[str, Any]]:
    """The safety checks of every selected env (README.md, "How a shift works")."""
    out = []
    view = files.FileView(root=config.root)
    for e in config.select(app, env):
        rendered = render(renderer, config.root, e, view)
        strategy = registry.for_env(e)
        state = strategy.state(rendered, e)
        failures = checks.run(rendered, e, state.serving, own=strategy.checks(rendered, e))
        out.append({"app": e.app, "env": e.name, "overlay": e.overlay, "failures": failures})
    return out


def diff(config: Config, renderer: Renderer, app: str | None, env: str | None, against: str) -> str:
    """Unified diff of the rendered overlays at ``against`` and in the working tree."""
    from gitshift.gitops.repo import Repo

    repo = Repo(config.root)
    sha = repo.rev_parse(against)
    if sha is None:
        from gitshift.errors import InputError

        raise InputError(f"unknown ref {against!r}", "--against")
    view = files.FileView(root=config.root)
    chunks: list[str] = []
    with files_at(renderer, repo, sha) as (old_tree, old_view):
        for e in config.select(app, env):
            new = dump(render(renderer, config.root, e, view))
            old_exists = old_view.exists(old_tree / e.overlay)  # a Helm values file stands for a folder
            old = dump(render(renderer, old_tree, e, old_view)) if old_exists else ""
            chunks += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                           f"{against}:{e.overlay}", f"{e.overlay}")
    return "".join(chunks)


def render_all(config: Config, renderer: Renderer, out: Path,
               progress: Callable[[str], None] | None = None) -> list[str]:
    """Write every env's rendered overlay to ``out/<app>/<env>.yaml``; only changed files are rewritten."""
    written = []
    envs = config.select()
    view = files.FileView(root=config.root)
    for i, e in enumerate(envs, 1):
        overlay = files.guard_inside(config.root, Path(e.overlay), f"overlay of {e.app}/{e.name}")
        if e.helm is not None and (e.helm.values_file or e.helm.helm_chart):  # the values, as status reads them
            text = dump(render(renderer, config.root, e, view)).encode()
        else:
            text = renderer.render_text(overlay, view).encode()
        path = out / e.app / f"{e.name}.yaml"
        if not path.exists() or path.read_bytes() != text:
            files.atomic_write(path, text)
            written.append(str(path))
        if progress and (i % 100 == 0 or i == len(envs)) and len(envs) >= 100:
            progress(f"rendered {i}/{len(envs)} overlays")
    return written


