"""All-or-nothing writes to the working tree: a journal and a lock under the git directory (README.md, "Errors").

A shift that edits several files writes each new content beside its file
first, then renames them into place. A journal in ``<git dir>/gitshift/``
says which files belong to the set, and is written before the first rename:

- ``prepared``: the new contents are being written beside the files; nothing
  is in place yet. An interrupted set is rolled back (the files beside are removed).
- ``committed``: every new content is on disk; the renames may be half done.
  An interrupted set is replayed (the remaining renames are made).

The next gitshift command in that working tree, whatever it is, finishes the
job before doing its own. SIGINT, SIGTERM and SIGHUP are held back while a
set is written and delivered once it is complete; only SIGKILL or a crash can
stop one midway, and the journal covers those.

A lock (``flock`` on ``<git dir>/gitshift/worktree.lock``, released by the
kernel when its holder dies) keeps two commands from editing one working tree
at once: the second waits a bounded time, then gives up saying who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from gitshift.errors import ExternalError, InputError

STATE = "gitshift"
JOURNAL = "journal.json"
LOCK = "worktree.lock"
WAIT = 10.0  # seconds a command waits for another one's lock
_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class LockedError(ExternalError):
    """Another gitshift command holds the working tree's lock (exit 3)."""


class JournalError(ExternalError):
    """A set of writes could not be made, finished or undone for a reason outside gitshift (exit 3)."""


def git_dir(root: Path) -> Path:
    """The git directory of the working tree at ``root`` (a linked worktree has its own), without running git."""
    dot = root / ".git"
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            target = Path(text[len("gitdir:"):].strip())
            return target if target.is_absolute() else (root / target).resolve()
    return dot


def state_dir(root: Path) -> Path:
    """Where gitshift keeps the working tree's journal, lock and replay window."""
    return git_dir(root) / STATE


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another gitshift command"
    return f"pid {info.get('pid', '?')}: {info.get('command', '?')}"


@contextlib.contextmanager
def locked(root: Path, wait: float | None = None, command: str | None = None) -> Iterator[None]:
    """Hold the working tree's lock; wait up to ``wait`` seconds (default ``WAIT``) for it.

    Raises:
        LockedError: another command kept it that long, naming its pid and command line.
    """
    import fcntl

    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOCK
    limit = WAIT if wait is None else wait
    deadline = time.monotonic() + limit
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    where = f".git/{STATE}/{LOCK}" if directory.parent == root / ".git" else str(path)
                    raise LockedError(f"the working tree is locked by {_holder(path)}", where,
                                      f"waited {limit:g}s; run the command again when the other one is done") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        who = command or "gitshift " + " ".join(sys.argv[1:])
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": who[:200]}).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back until the block is done, then deliver them (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.signal(sig, lambda num, frame: caught.append(num)) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(caught):
            os.kill(os.getpid(), sig)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_durably(path: Path, data: bytes, mode: int = 0o644) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        os.write(fd, data) if len(data) < 1 << 20 else _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(path, mode)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _save(directory: Path, record: dict[str, Any]) -> None:
    """Replace the journal in one rename, so it is always whole."""
    tmp = directory / (JOURNAL + ".new")
    _write_durably(tmp, json.dumps(record, indent=1).encode())
    os.replace(tmp, directory / JOURNAL)
    _fsync_dir(directory)


def write(root: Path, edits: Mapping[Path, bytes | None]) -> None:
    """Write ``edits`` (absolute paths inside ``root`` -> bytes, or None to delete) all or nothing.

    Call it holding ``locked(root)``. Signals are deferred until the set is complete.
    """
    if not edits:
        return
    directory = state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    entries: list[dict[str, str | None]] = []
    dirs: list[str] = []
    for path, data in sorted(edits.items()):
        rel = path.relative_to(root).as_posix()
        tmp = None if data is None else path.parent / f".{path.name}.gitshift-{token}.tmp"
        entries.append({"path": rel, "tmp": tmp.relative_to(root).as_posix() if tmp else None,
                        "sha256": hashlib.sha256(data).hexdigest() if data is not None else None})
        missing = [d for d in (path.parent, *path.parent.parents) if d != root and d.is_relative_to(root)
                   and not d.exists()]
        dirs.extend(d.relative_to(root).as_posix() for d in reversed(missing) if
                    d.relative_to(root).as_posix() not in dirs)
    record: dict[str, Any] = {"version": 1, "state": "prepared", "pid": os.getpid(), "entries": entries,
                              "dirs": dirs}
    with deferred_signals():
        _save(directory, record)
        current = ""
        try:
            for rel_dir in dirs:
                current = rel_dir
                (root / rel_dir).mkdir(exist_ok=True)
            for entry, (path, data) in zip(entries, sorted(edits.items()), strict=True):
                beside = entry["tmp"]
                current = str(entry["path"])
                if data is not None and beside is not None:
                    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
                    _write_durably(root / beside, data, mode)
        except BaseException as exc:
            left = _rollback(root, record)
            _forget(root)
            if isinstance(exc, OSError):
                raise JournalError(f"cannot write {current}: {exc.strerror or exc}", current,
                                   _left_hint(left, "nothing of the shift was written; fix that and run it again")
                                   ) from exc
            if left:
                raise JournalError(f"cannot undo an interrupted write: {_failure(left[0])}", left[0][0],
                                   _left_hint(left, "nothing of the shift was applied")) from exc
            raise
        record["state"] = "committed"
        _save(directory, record)
        _finish(root, record)


