"""A commit built from git's objects (``--commit``) equals the one git's own index would build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.conftest import git as run_git

from gitshift.errors import GitError
from gitshift.gitops import commit as commits
from gitshift.gitops.repo import Repo
from gitshift.gitops.treeview import GitTreeView


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    files = {"README.md": "hi\n", "apps/web/base/deploy.yaml": "kind: Deployment\n",
             "apps/web/overlays/prod/kustomization.yaml": "resources:\n- ../../base\n",
             "apps/web/overlays/prod/only/one.yaml": "a: 1\n", "apps/api/base/x.yaml": "x: 1\n",
             "tools/run.sh": "#!/bin/sh\n", "tools/deep/er/file.txt": "deep\n"}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    os.chmod(root / "tools" / "run.sh", 0o755)
    (root / "apps" / "web" / "link.yaml").symlink_to("base/deploy.yaml")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def git(repo: Path, *args: str) -> str:
    return run_git(repo, *args).strip()


def _by_index(root: Path, edits: dict[str, bytes | None]) -> str:
    """The tree git builds when the same edits are staged in its index."""
    for name, data in edits.items():
        if data is None:
            git(root, "rm", "-q", "--", name)
        else:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
            git(root, "add", "--", name)
    tree = git(root, "write-tree")
    git(root, "reset", "-q", "--hard")
    git(root, "clean", "-qfd")
    return tree


EDITS: list[dict[str, bytes | None]] = [
    {"apps/web/overlays/prod/kustomization.yaml": b"resources:\n- ../../base\nnamespace: prod\n"},
    {"apps/web/overlays/prod/patch.yaml": b"kind: Deployment\n", "README.md": None},
    {"apps/web/overlays/prod/only/one.yaml": None},  # the directory goes with its last file
    {"tools/run.sh": b"#!/bin/sh\nexit 0\n", "tools/deep/er/file.txt": None, "new/a/b/c.yaml": b"c: 1\n"},
    {"apps/api/base/x.yaml": None, "apps/web/base/deploy.yaml": None, "apps/web/link.yaml": None,
     "apps/web/overlays/prod/kustomization.yaml": None, "apps/web/overlays/prod/only/one.yaml": None},
]


@pytest.mark.parametrize("edits", EDITS)
def test_the_tree_equals_the_index_built_one(repo: Path, edits: dict[str, bytes | None]) -> None:
    head = git(repo, "rev-parse", "HEAD")
    r = Repo(repo)
    view = GitTreeView.at(repo, r.git_dir, head)
    try:
        sha = commits.commit_edits(r, head, {repo / k: v for k, v in edits.items()}, view.listing, "edit\n")
    finally:
        view.close()
    assert git(repo, "rev-parse", f"{sha}^{{tree}}") == _by_index(repo, edits)
    assert git(repo, "rev-parse", f"{sha}^") == head
    assert git(repo, "status", "--porcelain") == ""
    subprocess.run(["git", "fsck", "--strict", "--no-dangling"], cwd=repo, check=True, capture_output=True)


def test_a_file_where_a_directory_is_needed_is_refused(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    r = Repo(repo)
    view = GitTreeView.at(repo, r.git_dir, head)
    with pytest.raises(Exception, match="is a file in the commit"):
        commits.commit_edits(r, head, {repo / "README.md" / "x.yaml": b"x\n"}, view.listing, "edit\n")
    view.close()


def test_the_view_reads_the_commit_not_the_disk(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    (repo / "apps" / "web" / "base" / "deploy.yaml").write_text("changed on disk\n")
    (repo / "untracked.yaml").write_text("u\n")
    view = GitTreeView.at(repo, Repo(repo).git_dir, head)
    try:
        assert view.read_bytes(repo / "apps" / "web" / "base" / "deploy.yaml") == b"kind: Deployment\n"
        assert not view.is_file(repo / "untracked.yaml")
        assert view.is_dir(repo / "apps" / "web") and not view.is_file(repo / "apps" / "web")
        assert view.listdir(repo / "apps" / "web") == ["base", "link.yaml", "overlays"]
        assert view.listdir(repo) == ["README.md", "apps", "tools"]
        # A symlink is followed as a checkout follows it (one leaving the repository is refused).
        assert view.read_bytes(repo / "apps" / "web" / "link.yaml") == b"kind: Deployment\n"
        with pytest.raises(IsADirectoryError):
            view.read_bytes(repo / "apps")
        with pytest.raises(FileNotFoundError):
            view.read_bytes(repo / "apps" / "nothing.yaml")
        with pytest.raises(FileNotFoundError):
            view.read_bytes(repo / "README.md" / "below")
        assert view.cache_key(repo / "README.md") == ("blob", git(repo, "rev-parse", "HEAD:README.md"))
    finally:
        view.close()


def test_a_commit_that_is_not_there_is_a_git_error(repo: Path) -> None:
    with pytest.raises(GitError, match="cannot read commit"):
        GitTreeView.at(repo, Repo(repo).git_dir, "0" * 40)
