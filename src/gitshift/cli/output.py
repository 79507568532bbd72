"""Formatting results as text or JSON; the only module that writes command output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from gitshift.cli.options import Settings
    from gitshift.result import Result


def emit_json(data: Any) -> None:
    """JSON on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _color_diff(diff: str) -> str:
    out = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "\n".join(out)


def shift(result: Result, s: Settings) -> None:
    """A shift's result."""
    if s.json:
        emit_json(result.to_json())
        return
    click.echo(result.summary)
    if s.quiet or not result.changed:
        return
    from gitshift.manifests import show

    for c in result.changes:
        click.echo(f"  {c.resource} {c.path}: {show(c.before)} → {show(c.after)}")
    where = {"dry-run": "dry run: nothing written", "working-tree": "written to the working tree"}
    click.echo(f"files ({where.get(result.delivery, result.delivery)}): {', '.join(result.files)}")
    if result.commit:
        click.echo(f"commit {result.commit[:12]} on branch {result.branch}")
    if result.pr_url:
        click.echo(f"pull request: {result.pr_url}")
    if result.pr_preview:
        click.echo()
        click.secho("The pull request --pr would open:", bold=True)
        click.echo(result.pr_preview)
        return
    if result.diff:
        click.echo()
        click.echo(_color_diff(result.diff))


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """A plain aligned table, kubectl style."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("   ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
