"""GitHub App authentication against the fake GitHub: JWT, installation token, cache, bot user, failures."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from gitshift.config import ForgeConfig
from gitshift.errors import ForgeError, InputError
from gitshift.forge import app, credentials, make_forge
from gitshift.net.retry import RetryPolicy

if TYPE_CHECKING:
    from tests.support.forge_server import ForgeServer
    from tests.support.github_app_fake import App

try:
    from tests.support.forge_clients import github_config
    from tests.support.github_app_fake import rsa_key_pair
except ImportError:  # the repository root is not on sys.path
    from support.forge_clients import github_config  # type: ignore[no-redef]
    from support.github_app_fake import rsa_key_pair  # type: ignore[no-redef]

BOT = "gitshift-app[bot]"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    app.forget()
    yield
    app.forget()


@pytest.fixture
def registered(forge_server: ForgeServer) -> App:
    """The App ``gitshift-app``, installed on acme/gitops."""
    return forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])


def _key(registered: App, pem: str | None = None, installation: int | None = None) -> app.AppKey:
    return app.AppKey(registered.id, pem or rsa_key_pair()[0], "$GITSHIFT_APP_KEY", installation)


def _config(server: ForgeServer, **app_keys: object) -> ForgeConfig:
    return replace(github_config(server), **app_keys)  # type: ignore[arg-type]


def _secrets(server: ForgeServer) -> list[str]:
    """Every secret of the run: the private key's body, each JWT, each minted token."""
    key_body = "".join(rsa_key_pair()[0].splitlines()[1:-1])
    sent = [r.headers.get("Authorization", "").partition(" ")[2] for r in server.requests]
    return [key_body[:64], *[s for s in sent if s], *server.github.apps.tokens]


def test_mints_a_repository_scoped_token_and_finds_the_bot(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy
) -> None:
    before = time.time()
    minted = app.installation(github_config(forge_server), _key(registered), fast_policy)

    assert minted.token in forge_server.github.apps.tokens
    assert minted.bot == app.Bot(BOT, forge_server.github.users[BOT])
    assert minted.bot.email == f"{minted.bot.id}+{BOT}@users.noreply.github.com"
    assert abs(minted.expires_at - (before + 3600)) < 5
    calls = [(r.method, r.target) for r in forge_server.requests]
    installation = registered.installations["acme/gitops"]
    assert calls == [("GET", "/app"), ("GET", "/repos/acme/gitops/installation"),
                     ("POST", f"/app/installations/{installation}/access_tokens"),
                     ("GET", "/users/gitshift-app%5Bbot%5D")]
    assert forge_server.calls("POST")[0].body == b'{"repositories": ["gitops"]}'
    assert forge_server.github.apps.tokens[minted.token].repositories == ("acme/gitops",)
    (claims,) = {c["iat"]: c for c in forge_server.github.apps.jwts}.values()
    assert claims["iss"] == str(registered.id)
    assert claims["exp"] - claims["iat"] == 600
    assert before - 62 <= claims["iat"] <= time.time() - 58
    # The bot lookup uses the new installation token, the rest the JWT.
    assert forge_server.requests[-1].headers["Authorization"] == f"Bearer {minted.token}"


def test_the_token_is_cached_until_five_minutes_before_it_expires(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy
) -> None:
    config, key, start = github_config(forge_server), _key(registered), time.time()
    first = app.installation(config, key, fast_policy, now=start)
    calls = len(forge_server.requests)

    assert app.installation(config, key, fast_policy, now=first.expires_at - 301) is first
    assert len(forge_server.requests) == calls
    second = app.installation(config, key, fast_policy, now=first.expires_at - 299)

    assert second.token != first.token
    new = [(r.method, r.target.split("/")[1]) for r in forge_server.requests[calls:]]
    assert new == [("GET", "repos"), ("POST", "app")]  # the App and its bot are looked up once
    assert app.bot_for(second.token) == first.bot


def test_a_known_installation_id_skips_the_lookup(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy
) -> None:
    installation = registered.installations["acme/gitops"]
    app.installation(github_config(forge_server), _key(registered, installation=installation), fast_policy)

    assert not forge_server.calls("GET", "/installation")
    assert len(forge_server.calls("POST", f"/app/installations/{installation}/access_tokens")) == 1


def test_the_installation_token_drives_the_forge_as_the_bot(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy
) -> None:
    config = github_config(forge_server)
    minted = app.installation(config, _key(registered), fast_policy)
    forge = make_forge(config, minted.token, fast_policy)
    try:
        pr = forge.open_or_update_pr("gitshift/web/staging/set-image", "main", "t", "b", reviewers=["alice"])
        forge.comment(pr.number, "done")
        user = forge.current_user()
    finally:
        forge.close()

    assert pr.author == BOT and pr.reviewers == ("alice",)
    assert (user.login, user.id) == (BOT, minted.bot.id)
    assert not [r for r in forge_server.requests if r.target == "/user"]  # not open to installation tokens
    repo = forge_server.github.repos["acme/gitops"]
    assert [c["user"] for c in repo.comments.values()] == [BOT]


