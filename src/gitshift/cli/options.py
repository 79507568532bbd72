"""The global options (accepted before or after any command, like kubectl's flags) and their resolved Settings."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from gitshift.config import Config
    from gitshift.render import Renderer

F = TypeVar("F", bound=Callable[..., Any])
ENGINES = ("auto", "builtin", "kustomize", "kubectl", "helm")  # render.ENGINES, without importing it


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep a global option given before or after the command name (the later one wins)."""
    if value not in (None, False, ()):
        ctx.meta.setdefault("gitshift.options", {})[param.name] = value
    return value


def global_options(envvars: bool) -> Callable[[F], F]:
    """The global options, accepted by the group and by every command (like kubectl's flags)."""

    def env(name: str) -> str | None:
        return f"GITSHIFT_{name}" if envvars else None

    opts = [
        click.option("-C", "--repo", type=click.Path(file_okay=False), envvar=env("REPO"),
                     help="GitOps repository (default: the git top level of the current directory)."),
        click.option("-c", "--config", type=click.Path(dir_okay=False), envvar=env("CONFIG"),
                     help="Config file (default: <repo>/gitshift.yaml)."),
        click.option("-o", "--output", type=click.Choice(["text", "json"]), envvar=env("OUTPUT"),
                     help="Output format."),
        click.option("--engine", type=click.Choice(ENGINES), envvar=env("ENGINE"),
                     help="Renderer: auto prefers builtin; helm is auto, and renders Helm envs' charts everywhere."),
        click.option("-v", "--verbose", is_flag=True, default=None, envvar=env("VERBOSE"),
                     help="Show details, and a traceback on errors."),
        click.option("-q", "--quiet", is_flag=True, default=None, envvar=env("QUIET"),
                     help="Print only the summary line."),
    ]

    def decorate(f: F) -> F:
        for opt in reversed(opts):
            f = opt(f)
        return f

    return decorate


def apply_store(f: F) -> F:
    for p in getattr(f, "__click_params__", []):
        if p.name in ("repo", "config", "output", "engine", "verbose", "quiet"):
            p.callback = _store
            p.expose_value = False
    return f


def command_options(f: F) -> F:
    """Global options on a leaf command."""
    return apply_store(global_options(envvars=False)(f))


@dataclass(frozen=True)
class Settings:
    """The global options as resolved for one run."""

    repo: str | None = None
    config: str | None = None
    output: str = "text"
    engine: str = "auto"
    verbose: bool = False
    quiet: bool = False

    @property
    def json(self) -> bool:
        """Whether the output is JSON."""
        return self.output == "json"

    def root(self) -> Path:
        """The repository's top level."""
        from gitshift.gitops import journal
        from gitshift.gitops.repo import find_root

        root = find_root(Path(self.repo) if self.repo else Path.cwd())
        done = journal.recover(root)  # a set of writes an interrupted command left half done
        if done is not None:
            click.echo(f"gitshift: {done}", err=True)
        return root

    def load_config(self) -> Config:
        """The validated config of the repository."""
        from gitshift import config

        root = self.root()
        path = Path(self.config) if self.config else root / "gitshift.yaml"
        return config.load(path if path.is_absolute() else Path.cwd() / path, root)

    def renderer(self) -> Renderer:
        """The renderer chosen with ``--engine``; ``auto`` says on stderr which overlays it rendered externally."""
        from gitshift.render import get_renderer

        def notice(text: str) -> None:
            if not self.quiet:
                click.echo(f"gitshift: {text}", err=True)

        return get_renderer(self.engine, notice)


def settings(ctx: click.Context | None = None) -> Settings:
    """The resolved global options of the current invocation."""
    ctx = ctx or click.get_current_context()
    given = ctx.meta.get("gitshift.options", {})
    resolved = Settings(**{k: v for k, v in given.items() if v is not None})
    _debug_logging(resolved.verbose)
    return resolved


def _debug_logging(on: bool) -> None:
    """With -v, gitshift's loggers (forge calls, already redacted) go to stderr; without, they stay quiet."""
    if not on and "logging" not in sys.modules:
        return  # nothing configured logging in this process: nothing to quieten
    import logging

    class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]  # the stream is whatever stderr is now
        def emit(self, record: logging.LogRecord) -> None:
            self.stream = sys.stderr
            super().emit(record)

    logger = logging.getLogger("gitshift")
    if on and not logger.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("gitshift: %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if on else logging.WARNING)
