"""A fake forge's repository: a real bare repository that commit APIs write into with git itself.

The GitLab Commits API and Gitea's ChangeFiles fakes read trees, write a commit
on a parent and move a branch with compare-and-swap, so what they made can be
fetched and checked like any pushed commit.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

ZERO = "0" * 40
STAMP = "2024-05-01T12:00:00Z"


def git(git_dir: Path, *args: str, data: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
    """Run git on ``git_dir``; stdout, or ValueError with git's message."""
    proc = subprocess.run(["git", "--git-dir", str(git_dir), *args], input=data, capture_output=True, check=False,
                          env={**os.environ, **(env or {})})
    if proc.returncode:
        raise ValueError(proc.stderr.decode(errors="replace").strip())
    return proc.stdout.decode().strip()


def resolve(git_dir: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None."""
    try:
        return git(git_dir, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except ValueError:
        return None


def entry(git_dir: Path, commit: str, path: str) -> tuple[str, str] | None:
    """``(mode, blob)`` of the file ``path`` in ``commit``, or None when it has no such file."""
    line = git(git_dir, "ls-tree", commit, "--", path)
    if not line:
        return None
    mode, kind, blob = line.split("\t", 1)[0].split()
    return (mode, blob) if kind == "blob" else None


def blob(git_dir: Path, sha: str) -> bytes:
    """The bytes of a blob."""
    return subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "blob", sha], capture_output=True,
                          check=True).stdout


def last_commit(git_dir: Path, commit: str, path: str) -> str | None:
    """The last commit up to ``commit`` that changed ``path`` (GitLab's ``last_commit_id``)."""
    return git(git_dir, "log", "-1", "--format=%H", commit, "--", path) or None


def write_commit(git_dir: Path, parent: str, writes: Mapping[str, tuple[str, bytes] | None], message: str,
                 author: tuple[str, str], committer: tuple[str, str] | None = None) -> tuple[str, str]:
    """A commit on ``parent`` with ``writes`` (path -> (mode, bytes), None deletes): its sha and tree."""
    fd, index = tempfile.mkstemp(prefix="fake-forge-index-")
    os.close(fd)
    env = {"GIT_INDEX_FILE": index}
    try:
        git(git_dir, "read-tree", parent, env=env)
        for path, change in writes.items():
            if change is None:
                git(git_dir, "update-index", "--force-remove", "--", path, env=env)
            else:
                sha = git(git_dir, "hash-object", "-w", "--stdin", data=change[1])
                git(git_dir, "update-index", "--add", "--cacheinfo", f"{change[0]},{sha},{path}", env=env)
        tree = git(git_dir, "write-tree", env=env)
    finally:
        Path(index).unlink(missing_ok=True)
    who = committer or author
    people = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": STAMP,
              "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1], "GIT_COMMITTER_DATE": STAMP}
    sha = git(git_dir, "commit-tree", tree, "-p", parent, "-F", "-", data=message.encode(), env=people)
    return sha, tree


def move_branch(git_dir: Path, branch: str, new: str, old: str | None) -> bool:
    """Move ``branch`` to ``new`` only if it is still at ``old`` (None: only if it does not exist)."""
    try:
        git(git_dir, "update-ref", f"refs/heads/{branch}", new, old or ZERO)
    except ValueError:
        return False
    return True


def diff_stats(git_dir: Path, parent: str, commit: str) -> tuple[int, int]:
    """Lines added and deleted by ``commit`` over ``parent``."""
    added = deleted = 0
    for line in git(git_dir, "diff", "--numstat", parent, commit).splitlines():
        plus, minus, _ = line.split("\t", 2)
        added += int(plus) if plus.isdigit() else 0
        deleted += int(minus) if minus.isdigit() else 0
    return added, deleted


def someone_else_pushes(scratch: Path, bare: Path, path: str, change: str, prepend: bool = False,
                        branch: str = "main") -> None:
    """Another writer: a clone of ``bare`` in ``scratch`` adds ``change`` to ``path`` on ``branch`` and pushes it.

    A ``branch`` the repository lacks is made from main.
    """
    other = scratch / "someone-else"

    def run(*args: str) -> None:
        subprocess.run(["git", *args], cwd=other if other.exists() else scratch, check=True, capture_output=True)

    if not other.exists():
        run("clone", "-q", str(bare), str(other))
    run("fetch", "-q", "origin")
    run("checkout", "-q", "-B", branch, f"origin/{branch if resolve(bare, f'refs/heads/{branch}') else 'main'}")
    target = other / path
    target.write_text(change + target.read_text() if prepend else target.read_text() + change)
    run("commit", "-qam", "someone else")
    run("push", "-q", "origin", f"HEAD:refs/heads/{branch}")
