"""The ``gitshift`` group: the one place errors become exit codes; commands load on demand."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from gitshift import __version__
from gitshift.cli import report
from gitshift.cli.options import apply_store, global_options


def _echo(line: str) -> None:
    click.echo(line, err=True)


def _fail(what: str, hint: str = "") -> None:
    report.fail(what, hint, _echo)


# The modules that define the commands (each lists them in its COMMANDS), imported only when a
# command of theirs runs: start-up is the user's time in CI. A command missing from COMMANDS is
# still found, by importing every module.
COMMAND_MODULES = ("readonly", "shifts", "gates", "comment", "demo", "init")
# gates adds `advance` to the canary and bluegreen groups of shifts: those load both.
COMMANDS: dict[str, str | tuple[str, ...]] = {
    "status": "readonly", "render": "readonly", "diff": "readonly", "check": "readonly",
    "history": "readonly", "set-image": "shifts", "bluegreen": ("shifts", "gates"), "canary": ("shifts", "gates"),
    "promote": "shifts", "revert": "shifts", "gate": "gates", "advance": "gates", "comment": "comment",
    "serve": "comment", "demo": "demo", "init": "init"}


def _load(group: click.Group, module: str) -> None:
    import importlib

    for command in importlib.import_module(f"gitshift.cli.{module}").COMMANDS:
        if command.name not in group.commands:
            group.add_command(command)


class GitshiftGroup(click.Group):
    """A click group whose ``main`` turns every error into one line and its exit code (README.md, "Errors")."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing only the module that defines it."""
        # Asked even when the name is known: `canary` is added by shifts, its `advance` by gates,
        # and an earlier command of this process may have loaded shifts alone.
        modules = COMMANDS.get(cmd_name, () if cmd_name in self.commands else COMMAND_MODULES)
        for module in (modules,) if isinstance(modules, str) else modules:
            _load(self, module)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command (help and completion need them all)."""
        for module in COMMAND_MODULES:
            _load(self, module)
        return super().list_commands(ctx)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        from gitshift.errors import GitshiftError

        verbose = "-v" in (args if args is not None else sys.argv[1:]) or \
            "--verbose" in (args if args is not None else sys.argv[1:])
        try:
            rv = super().main(args, prog_name or "gitshift", complete_var, standalone_mode=False, **extra)
        except GitshiftError as exc:
            sys.exit(report.error(exc, verbose, _echo))
        except click.exceptions.Abort:
            _fail("aborted")
            sys.exit(1)
        except click.ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `gitshift`: help, as kubectl does
                click.echo(exc.format_message())
                sys.exit(0)
            ctx = getattr(exc, "ctx", None)
            path = ctx.command_path if ctx is not None else "gitshift"
            _fail(exc.format_message(), f"see '{path} --help'" if exc.exit_code == 2 else "")
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            sys.exit(report.interrupted(_echo))
        except Exception as exc:  # a bug: exit 4
            sys.exit(report.bug(exc, verbose, _echo))
        sys.exit(rv if isinstance(rv, int) else 0)


@click.group("gitshift", cls=GitshiftGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=(
    "Examples:\n\n\b\n  gitshift status\n  gitshift set-image web :1.1.0 --env staging --pr\n"
    "  gitshift canary scale web --env production-canary --next --pr"))
@apply_store
@global_options(envvars=True)
@click.version_option(__version__, "--version", prog_name="gitshift", message="%(prog)s %(version)s")
def cli() -> None:
    """Blue/green, canary, A/B and rolling releases on Kubernetes, by pull request.

    gitshift rewrites Kustomize overlays in a GitOps repository, proves the
    rewrite by rendering, and commits it on a branch for review.
    """


def main() -> None:
    """Console entry point."""
    cli.main()
