"""``forge.commit_via: api``: the shift's commit made through GitHub's Git Data API, verified, never forced."""

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


def api_repo(repo: Path, server: ForgeServer, keys: str = "") -> Path:
    """The example repository with commit_via: api, its bare origin behind the fake's Git Data API."""
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {server.github_url}\n"
                   f"  commit_via: api\n{keys}" + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    server.github.repos["acme/gitops"].git_dir = Path(git(repo, "remote", "get-url", "origin").strip())
    return repo


def test_pr_commits_through_the_api(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = api_repo(example_repo, forge_server)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env={"GITHUB_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["commit"] == forge_server.github.api_commits[0] == git(repo, "rev-parse", BRANCH).strip()
    assert git(repo, "ls-remote", "origin", BRANCH).split()[0] == data["commit"]
    assert "newTag: 1.1.0" in git(repo, "show", f"{BRANCH}:overlays/staging/kustomization.yaml")
    message = git(repo, "log", "-1", "--format=%B", BRANCH)
    assert "Gitshift-App: web" in message and "Gitshift-Action: set-image" in message
    assert [c.target for c in forge_server.calls("POST", "/git/")] == [
        "/repos/acme/gitops/git/blobs", "/repos/acme/gitops/git/trees", "/repos/acme/gitops/git/commits",
        "/repos/acme/gitops/git/refs"]
    assert data["pr_url"]


def test_the_app_bot_authors_and_a_second_shift_fast_forwards(example_repo: Path,
                                                               forge_server: ForgeServer) -> None:
    registered = forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])
    repo = api_repo(example_repo, forge_server, f"  app_id: {registered.id}\n")
    env = {"GITSHIFT_APP_KEY": rsa_key_pair()[0]}

    first = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env)
    second = run(repo, "set-image", "web", ":1.2.0", "--env", "staging", "--push", env=env)

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert git(repo, "log", "--format=%an", f"origin/main..{BRANCH}").split() == [BOT, BOT]
    assert [c.method for c in forge_server.calls(contains="/git/refs")] == ["POST", "PATCH"]


def test_a_moved_branch_replans_and_never_forces(example_repo: Path, forge_server: ForgeServer,
                                                 tmp_path: Path) -> None:
    repo = api_repo(example_repo, forge_server)
    bare = forge_server.github.repos["acme/gitops"].git_dir
    assert bare is not None
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(bare), str(other))

    def someone_else_pushes() -> None:
        path = other / "overlays/dev/kustomization.yaml"
        path.write_text(path.read_text() + "# touched by someone else\n")
        git(other, "commit", "-qam", "someone else")
        git(other, "push", "-q", "origin", "main")

    forge_server.github.before_ref_update = someone_else_pushes
    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env={"GITHUB_TOKEN": forge_server.token})

    assert r.exit_code == 0, r.output
    log = git(bare, "log", "--format=%s", "-2", "main").splitlines()
    assert log == ["set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]
    patches = forge_server.calls("PATCH", "/git/refs/heads%2Fmain")
    assert [p.status for p in patches] == [422, 200]
    assert all(json.loads(p.body)["force"] is False for p in patches)
    assert json.loads(r.stdout)["commit"] == git(bare, "rev-parse", "main").strip()


def test_a_refused_api_call_exits_3_and_moves_nothing(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = api_repo(example_repo, forge_server)
    forge_server.fail("POST", "/repos/acme/gitops/git/trees", 403, body={"message": "Resource not accessible"})
    before = snapshot(repo)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env={"GITHUB_TOKEN": forge_server.token})

    assert r.exit_code == 3, r.output
    assert "github refused POST /repos/acme/gitops/git/trees: status 403" in r.stderr
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""
    assert snapshot(repo) == before


APPS = "apps: {a: {envs: {e: {overlay: x}}}}\n"


def test_commit_via_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        config.parse("forge: {project: o/r, commit_via: rest}\n" + APPS, Path("/r/g.yaml"), Path("/r"))
    assert "forge.commit_via: expected one of git, api" in str(caught.value)


@pytest.mark.parametrize("forge", ["{kind: gitlab, project: g/p}", "{kind: gitea, project: o/r, api_url: 'https://g/'}",
                                   "{project: o/r}"])
def test_every_forge_takes_commit_via_api(forge: str) -> None:
    parsed = config.parse(f"forge: {forge[:-1]}, commit_via: api}}\n" + APPS, Path("/r/g.yaml"), Path("/r"))
    assert parsed.forge is not None and parsed.forge.commit_via == "api"
