"""Read-only commands: status, render, diff, check, history."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gitshift.cli import output
from gitshift.cli.options import Settings, command_options, settings
from gitshift.cli.output import examples

if TYPE_CHECKING:
    from gitshift.result import StatusRow


def _revision(value: str, option: str) -> str:
    """A revision option's value, refused before anything runs when git could read it as an option."""
    from gitshift.gitops import refs

    return refs.check_revision(value, option)


@click.command(epilog=examples(
    "gitshift status",
    "gitshift status web --env production -o json",
))
@click.argument("app", required=False)
@click.option("--env", "env_name", help="Only this env.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False),
              help="Write a static status page (index.html, style.css) to DIR instead of the table.")
@command_options
def status(app: str | None, env_name: str | None, html_dir: str | None) -> int:
    """Per app and env: strategy, images, colors, canary weight, replicas (an env that fails shows its error)."""
    from gitshift.shift import overview as status_mod

    s = settings()
    if html_dir:
        _status_page(s, Path(html_dir), app, env_name)
        return 0
    rows = status_mod.collect(s.load_config(), s.renderer(), app, env_name)
    if s.json:
        output.emit_json([r.to_json() for r in rows])
    else:
        output.table([r.row() for r in rows], ["APP", "ENV", "STRATEGY", "IMAGE", "TRAFFIC", "REPLICAS"])
        _chart_notes(rows, s)
    for r in rows:
        if r.error:
            output.row_error(f"{r.env.app}/{r.env.name}", r.error, r.hint)
    return max((r.code for r in rows), default=0)


def _chart_notes(rows: list[StatusRow], s: Settings) -> None:
    """A Helm chart's failures as warnings, a valuesFrom not read; the Helm envs whose chart was not rendered, once."""
    from gitshift.helm.chart import NOT_ASKED

    for r in rows:
        for w in r.warnings:
            if w.startswith("chart: "):
                click.echo(f"gitshift: warning: {r.env.app}/{r.env.name}: {w}", err=True)
            elif w.startswith("valuesFrom ") and not s.quiet:
                click.echo(f"gitshift: note: {r.env.app}/{r.env.name}: {w}", err=True)
    quiet = [f"{r.env.app}/{r.env.name}" for r in rows if NOT_ASKED in r.warnings]
    if quiet and not s.quiet:
        click.echo(f"gitshift: note: {', '.join(quiet)}: read from the Helm values; "
                   f"{NOT_ASKED.replace('renders it', 'renders the chart')}", err=True)


def _status_page(s: Settings, out: Path, app: str | None, env_name: str | None) -> None:
    """``status --html``: the page, with a warning for each env whose card shows an error."""
    from gitshift.pictures import gather

    written = gather.write(s.load_config(), s.renderer(), out, app, env_name)
    for a, e, error in written.errors:
        click.echo(f"gitshift: warning: {a}/{e}: {error}", err=True)
    if s.json:
        output.emit_json({"written": written.files,
                          "errors": [{"app": a, "env": e, "error": error} for a, e, error in written.errors]})
    elif not s.quiet:
        click.echo(f"status page: {out / 'index.html'}")


@click.command(epilog=examples(
    "gitshift render overlays/production",
    "gitshift render --all --out rendered/",
))
@click.argument("path", required=False, type=click.Path(file_okay=False))
@click.option("--all", "all_", is_flag=True, help="Every configured overlay.")
@click.option("--out", type=click.Path(file_okay=False), help="With --all: write DIR/<app>/<env>.yaml.")
@command_options
def render(path: str | None, all_: bool, out: str | None) -> None:
    """The rendered overlay at PATH, like `kustomize build PATH`."""
    s = settings()
    if all_:
        if not out:
            raise click.UsageError("--all needs --out DIR")
        from gitshift.shift import overview as status_mod

        written = status_mod.render_all(s.load_config(), s.renderer(), Path(out),
                                        progress=None if s.quiet else lambda m: click.echo(m, err=True))
        if s.json:
            output.emit_json({"written": written})
        elif not s.quiet:
            click.echo(f"{len(written)} file(s) changed under {out}")
        return
    if not path:
        raise click.UsageError("give an overlay PATH, or --all --out DIR")
    click.echo(s.renderer().render_text(Path(path)), nl=False)


