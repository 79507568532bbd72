"""Commits with gitshift's trailers, and moving a branch to them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from gitshift.errors import InputError
from gitshift.gitops import runner
from gitshift.gitops.repo import Repo


def _one_line(value: str, what: str) -> str:
    """``value`` when it is one line of printable text: a line break there could forge a trailer."""
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise InputError(f"{what} must be one line of printable text; it contains U+{ord(bad):04X}", what)
    return value


def message(title: str, body: str, trailers: Mapping[str, str]) -> str:
    """A commit message: title, body, then the trailers block (its keys and values one line each).

    Raises:
        InputError: a title, trailer key or value spans lines or holds control characters.
    """
    _one_line(title.strip(), "the commit title")
    for key, value in trailers.items():
        _one_line(key, "a trailer key")
        _one_line(value, f"the {key} trailer")
    parts = [title.strip()]
    if body.strip():
        parts.append(body.strip())
    parts.append("\n".join(f"{k}: {v}" for k, v in trailers.items()))
    return "\n\n".join(parts) + "\n"


def sign_flags(sign: bool | None) -> tuple[str, ...]:
    """``git commit``/``commit-tree`` flags for ``--sign``/``--no-sign``; None adds none.

    Git itself then applies ``gpg.format`` (openpgp, ssh, x509), ``user.signingKey``
    and the program settings, exactly as ``git commit`` would.
    """
    return () if sign is None else ("-S",) if sign else ("--no-gpg-sign",)


def wants_signature(repo: Repo) -> bool:
    """Whether git's configuration asks for signed commits (``commit.gpgSign``).

    ``git commit`` reads it, ``git commit-tree`` does not: commits built without a
    checkout ask for it here.
    """
    from gitshift.errors import GitError

    try:
        return repo.git("config", "--type=bool", "--get", "commit.gpgsign").strip() == "true"
    except GitError:  # unset (git exits 1) or not a boolean (git refuses it the same way)
        return False


def commit(repo: Repo, worktree: Path, files: Sequence[Path], text: str,
           identity: Mapping[str, str] | None = None, sign: bool | None = None) -> str:
    """Stage ``files`` in ``worktree`` and commit them (``identity``: author and committer); the new commit's id."""
    rel = [str(f.relative_to(worktree)) for f in files]
    repo.git("add", "--all", "--", *rel, cwd=worktree)
    repo.git("commit", "--quiet", "--no-verify", *sign_flags(sign), "-m", text, cwd=worktree,
             env=dict(identity or {}))
    return repo.git("rev-parse", "HEAD", cwd=worktree).strip()


Listing = Callable[[str], "Mapping[str, tuple[str, str]] | None"]
_TREE = "40000"


def commit_edits(repo: Repo, parent: str, edits: Mapping[Path, bytes | None], listing: Listing, text: str,
                 identity: Mapping[str, str] | None = None, sign: bool | None = None) -> str:
    """A commit on top of ``parent`` holding ``edits`` (paths under the repo root), built without a checkout.

    ``listing(dir)`` gives the entries of a directory of ``parent`` (name -> (mode, id), ``""`` for the
    top; None when there is none). Only the trees on the way to an edited file are written again, with
    one ``git mktree --batch``: no index of the whole repository is read or written.
    ``identity`` may set the author and committer (``GIT_AUTHOR_NAME`` ...).
    """
    if sign is None:
        sign = wants_signature(repo) or None
    changes: dict[str, dict[str, tuple[str, str] | None]] = {}  # directory -> name -> new entry (None: gone)
    for path, data in sorted(edits.items()):
        where, _, name = path.relative_to(repo.root).as_posix().rpartition("/")
        entry = None
        if data is not None:
            old = (listing(where) or {}).get(name)
            mode = old[0] if old is not None and old[0] in ("100644", "100755") else "100644"
            entry = (mode, repo.plumb("hash-object", "-w", "--stdin", data=data).strip())
        changes.setdefault(where, {})[name] = entry
        while where:
            where = where.rpartition("/")[0]
            changes.setdefault(where, {})
    tree = _write_trees(repo, changes, listing)
    return repo.plumb("commit-tree", *sign_flags(sign), tree, "-p", parent, "-F", "-", data=text.encode(),
                       env=dict(identity or {})).strip()


def _write_trees(repo: Repo, changes: Mapping[str, Mapping[str, tuple[str, str] | None]], listing: Listing) -> str:
    """The id of the top tree after ``changes`` (every directory above a change is in it), deepest first."""
    args = ["mktree", "-z", "--batch"]
    proc = runner.start(args, repo.root, stderr=True)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    written: dict[str, str | None] = {}
    try:
        for where in sorted(changes, key=lambda d: d.count("/") + 1 if d else 0, reverse=True):
            entries: dict[str, tuple[str, str] | None] = dict(listing(where) or {})
            entries.update(changes[where])
            prefix = f"{where}/" if where else ""
            for name in {d.rpartition("/")[2] for d in written if d and d.rpartition("/")[0] == where}:
                sha = written[prefix + name]
                old = entries.get(name)
                if old is not None and old[0] != _TREE and sha is not None:
                    raise InputError(f"{prefix}{name} is a file in the commit, not a directory", prefix + name)
                entries[name] = (_TREE, sha) if sha is not None else None
            kept = {n: e for n, e in entries.items() if e is not None}
            if not kept and where:
                written[where] = None  # git keeps no empty directory
                continue
            body = b"".join(f"{mode} {_kind(mode)} {sha}\t{name}".encode() + b"\0"
                            for name, (mode, sha) in kept.items())
            proc.stdin.write(body + b"\0")
            proc.stdin.flush()
            written[where] = proc.stdout.readline().decode().strip() or None
            if written[where] is None:
                break
        proc.stdin.close()
        errors = proc.stderr.read()
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    top = written.get("")
    if code != 0 or top is None:
        raise runner.failure(args, repo.root, errors, code)
    return top


def _kind(mode: str) -> str:
    return "tree" if mode == _TREE else "commit" if mode == "160000" else "blob"


def move_branch(repo: Repo, branch: str, new: str, old: str | None) -> None:
    """Point ``branch`` at ``new``, only if it still is at ``old`` (None: it must not exist)."""
    repo.git("update-ref", f"refs/heads/{branch}", new, old or "0" * 40)
