"""An in-memory view of edited files laid over the disk, atomic writes, and the repo guard."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path

from gitshift.errors import InputError

OUTSIDE = "refusing a file or folder that resolves outside the repository"


class OutsideRootError(InputError):
    """A path of the view, symlinks followed, leaves its repository (exit 2)."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(OUTSIDE, str(path), "every file and folder an overlay uses must be inside the repository; "
                         "symlinks are followed")


class FileTooLargeError(Exception):
    """A file is larger than the caller's limit."""


def repository_top(path: Path | str, known: dict[str, str | None] | None = None) -> Path:
    """The folder holding ``.git`` at or above ``path`` as written, else ``path`` itself; symlinks resolved.

    This is the root a view confines reads to: the git top level, or the
    folder itself when it is not in a git repository. ``path`` is walked up
    as written, so a symlink in the repository pointing elsewhere is not
    mistaken for the repository. ``known`` remembers the answer per folder
    (None: not in git) for callers that ask often.
    """
    start = os.path.abspath(path)
    known = {} if known is None else known
    seen: list[str] = []
    folder, top = start, None
    while True:
        if folder in known:
            top = known[folder]
            break
        seen.append(folder)
        if os.path.lexists(f"{folder.rstrip(os.sep)}{os.sep}.git"):
            top = os.path.realpath(folder)
            break
        parent = folder.rpartition(os.sep)[0] or os.sep
        if parent == folder:
            break
        folder = parent
    for folder in seen:
        known[folder] = top
    return Path(top if top is not None else os.path.realpath(start))


def within(path: str, root: str) -> bool:
    """Whether the normalized absolute ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def inside(root: Path, path: Path) -> bool:
    """Whether ``path`` (resolved, symlinks followed) lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def guard_inside(root: Path, path: Path, what: str = "path") -> Path:
    """Return ``path`` resolved, or raise InputError when it leaves ``root``."""
    resolved = (root / path).resolve() if not path.is_absolute() else path.resolve()
    if not inside(root, resolved):
        raise InputError(f"{what} is outside the repository", str(path), "paths must stay inside the repository")
    return resolved


def edited_names(names: set[str], folder: Path, overlay: Mapping[Path, bytes | None]) -> list[str]:
    """``names`` (what ``folder`` holds before the edits) with the edits of ``overlay`` laid over, sorted.

    A folder that exists only through edits (a new file in a new folder) is listed too.
    """
    for p, v in overlay.items():
        if p.parent == folder:
            if v is None:
                names.discard(p.name)
            else:
                names.add(p.name)
        elif v is not None and folder in p.parents:
            names.add(p.relative_to(folder).parts[0])
    return sorted(names)


