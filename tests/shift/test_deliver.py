"""shift.deliver (and the working-tree write of shift.run): where a computed shift goes, the checkout left alone.

Real repositories with a bare ``origin``; a lost push race is staged by the origin's own
pre-receive hook, which lets someone else's commit land just before the push does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git, snapshot
from tests.support.trees import OVERLAY, app_tree, kustomization

from gitshift import shift
from gitshift.config import Config, load
from gitshift.errors import ExternalError, InputError
from gitshift.gitops import journal
from gitshift.render import Renderer, get_renderer
from gitshift.shift import deliver
from gitshift.shift.request import Delivery, ShiftRequest

KFILE = f"{OVERLAY}/kustomization.yaml"
ENTRIES = "images:\n- name: ghcr.io/acme/web\n  newTag: {tag}\nreplicas:\n- name: web\n  count: {count}\n"


def overlay(tag: str = "1.0.0", count: int = 2) -> str:
    return kustomization("../../base", extra=ENTRIES.format(tag=tag, count=count))


def set_image(tag: str) -> ShiftRequest:
    return ShiftRequest("web", "staging", "set-image", image=f":{tag}")


@pytest.fixture
def gitops(repo_factory: Callable[..., Path]) -> tuple[Path, Config]:
    """A repository whose staging overlay pins web 1.0.0 with 2 replicas; a dirty file in its checkout."""
    repo = repo_factory(app_tree({"kustomization.yaml": overlay()}))
    (repo / "notes.txt").write_text("work in progress\n")
    return repo, load(repo / "gitshift.yaml", repo)


def at(repo: Path, ref: str, path: str = KFILE) -> str:
    return git(repo, "show", f"{ref}:{path}")


def checkout(repo: Path) -> tuple[object, ...]:
    """What the caller sees of their checkout: HEAD, the branch, the status and every file's content."""
    s = snapshot(repo)
    return s.head, s.branch, s.status, s.hashes


def subjects(repo: Path, ref: str) -> list[str]:
    return git(repo, "log", "--format=%s", ref).splitlines()


def test_working_tree_write_is_one_journaled_set(gitops: tuple[Path, Config], builtin: Renderer) -> None:
    repo, config = gitops
    res = shift.run(config, builtin, set_image("1.1.0"), Delivery())
    assert (res.changed, res.files, res.commit, res.delivery) == (True, (KFILE,), None, "working-tree")
    assert (repo / KFILE).read_text() == overlay("1.1.0")
    assert git(repo, "status", "--porcelain").splitlines() == [f" M {KFILE}", "?? notes.txt"]
    assert not (repo / ".git/gitshift/journal.json").exists()
    with journal.locked(repo, wait=0):  # released
        pass


@pytest.mark.parametrize("engine", ["builtin", "kubectl"])  # a commit's blobs, or a temporary worktree
def test_commit_onto_a_new_branch_leaves_the_checkout_alone(gitops: tuple[Path, Config], engine: str) -> None:
    repo, config = gitops
    before = checkout(repo)
    res = shift.run(config, get_renderer(engine), set_image("1.1.0"),
                    Delivery("commit", branch="release", message="Release 1.1.0", requested_by="alice"))
    assert checkout(repo) == before
    assert (res.branch, res.commit) == ("release", git(repo, "rev-parse", "release").strip())
    assert git(repo, "rev-parse", "release^") == git(repo, "rev-parse", "main")
    assert git(repo, "diff", "--name-only", "main", "release").splitlines() == [KFILE]
    assert at(repo, "release") == overlay("1.1.0")
    assert git(repo, "log", "-1", "--format=%B", "release") == (
        "set-image web/staging: image 1.0.0 → 1.1.0\n\nRelease 1.1.0\n\n"
        "- Deployment/web spec.template.spec.containers[0].image: ghcr.io/acme/web:1.0.0 → ghcr.io/acme/web:1.1.0\n\n"
        "Gitshift-App: web\nGitshift-Env: staging\nGitshift-Action: set-image\nGitshift-Requested-By: alice\n\n")
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_commit_continues_an_existing_branch(gitops: tuple[Path, Config], builtin: Renderer) -> None:
    repo, config = gitops
    before = checkout(repo)
    first = shift.run(config, builtin, set_image("1.1.0"), Delivery("commit", branch="release"))
    second = shift.run(config, builtin, set_image("1.2.0"), Delivery("commit", branch="release"))
    assert git(repo, "rev-parse", "release^").strip() == first.commit
    assert second.summary == "set-image web/staging: image 1.1.0 → 1.2.0"
    again = shift.run(config, builtin, set_image("1.2.0"), Delivery("commit", branch="release"))
    assert (again.changed, again.commit, again.branch) == (False, None, "release")
    assert git(repo, "rev-parse", "release").strip() == second.commit
    assert checkout(repo) == before


