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

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from gitshift.errors import GitError
from gitshift.process import no_git_env

GIT = "git"


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
        full = proc.stderr.decode(errors="replace").strip()
        lines = [line for line in full.splitlines() if not line.lstrip().startswith("hint:")]
        err = GitError(f"git {args[0]} failed: {lines[-1].strip() if lines else proc.returncode}", str(cwd))
        err.detail = full
        raise err
    return proc.stdout


def text(args: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """``run`` for commands that print text; one trailing newline is dropped."""
    out = run(args, cwd, env=env).decode(errors="replace")
    return out[:-1] if out.endswith("\n") else out


def start(args: Sequence[str], cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """``git ARGS`` as a process with pipes on stdin and stdout (the caller talks to it and ends it)."""
    return subprocess.Popen(argv(args), cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env=environment())
