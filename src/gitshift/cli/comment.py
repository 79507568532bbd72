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


def _token(config: Config) -> str | None:
    """The forge token, from the variable the config names; it is passed on, never printed."""
    name = config.forge.token_env if config.forge is not None else "GITHUB_TOKEN"
    return os.environ.get(name) or None


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
@click.option("--forge", type=click.Choice(["github", "gitlab"]), help="Which forge sent it (default: detected).")
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
@command_options
def serve(port: int, host: str, queue_size: int) -> None:
    """Receive comment webhooks (GitHub issue_comment, GitLab note) and run their commands on -C's clone.

    The webhook secret is read from GITSHIFT_WEBHOOK_SECRET.
    """
    from gitshift.comments import webhook as serving
    from gitshift.errors import GitshiftError, InputError

    secret = os.environ.get(SECRET_ENV, "")
    if len(secret) < 16:
        raise InputError(f"{SECRET_ENV} must hold the webhook secret (16 characters or more)", "environment")
    s = settings()
    s.load_config()  # a broken config fails now, not on the first event

    def process(forge: str, body: bytes) -> None:
        try:
            outcome = _handle(s, _decode(body, f"{forge} webhook"), forge)
            click.echo(outcome.message)
        except GitshiftError as exc:
            click.echo(f"gitshift: error: {exc}", err=True)

    server = serving.WebhookServer(host, port, secret, process, lambda line: click.echo(line, err=True),
                                   queue_size=queue_size)
    click.echo(f"listening on http://{host}:{server.port}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()

COMMANDS = (comment, serve)
