"""The one way gitshift runs git: the git binary, without a shell, in a clean and predictable environment.

Every git command of gitshift goes through ``run`` (or ``start`` for the
long-lived ``cat-file --batch`` reader). The binary is used rather than a
library's index API: ``git add`` + ``git commit`` take ~60 ms where an
in-process index took ~800 ms on a 1,000-app repository.

The environment is the caller's without its ``GIT_*`` hook variables (they
would point git at another repository), with messages in English
(``LC_ALL=C``): push and fetch outcomes are told apart by git's own words.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from gitshift.errors import GitError
from gitshift.process import no_git_env

GIT = "git"
# Credentials in a URL git quotes (https://user:token@host/): masked before anything is raised.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]+@")


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment git runs in, with ``extra`` (per-command config such as a push's token header) on top."""
    return {**no_git_env(), "LC_ALL": "C", "LANGUAGE": "C", **(extra or {})}


def argv(args: Sequence[str]) -> list[str]:
    """The command line of ``git ARGS``."""
    return [GIT, *args]


def run(args: Sequence[str], cwd: Path, data: bytes | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """Run ``git ARGS`` in ``cwd`` with ``data`` on stdin; its stdout.

    Raises:
        GitError: git exited non-zero (``what`` names the command and git's last line, ``detail`` has all of stderr),
            or the git binary is missing.
    """
    try:
        proc = subprocess.run(argv(args), cwd=cwd, input=data, capture_output=True, check=False,
                              stdin=subprocess.DEVNULL if data is None else None, env=environment(env))
    except FileNotFoundError as exc:
        raise GitError("git not found", str(cwd), "install git and put it on PATH") from exc
    if proc.returncode != 0:
        raise failure(args, cwd, proc.stderr, proc.returncode)
    return proc.stdout


def _command(args: Sequence[str]) -> str:
    """The git subcommand of ``args`` (after ``--git-dir DIR`` and ``-c`` settings)."""
    it = iter(args)
    for word in it:
        if word in ("--git-dir", "-C", "-c"):
            next(it, None)
        elif not word.startswith("-"):
            return word
    return "command"


def first_error(stderr: str) -> str:
    """Git's first error line (``fatal:``/``error:`` first, else the first line), without the prefix."""
    lines = [line.strip() for line in stderr.splitlines()
             if line.strip() and not line.lstrip().startswith("hint:")]
    for line in lines:
        for prefix in ("fatal: ", "error: ", "remote: error: "):
            if line.startswith(prefix):
                return line[len(prefix):]
    return lines[0] if lines else ""


# What to do about git's common outside failures, by the words git uses (LC_ALL=C).
_HINTS = (
    ("does not appear to be a git repository", "check the remote with `git remote -v`; add a missing one with "
                                               "`git remote add origin <url>`"),
    ("No such remote", "check the remote with `git remote -v`; add it with `git remote add origin <url>`"),
    ("Could not resolve host", "check the network and the remote's host name (`git remote -v`)"),
    ("Authentication failed", "check that the token is valid and may push to the repository"),
    ("could not read Username", "set the forge token (forge.token_env), or use an SSH remote"),
    ("Permission denied", "check the credentials this machine uses for the remote"),
    ("not a git repository", "run inside your GitOps repository, or pass -C PATH"),
    ("unable to access", "check the remote's URL and the network (`git remote -v`)"),
    ("Please tell me who you are", "set user.name and user.email with `git config`"),
)


def hint_for(stderr: str) -> str:
    """A hint for a git failure, from its message; empty when none fits."""
    return next((hint for words, hint in _HINTS if words in stderr), "")


def text(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """``run`` for commands that print text; one trailing newline is dropped."""
    out = run(args, cwd, env=env).decode(errors="replace")
    return out[:-1] if out.endswith("\n") else out


def start(args: Sequence[str], cwd: Path | None = None, stderr: bool = False) -> subprocess.Popen[bytes]:
    """``git ARGS`` as a process with pipes on stdin and stdout, and on stderr with ``stderr`` (the caller
    talks to it and ends it)."""
    return subprocess.Popen(argv(args), cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE if stderr else None, env=environment())


def failure(args: Sequence[str], cwd: Path, stderr: bytes, code: int | None) -> GitError:
    """The GitError for ``git ARGS`` that failed with ``stderr`` (credentials in URLs masked)."""
    full = _USERINFO.sub(r"\1***@", stderr.decode(errors="replace").strip())
    err = GitError(f"git {_command(args)} failed: {first_error(full) or f'exit {code}'}", str(cwd), hint_for(full))
    err.detail = full
    return err