@pytest.mark.parametrize(
    ("case", "step"),
    [("wrong key", "looking up the App (GET /app)"), ("wrong id", "looking up the App (GET /app)"),
     ("not installed", "finding its installation on acme/other"), ("not a key", "signing the JWT")],
)
def test_failures_name_the_step_and_never_a_secret(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy, case: str, step: str
) -> None:
    config, key = github_config(forge_server), _key(registered)
    if case == "wrong key":
        key = _key(registered, rsa_key_pair("stranger")[0])
    elif case == "wrong id":
        key = replace(key, app_id=registered.id + 1)
    elif case == "not installed":
        forge_server.github.add_repo("acme/other")
        config = github_config(forge_server, "acme/other")
    else:
        key = _key(registered, "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n")

    with pytest.raises(ForgeError) as caught:
        app.installation(config, key, fast_policy)

    error = caught.value
    assert error.exit_code == 3
    assert error.what.startswith(f"GitHub App {key.app_id}: {step}")
    if case in ("wrong key", "wrong id"):
        assert "status 401" in error.what and "forge.app_id" in error.hint
    if case == "not installed":
        assert "status 404" in error.what and "install the App" in error.hint
    text = f"{error} {error.hint}"
    assert all(secret not in text for secret in _secrets(forge_server))
    assert not forge_server.github.apps.tokens


def test_nothing_secret_is_logged_with_verbose(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    minted = app.installation(github_config(forge_server), _key(registered), fast_policy)
    forge = make_forge(github_config(forge_server), minted.token, fast_policy)
    forge.find_open_pr("x")
    forge.close()

    assert "GET" in caplog.text and "/app" in caplog.text
    assert all(secret not in caplog.text for secret in _secrets(forge_server))
    assert repr(minted).count("ghs_") == 0 and "PRIVATE" not in repr(_key(registered))


def test_resolve_reads_the_key_from_the_variable_or_a_file(
    forge_server: ForgeServer, registered: App, fast_policy: RetryPolicy, tmp_path: Path
) -> None:
    pem = rsa_key_pair()[0]
    by_env = credentials.resolve(_config(forge_server, app_id=registered.id, private_key_env="APP_PEM"),
                                 {"APP_PEM": pem.replace("\n", "\\n"), "GITHUB_TOKEN": "ignored"}, tmp_path,
                                 fast_policy)
    (tmp_path / "app.pem").write_text(pem)
    app.forget()
    by_file = credentials.resolve(_config(forge_server, app_id=registered.id, private_key_file="app.pem"), {},
                                  tmp_path, fast_policy)
    app.forget()
    by_id_env = credentials.resolve(github_config(forge_server),
                                    {"GITSHIFT_APP_ID": str(registered.id), "GITSHIFT_APP_KEY": pem}, None,
                                    fast_policy)

    for got in (by_env, by_file, by_id_env):
        assert got.token in forge_server.github.apps.tokens and got.bot is not None and got.bot.login == BOT
    assert credentials.commit_env(by_id_env.token) == {
        "GIT_AUTHOR_NAME": BOT, "GIT_AUTHOR_EMAIL": by_id_env.bot.email,  # type: ignore[union-attr]
        "GIT_COMMITTER_NAME": BOT, "GIT_COMMITTER_EMAIL": by_id_env.bot.email,  # type: ignore[union-attr]
    }
    assert credentials.commit_env("ghp_someone") == {}


def test_resolve_without_an_app_reads_token_env(forge_server: ForgeServer) -> None:
    got = credentials.resolve(github_config(forge_server), {"GITHUB_TOKEN": "tok", "GITSHIFT_APP_KEY": "x"})

    assert got == credentials.Credentials("tok") and got.bot is None
    with pytest.raises(InputError, match="the token holds a line break"):
        credentials.resolve(github_config(forge_server), {"GITHUB_TOKEN": "tok\n"})
    assert credentials.resolve(None, {}) == credentials.Credentials(None)


@pytest.mark.parametrize(
    ("keys", "environ", "message"),
    [({"app_id": 7}, {}, "a GitHub App is configured but $GITSHIFT_APP_KEY is empty"),
     ({"app_id": 7, "private_key_file": "missing.pem"}, {}, "cannot read the GitHub App's private key"),
     ({}, {"GITSHIFT_APP_ID": "7; rm -rf", "GITSHIFT_APP_KEY": "k"}, "GITSHIFT_APP_ID is not a GitHub App id")],
)
def test_a_missing_key_is_bad_input(
    forge_server: ForgeServer, tmp_path: Path, keys: dict[str, object], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError) as caught:
        credentials.resolve(_config(forge_server, **keys), environ, tmp_path)

    assert caught.value.exit_code == 2 and caught.value.what.startswith(message)
    assert not forge_server.requests
