"""What the read-only commands compute: status rows, check results, rendered diffs, render --all."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitshift import checks, files, shift
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.render import Renderer
from gitshift.strategies.base import State


@dataclass(frozen=True)
class StatusRow:
    """One env's state, as ``status`` shows it."""

    env: EnvConfig
    state: State

    def to_json(self) -> dict[str, Any]:
        """The SPEC's ``status`` item."""
        s = self.state
        return {"app": self.env.app, "env": self.env.name, "overlay": self.env.overlay,
                "strategy": self.env.strategy, "images": dict(s.images), "active": s.active,
                "preview": s.preview, "weight": s.weight, "step": s.step,
                "steps": list(s.steps) if s.steps is not None else None, "match": s.match,
                "replicas": dict(s.replicas)}

    def row(self) -> list[str]:
        """Columns for the text table."""
        s = self.state
        imgs = sorted(set(s.images.values()))
        traffic = []
        if s.active:
            traffic.append(f"active={s.active}" + (f" preview={s.preview}" if s.preview else ""))
        if s.weight is not None:
            step = f" (step {s.step}/{len(s.steps)})" if s.step and s.steps else ""
            traffic.append(f"weight={s.weight}{step}")
        if s.match:
            traffic.append(f"match={s.match}")
        reps = " ".join(f"{k}={v}" for k, v in s.replicas.items())
        return [self.env.app, self.env.name, self.env.strategy, ", ".join(imgs) or "-",
                " ".join(traffic) or "-", reps or "-"]


def collect(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[StatusRow]:
    """The state of every selected env, read from its rendered overlay."""
    rows = []
    view = files.FileView(root=config.root)
    for e in config.select(app, env):
        rendered = shift.render(renderer, config.root, e, view)
        rows.append(StatusRow(e, registry.get(e.strategy).state(rendered, e)))
    return rows


def check(config: Config, renderer: Renderer, app: str | None, env: str | None) -> list[dict[str, Any]]:
    """The safety checks of every selected env."""
    out = []
    view = files.FileView(root=config.root)
    for e in config.select(app, env):
        rendered = shift.render(renderer, config.root, e, view)
        failures = checks.run(rendered, e, registry.get(e.strategy))
        out.append({"app": e.app, "env": e.name, "overlay": e.overlay, "failures": failures})
    return out


def diff(config: Config, renderer: Renderer, app: str | None, env: str | None, against: str) -> str:
    """Unified diff of the rendered overlays at ``against`` and in the working tree."""
    from gitshift.gitops.repo import Repo
    from gitshift.gitops.treeview import files_at

    repo = Repo(config.root)
    sha = repo.rev_parse(against)
    if sha is None:
        from gitshift.errors import InputError

        raise InputError(f"unknown ref {against!r}", "--against")
    view = files.FileView(root=config.root)
    chunks: list[str] = []
    with files_at(repo, sha, in_memory=renderer.name == "builtin") as (old_tree, old_view):
        for e in config.select(app, env):
            new = shift.dump(shift.render(renderer, config.root, e, view))
            old_exists = old_view.is_dir(old_tree / e.overlay)
            old = shift.dump(shift.render(renderer, old_tree, e, old_view)) if old_exists else ""
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
        text = renderer.render_text(overlay, view).encode()
        path = out / e.app / f"{e.name}.yaml"
        if not path.exists() or path.read_bytes() != text:
            files.atomic_write(path, text)
            written.append(str(path))
        if progress and (i % 100 == 0 or i == len(envs)) and len(envs) >= 100:
            progress(f"rendered {i}/{len(envs)} overlays")
    return written


