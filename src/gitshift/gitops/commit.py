"""Commits with gitshift's trailers, and moving a branch to them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from gitshift.errors import InputError
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


def commit_edits(repo: Repo, parent: str, edits: Mapping[Path, bytes | None], modes: Mapping[Path, str],
                 text: str, identity: Mapping[str, str] | None = None, sign: bool | None = None) -> str:
    """A commit on top of ``parent`` holding ``edits`` (paths under the repo root), built without a checkout.

    ``identity`` may set the author and committer (``GIT_AUTHOR_NAME`` ...).
    """
    import os
    import tempfile

    if sign is None:
        sign = wants_signature(repo) or None
    fd, index = tempfile.mkstemp(prefix="gitshift-index-")
    os.close(fd)
    env = {"GIT_INDEX_FILE": index}
    try:
        repo.plumb("read-tree", parent, env=env)
        for path, data in sorted(edits.items()):
            rel = path.relative_to(repo.root).as_posix()
            if data is None:
                repo.plumb("update-index", "--force-remove", "--", rel, env=env)
                continue
            blob = repo.plumb("hash-object", "-w", "--stdin", data=data).strip()
            repo.plumb("update-index", "--add", "--cacheinfo", f"{modes.get(path, '100644')},{blob},{rel}", env=env)
        tree = repo.plumb("write-tree", env=env).strip()
        return repo.plumb("commit-tree", *sign_flags(sign), tree, "-p", parent, "-F", "-", data=text.encode(),
                           env={**env, **(identity or {})}).strip()
    finally:
        Path(index).unlink()


def move_branch(repo: Repo, branch: str, new: str, old: str | None) -> None:
    """Point ``branch`` at ``new``, only if it still is at ``old`` (None: it must not exist)."""
    repo.git("update-ref", f"refs/heads/{branch}", new, old or "0" * 40)
