"""``forge.commit_via: api`` on GitLab: the shift's commit made by the Commits API, never forced.

The fake GitLab writes into the test's bare ``origin`` with GitLab's rules (the
commit goes on the branch's tip as the call finds it; ``last_commit_id`` refuses
a file changed since), and checks every call against the endpoint table.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import git, run, snapshot

try:
    from tests.support.git_store import someone_else_pushes
except ImportError:  # the repository root is not on sys.path
    from support.git_store import someone_else_pushes  # type: ignore[no-redef]

if TYPE_CHECKING:
    from tests.support.forge_server import ForgeServer

PROJECT = "acme/platform/gitops"
COMMITS = "/projects/acme%2Fplatform%2Fgitops/repository/commits"
BRANCH = "gitshift/web/staging/set-image"
KUSTOMIZATION = "overlays/staging/kustomization.yaml"
DEV = "overlays/dev/kustomization.yaml"  # a file no staging shift touches


def gitlab_repo(repo: Path, server: ForgeServer, extra: str = "") -> Path:
    """The example repository with commit_via: api on GitLab, its bare origin behind the fake's Commits API."""
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: gitlab\n  project: {PROJECT}\n  api_url: {server.gitlab_url}\n"
                   f"  commit_via: api\n{extra}" + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    server.gitlab.projects[PROJECT].git_dir = Path(git(repo, "remote", "get-url", "origin").strip())
    return repo


def env(server: ForgeServer) -> dict[str, str]:
    return {"GITLAB_TOKEN": server.token}


