"""A FileView over a commit: render and edit a branch's files without checking anything out.

A worktree of a 1,000-app repository costs seconds to check out; reading the
few files an overlay needs straight from git's object store costs milliseconds.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from gitshift.errors import GitError, InputError
from gitshift.files import FileTooLargeError, FileView, OutsideRootError, edited_names, within
from gitshift.gitops import runner, worktree
from gitshift.gitops.repo import Repo


class _Tree:
    """The files of one commit, read through one ``git cat-file --batch`` process as they are asked for.

    Only the trees on the way to a path asked for are read (an overlay and its bases: a few
    dozen objects). A look over every kustomization (a shift's blast radius) lists the whole
    commit with one ``git ls-tree`` and reads those files in one stream (``prefetch``).
    """

    def __init__(self, git_dir: Path, commit: str) -> None:
        self.git_dir = git_dir
        self.commit = commit
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._trees: dict[str, dict[str, tuple[str, str]]] = {}  # dir -> name -> (mode, object id)
        self._complete = False  # every directory of the commit is in _trees
        self._blobs: dict[str, bytes] = {}  # id -> content, read ahead by prefetch
        self.resolved: dict[str, str] = {}  # path -> the path with the commit's symlinks followed
        found = self._object(f"{commit}^{{tree}}")
        if found is None or found[0] != "tree":
            self.close()
            self._list_all()  # git says what is wrong (a GitError naming the commit)
            raise GitError(f"cannot read commit {commit}", str(git_dir))
        self._trees[""] = _entries(found[1], found[2])

    def _object(self, name: str, limit: int | None = None) -> tuple[str, str, bytes] | None:
        """(type, id, content) of the object ``name``; None when git has no such object.

        FileTooLargeError, before the content is read, when it is longer than ``limit``.
        """
        if "\n" in name:  # one request a line: a line break would answer another question
            return None
        with self._lock:
            stdin, stdout = self._pipes()
            stdin.write(f"{name}\n".encode())
            stdin.flush()
            return self._answer(stdout, limit, self)

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._proc is None:
            self._proc = runner.start(["--git-dir", str(self.git_dir), "cat-file", "--batch"])
        assert self._proc.stdin is not None and self._proc.stdout is not None
        return self._proc.stdin, self._proc.stdout

    @staticmethod
    def _answer(
        stdout: IO[bytes], limit: int | None = None, tree: _Tree | None = None
    ) -> tuple[str, str, bytes] | None:
        header = stdout.readline().split()
        if len(header) != 3:
            return None
        if limit is not None and tree is not None and int(header[2]) > limit:
            tree.close()  # the content is left unread: the next question starts a new reader
            raise FileTooLargeError(header[1].decode())
        data = stdout.read(int(header[2]))
        stdout.read(1)
        return header[1].decode(), header[0].decode(), data

    def read(self, sha: str, limit: int | None = None) -> bytes:
        """The content of the blob ``sha``; FileTooLargeError when longer than ``limit``."""
        if sha in self._blobs:
            if limit is not None and len(self._blobs[sha]) > limit:
                raise FileTooLargeError(sha)
            return self._blobs[sha]
        found = self._object(sha, limit)
        if found is None:
            raise FileNotFoundError(sha)
        return found[2]

    def listing(self, rel: str) -> dict[str, tuple[str, str]] | None:
        """The entries of directory ``rel`` (``""`` for the top), name -> (mode, id); None when no such directory."""
        hit = self._trees.get(rel)
        if hit is not None or self._complete:
            return hit
        parent, _, name = rel.rpartition("/")
        above = self.listing(parent)
        entry = above.get(name) if above is not None else None
        if entry is None or entry[0] != _TREE:
            return None
        found = self._object(entry[1])
        if found is None or found[0] != "tree":
            return None
        self._trees[rel] = _entries(found[1], found[2])
        return self._trees[rel]

    def entry(self, rel: str) -> tuple[str, str] | None:
        """(mode, id) of the file ``rel``; None when it is not a file of the commit."""
        parent, _, name = rel.rpartition("/")
        above = self.listing(parent) if name else None
        entry = above.get(name) if above is not None else None
        return entry if entry is not None and entry[0] not in (_TREE, _SUBMODULE) else None

    def is_dir(self, rel: str) -> bool:
        return self.listing(rel) is not None

    def names(self, rel: str) -> list[str]:
        """The files and directories in directory ``rel`` (submodules left out)."""
        return [n for n, (mode, _) in (self.listing(rel) or {}).items() if mode != _SUBMODULE]

    def _list_all(self) -> None:
        """Every directory of the commit into ``_trees``, from one ``git ls-tree -r -t``."""
        if self._complete:
            return
        try:
            out = runner.run(["--git-dir", str(self.git_dir), "ls-tree", "-r", "-t", "-z", "--full-tree",
                              self.commit], self.git_dir)
        except GitError as exc:
            raise GitError(f"cannot read commit {self.commit}: {exc.detail}", str(self.git_dir)) from exc
        trees: dict[str, dict[str, tuple[str, str]]] = {"": {}}
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, path = item.partition(b"\t")
            mode, kind, sha = meta.decode().split()
            rel = path.decode()
            where, _, name = rel.rpartition("/")
            trees.setdefault(where, {})[name] = (_TREE, sha) if kind == "tree" else (mode, sha)
            if kind == "tree":
                trees.setdefault(rel, {})
        self._trees, self._complete = trees, True

    @property
    def blobs(self) -> dict[str, tuple[str, str]]:
        """Every file of the commit: path -> (mode, id)."""
        self._list_all()
        return {f"{where}/{name}" if where else name: entry for where, names in self._trees.items()
                for name, entry in names.items() if entry[0] not in (_TREE, _SUBMODULE)}

    def prefetch(self, names: Sequence[str]) -> None:
        """Read every file of the commit called one of ``names`` in one stream (git answers requests in turn)."""
        self._list_all()
        wanted = [sha for listing in self._trees.values() for name, (mode, sha) in listing.items()
                  if name in names and mode not in (_TREE, _SUBMODULE) and sha not in self._blobs]
        with self._lock:
            stdin, stdout = self._pipes()
            for i in range(0, len(wanted), 500):  # 500 requests (~21 KB) fit in the pipe: no deadlock
                chunk = wanted[i:i + 500]
                stdin.write("".join(f"{sha}\n" for sha in chunk).encode())
                stdin.flush()
                for _ in chunk:
                    found = self._answer(stdout)
                    if found is not None:
                        self._blobs[found[1]] = found[2]

    def first_files(self, names: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """Every directory holding a file called one of ``names``: dir -> (the first such name, its content).

        The files are read in one stream (``prefetch``).
        """
        self.prefetch(names)
        out: dict[str, tuple[str, bytes]] = {}
        for where, listing in self._trees.items():
            for name in names:
                entry = listing.get(name)
                if entry is not None and entry[0] not in (_TREE, _SUBMODULE):
                    out[where] = (name, self.read(entry[1]))
                    break
        return out

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None


_TREE, _SUBMODULE, _LINK = "40000", "160000", "120000"
_MAX_HOPS = 40  # symlinks followed for one path, as Linux allows


def _entries(oid: str, data: bytes) -> dict[str, tuple[str, str]]:
    """A tree object's entries: name -> (mode, id), modes as ``git ls-tree`` spells them but ``40000``."""
    size = len(oid) // 2  # 20 bytes for SHA-1, 32 for SHA-256
    out: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(data):
        space = data.index(b" ", i)
        nul = data.index(b"\0", space)
        out[data[space + 1:nul].decode()] = (data[i:space].decode(), data[nul + 1:nul + 1 + size].hex())
        i = nul + 1 + size
    return out


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

    def _real(self, path: Path | str) -> str:
        """``path`` relative to the root with the commit's symlinks followed, as a checkout follows them.

        OutsideRootError when it leaves the repository, as the working tree view refuses it.
        """
        rel = self._rel(path)
        if rel is None:
            raise OutsideRootError(path)
        hit = self.tree.resolved.get(rel)
        if hit is not None:
            return hit
        todo = rel.split("/") if rel else []
        todo.reverse()
        done: list[str] = []
        hops = 0
        while todo:
            name = todo.pop()
            listing = self.tree.listing("/".join(done))
            entry = listing.get(name) if listing is not None else None
            if entry is None or entry[0] != _LINK:
                done.append(name)
                continue
            hops += 1
            if hops > _MAX_HOPS:
                raise InputError("too many levels of symbolic links", str(path))
            target = self.tree.read(entry[1]).decode("utf-8", "surrogateescape")
            if target.startswith("/"):
                target = os.path.normpath(target)
                if not within(target, self._root):
                    raise OutsideRootError(path)
                joined = target[len(self._root) + 1:].replace(os.sep, "/")
            else:
                joined = posixpath.normpath("/".join([*done, target]))
                if joined == ".." or joined.startswith("../"):
                    raise OutsideRootError(path)
            done = []
            todo.extend(reversed([p for p in joined.split("/") if p not in ("", ".")]))
        real = "/".join(done)
        self.tree.resolved[rel] = real
        return real

    def _holds_edit(self, path: Path | str) -> bool:
        """Whether the view's edits hold ``path`` (no Path built when there are none: the usual question)."""
        return bool(self.overlay) and self._key(path) in self.overlay

    def read_bytes(self, path: Path | str, limit: int | None = None) -> bytes:
        rel = self._real(path)
        if self._holds_edit(path):
            return self._edited_bytes(self._key(path), limit)
        entry = self.tree.entry(rel)
        if entry is None:
            if self.tree.is_dir(rel):
                raise IsADirectoryError(str(path))
            raise FileNotFoundError(str(path))
        return self.tree.read(entry[1], limit)

    def is_file(self, path: Path | str) -> bool:
        rel = self._real(path)
        if self._holds_edit(path):
            return self.overlay[self._key(path)] is not None
        return self.tree.entry(rel) is not None

    def is_dir(self, path: Path | str) -> bool:
        if self.tree.is_dir(self._real(path)):
            return True
        if not self.overlay:
            return False
        key = self._key(path)
        return any(key in p.parents for p, v in self.overlay.items() if v is not None)

    def listdir(self, path: Path | str) -> list[str]:
        rel: str | None = self._real(path)
        names: set[str] = set()
        if rel is not None:
            names.update(self.tree.names(rel))
        return edited_names(names, self._key(path), self.overlay)

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        """The blob id: unchanged blobs keep their parsed form across renders."""
        rel = self._real(path)
        if self._holds_edit(path):
            return None
        entry = self.tree.entry(rel)
        return ("blob", entry[1]) if entry is not None else None

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> GitTreeView:
        merged = dict(self.overlay)
        merged.update({self._key(p): v for p, v in edits.items()})
        return GitTreeView(Path(self._root), self.tree, merged)

    def mode(self, path: Path) -> str:
        """The git file mode of ``path`` in the commit (``100644`` for new files)."""
        rel = self._rel(path)
        entry = self.tree.entry(rel) if rel is not None else None
        return entry[0] if entry is not None else "100644"

    def listing(self, rel: str) -> dict[str, tuple[str, str]] | None:
        """The entries of directory ``rel`` of the commit (name -> (mode, id)); None when it has none."""
        return self.tree.listing(rel)

    def first_files(self, names: Sequence[str]) -> dict[str, tuple[str, bytes]]:
        """Every directory of the view holding a file called one of ``names``, as absolute directory ->
        (that file's absolute path, its content), the first of ``names`` it holds; edits laid over.

        One stream reads them all (``render.Layout`` reads every kustomization of a commit).
        """
        out = {(os.path.join(self._root, rel) if rel else self._root): (name, data)  # noqa: PTH118
               for rel, (name, data) in self.tree.first_files(names).items()}
        for directory in {str(p.parent) for p in self.overlay if p.name in names}:
            out.pop(directory, None)
            for name in names:
                if self.is_file(f"{directory}/{name}"):
                    out[directory] = (name, self.read_bytes(f"{directory}/{name}"))
                    break
        return {directory: (f"{directory}/{name}", data) for directory, (name, data) in out.items()}

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
