"""Pushes over HTTP to a real git server (git http-backend) that requires the token.

Besides working, a push must leave the token nowhere: not in ``.git`` (config,
reflogs, FETCH_HEAD), not in any process's command line (the server looks at
every one while it serves a request), not in the output, even with -v.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from tests.conftest import git, run, snapshot

from gitshift.forge import app

try:
    from tests.support.git_http_server import GitHttpServer, git_http
    from tests.support.github_app_fake import rsa_key_pair
except ImportError:  # the repository root is not on sys.path
    from support.git_http_server import GitHttpServer, git_http  # type: ignore[no-redef]
    from support.github_app_fake import rsa_key_pair  # type: ignore[no-redef]

if TYPE_CHECKING:
    from tests.support.forge_server import ForgeServer

__all__ = ["git_http"]
BRANCH = "gitshift/web/staging/set-image"
BOT = "gitshift-app[bot]"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    app.forget()
    yield
    app.forget()


@pytest.fixture
def http_repo(example_repo: Path, git_http: GitHttpServer) -> Path:
    """The example repository, its ``origin`` now the git server (``acme/gitops``)."""
    git_http.add_bare("acme/gitops", example_repo)
    git(example_repo, "remote", "set-url", "origin", git_http.repo_url("acme/gitops"))
    return example_repo


def with_forge(repo: Path, server: ForgeServer, keys: str = "") -> None:
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {server.github_url}\n{keys}"
                   + cfg.read_text())
    git(repo, "commit", "-qam", "forge")


def served(git_http: GitHttpServer, full_name: str = "acme/gitops") -> Path:
    return git_http.root / f"{full_name}.git"


def assert_no_secret(repo: Path, git_http: GitHttpServer, *texts: str) -> None:
    """No secret in the texts, in any file under .git, or in the reflogs."""
    secrets = git_http.secrets()
    for text in texts:
        assert not [s for s in secrets if s in text]
    for path in (repo / ".git").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [s for s in secrets if s.encode() in data], path
    reflog = git(repo, "reflog", "show", "--all", "--format=%gs %gD")
    assert not [s for s in secrets if s in reflog]


def test_push_sends_the_token_in_a_header_only(http_repo: Path, git_http: GitHttpServer) -> None:
    r = run(http_repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--push", "-o", "json",
            env={"GITHUB_TOKEN": git_http.token})

    assert r.exit_code == 0, r.output
    commit = json.loads(r.stdout)["commit"]
    assert git(served(git_http), "rev-parse", BRANCH).strip() == commit
    pushes = [scheme for method, path, scheme in git_http.requests if path.endswith("/git-receive-pack")]
    assert pushes == ["basic"]
    assert_no_secret(http_repo, git_http, r.output)


def test_a_push_through_a_new_process_keeps_the_token_off_every_command_line(
    http_repo: Path, git_http: GitHttpServer
) -> None:
    env = {**os.environ, "GITHUB_TOKEN": git_http.token}
    proc = subprocess.run([sys.executable, "-m", "gitshift", "-v", "--engine", "builtin", "set-image", "web",
                           ":1.1.0", "--env", "staging", "--push"], cwd=http_repo, env=env, capture_output=True,
                          text=True, check=False, timeout=120)

    assert proc.returncode == 0, proc.stderr
    assert git(served(git_http), "rev-parse", "--verify", "-q", BRANCH).strip()
    assert_no_secret(http_repo, git_http, proc.stdout, proc.stderr)
    assert len(git_http.requests) >= 3  # the fixture checked every process's argv at each of them


def test_a_wrong_token_exits_3_and_changes_nothing(http_repo: Path, git_http: GitHttpServer) -> None:
    wrong = "ghp_wrongTokenForTheGitServer0000000000"
    before = snapshot(http_repo)

    r = run(http_repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--push", env={"GITHUB_TOKEN": wrong})

    assert r.exit_code == 3, r.output
    assert wrong not in r.output and base64.b64encode(f"x-access-token:{wrong}".encode()).decode() not in r.output
    assert snapshot(http_repo) == before
    assert git(served(git_http), "branch", "--list", BRANCH).strip() == ""


def test_credentials_persisted_by_a_checkout_do_not_get_in_the_way(http_repo: Path, git_http: GitHttpServer) -> None:
    # actions/checkout leaves `http.https://github.com/.extraheader` with the job token; a second
    # Authorization header would be refused, and a plain http.extraHeader would lose to that one.
    stale = base64.b64encode(b"x-access-token:ghs_expiredJobToken").decode()
    git(http_repo, "config", "--local", f"http.{git_http.url}/.extraheader", f"AUTHORIZATION: basic {stale}")

    r = run(http_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env={"GITHUB_TOKEN": git_http.token})

    assert r.exit_code == 0, r.output
    assert [s for _, path, s in git_http.requests if path.endswith("/git-receive-pack")] == ["basic"]
    assert "duplicate" not in [s for _, _, s in git_http.requests]


def test_a_lost_push_race_replans_on_the_new_tip(http_repo: Path, git_http: GitHttpServer, tmp_path: Path) -> None:
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(served(git_http)), str(other))

    def someone_else_pushes(_: str) -> None:
        kustomization = other / "overlays/dev/kustomization.yaml"
        kustomization.write_text(kustomization.read_text() + "# touched by someone else\n")
        git(other, "commit", "-qam", "someone else")
        git(other, "push", "-q", "origin", "main")

    git_http.before_push = someone_else_pushes
    r = run(http_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env={"GITHUB_TOKEN": git_http.token})

    assert r.exit_code == 0, r.output
    log = git(served(git_http), "log", "--format=%s", "-3", "main").splitlines()
    assert log[:2] == ["set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]
    assert json.loads(r.stdout)["commit"] == git(served(git_http), "rev-parse", "main").strip()
    assert len([p for _, p, _ in git_http.requests if p.endswith("/git-receive-pack")]) == 2
    assert_no_secret(http_repo, git_http, r.output)


def test_pr_pushes_over_https_and_opens_the_pull_request(
    http_repo: Path, git_http: GitHttpServer, forge_server: ForgeServer
) -> None:
    with_forge(http_repo, forge_server)
    git(http_repo, "push", "-q", str(served(git_http)), "main")
    git_http.extra_tokens = lambda: [forge_server.token]

    r = run(http_repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env={"GITHUB_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["pr_url"]
    (pr,) = forge_server.github.repos["acme/gitops"].pulls.values()
    assert pr.head == BRANCH
    assert git(served(git_http), "rev-parse", BRANCH).strip() == json.loads(r.stdout)["commit"]
    assert_no_secret(http_repo, git_http, r.output)


def test_a_github_app_token_pushes_and_the_bot_authors(
    http_repo: Path, git_http: GitHttpServer, forge_server: ForgeServer
) -> None:
    registered = forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])
    with_forge(http_repo, forge_server, f"  app_id: {registered.id}\n")
    git(http_repo, "push", "-q", str(served(git_http)), "main")
    git_http.token = "ghp_theServerTakesOnlyTheAppTokenNow000000"
    git_http.extra_tokens = lambda: list(forge_server.github.apps.tokens)

    r = run(http_repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env={"GITSHIFT_APP_KEY": rsa_key_pair()[0]})

    assert r.exit_code == 0, r.output
    bot_id = forge_server.github.users[BOT]
    author = git(served(git_http), "log", "-1", "--format=%an <%ae>", BRANCH).strip()
    assert author == f"{BOT} <{bot_id}+{BOT}@users.noreply.github.com>"
    assert [s for _, p, s in git_http.requests if p.endswith("/git-receive-pack")] == ["basic"]
    (pr,) = forge_server.github.repos["acme/gitops"].pulls.values()
    assert pr.author == BOT
    assert_no_secret(http_repo, git_http, r.output)
    assert "PRIVATE KEY" not in r.output


def test_the_server_sees_a_token_on_a_command_line(http_repo: Path, git_http: GitHttpServer) -> None:
    # The check the other tests rely on: a token passed with `git -c` is caught.
    proc = subprocess.run(["git", "-c", f"http.extraHeader=Authorization: Bearer {git_http.token}", "fetch", "-q",
                           "origin"], cwd=http_repo, capture_output=True, text=True, check=False)

    assert proc.returncode == 0, proc.stderr
    assert git_http.leaks and all("http.extraHeader=Authorization: Bearer" in leak for leak in git_http.leaks)
    git_http.leaks.clear()


def test_a_rerun_after_a_failed_pr_step_fetches_with_the_token(
    http_repo: Path, git_http: GitHttpServer, forge_server: ForgeServer
) -> None:
    with_forge(http_repo, forge_server)
    git(http_repo, "push", "-q", str(served(git_http)), "main")
    git_http.extra_tokens = lambda: [forge_server.token]
    forge_server.fail("POST", "/repos/acme/gitops/pulls", 422, body={"message": "Validation Failed"})
    args = ("set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json")

    first = run(http_repo, *args, env={"GITHUB_TOKEN": forge_server.token, "GIT_TERMINAL_PROMPT": "0"})
    again = run(http_repo, *args, env={"GITHUB_TOKEN": forge_server.token, "GIT_TERMINAL_PROMPT": "0"})

    assert first.exit_code == 3, first.output
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["pr_url"]
    assert "none" not in [s for _, _, s in git_http.requests]  # no fetch went out without the token
