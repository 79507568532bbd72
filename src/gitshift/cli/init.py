"""``gitshift init``: write a commented gitshift.yaml from what the repository's overlays show."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gitshift.cli import output
from gitshift.cli.options import command_options, settings
from gitshift.cli.output import examples

if TYPE_CHECKING:
    from gitshift.init import Built


@click.command(epilog=examples(
    "gitshift init --dry-run",
    "gitshift init",
    "gitshift init --force -o json",
))
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@click.option("--dry-run", is_flag=True, help="Print the config instead of writing it.")
@command_options
def init(force: bool, dry_run: bool) -> int:
    """Scan the repository's kustomizations and write a commented gitshift.yaml."""
    from gitshift import files
    from gitshift.errors import InputError
    from gitshift.init import build

    s = settings()
    root = s.root()
    path = Path(s.config) if s.config else root / "gitshift.yaml"
    path = path if path.is_absolute() else Path.cwd() / path
    if path.exists() and not force and not dry_run:
        raise InputError(f"{path.name} already exists", str(path), "pass --force to overwrite it, or -c FILE")
    built = build(root, s.renderer(), path)
    if not built.text:
        strategies = sorted({e.detection.strategy for e in built.scan.envs()})
        if strategies:
            raise InputError(f"every env found uses {', '.join(strategies)}, which this gitshift release cannot "
                             "configure yet", str(root), "see `gitshift init -o json` for what the scan found")
        raise InputError("no app found: no overlay renders a workload gitshift can release", str(root),
                         _nothing_hint(built))
    if not dry_run:
        files.atomic_write(path, built.text.encode())
    _report(built, path, root, dry_run)
    return 0


def _nothing_hint(built: Built) -> str:
    if any(sk.hint for sk in built.scan.skipped):
        return f"{len(built.scan.skipped)} overlay(s) did not render: try `gitshift --engine kubectl init`"
    if not built.scan.kustomizations:
        return "gitshift releases Kustomize overlays: no kustomization.yaml was found"
    return "see `gitshift init -o json` for what the scan found"


def _report(built: Built, path: Path, root: Path, dry_run: bool) -> None:
    s = settings()
    scan = built.scan
    shown = _shown(path, root)
    if s.json:
        output.emit_json({"schema": 1, "config": shown, "written": not dry_run, **scan.to_json(),
                          "checks": [{"app": a, "env": e, "failures": f} for (a, e), f in built.checks.items()]})
        return
    if dry_run:
        click.echo(built.text, nl=False)
        return
    envs = scan.envs()
    if not s.quiet:
        click.echo(f"scanned {scan.kustomizations} kustomization(s): {scan.overlays} overlay(s), "
                   f"{len(scan.skipped)} not rendered")
        for e in envs:
            click.echo(f"{e.app}/{e.env}: {_strategy(e.detection.strategy, e.detection.settings)} "
                       f"({e.detection.reason})")
            for note in e.detection.notes:
                click.echo(f"  note: {note}")
            for failure in built.checks.get((e.app, e.env), []):
                click.echo(f"  gitshift check will fail: {failure}")
        for sk in scan.skipped:
            click.echo(f"skipped {sk.overlay}: {sk.reason}" + (f" (hint: {sk.hint})" if sk.hint else ""))
        for w in scan.warnings:
            click.echo(f"warning: {w}")
    click.echo(f"wrote {shown}: {len(scan.apps)} app(s), {len(envs)} env(s); "
               "next: gitshift status, gitshift check")


def _strategy(name: str, detected: Mapping[str, object]) -> str:
    traffic = detected.get("traffic")
    return f"{name} {traffic}" if traffic else name


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


COMMANDS = (init,)
