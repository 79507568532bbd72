"""An in-memory view of edited files laid over the disk, atomic writes, and the repo guard."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from gitshift.errors import InputError


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


class FileView:
    """Files as they would be after edits: ``overlay`` (absolute path -> bytes) over the disk.

    A value of ``None`` in ``overlay`` means the file is deleted in the view.
    ``root`` is the tree the edits belong to (the repository); external
    engines copy it to render the view.
    """

    def __init__(
        self, overlay: Mapping[Path, bytes | None] | None = None, root: Path | None = None
    ) -> None:
        self.root = root
        self.overlay: dict[Path, bytes | None] = {
            Path(os.path.abspath(p)): v for p, v in (overlay or {}).items()
        }

    @staticmethod
    def _key(path: Path | str) -> Path:
        return Path(os.path.abspath(path))

    def read_bytes(self, path: Path | str) -> bytes:
        """The bytes of ``path`` in the view; FileNotFoundError when absent."""
        key = self._key(path)
        if key in self.overlay:
            data = self.overlay[key]
            if data is None:
                raise FileNotFoundError(str(path))
            return data
        return key.read_bytes()

    def read_text(self, path: Path | str) -> str:
        """The text of ``path`` in the view (UTF-8)."""
        return self.read_bytes(path).decode("utf-8")

    def is_file(self, path: Path | str) -> bool:
        """Whether ``path`` is a file in the view."""
        key = self._key(path)
        if key in self.overlay:
            return self.overlay[key] is not None
        return key.is_file()

    def is_dir(self, path: Path | str) -> bool:
        """Whether ``path`` is a directory in the view."""
        key = self._key(path)
        if key.is_dir():
            return True
        return any(key in p.parents for p, v in self.overlay.items() if v is not None)

    def exists(self, path: Path | str) -> bool:
        """Whether ``path`` exists in the view."""
        return self.is_file(path) or self.is_dir(path)

    def listdir(self, path: Path | str) -> list[str]:
        """Names in a directory of the view, sorted."""
        key = self._key(path)
        names = set(os.listdir(key)) if key.is_dir() else set()
        for p, v in self.overlay.items():
            if p.parent == key:
                if v is None:
                    names.discard(p.name)
                else:
                    names.add(p.name)
        return sorted(names)

    def cache_key(self, path: Path | str) -> tuple[object, ...] | None:
        """What identifies the unedited content of ``path`` for a parse cache; None when edited or absent."""
        key = self._key(path)
        if key in self.overlay:
            return None
        try:
            st = key.stat()
        except OSError:
            return None
        return ("disk", st.st_mtime_ns, st.st_size)

    def close(self) -> None:
        """Release what the view holds open (nothing for the disk)."""

    def edited(self) -> Iterator[tuple[Path, bytes | None]]:
        """The edited files and their new content, sorted by path."""
        yield from sorted(self.overlay.items())

    def with_edits(self, edits: Mapping[Path, bytes | None]) -> FileView:
        """A new view with ``edits`` laid over this one."""
        merged = dict(self.overlay)
        merged.update({self._key(p): v for p, v in edits.items()})
        return FileView(merged, self.root)


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