class FileView:
    """Files as they would be after edits: ``overlay`` (absolute path -> bytes) over the disk.

    A value of ``None`` in ``overlay`` means the file is deleted in the view.
    ``root`` is the tree the edits belong to (the repository); external
    engines copy it to render the view. With a root, every path the view is
    asked about must resolve, symlinks followed, inside the repository holding
    the root (``repository_top``), or OutsideRootError is raised: repository
    content must not read the rest of the machine.
    """

    def __init__(
        self, overlay: Mapping[Path, bytes | None] | None = None, root: Path | None = None
    ) -> None:
        self.root = root
        self.overlay: dict[Path, bytes | None] = {
            Path(os.path.abspath(p)): v for p, v in (overlay or {}).items()
        }
        self._top: str | None = None  # the repository's real path, found on first use (many views never look)
        self._top_known = root is None
        self._dirs: dict[str, str] = {}  # folder -> its real path (no trailing separator)
        self._inside: set[str] = set()  # real folders inside the repository

    @staticmethod
    def _key(path: Path | str) -> Path:
        return Path(os.path.abspath(path))

    def _disk(self, key: Path) -> tuple[str, os.stat_result | None]:
        """The real path of ``key`` and its status (None when absent), or OutsideRootError."""
        if not self._top_known:
            self._top, self._top_known = str(repository_top(self.root or ".")), True
        if self._top is None:
            try:
                return str(key), key.stat()
            except OSError:
                return str(key), None
        folder, _, name = str(key).rpartition(os.sep)
        parent = self._dirs.get(folder)
        if parent is None:
            parent = self._real_dir(folder)
        real = f"{parent}{os.sep}{name}"
        try:
            st: os.stat_result | None = os.lstat(real)
        except OSError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            real = os.path.realpath(real)
            try:
                st = Path(real).stat()
            except OSError:
                st = None
        elif parent in self._inside and name:
            return real, st  # not a link, in a folder inside the repository
        if not within(real, self._top):
            raise OutsideRootError(key)
        return real, st

    def _real_dir(self, folder: str) -> str:
        """The real path of the absolute ``folder`` without a trailing separator ("" for /), remembered."""
        hit = self._dirs.get(folder)
        if hit is not None:
            return hit
        parent, _, name = folder.rpartition(os.sep)
        if not name:
            real = ""
        else:
            real = f"{self._real_dir(parent)}{os.sep}{name}"
            try:
                link = stat.S_ISLNK(os.lstat(real).st_mode)
            except OSError:
                link = False
            if link:
                real = os.path.realpath(real).rstrip(os.sep)
        self._dirs[folder] = real
        if self._top is not None and within(real or os.sep, self._top):
            self._inside.add(real)
        return real

    def read_bytes(self, path: Path | str, limit: int | None = None) -> bytes:
        """The bytes of ``path`` in the view; FileNotFoundError when absent.

        Only regular files are read; FileTooLargeError when longer than ``limit``.
        """
        key = self._key(path)
        real, st = self._disk(key)
        if key in self.overlay:
            return self._edited_bytes(key, limit)
        if st is None:
            raise FileNotFoundError(str(path))
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(str(path))
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file", str(path))
        if limit is not None and st.st_size > limit:
            raise FileTooLargeError(str(path))
        with Path(real).open("rb") as fh:
            if limit is None:
                return fh.read()
            data = fh.read(st.st_size + 1)  # a file that grew since is read on, to the limit
            if len(data) > st.st_size:
                data += fh.read(limit + 1 - len(data))
        if len(data) > limit:
            raise FileTooLargeError(str(path))
        return data

    def _edited_bytes(self, key: Path, limit: int | None) -> bytes:
        data = self.overlay[key]
        if data is None:
            raise FileNotFoundError(str(key))
        if limit is not None and len(data) > limit:
            raise FileTooLargeError(str(key))
        return data

    def read_text(self, path: Path | str) -> str:
        """The text of ``path`` in the view (UTF-8)."""
        return self.read_bytes(path).decode("utf-8")

    def is_file(self, path: Path | str) -> bool:
        """Whether ``path`` is a file in the view."""
        key = self._key(path)
        _, st = self._disk(key)
        if key in self.overlay:
            return self.overlay[key] is not None
        return st is not None and stat.S_ISREG(st.st_mode)

    def is_dir(self, path: Path | str) -> bool:
        """Whether ``path`` is a directory in the view."""
        key = self._key(path)
        _, st = self._disk(key)
        if st is not None and stat.S_ISDIR(st.st_mode):
            return True
        return any(key in p.parents for p, v in self.overlay.items() if v is not None)

    def exists(self, path: Path | str) -> bool:
        """Whether ``path`` exists in the view."""
        return self.is_file(path) or self.is_dir(path)

    def listdir(self, path: Path | str) -> list[str]:
        """Names in a directory of the view, sorted."""
        key = self._key(path)
        real, st = self._disk(key)
        names = set(os.listdir(real)) if st is not None and stat.S_ISDIR(st.st_mode) else set()
        return edited_names(names, key, self.overlay)

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        """What identifies the unedited content of ``path`` for a parse cache; None when edited or absent."""
        key = self._key(path)
        real, st = self._disk(key)
        if key in self.overlay or st is None:
            return None
        return ("disk", real, st.st_mtime_ns, st.st_size)

    def close(self) -> None:
        """Release what the view holds open (nothing for the disk)."""

    def edited(self) -> Iterator[tuple[Path, bytes | None]]:
        """The edited files and their new content, sorted by path."""
        yield from sorted(self.overlay.items())

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> FileView:
        """A new view with ``edits`` laid over this one."""
        merged = dict(self.overlay)
        merged.update({self._key(p): v for p, v in edits.items()})
        view = FileView(merged, self.root)
        view._dirs, view._inside = self._dirs, self._inside
        view._top, view._top_known = self._top, self._top_known
        return view


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename.

    ``durable``: on disk before the rename (fsync). Output that can be made again
    (``render --all``) skips it: one fsync a file was most of that command's time.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    import tempfile  # here: rendering, which imports this module, writes nothing

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(edits: Mapping[Path, bytes | None]) -> None:
    """Write every edit atomically; if one fails, restore the files already written."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, data in sorted(edits.items()):
            before = path.read_bytes() if path.exists() else None
            if data is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, data)
            done.append((path, before))
    except BaseException:
        for path, before in reversed(done):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, before)
        raise


def copy_out(view: FileView, src: Path, dest: Path, max_files: int, max_bytes: int, what: str) -> None:
    """Every file of the folder ``src`` as ``view`` holds it (edits included, ``.git`` left out) written
    under ``dest``, for a program that reads only a real folder; ``what`` names the copy in the
    error of one past ``max_files`` files or ``max_bytes`` bytes."""
    budget = [max_files, max_bytes]

    def walk(src: Path, dest: Path) -> None:
        dest.mkdir(parents=True, exist_ok=True)
        for name in view.listdir(src):
            if name == ".git":
                continue
            path = src / name
            if view.is_dir(path):
                walk(path, dest / name)
            elif view.is_file(path):
                data = view.read_bytes(path)
                budget[0] -= 1
                budget[1] -= len(data)
                if budget[0] < 0 or budget[1] < 0:
                    raise InputError(f"{what} is too large", str(src),
                                     f"at most {max_files} files and {max_bytes // 2**20} MiB")
                (dest / name).write_bytes(data)

    walk(src, dest)
