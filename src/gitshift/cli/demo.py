"""``gitshift demo``: a walkthrough on a throwaway copy of the example tree."""

from __future__ import annotations

import shlex
import subprocess
import sys

import click

from gitshift.cli import cli, command_options, settings


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the throwaway repository and print its path.")
@command_options
def demo(keep: bool) -> int:
    """Walk through gitshift on a throwaway copy of the example GitOps tree."""
    import shutil

    from gitshift import demo as walkthrough
    from gitshift.subprocess_util import no_git_env

    s = settings()
    work = walkthrough.prepare()
    click.secho(f"A throwaway GitOps repository: {work}", bold=True)
    engine = ["--engine", s.engine] if s.engine != "auto" else []
    try:
        for step in walkthrough.STEPS:
            if step.title:
                click.echo()
                click.secho(f"## {step.title}", fg="yellow", bold=True)
            args = walkthrough.resolve_args(work, step.args)
            cmd = ["git", *args] if step.git else [sys.executable, "-m", "gitshift", *engine, *args]
            shown = ["git", *args] if step.git else ["gitshift", *args]
            click.secho(f"$ {shlex.join(shown)}", fg="cyan")
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=no_git_env(), check=False)
            click.echo(proc.stdout, nl=False)
            if proc.returncode != 0:
                click.echo(proc.stderr, err=not step.may_fail, nl=False)
                if not step.may_fail:
                    return proc.returncode
    finally:
        if not keep:
            shutil.rmtree(work.parent, ignore_errors=True)
    click.echo()
    click.secho("Done. Every step above was a commit a reviewer could read, merge or revert.", bold=True)
    if keep:
        click.echo(f"The repository is kept at {work}")
    return 0
