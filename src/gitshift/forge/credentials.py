"""The credentials a run hands to the forge and to git: a token from the environment, or a GitHub App's.

The caller passes the environment in (only ``cli/`` reads it); this module
never logs, prints or writes a key or a token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift.config import DEFAULT_APP_KEY_ENV, DEFAULT_TOKEN_ENV
from gitshift.errors import InputError

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig
    from gitshift.forge.app import Bot
    from gitshift.net.session import RetryPolicy

APP_ID_ENV = "GITSHIFT_APP_ID"  # the App id when gitshift.yaml names none (the GitHub Action's `app-id`)
MAX_KEY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Credentials:
    """A token for the forge API and for git over HTTPS, and the bot user commits are authored as."""

    token: str | None = field(default=None, repr=False)
    bot: Bot | None = None


def resolve(config: ForgeConfig | None, environ: Mapping[str, str], root: Path | None = None,
            policy: RetryPolicy | None = None) -> Credentials:
    """The credentials ``config`` asks for.

    With a GitHub App (``forge.app_id``, or ``GITSHIFT_APP_ID``) the private key is read
    from ``forge.private_key_env`` (default ``GITSHIFT_APP_KEY``) or ``forge.private_key_file``
    (relative to ``root``) and exchanged for an installation token; otherwise the token is
    the value of ``forge.token_env``.

    Raises:
        InputError: an App is configured but its key is missing or unreadable (exit 2).
        ForgeError: the App's key or id was refused, or GitHub failed (exit 3, naming the step).
    """
    if config is None:
        return Credentials(_clean(environ, DEFAULT_TOKEN_ENV["github"]))
    app_id = config.app_id or _app_id(environ.get(APP_ID_ENV))
    if config.kind != "github" or app_id is None:
        return Credentials(_clean(environ, config.token_env))
    from gitshift.forge import app, retry_policy

    private_key, source = _private_key(config, environ, root)
    key = app.AppKey(app_id, private_key, source, config.installation_id)
    minted = app.installation(config, key, policy or retry_policy(config))
    return Credentials(minted.token, minted.bot)


def commit_env(token: str | None) -> dict[str, str]:
    """Git's author and committer variables for commits made with ``token``: the App's bot, or nothing."""
    if not token:
        return {}  # git's own identity (and no import of the App module, where tokens are minted)
    from gitshift.forge import app

    bot = app.bot_for(token)
    if bot is None:
        return {}
    return {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER")
            for what, value in (("NAME", bot.login), ("EMAIL", bot.email))}


def _clean(environ: Mapping[str, str], name: str) -> str | None:
    """The token in variable ``name`` (unset or empty: None); refused unless printable ASCII."""
    from gitshift.net.redact import check_token

    return check_token(environ.get(name) or None, f"${name}")


def _app_id(value: str | None) -> int | str | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.replace(".", "").isalnum():
        raise InputError(f"{APP_ID_ENV} is not a GitHub App id", "environment", "give the App's numeric id")
    return int(value) if value.isdigit() else value


def _private_key(config: ForgeConfig, environ: Mapping[str, str], root: Path | None) -> tuple[str, str]:
    """The PEM text and where it came from (never the text itself in a message)."""
    if config.private_key_file:
        path = Path(config.private_key_file).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        try:
            with path.open("rb") as f:
                data = f.read(MAX_KEY_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read the GitHub App's private key: {exc.strerror}", str(path),
                             "forge.private_key_file names the App's .pem file") from None
        if len(data) > MAX_KEY_BYTES:
            raise InputError("the GitHub App's private key file is too large to be a key", str(path))
        return data.decode("utf-8", errors="replace"), str(path)
    name = config.private_key_env or DEFAULT_APP_KEY_ENV
    text = (environ.get(name) or "").strip()
    if not text:
        raise InputError(f"a GitHub App is configured but ${name} is empty", "forge.private_key_env",
                         f"put the App's private key (PEM) in ${name}, or set forge.private_key_file")
    if "\\n" in text and "\n" not in text:  # a PEM stored on one line with escaped newlines
        text = text.replace("\\n", "\n")
    return text, f"${name}"
