"""A FileView over a commit: render and edit a branch's files without checking anything out.

A worktree of a 1,000-app repository costs seconds to check out; reading the
few files an overlay needs straight from git's object store costs milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from gitshift.errors import GitError
from gitshift.files import FileView
from gitshift.gitops import runner, worktree
from gitshift.gitops.repo import Repo


class _Tree:
    """The paths of one commit and a ``git cat-file --batch`` process to read their blobs."""

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir = git_dir
        try:
            out = runner.run(["--git-dir", str(git_dir), "ls-tree", "-r", "-z", "--full-tree", commit], git_dir)
        except GitError as exc:
            raise GitError(f"cannot read commit {commit}: {exc.detail}", str(git_dir)) from exc
        self.blobs: dict[str, tuple[str, str]] = {}
        self.dirs: set[str] = {""}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, path = entry.decode().partition("\t")
            mode, kind, sha = meta.split()
            if kind != "blob":
                continue
            self.blobs[path] = (mode, sha)
            parts = path.split("/")
            self.dirs.update("/".join(parts[:i]) for i in range(1, len(parts)))
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def read(self, sha: str) -> bytes:
        with self._lock:
            if self._proc is None:
                self._proc = runner.start(["--git-dir", str(self.git_dir), "cat-file", "--batch"])
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(f"{sha}\n".encode())
            self._proc.stdin.flush()
            header = self._proc.stdout.readline().split()
            size = int(header[2])
            data = self._proc.stdout.read(size)
            self._proc.stdout.read(1)
            return data

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


class GitTreeView(FileView):
    """Files of ``commit`` as if checked out at ``root``, with in-memory edits laid over them."""

    def __init__(self, root: Path, tree: _Tree, overlay: Mapping[Path, bytes | None] | None = None) -> None:
        super().__init__(overlay, root)
        self.tree = tree
        self._root = os.path.abspath(root)

    @classmethod
    def at(cls, root: Path, git_dir: Path, commit: str) -> GitTreeView:
        """A view of ``commit`` of the repository whose work tree is ``root``."""
        return cls(root, _Tree(git_dir, commit))

    def _rel(self, path: Path | str) -> str | None:
        full = os.path.abspath(path)
        if full == self._root:
            return ""
        if not full.startswith(self._root + os.sep):
            return None
        return full[len(self._root) + 1:].replace(os.sep, "/")

    def read_bytes(self, path: Path | str) -> bytes:
        key = self._key(path)
        if key in self.overlay:
            return super().read_bytes(path)
        rel = self._rel(path)
        if rel is None or rel not in self.tree.blobs:
            if rel is not None and rel in self.tree.dirs:
                raise IsADirectoryError(str(path))
            raise FileNotFoundError(str(path))
        return self.tree.read(self.tree.blobs[rel][1])

    def is_file(self, path: Path | str) -> bool:
        key = self._key(path)
        if key in self.overlay:
            return self.overlay[key] is not None
        rel = self._rel(path)
        return rel is not None and rel in self.tree.blobs

    def is_dir(self, path: Path | str) -> bool:
        rel = self._rel(path)
        if rel is not None and rel in self.tree.dirs:
            return True
        key = self._key(path)
        return any(key in p.parents for p, v in self.overlay.items() if v is not None)

    def listdir(self, path: Path | str) -> list[str]:
        rel = self._rel(path)
        names: set[str] = set()
        if rel is not None:
            prefix = f"{rel}/" if rel else ""
            for name in (*self.tree.blobs, *self.tree.dirs):
                if name and name.startswith(prefix) and "/" not in name[len(prefix):]:
                    names.add(name[len(prefix):])
        key = self._key(path)
        for p, v in self.overlay.items():
            if p.parent == key:
                (names.add if v is not None else names.discard)(p.name)
        return sorted(names)

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        """The blob id: unchanged blobs keep their parsed form across renders."""
        if self._key(path) in self.overlay:
            return None
        rel = self._rel(path)
        return ("blob", self.tree.blobs[rel][1]) if rel is not None and rel in self.tree.blobs else None

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> GitTreeView:
        merged = dict(self.overlay)
        merged.update({self._key(p): v for p, v in edits.items()})
        return GitTreeView(Path(self._root), self.tree, merged)

    def mode(self, path: Path) -> str:
        """The git file mode of ``path`` in the commit (``100644`` for new files)."""
        rel = self._rel(path)
        return self.tree.blobs[rel][0] if rel is not None and rel in self.tree.blobs else "100644"

    def close(self) -> None:
        """Stop the blob reader."""
        self.tree.close()


@contextmanager
def files_at(repo: Repo, commit: str, in_memory: bool) -> Iterator[tuple[Path, FileView]]:
    """The files of ``commit`` as (root, view): from git's objects when ``in_memory``, else a worktree.

    Only the builtin engine renders from a view; external binaries need real files.
    """
    if in_memory:
        view = GitTreeView.at(repo.root, repo.git_dir, commit)
        try:
            yield repo.root, view
        finally:
            view.close()
    else:
        with worktree.temporary(repo, commit) as tree:
            yield tree, FileView(root=tree)
