"""`gitshift ... --pr` authenticated as a GitHub App, end to end; the forge: keys of gitshift.yaml for Apps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.conftest import git, run, snapshot

from gitshift import config
from gitshift.errors import ConfigError
from gitshift.forge import app

try:
    from tests.support.github_app_fake import rsa_key_pair
except ImportError:  # the repository root is not on sys.path
    from support.github_app_fake import rsa_key_pair  # type: ignore[no-redef]

if TYPE_CHECKING:
    from tests.support.forge_server import ForgeServer

BRANCH = "gitshift/web/staging/set-image"
BOT = "gitshift-app[bot]"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    app.forget()
    yield
    app.forget()


def app_repo(repo: Path, server: ForgeServer, keys: str) -> Path:
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {server.github_url}\n{keys}"
                   + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    return repo


def test_pr_as_a_github_app(example_repo: Path, forge_server: ForgeServer) -> None:
    registered = forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])
    repo = app_repo(example_repo, forge_server, f"  app_id: {registered.id}\n")

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env={"GITSHIFT_APP_KEY": rsa_key_pair()[0], "GITHUB_TOKEN": "ghp_notUsedWhenAnAppIsConfigured"})

    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["pr_url"]
    (pr,) = forge_server.github.repos["acme/gitops"].pulls.values()
    assert pr.author == BOT
    bot_id = forge_server.github.users[BOT]
    who = git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", BRANCH).strip()
    assert who == f"{BOT} <{bot_id}+{BOT}@users.noreply.github.com>|{BOT} <{bot_id}+{BOT}@users.noreply.github.com>"
    # Every call after the exchange carried the installation token, none the personal one.
    (token,) = forge_server.github.apps.tokens
    sent = {rec.headers["Authorization"] for rec in forge_server.requests
            if not rec.target.startswith("/app") and not rec.target.endswith("/installation")}
    assert sent == {f"Bearer {token}"}
    assert token not in r.output and "PRIVATE KEY" not in r.output and "ghp_notUsed" not in r.output


def test_a_wrong_key_exits_3_naming_the_step_and_changes_nothing(example_repo: Path,
                                                                  forge_server: ForgeServer) -> None:
    registered = forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])
    repo = app_repo(example_repo, forge_server, f"  app_id: {registered.id}\n  private_key_file: app.pem\n")
    (repo / ".git" / "info" / "exclude").write_text("app.pem\n")
    (repo / "app.pem").write_text(rsa_key_pair("stranger")[0])
    before = snapshot(repo)

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr")

    assert r.exit_code == 3, r.output
    first = next(line for line in r.stderr.splitlines() if line.startswith("gitshift: error:"))
    assert first.startswith(f"gitshift: error: GitHub App {registered.id}: looking up the App (GET /app) failed:")
    assert "401" in first and "hint:" in r.stderr and "forge.app_id" in r.stderr
    assert "PRIVATE KEY" not in r.output and "eyJ" not in r.output
    assert snapshot(repo) == before
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""


def test_an_unset_key_is_bad_input(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = app_repo(example_repo, forge_server, "  app_id: 77\n  private_key_env: MY_APP_KEY\n")

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push")

    assert r.exit_code == 2, r.output
    assert "a GitHub App is configured but $MY_APP_KEY is empty" in r.stderr
    assert not forge_server.requests


ROOT = Path("/repo")
APPS = "apps: {a: {envs: {e: {overlay: x}}}}\n"


def test_app_keys_are_read() -> None:
    c = config.parse("forge: {project: o/r, app_id: 4242, installation_id: 9}\n" + APPS, ROOT / "g.yaml", ROOT)
    assert c.forge is not None
    assert (c.forge.app_id, c.forge.installation_id) == (4242, 9)
    assert (c.forge.private_key_env, c.forge.private_key_file) == ("GITSHIFT_APP_KEY", None)
    c = config.parse("forge: {project: o/r, app_id: Iv23abc, private_key_file: k.pem}\n" + APPS, ROOT / "g.yaml",
                     ROOT)
    assert c.forge is not None
    assert (c.forge.app_id, c.forge.private_key_env, c.forge.private_key_file) == ("Iv23abc", None, "k.pem")


@pytest.mark.parametrize(("forge", "needle"), [
    ("{project: o/r, app_id: -1}", "forge.app_id: expected the App's numeric id"),
    ("{project: o/r, app_id: true}", "forge.app_id: expected"),
    ("{project: o/r, app_id: 'a b'}", "forge.app_id: expected"),
    ("{project: o/r, app_id: 1, installation_id: x}", "forge.installation_id: expected a positive integer"),
    ("{project: o/r, app_id: 1, private_key_env: A, private_key_file: b}", "give private_key_env or"),
    ("{kind: gitlab, project: o/r, app_id: 1}", "forge.app_id: GitHub Apps are for kind github, not gitlab"),
    ("{project: o/r, private_key: x}", "forge.private_key: unknown key"),
])
def test_app_key_errors_name_the_key(forge: str, needle: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config.parse(f"forge: {forge}\n" + APPS, ROOT / "g.yaml", ROOT)
    assert needle in str(caught.value) and caught.value.exit_code == 2
