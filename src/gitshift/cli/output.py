"""Formatting results as text or JSON; the only module that writes command output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from gitshift.cli.options import Settings
    from gitshift.gates.verdict import Gate, GateResult
    from gitshift.result import Result
    from gitshift.shift.advance import Step
    from gitshift.shift.batch import BatchResult


def examples(*commands: str) -> str:
    """A command's help epilog: a few examples, kept as written (click's ``\\b``)."""
    return "Examples:\n\n\b\n" + "\n".join(f"  {c}" for c in commands)


def emit_json(data: Any) -> None:
    """JSON on stdout; the object, or each object of the list, carries ``"schema"`` first."""
    from gitshift.result import SCHEMA

    def versioned(item: Any) -> Any:
        return {"schema": SCHEMA, **item} if isinstance(item, dict) else item

    data = [versioned(i) for i in data] if isinstance(data, list) else versioned(data)
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
    for a in result.affected[1:]:
        who = f"{a['app']}/{a['env']} ({a['overlay']})" if a["env"] else f"{a['overlay']} (no env)"
        click.echo(f"also changes the render of {who}")
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


def batch(result: BatchResult, s: Settings) -> None:
    """A batch's result: its title, each shift, the refused ones, where it went."""
    if s.json:
        emit_json(result.to_json())
        return
    click.echo(result.summary)
    for refusal in result.refused:
        click.echo(f"refused, left out: {refusal.app}/{refusal.env}: {refusal.message}", err=True)
    if s.quiet:
        return
    from gitshift.manifests import show

    for r in result.shifts:
        click.echo(f"- {r.summary}")
        for c in r.changes:
            click.echo(f"    {c.resource} {c.path}: {show(c.before)} → {show(c.after)}")
    if not result.changed:
        return
    where = {"dry-run": "dry run: nothing written", "working-tree": "written to the working tree"}
    click.echo(f"files ({where.get(result.delivery, result.delivery)}): {', '.join(result.files)}")
    if result.commit:
        click.echo(f"commit {result.commit[:12]} on branch {result.branch}")
    if result.pr_url:
        click.echo(f"pull request: {result.pr_url}")
    for r in result.shifts:
        if r.diff and s.verbose:
            click.echo()
            click.echo(_color_diff(r.diff))


def row_error(who: str, error: str, hint: str = "") -> None:
    """The error of one row of a listing (the other rows were shown), as gitshift prints errors."""
    click.echo(f"gitshift: error: {who}: {error}", err=True)
    if hint:
        click.echo(f"hint: {hint}", err=True)


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> None:
    """A plain aligned table, kubectl style."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("   ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


_VERDICT_COLORS = {"pass": "green", "fail": "red", "wait": "yellow"}


def _gate_value(gate: Gate, value: float | str | None) -> str:
    if value is None:
        return "-"
    if gate.kind == "bake" and isinstance(value, int | float):
        from gitshift.gates.verdict import duration_text

        return duration_text(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def gate(result: GateResult, s: Settings, table_too: bool = True) -> None:
    """A gate's verdict: the table of its gates, then ``app/env: verdict: reason``."""
    if s.json:
        emit_json(result.to_json())
        return
    if table_too and not s.quiet:
        rows = [[g.name, g.kind, g.verdict, _gate_value(g, g.value), _gate_value(g, g.threshold), g.detail]
                for g in result.gates]
        table(rows, ["NAME", "KIND", "VERDICT", "VALUE", "THRESHOLD", "DETAIL"])
    verdict = click.style(result.verdict, fg=_VERDICT_COLORS[result.verdict], bold=True)
    click.echo(f"{result.app}/{result.env}: {verdict}: {result.reason}")


def step(done: Step, s: Settings, table_too: bool = True) -> None:
    """What ``advance`` did for one env: the gate, what it decided, and the shift."""
    if s.json:
        emit_json(done.to_json())
        return
    if done.gate is None:
        click.echo(f"{done.app}/{done.env}: {done.note}")
        return
    gate(done.gate, s, table_too)
    if done.result is None or not s.quiet:
        click.echo(f"  {done.note}")
    if done.result is not None:
        shift(done.result, s)


def steps(done: Sequence[Step], s: Settings) -> None:
    """What ``advance --all`` did, env by env (a list in JSON; no gate tables in text)."""
    if s.json:
        emit_json([d.to_json() for d in done])
        return
    for d in done:
        if d.gate is not None or not s.quiet:
            step(d, s, table_too=False)