def test_pr_commits_through_the_commits_api(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    main = git(repo, "rev-parse", "main").strip()

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["commit"] == forge_server.gitlab.api_commits[0] == git(repo, "rev-parse", BRANCH).strip()
    assert git(repo, "ls-remote", "origin", BRANCH).split()[0] == data["commit"]
    assert git(repo, "rev-parse", f"{BRANCH}^").strip() == main
    assert "newTag: 1.1.0" in git(repo, "show", f"{BRANCH}:{KUSTOMIZATION}")
    message = git(repo, "log", "-1", "--format=%B", BRANCH)
    assert "Gitshift-App: web" in message and "Gitshift-Action: set-image" in message
    assert git(repo, "log", "-1", "--format=%an <%ae>", BRANCH).strip() == "Gitshift-Bot <gitshift-bot@gitlab.test>"
    sent = json.loads(forge_server.calls("POST", COMMITS)[0].body)
    assert (sent["branch"], sent["start_sha"], sent["force"]) == (BRANCH, main, False)
    [action] = sent["actions"]
    assert (action["action"], action["file_path"], action["encoding"]) == ("update", KUSTOMIZATION, "base64")
    assert "last_commit_id" not in action  # a new branch starts at the planned commit itself
    assert b"newTag: 1.1.0" in base64.b64decode(action["content"])
    assert "author_name" not in sent and "author_email" not in sent  # the token's user, as on GitHub
    [mr] = forge_server.gitlab.projects[PROJECT].mrs.values()
    assert (mr.source_branch, mr.target_branch) == (BRANCH, "main") and data["pr_url"]
    assert "gitlab POST" in r.stderr  # -v logged every call ...
    assert forge_server.token not in r.output  # ... and never the token
    assert forge_server.token not in (repo / ".git/config").read_text()


def test_a_second_shift_continues_the_branch(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitlab_repo(example_repo, forge_server)

    first = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env(forge_server))
    second = run(repo, "set-image", "web", ":1.2.0", "--env", "staging", "--push", env=env(forge_server))

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert git(repo, "log", "--format=%s", f"origin/main..{BRANCH}").splitlines() == [
        "set-image web/staging: image 1.1.0 → 1.2.0", "set-image web/staging: image 1.0.0 → 1.1.0"]
    later = json.loads(forge_server.calls("POST", COMMITS)[1].body)
    assert "start_sha" not in later and later["branch"] == BRANCH
    assert later["actions"][0]["last_commit_id"] == forge_server.gitlab.api_commits[0]  # it last changed the file
    assert len(forge_server.calls("GET", "/repository/files/")) == 1  # looked up on the existing branch only


def test_a_file_changed_meanwhile_is_replanned_on_the_new_tip(example_repo: Path, forge_server: ForgeServer,
                                                              tmp_path: Path) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    bare = forge_server.gitlab.projects[PROJECT].git_dir
    assert bare is not None
    forge_server.gitlab.before_commit = lambda: someone_else_pushes(tmp_path, bare, KUSTOMIZATION, "# reviewed\n",
                                                                    prepend=True)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    posts = forge_server.calls("POST", COMMITS)
    assert [p.status for p in posts] == [400, 201]  # refused: the file changed; then planned again on the new tip
    assert all(json.loads(p.body)["force"] is False for p in posts)
    assert git(bare, "log", "--format=%s", "-2", "main").splitlines() == [
        "set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]
    text = git(bare, "show", f"main:{KUSTOMIZATION}")
    assert text.startswith("# reviewed\n") and "newTag: 1.1.0" in text
    assert json.loads(r.stdout)["commit"] == git(bare, "rev-parse", "main").strip()


def test_a_branch_that_appeared_meanwhile_is_continued(example_repo: Path, forge_server: ForgeServer,
                                                       tmp_path: Path) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    bare = forge_server.gitlab.projects[PROJECT].git_dir
    assert bare is not None
    forge_server.gitlab.before_commit = lambda: someone_else_pushes(tmp_path, bare, DEV, "# theirs\n", branch=BRANCH)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env(forge_server))

    assert r.exit_code == 0, r.output
    posts = forge_server.calls("POST", COMMITS)
    assert [p.status for p in posts] == [400, 201]  # "A branch called ... already exists": planned again on it
    assert "start_sha" in json.loads(posts[0].body) and "start_sha" not in json.loads(posts[1].body)
    assert git(bare, "log", "--format=%s", f"main..{BRANCH}").splitlines() == [
        "set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]


def test_a_commit_on_a_moved_tip_is_planned_again_there(example_repo: Path, forge_server: ForgeServer,
                                                        tmp_path: Path) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    bare = forge_server.gitlab.projects[PROJECT].git_dir
    assert bare is not None
    forge_server.gitlab.before_commit = lambda: someone_else_pushes(tmp_path, bare, DEV,
                                                                    "# touched by someone else\n")

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    assert [p.status for p in forge_server.calls("POST", COMMITS)] == [201]
    head = git(bare, "rev-parse", "main").strip()
    assert json.loads(r.stdout)["commit"] == head == forge_server.gitlab.api_commits[0]
    assert git(bare, "log", "-1", "--format=%s", "main^").strip() == "someone else"  # GitLab built on their tip


def test_a_branch_moved_before_the_call_is_seen_and_nothing_is_sent(example_repo: Path, forge_server: ForgeServer,
                                                                   tmp_path: Path) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    bare = forge_server.gitlab.projects[PROJECT].git_dir
    assert bare is not None
    forge_server.gitlab.before_file_read = lambda: someone_else_pushes(tmp_path, bare, DEV,
                                                                       "# touched by someone else\n")

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    assert len(forge_server.calls("GET", "/repository/files/")) == 2  # the first found main moved: planned again
    [post] = forge_server.calls("POST", COMMITS)
    assert post.status == 201
    assert git(bare, "log", "--format=%s", "-2", "main").splitlines() == [
        "set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]


def test_an_unverified_commit_on_a_moved_tip_exits_3_naming_it(example_repo: Path, forge_server: ForgeServer,
                                                              tmp_path: Path) -> None:
    repo = gitlab_repo(example_repo, forge_server)
    bare = forge_server.gitlab.projects[PROJECT].git_dir
    assert bare is not None
    # Someone else renames the image in the base: the shift planned on their tip is not the one GitLab committed.
    forge_server.gitlab.before_commit = lambda: someone_else_pushes(
        tmp_path, bare, "base/kustomization.yaml",
        "images:\n- name: ghcr.io/acme/web\n  newName: ghcr.io/acme/web-renamed\n")

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main",
            env=env(forge_server))

    assert r.exit_code == 3, r.output
    landed = forge_server.gitlab.api_commits[0]
    assert f"gitlab made commit {landed[:12]} on main" in r.stderr
    assert "which another writer pushed meanwhile" in r.stderr
    assert f"review commit {landed} on main" in r.stderr


def test_a_500_exits_3_and_changes_nothing(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitlab_repo(example_repo, forge_server, "  retries: 2\n")
    forge_server.fail("POST", "/api/v4" + COMMITS, 500, times=5, body={"message": "500 Internal Server Error"})
    before = snapshot(repo)

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env(forge_server))

    assert r.exit_code == 3, r.output
    assert f"gitlab API call POST {COMMITS} failed: gave up after 2 attempt(s)" in r.stderr
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""
    assert snapshot(repo) == before
    assert not forge_server.gitlab.api_commits and not forge_server.gitlab.projects[PROJECT].mrs
    assert forge_server.token not in r.output
