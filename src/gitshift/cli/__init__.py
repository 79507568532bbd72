"""The ``gitshift`` command: global options, the one place errors become exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from gitshift import __version__

if TYPE_CHECKING:
    from gitshift.config import Config
    from gitshift.render import Renderer

F = TypeVar("F", bound=Callable[..., Any])
ENGINES = ("auto", "builtin", "kustomize", "kubectl")


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
                     help="Renderer: auto prefers builtin."),
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


def _apply_store(f: F) -> F:
    for p in getattr(f, "__click_params__", []):
        if p.name in ("repo", "config", "output", "engine", "verbose", "quiet"):
            p.callback = _store
            p.expose_value = False
    return f


def command_options(f: F) -> F:
    """Global options on a leaf command."""
    return _apply_store(global_options(envvars=False)(f))


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
        from gitshift.gitops.repo import find_root

        return find_root(Path(self.repo) if self.repo else Path.cwd())

    def load_config(self) -> Config:
        """The validated config of the repository."""
        from gitshift import config

        root = self.root()
        path = Path(self.config) if self.config else root / "gitshift.yaml"
        return config.load(path if path.is_absolute() else Path.cwd() / path, root)

    def renderer(self) -> Renderer:
        """The renderer chosen with ``--engine``."""
        from gitshift.render import get_renderer

        return get_renderer(self.engine)


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


def _fail(what: str, hint: str = "") -> None:
    click.echo(f"gitshift: error: {what}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)


class GitshiftGroup(click.Group):
    """A click group whose ``main`` turns every error into one line and its exit code (README.md, "Errors")."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        from gitshift.errors import GitshiftError

        verbose = "-v" in (args if args is not None else sys.argv[1:]) or \
            "--verbose" in (args if args is not None else sys.argv[1:])
        try:
            rv = super().main(args, prog_name or "gitshift", complete_var, standalone_mode=False, **extra)
        except GitshiftError as exc:
            if verbose:
                import traceback

                traceback.print_exc()
            _fail(str(exc), exc.hint)
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            _fail("aborted")
            sys.exit(1)
        except click.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `gitshift`: help, as kubectl does
                click.echo(exc.format_message())
                sys.exit(0)
            _fail(exc.format_message(), "see 'gitshift --help'" if exc.exit_code == 2 else "")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted")
            sys.exit(130)
        except Exception as exc:  # a bug: exit 4
            if verbose:
                import traceback

                traceback.print_exc()
            _fail(f"internal error: {type(exc).__name__}: {exc}",
                  "please report this with the output of the same command run with -v")
            sys.exit(4)
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group(cls=GitshiftGroup, context_settings={"help_option_names": ["-h", "--help"]})
@_apply_store
@global_options(envvars=True)
@click.version_option(__version__, "--version", prog_name="gitshift", message="%(prog)s %(version)s")
def cli() -> None:
    """Blue/green, canary, A/B and rolling releases on Kubernetes, by pull request.

    gitshift rewrites Kustomize overlays in a GitOps repository, proves the
    rewrite by rendering, and commits it on a branch for review.
    """


def main() -> None:
    """Console entry point."""
    from gitshift.cli import comment, readonly, shifts  # noqa: F401  (registers the commands)

    cli.main()


def _register() -> None:
    from gitshift.cli import comment, demo, readonly, shifts  # noqa: F401


_register()
