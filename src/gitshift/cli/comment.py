"""``gitshift comment`` (one comment event, as a CI job gets it) and ``gitshift serve`` (webhooks)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gitshift.cli import output
from gitshift.cli.options import Settings, command_options, settings
from gitshift.cli.output import examples

if TYPE_CHECKING:
    from gitshift.comments.handle import Outcome
    from gitshift.config import Config

MAX_EVENT = 1 << 20
SECRET_ENV = "GITSHIFT_WEBHOOK_SECRET"
MIN_SECRET = 16
SECRET_HINT = (f"export {SECRET_ENV}=<{MIN_SECRET} characters or more> in the environment serve starts in (it is "
               "read there, once, at start); the forge's webhook must be set up with the same secret")


def _token(config: Config) -> str | None:
    """The forge token (the variable the config names, or a GitHub App's); passed on, never printed."""
    from gitshift.forge import credentials

    return credentials.resolve(config.forge, os.environ, config.root).token


def _decode(raw: bytes, where: str) -> Any:
    import json

    from gitshift.errors import InputError

    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"the event is not JSON: {exc}", where) from exc


def _handle(s: Settings, data: Any, forge: str | None) -> Outcome:
    from gitshift.comments import events
    from gitshift.comments import handle as commenting

    local = s.load_config()
    return commenting.handle(events.read(data, forge), local, s.renderer(), _token(local))


def _print(outcome: Outcome, s: Settings) -> None:
    if s.json:
        output.emit_json({"exit_code": outcome.exit_code, "message": outcome.message, "reply": outcome.reply,
                          "result": outcome.result.to_json() if outcome.result else None})
        return
    click.echo(outcome.message)
    if outcome.reply and s.verbose:
        click.echo()
        click.echo(outcome.reply)


@click.command("comment", epilog=examples(
    "gitshift comment --event \"$GITHUB_EVENT_PATH\"",
    "gitshift comment --event note.json --forge gitlab -o json",
))
@click.option("--event", "event_file", required=True, type=click.Path(dir_okay=False),
              help="The event payload (GitHub: $GITHUB_EVENT_PATH; GitLab: the note hook's body).")
@click.option("--forge", type=click.Choice(["github", "gitlab", "gitea"]),
              help="Which forge sent it (default: detected).")
@command_options
def comment(event_file: str, forge: str | None) -> int:
    """Run the pull request comment command in a comment event, and reply under the comment."""
    from gitshift.errors import InputError

    try:
        with Path(event_file).open("rb") as f:
            raw = f.read(MAX_EVENT + 1)
    except OSError as exc:
        raise InputError(f"cannot read the event: {exc.strerror}", event_file) from exc
    if len(raw) > MAX_EVENT:
        raise InputError(f"the event is over {MAX_EVENT} bytes", event_file)
    s = settings()
    outcome = _handle(s, _decode(raw, event_file), forge)
    _print(outcome, s)
    return outcome.exit_code


@click.command("serve", epilog=examples(
    "GITSHIFT_WEBHOOK_SECRET=... gitshift -C /srv/gitops serve --port 8080",
    "gitshift serve --port 8080 --host 0.0.0.0 --queue-size 32",
))
@click.option("--port", type=click.IntRange(0, 65535), required=True, help="Port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--queue-size", type=click.IntRange(1, 1000), default=16, show_default=True,
              help="Events that may wait; more are answered 503.")
@click.option("--event-timeout", type=click.FloatRange(1, 86400), default=600, show_default=True,
              help="Seconds one event may take; then it is stopped and answered with a refusal.")
@command_options
def serve(port: int, host: str, queue_size: int, event_timeout: float) -> None:
    """Receive comment webhooks (GitHub and Gitea issue_comment, GitLab note) and run their commands on -C's clone.

    The webhook secret is read from GITSHIFT_WEBHOOK_SECRET. Each event runs as
    its own ``gitshift comment`` process, stopped after --event-timeout.
    Handled delivery and comment ids are kept in .git/gitshift/ so that a
    replayed delivery does nothing, across restarts too.
    """
    from gitshift.comments import webhook as serving
    from gitshift.errors import ExternalError, InputError
    from gitshift.gitops import journal

    secret = os.environ.get(SECRET_ENV, "")
    if len(secret) < MIN_SECRET:
        what = "is unset or empty" if not secret else f"is shorter than {MIN_SECRET} characters"
        raise InputError(f"{SECRET_ENV} {what}", "environment", SECRET_HINT)
    s = settings()
    local = s.load_config()  # a broken config fails now, not on the first event
    _token(local)  # and so does a malformed token
    address = _address(host)
    seen = serving.ReplayWindow(journal.state_dir(local.root) / "webhook-seen.json")

    def process(forge: str, body: bytes) -> None:
        _run_event(s, local, forge, body, event_timeout)

    try:
        server = serving.WebhookServer(address, port, secret, process, lambda line: click.echo(line, err=True),
                                       queue_size=queue_size, seen=seen)
    except OSError as exc:
        raise ExternalError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", "--host/--port",
                            "pick a free port (or 0 for any), or stop what listens there") from None
    click.echo(f"listening on http://{host}:{server.port}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _address(host: str) -> str:
    """``--host``: an IP address, or a name that resolves (checked now, not when binding fails)."""
    import ipaddress
    import socket

    from gitshift.errors import InputError

    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    looks_numeric = all(part.isdigit() for part in host.replace(":", ".").split(".") if part)
    if not host or looks_numeric or not host.isascii() or not all(
            part.replace("-", "").isalnum() for part in host.split(".")):
        raise InputError(f"invalid --host {host!r}", "--host", "give an IP address such as 127.0.0.1 or 0.0.0.0")
    try:
        socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        raise InputError(f"--host {host!r} does not resolve to an address", "--host",
                         "give an IP address such as 127.0.0.1 or 0.0.0.0") from None
    return host


def _run_event(s: Settings, local: Config, forge: str, body: bytes, limit: float) -> None:
    """Handle one event as a ``gitshift comment`` process; stop it (and its git) after ``limit`` seconds."""
    import signal
    import subprocess
    import sys
    import tempfile

    from gitshift.comments import events
    from gitshift.comments import handle as commenting
    from gitshift.errors import GitshiftError

    with tempfile.TemporaryDirectory(prefix="gitshift-event-") as tmp:
        path = Path(tmp) / "event.json"
        path.write_bytes(body)
        argv = [sys.executable, "-m", "gitshift", "-C", str(local.root), "-c", str(local.path),
                "--engine", s.engine, *(["-v"] if s.verbose else []), "comment", "--event", str(path),
                "--forge", forge]
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and the git it started
            proc.communicate()
            why = f"the command took longer than {limit:g}s and was stopped"
            try:
                outcome = commenting.stopped(events.read(_decode(body, f"{forge} webhook"), forge), local,
                                             _token(local), why, "check the pull request's branch, then try again")
            except GitshiftError as exc:
                click.echo(f"gitshift: error: {why}; the reply failed: {exc}", err=True)
                return
            click.echo(f"gitshift: error: {outcome.message}", err=True)
            return
    if out:
        click.echo(out, nl=False)
    if err:
        click.echo(err, nl=False, err=True)


COMMANDS = (comment, serve)