def _inside(root: Path, rel: str | None) -> Path | None:
    """``root/rel`` when it stays inside ``root`` (the journal is read back from disk)."""
    if not rel:
        return None
    if Path(rel).is_absolute() or ".." in Path(rel).parts:
        raise InputError("the working-tree journal names a path outside the repository", rel,
                         f"check `git status`, then remove .git/{STATE}/{JOURNAL}")
    return root / rel


def _check(root: Path, record: dict[str, Any]) -> None:
    """Refuse a journal naming any path outside ``root`` before touching anything."""
    for entry in record["entries"]:
        if _inside(root, entry["path"]) is None:
            raise InputError("the working-tree journal names an entry without a path", _where(root, JOURNAL),
                             f"check `git status`, then remove .git/{STATE}/{JOURNAL}")
        _inside(root, entry.get("tmp"))
    for rel_dir in record.get("dirs", []):
        _inside(root, rel_dir)


def _gone(exc: OSError) -> bool:
    """Whether ``exc`` says there is nothing at the path (missing, or a parent that is not a directory)."""
    return exc.errno in (errno.ENOENT, errno.ENOTDIR)


def _apply(root: Path, record: dict[str, Any]) -> list[tuple[str, OSError]]:
    """Rename every new content into place (and delete what the set deletes); the entries that failed."""
    _check(root, record)
    failed: list[tuple[str, OSError]] = []
    parents = set()
    for entry in record["entries"]:
        path = _inside(root, entry["path"])
        assert path is not None
        tmp = _inside(root, entry.get("tmp"))
        try:
            if tmp is None:
                path.unlink()
            else:
                os.replace(tmp, path)
        except OSError as exc:
            if not _gone(exc):  # gone: deleted already, or renamed already (a file beside sits in its target's
                failed.append((entry["path"], exc))  # directory, so a missing one is a missing file beside)
        parents.add(path.parent)
    for parent in parents:
        _fsync_dir(parent)
    return failed


def _rollback(root: Path, record: dict[str, Any]) -> list[tuple[str, OSError]]:
    """Remove every file written beside its target, and the directories made for them; what could not be."""
    _check(root, record)
    failed: list[tuple[str, OSError]] = []
    for entry in record["entries"]:
        tmp = _inside(root, entry.get("tmp"))
        if tmp is None:
            continue
        try:
            tmp.unlink()
        except OSError as exc:
            if not _gone(exc):
                failed.append((str(entry["tmp"]), exc))
    for rel_dir in reversed(record.get("dirs", [])):
        path = _inside(root, rel_dir)
        with contextlib.suppress(OSError):  # only when empty: something else may have been put there
            if path is not None:
                path.rmdir()
    return failed


def _failure(item: tuple[str, OSError]) -> str:
    return f"{item[0]}: {item[1].strerror or item[1]}"


def _left_hint(left: list[tuple[str, OSError]], done: str) -> str:
    """What to do about files a rollback could not remove (they sit beside their targets, untracked)."""
    if not left:
        return done
    names = " ".join(rel for rel, _ in left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
    return f"{done}; remove what it left beside by hand: {names}"


def _where(root: Path, name: str) -> str:
    """A file of the state directory as a user finds it."""
    directory = state_dir(root)
    return f".git/{STATE}/{name}" if directory.parent == root / ".git" else str(directory / name)


def _forget(root: Path) -> None:
    """Remove the journal; a journal that cannot be removed is named, with what to do."""
    path = state_dir(root) / JOURNAL
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise JournalError(f"cannot remove the working-tree journal: {exc.strerror or exc}", _where(root, JOURNAL),
                           "the write it records is settled; remove the journal by hand") from exc


def _finish(root: Path, record: dict[str, Any]) -> None:
    """Replay a committed set; on a failure keep the journal (the next command retries) and say what to do."""
    failed = _apply(root, record)
    if failed:
        names = [e["path"] for e in record["entries"]]
        raise JournalError(
            f"cannot finish a write of {len(names)} file(s): {_failure(failed[0])}"
            + (f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""), failed[0][0],
            f"fix that, then run any gitshift command here to finish the write; to drop it instead, restore "
            f"{' '.join(names[:5])}{' ...' if len(names) > 5 else ''} with git and delete {_where(root, JOURNAL)}")
    _forget(root)


def recover(root: Path) -> str | None:
    """Finish or undo a set of writes a previous command left half done; what was done, or None.

    Does nothing while another command holds the lock (its journal is live).
    """
    directory = state_dir(root)
    if not (directory / JOURNAL).exists():
        return None
    try:
        with locked(root, wait=0):
            return _recover(root, directory)
    except LockedError:
        return None


def _recover(root: Path, directory: Path) -> str | None:
    path = directory / JOURNAL
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        names = [e["path"] for e in record["entries"]]
        state = record["state"]
    except FileNotFoundError:
        return None  # another command finished it meanwhile
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the working-tree journal: {exc}", f".git/{STATE}/{JOURNAL}",
                         "check `git status`, then remove the journal") from exc
    listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    if state == "committed":
        _finish(root, record)
        return f"completed an interrupted write of {len(names)} file(s): {listed}"
    left = _rollback(root, record)
    _forget(root)  # nothing of it is in place: what could not be removed is untracked and named below
    if left:
        raise JournalError(f"cannot undo an interrupted write: {_failure(left[0])}", left[0][0],
                           _left_hint(left, "nothing of it was applied, and gitshift can run again"))
    return f"rolled back an interrupted write (nothing of it was applied): {listed}"
