"""gitops.treeview: a commit's files read from git's objects, with edits laid over them, and a worktree fallback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git
from tests.support.trees import OVERLAY, app_tree, kustomization

from gitshift.errors import GitError
from gitshift.files import FileView, OutsideRootError
from gitshift.gitops.repo import Repo
from gitshift.gitops.treeview import GitTreeView, files_at
from gitshift.render import Renderer


@pytest.fixture
def view(small_repo: Path) -> GitTreeView:
    """A view of the first commit, after the working tree has moved on (a.txt edited, c.txt added)."""
    first = git(small_repo, "rev-list", "--max-parents=0", "HEAD").strip()
    (small_repo / "a.txt").write_text("working tree\n")
    (small_repo / "c.txt").write_text("untracked\n")
    repo = Repo(small_repo)
    v = GitTreeView.at(small_repo, repo.git_dir, first)
    yield v
    v.close()


def test_reads_the_commit_not_the_working_tree(view: GitTreeView, small_repo: Path) -> None:
    assert view.read_bytes(small_repo / "a.txt") == b"a\n"
    assert view.read_text(str(small_repo / "dir" / "b.txt")) == "b\n"
    assert view.mode(small_repo / "run.sh") == "100644"  # the first commit, before chmod
    assert not view.is_file(small_repo / "c.txt")
    with pytest.raises(FileNotFoundError):
        view.read_bytes(small_repo / "c.txt")
    with pytest.raises(IsADirectoryError):
        view.read_bytes(small_repo / "dir")


def test_folders_and_listings(view: GitTreeView, small_repo: Path) -> None:
    assert view.listdir(small_repo) == ["a.txt", "dir", "run.sh"]
    assert view.listdir(small_repo / "dir") == ["b.txt"]
    assert view.is_dir(small_repo) and view.is_dir(small_repo / "dir") and not view.is_dir(small_repo / "a.txt")
    assert view.exists(small_repo / "dir/b.txt") and not view.exists(small_repo / "nope")


def test_nothing_outside_the_repository_is_seen(view: GitTreeView, small_repo: Path) -> None:
    outside = small_repo.parent / "a.txt"
    outside.write_text("outside\n")
    for ask in (lambda: view.is_file(outside), lambda: view.listdir(small_repo.parent),
                lambda: view.read_bytes(small_repo / ".." / "a.txt")):
        with pytest.raises(OutsideRootError) as info:  # refused as the working tree view refuses it (exit 2)
            ask()
        assert info.value.exit_code == 2


def test_edits_are_laid_over_the_commit(view: GitTreeView, small_repo: Path) -> None:
    edited = view.with_edits({small_repo / "a.txt": b"edited\n", small_repo / "new/d.txt": b"d\n",
                              small_repo / "dir/b.txt": None})
    assert isinstance(edited, GitTreeView) and view.overlay == {}
    assert edited.read_bytes(small_repo / "a.txt") == b"edited\n"
    assert edited.listdir(small_repo / "new") == ["d.txt"]
    assert edited.listdir(small_repo / "dir") == [] and not edited.is_file(small_repo / "dir/b.txt")
    assert edited.is_dir(small_repo / "new") and edited.mode(small_repo / "new/d.txt") == "100644"
    blob = git(small_repo, "rev-parse", "HEAD~1:run.sh").strip()
    assert edited.cache_key(small_repo / "run.sh") == ("blob", blob)
    assert edited.cache_key(small_repo / "a.txt") is None


@pytest.mark.parametrize("kind", ["commit", "working tree"])
def test_a_folder_made_by_edits_alone_is_listed(view: GitTreeView, small_repo: Path, kind: str) -> None:
    base: FileView = view if kind == "commit" else FileView(root=small_repo)
    edited = base.with_edits({small_repo / "new/deep/d.txt": b"d\n", small_repo / "dir/sub/e.txt": b"e\n",
                              small_repo / "gone/f.txt": None})
    assert "new" in edited.listdir(small_repo) and "gone" not in edited.listdir(small_repo)
    assert edited.listdir(small_repo / "new") == ["deep"] and edited.listdir(small_repo / "new/deep") == ["d.txt"]
    assert edited.listdir(small_repo / "dir") == ["b.txt", "sub"]
    assert edited.is_dir(small_repo / "new/deep") and not edited.is_file(small_repo / "new")


def test_an_unknown_commit_is_a_git_error(small_repo: Path) -> None:
    with pytest.raises(GitError) as info:
        GitTreeView.at(small_repo, Repo(small_repo).git_dir, "0" * 40)
    assert info.value.what.startswith(f"cannot read commit {'0' * 40}: fatal: ")


@pytest.mark.parametrize("in_memory", [True, False], ids=["objects", "worktree"])
def test_files_at_renders_a_commit_as_its_checkout_would(repo_factory: Callable[..., Path], builtin: Renderer,
                                                         in_memory: bool) -> None:
    repo = repo_factory(app_tree({"kustomization.yaml": kustomization(
        "../../base", extra="images:\n- name: ghcr.io/acme/web\n  newTag: 1.0.0\n")}))
    committed = builtin.render(repo / OVERLAY, FileView())
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / OVERLAY / "kustomization.yaml").write_text(kustomization("../../base"))  # not committed
    with files_at(Repo(repo), head, in_memory=in_memory) as (root, files):
        assert isinstance(files, GitTreeView) is in_memory
        assert (root == repo) is in_memory
        assert builtin.render(root / OVERLAY, files) == committed
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert root == repo or not root.exists()


def test_copy_out_writes_what_the_view_holds_and_stops_at_its_bound(tmp_path: Path) -> None:
    from gitshift.errors import InputError
    from gitshift.files import copy_out

    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".git" / "config").write_text("[core]\n")
    (root / "chart" / "templates").mkdir(parents=True)
    (root / "chart" / "Chart.yaml").write_text("name: web\n")
    (root / "chart" / "templates" / "d.yaml").write_text("kind: Deployment\n")
    view = FileView({root / "chart" / "values.yaml": b"tag: 2\n"}, root)
    out = tmp_path / "out"
    copy_out(view, root, out, 10, 2**20, "the chart")
    copied = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert copied == ["chart/Chart.yaml", "chart/templates/d.yaml", "chart/values.yaml"]
    assert (out / "chart" / "values.yaml").read_bytes() == b"tag: 2\n"
    with pytest.raises(InputError, match="the chart is too large"):
        copy_out(view, root, tmp_path / "small", 2, 2**20, "the chart")