def test_commit_never_moves_a_checked_out_branch(gitops: tuple[Path, Config], builtin: Renderer) -> None:
    repo, config = gitops
    before = snapshot(repo)
    with pytest.raises(InputError) as info:
        shift.run(config, builtin, set_image("1.1.0"), Delivery("commit", branch="main"))
    assert str(info.value) == "--commit would move branch 'main', which is checked out (this checkout)"
    assert snapshot(repo) == before


def test_push_to_a_bare_origin(gitops: tuple[Path, Config], builtin: Renderer) -> None:
    repo, config = gitops
    before = checkout(repo)
    res = shift.run(config, builtin, set_image("1.1.0"), Delivery("push", branch="release", pr_preview=True))
    origin = repo.parent / "origin.git"
    assert git(origin, "rev-parse", "release").strip() == res.commit == git(repo, "rev-parse", "release").strip()
    assert at(origin, "release") == overlay("1.1.0")
    assert git(origin, "rev-parse", "main") == git(repo, "rev-parse", "main")
    assert res.pr_preview is not None and res.pr_preview.startswith(f"{res.summary}\n\n")
    assert checkout(repo) == before


# The origin's pre-receive hook moves the branch just before the push lands, as another pusher would: the
# first time to someone else's waiting commit (refs/pending/theirs), or, ``always``, to a new commit each time.
# The push then fails as a lost race does (the ref is no longer where it was). Refs are written outside git's
# quarantine of the incoming objects.
HOOK = """#!/bin/sh
echo run >> attempts
unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
if theirs=$(git rev-parse -q --verify refs/pending/theirs); then
    git update-ref -d refs/pending/theirs
elif [ -n "$ALWAYS" ]; then
    tip=$(git rev-parse refs/heads/$BRANCH)
    theirs=$(git commit-tree -p "$tip" -m "someone else, again" "$tip^{tree}")
else
    exit 0
fi
git update-ref refs/heads/$BRANCH "$theirs"
"""


def stage_race(repo: Path, tmp_path: Path, branch: str, always: bool = False) -> Path:
    """Someone else's commit (replicas 2 → 3) waiting in the origin, and the hook that lets it win."""
    origin = repo.parent / "origin.git"
    other = tmp_path / "someone-else"
    git(tmp_path, "clone", "-q", str(origin), str(other))
    (other / KFILE).write_text(overlay(count=3))
    git(other, "commit", "-q", "-am", "theirs: 3 replicas")
    git(other, "push", "-q", "origin", "HEAD:refs/pending/theirs")
    hook = origin / "hooks/pre-receive"
    hook.write_text(HOOK.replace("$BRANCH", branch).replace("$ALWAYS", "yes" if always else ""))
    hook.chmod(0o755)
    return origin


def test_a_lost_push_race_is_planned_again_on_the_new_tip(gitops: tuple[Path, Config], builtin: Renderer,
                                                           tmp_path: Path) -> None:
    repo, config = gitops
    origin = stage_race(repo, tmp_path, "release")
    before = checkout(repo)
    res = shift.run(config, builtin, set_image("1.1.0"), Delivery("push", branch="release"))
    assert (origin / "attempts").read_text() == "run\nrun\n"
    assert subjects(origin, "release")[:2] == ["set-image web/staging: image 1.0.0 → 1.1.0", "theirs: 3 replicas"]
    assert at(origin, "release") == overlay("1.1.0", count=3)  # their edit kept, ours made on top: not a text merge
    assert res.commit == git(origin, "rev-parse", "release").strip() == git(repo, "rev-parse", "release").strip()
    assert checkout(repo) == before


def test_a_push_that_keeps_losing_gives_up(gitops: tuple[Path, Config], builtin: Renderer, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo, config = gitops
    origin = stage_race(repo, tmp_path, "release", always=True)
    monkeypatch.setattr(deliver, "PUSH_ATTEMPTS", 3)
    before = checkout(repo)
    with pytest.raises(ExternalError) as info:
        shift.run(config, builtin, set_image("1.1.0"), Delivery("push", branch="release"))
    assert (str(info.value), info.value.hint) == (
        "push to release kept losing races after 3 attempts (origin)",
        "someone else is pushing to the same branch; retry later")
    assert (origin / "attempts").read_text() == "run\n" * 3
    assert checkout(repo) == before
    assert git(repo, "branch", "--list", "release") == ""  # no local branch for a commit that never landed
