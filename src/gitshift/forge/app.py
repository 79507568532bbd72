"""GitHub App authentication: a signed JWT exchanged for a repository-scoped installation token.

The token is cached in this process until five minutes before it expires (a
``gitshift serve`` that runs for days mints a new one when it must), and the
App's bot user is looked up once. Neither the key, the JWT nor the token is
ever logged, written or put in an error: the session redacts all three.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gitshift.errors import ForgeError

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig
    from gitshift.net.session import RetryPolicy

JWT_LIFETIME = 600  # seconds; GitHub refuses a JWT that lives longer than ten minutes
JWT_BACKDATE = 60  # `iat` in the past, so a server clock slightly behind ours still accepts it
REFRESH_MARGIN = 300  # a cached installation token is replaced this long before it expires
KEY_HINT = "check forge.app_id and that the private key is the App's (a PEM file from the App's settings)"


@dataclass(frozen=True)
class AppKey:
    """What identifies a GitHub App: its id (or client id), private key and, when known, installation."""

    app_id: int | str
    private_key: str = field(repr=False)
    source: str  # where the key came from, for messages: ``$GITSHIFT_APP_KEY`` or a file path
    installation_id: int | None = None


@dataclass(frozen=True)
class Bot:
    """The App's bot account: commits are authored as it, and its comments are its own."""

    login: str  # ``<slug>[bot]``
    id: int

    @property
    def email(self) -> str:
        """The no-reply address GitHub links to the bot account."""
        return f"{self.id}+{self.login}@users.noreply.github.com"


@dataclass(frozen=True)
class Installation:
    """A minted installation token, when it expires (epoch seconds) and the bot it acts as."""

    token: str = field(repr=False)
    expires_at: float
    bot: Bot


_lock = threading.Lock()
_tokens: dict[tuple[str, str, str, int | None], Installation] = {}
_bots: dict[tuple[str, str], Bot] = {}


def installation(config: ForgeConfig, key: AppKey, policy: RetryPolicy | None = None,
                 now: float | None = None) -> Installation:
    """An installation token for ``config.project``, from the cache or minted now.

    ``now`` (default: the clock) decides whether the cached token is still good.

    Steps, each named in the error if it fails: sign the JWT, look up the App
    (``GET /app``), find the installation (``GET /repos/{owner}/{repo}/installation``)
    unless ``key.installation_id`` is given, mint the token scoped to the repository
    (``POST /app/installations/{id}/access_tokens``), look up the bot user.

    Raises:
        ForgeError: any step failed (exit 3); the message names the step, never a secret.
    """
    cache_key = (config.api_url, str(key.app_id), config.project.lower(), key.installation_id)
    with _lock:
        cached = _tokens.get(cache_key)
        if cached is not None and cached.expires_at - REFRESH_MARGIN > (time.time() if now is None else now):
            return cached
        minted = _mint(config, key, policy, time.time())
        _tokens[cache_key] = minted
        return minted


def bot_for(token: str | None) -> Bot | None:
    """The bot user of an installation token minted in this process (None for any other token)."""
    if not token:
        return None
    with _lock:
        return next((i.bot for i in _tokens.values() if i.token == token), None)


def forget() -> None:
    """Drop every cached token and bot (tests; a key rotated under a long-running server)."""
    with _lock:
        _tokens.clear()
        _bots.clear()


def sign(key: AppKey, now: float) -> str:
    """The App's JWT: RS256, issued 60 s in the past, valid ten minutes from then."""
    import jwt

    issued = int(now) - JWT_BACKDATE
    claims = {"iat": issued, "exp": issued + JWT_LIFETIME, "iss": str(key.app_id)}  # GitHub takes either id
    try:
        return jwt.encode(claims, key.private_key, algorithm="RS256")
    except (ValueError, TypeError, jwt.exceptions.PyJWTError) as exc:
        # The library's message can describe the key; only its kind is kept.
        raise ForgeError(
            f"GitHub App {key.app_id}: signing the JWT failed: the private key from {key.source} is not an RSA "
            f"private key in PEM form ({type(exc).__name__})",
            "forge.private_key_env / forge.private_key_file",
            KEY_HINT,
        ) from None


def _mint(config: ForgeConfig, key: AppKey, policy: RetryPolicy | None, now: float) -> Installation:
    from gitshift.forge.github_api import github_session

    owner, _, name = config.project.partition("/")
    token = sign(key, now)
    session = github_session(config, token, policy, secrets=(key.private_key,))
    try:
        bot_key = (config.api_url, str(key.app_id))
        slug = _bots[bot_key].login.removesuffix("[bot]") if bot_key in _bots else None
        if slug is None:
            app = _step(key, "looking up the App (GET /app)", lambda: session.call("GET", "/app").data)
            slug = str(_field(key, "GET /app", lambda: app["slug"]))
        installation_id = key.installation_id
        if installation_id is None:
            path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/installation"
            found = _step(key, f"finding its installation on {config.project} (GET {path})",
                          lambda: session.call("GET", path).data)
            installation_id = int(_field(key, f"GET {path}", lambda: found["id"]))
        path = f"/app/installations/{installation_id}/access_tokens"
        minted = _step(key, f"minting an installation token (POST {path})",
                       lambda: session.call("POST", path, json={"repositories": [name]}).data)
        value = str(_field(key, f"POST {path}", lambda: minted["token"]))
        expires = _expiry(key, _field(key, f"POST {path}", lambda: minted["expires_at"]))
    finally:
        session.close()
    bot = _bots.get(bot_key) or _bot(config, key, value, slug, policy)
    _bots[bot_key] = bot
    return Installation(value, expires, bot)


def _bot(config: ForgeConfig, key: AppKey, token: str, slug: str, policy: RetryPolicy | None) -> Bot:
    from gitshift.forge.github_api import github_session

    login = f"{slug}[bot]"
    path = f"/users/{quote(login, safe='')}"
    session = github_session(config, token, policy)
    try:
        data = _step(key, f"looking up its bot user (GET {path})", lambda: session.call("GET", path).data)
    finally:
        session.close()
    return Bot(login, int(_field(key, f"GET {path}", lambda: data["id"])))


def _step(key: AppKey, step: str, call: Any) -> Any:
    try:
        return call()
    except ForgeError as exc:
        hint = KEY_HINT if " 401" in exc.what or "status 401" in exc.what else exc.hint
        if "status 404" in exc.what and "installation" in step:
            hint = "install the App on the repository, or set forge.installation_id"
        raise ForgeError(f"GitHub App {key.app_id}: {step} failed: {exc.what}", exc.where, hint) from None


def _field(key: AppKey, call: str, get: Any) -> Any:
    try:
        return get()
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ForgeError(f"GitHub App {key.app_id}: {call} answered without {exc}", "github API",
                         "check that forge.api_url points at the GitHub REST API") from None


def _expiry(key: AppKey, value: Any) -> float:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise ForgeError(f"GitHub App {key.app_id}: the token's expires_at {value!r} is not a time",
                         "github API") from None