@click.command(epilog=examples(
    "gitshift diff",
    "gitshift diff web --env staging --against origin/main",
))
@click.argument("app", required=False)
@click.option("--env", "env_name", help="Only this env.")
@click.option("--against", default="HEAD", show_default=True, callback=lambda c, p, v: _revision(v, "--against"),
              help="Compare the working tree with this ref.")
@command_options
def diff(app: str | None, env_name: str | None, against: str) -> None:
    """Unified diff of rendered manifests, --against (default HEAD) against the working tree."""
    from gitshift.shift import overview as status_mod

    s = settings()
    text = status_mod.diff(s.load_config(), s.renderer(), app, env_name, against)
    if s.json:
        output.emit_json({"diff": text})
    elif text:
        click.echo(output._color_diff(text))


@click.command(epilog=examples(
    "gitshift check",
    "gitshift check web --env production -o json",
))
@click.argument("app", required=False)
@click.option("--env", "env_name", help="Only this env.")
@command_options
def check(app: str | None, env_name: str | None) -> int:
    """Run the safety checks on the rendered overlays (exit 1 on a failure)."""
    from gitshift.shift import overview as status_mod

    s = settings()
    results = status_mod.check(s.load_config(), s.renderer(), app, env_name)
    if s.json:
        output.emit_json([r.to_json() for r in results])
    else:
        for r in results:
            mark = "ERROR" if r.error else "FAIL" if r.failures else "ok  "
            click.echo(f"{mark} {r.env.app}/{r.env.name} ({r.env.overlay})")
            for f in r.failures:
                click.echo(f"     - {f}")
            for w in r.warnings:
                click.echo(f"     warning: {w}")
    for r in results:
        if r.error:
            output.row_error(f"{r.env.app}/{r.env.name}", r.error, r.hint)
    return max((r.exit_code for r in results), default=0)


@click.command(epilog=examples(
    "gitshift history --env production-canary",
    "gitshift history web --branch gitshift/web/staging/set-image -n 5",
))
@click.argument("app", required=False)
@click.option("--env", "env_name", help="Only this env.")
@click.option("-n", "limit", type=click.IntRange(min=1), default=20, show_default=True, help="How many.")
@click.option("--branch", "ref", default="HEAD", show_default=True, help="Read the shifts of this branch (or ref).")
@command_options
def history(app: str | None, env_name: str | None, limit: int, ref: str) -> int:
    """Past shifts, newest first, from commit trailers (a commit whose trailers name no single shift shows why)."""
    from gitshift.errors import InputError
    from gitshift.gitops.repo import Repo
    from gitshift.shift import overview as status_mod

    s = settings()
    if app is not None or env_name is not None:
        s.load_config().select(app, env_name)  # an unknown app or env is bad input, not an empty history
    repo = Repo(s.root())
    sha = repo.rev_parse(ref)
    if sha is None:
        raise InputError(f"unknown branch or ref {ref!r}", "--branch", "`git branch -a` lists the branches")
    entries = status_mod.history(repo, sha, app, env_name, limit)
    if s.json:
        output.emit_json([{**{k: v for k, v in asdict(e).items() if k != "requested_by"}, "error": error}
                          for e, error in entries])
    else:
        output.table([(e.commit[:10], e.date[:19].replace("T", " "), e.action, e.summary) for e, _ in entries],
                     ["COMMIT", "DATE", "ACTION", "SUMMARY"])
    for e, error in entries:
        if error:
            output.row_error(e.commit[:10], error, "the commit's message was edited, or merged from several")
    return 2 if any(error for _, error in entries) else 0

COMMANDS = (status, render, diff, check, history)
