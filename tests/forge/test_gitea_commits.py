"""``forge.commit_via: api`` on Gitea and Forgejo: the shift's commit made by ChangeFiles, never forced.

The fake Gitea writes into the test's bare ``origin`` with Gitea's rules (the
commit goes on the branch's tip as the call finds it; a file's ``sha`` that no
longer matches is refused), and checks every call and answer against Gitea's
own API description.
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

CONTENTS = "/api/v1/repos/acme/gitops/contents"
BRANCH = "gitshift/web/staging/set-image"
KUSTOMIZATION = "overlays/staging/kustomization.yaml"
DEV = "overlays/dev/kustomization.yaml"  # a file no staging shift touches


def gitea_repo(repo: Path, server: ForgeServer, extra: str = "") -> Path:
    """The example repository with commit_via: api on Gitea, its bare origin behind the fake's ChangeFiles."""
    cfg = repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: gitea\n  project: acme/gitops\n  api_url: {server.gitea_url}\n"
                   f"  commit_via: api\n{extra}" + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    server.gitea.repos["acme/gitops"].git_dir = Path(git(repo, "remote", "get-url", "origin").strip())
    return repo


def env(server: ForgeServer) -> dict[str, str]:
    return {"GITEA_TOKEN": server.token}


def bare_of(server: ForgeServer) -> Path:
    bare = server.gitea.repos["acme/gitops"].git_dir
    assert bare is not None
    return bare


def test_pr_commits_through_change_files(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitea_repo(example_repo, forge_server)
    blob = git(repo, "rev-parse", f"main:{KUSTOMIZATION}").strip()

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["commit"] == forge_server.gitea.api_commits[0] == git(repo, "rev-parse", BRANCH).strip()
    assert git(repo, "ls-remote", "origin", BRANCH).split()[0] == data["commit"]
    assert "newTag: 1.1.0" in git(repo, "show", f"{BRANCH}:{KUSTOMIZATION}")
    assert "Gitshift-Env: staging" in git(repo, "log", "-1", "--format=%B", BRANCH)
    assert git(repo, "log", "-1", "--format=%an", BRANCH).strip() == "gitshift-bot"
    sent = json.loads(forge_server.calls("POST", CONTENTS)[0].body)
    assert (sent["branch"], sent["new_branch"]) == ("main", BRANCH)
    [item] = sent["files"]
    assert (item["operation"], item["path"], item["sha"]) == ("update", KUSTOMIZATION, blob)
    assert b"newTag: 1.1.0" in base64.b64decode(item["content"])
    assert "author" not in sent and "committer" not in sent  # the token's user, as on GitHub
    assert data["pr_url"] == "https://gitea.test/acme/gitops/pulls/1"
    assert "gitea POST" in r.stderr and forge_server.token not in r.output


def test_a_second_shift_continues_the_branch(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitea_repo(example_repo, forge_server)

    first = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env(forge_server))
    second = run(repo, "set-image", "web", ":1.2.0", "--env", "staging", "--push", env=env(forge_server))

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert git(repo, "log", "--format=%s", f"origin/main..{BRANCH}").splitlines() == [
        "set-image web/staging: image 1.1.0 → 1.2.0", "set-image web/staging: image 1.0.0 → 1.1.0"]
    later = json.loads(forge_server.calls("POST", CONTENTS)[1].body)
    assert later["branch"] == BRANCH and "new_branch" not in later
    assert later["files"][0]["sha"] == git(repo, "rev-parse", f"{forge_server.gitea.api_commits[0]}:"
                                                             f"{KUSTOMIZATION}").strip()


def test_a_file_changed_meanwhile_is_replanned_on_the_new_tip(example_repo: Path, forge_server: ForgeServer,
                                                              tmp_path: Path) -> None:
    repo = gitea_repo(example_repo, forge_server)
    bare = bare_of(forge_server)
    forge_server.gitea.before_commit = lambda: someone_else_pushes(tmp_path, bare, KUSTOMIZATION, "# reviewed\n",
                                                                   prepend=True)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    assert [p.status for p in forge_server.calls("POST", CONTENTS)] == [422, 201]
    assert git(bare, "log", "--format=%s", "-2", "main").splitlines() == [
        "set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]
    text = git(bare, "show", f"main:{KUSTOMIZATION}")
    assert text.startswith("# reviewed\n") and "newTag: 1.1.0" in text
    assert json.loads(r.stdout)["commit"] == git(bare, "rev-parse", "main").strip()


def test_a_commit_on_a_moved_tip_is_planned_again_there(example_repo: Path, forge_server: ForgeServer,
                                                        tmp_path: Path) -> None:
    repo = gitea_repo(example_repo, forge_server)
    bare = bare_of(forge_server)
    forge_server.gitea.before_commit = lambda: someone_else_pushes(tmp_path, bare, DEV,
                                                                   "# touched by someone else\n")

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", "--branch", "main", "-o", "json",
            env=env(forge_server))

    assert r.exit_code == 0, r.output
    assert [p.status for p in forge_server.calls("POST", CONTENTS)] == [201]
    assert json.loads(r.stdout)["commit"] == git(bare, "rev-parse", "main").strip()
    assert git(bare, "log", "-1", "--format=%s", "main^").strip() == "someone else"


def test_a_500_exits_3_and_changes_nothing(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitea_repo(example_repo, forge_server, "  retries: 2\n")
    forge_server.fail("POST", CONTENTS, 500, times=5, body={"message": "internal error", "url": "x"})
    before = snapshot(repo)

    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env(forge_server))

    assert r.exit_code == 3, r.output
    assert "gitea API call POST /repos/acme/gitops/contents failed: gave up after 2 attempt(s)" in r.stderr
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""
    assert snapshot(repo) == before
    assert not forge_server.gitea.api_commits and not forge_server.gitea.repos["acme/gitops"].pulls
    assert forge_server.token not in r.output


def test_a_branch_that_appeared_meanwhile_is_continued(example_repo: Path, forge_server: ForgeServer,
                                                       tmp_path: Path) -> None:
    repo = gitea_repo(example_repo, forge_server)
    bare = bare_of(forge_server)
    forge_server.gitea.before_commit = lambda: someone_else_pushes(tmp_path, bare, DEV, "# theirs\n", branch=BRANCH)

    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env(forge_server))

    assert r.exit_code == 0, r.output
    posts = forge_server.calls("POST", CONTENTS)
    assert [p.status for p in posts] == [422, 201]  # "branch already exists": planned again on it
    assert [json.loads(p.body).get("new_branch") for p in posts] == [BRANCH, None]
    assert git(bare, "log", "--format=%s", f"main..{BRANCH}").splitlines() == [
        "set-image web/staging: image 1.0.0 → 1.1.0", "someone else"]


def test_a_branch_deleted_meanwhile_is_refused_naming_it(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = gitea_repo(example_repo, forge_server)
    bare = bare_of(forge_server)
    assert run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push", env=env(forge_server)).exit_code == 0
    forge_server.gitea.before_commit = lambda: git(bare, "update-ref", "-d", f"refs/heads/{BRANCH}")

    r = run(repo, "set-image", "web", ":1.2.0", "--env", "staging", "--push", env=env(forge_server))

    assert r.exit_code == 3, r.output
    assert (f"gitea refused POST /repos/acme/gitops/contents: status 404: branch does not exist [name: {BRANCH}]"
            in r.stderr)
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""
