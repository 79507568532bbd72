"""The one wrapper for external binaries: code, stdout and stderr, and an error that shows all three."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gitshift.errors import RendererUnavailableError


@dataclass(frozen=True)
class CmdResult:
    """What a finished command returned."""

    code: int
    stdout: str
    stderr: str


def no_git_env() -> dict[str, str]:
    """The environment without the caller's ``GIT_*`` hook variables (they would point git elsewhere)."""
    keep = {"GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL",
            "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE",
            "GIT_SSH_COMMAND", "GIT_TERMINAL_PROMPT"}
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in keep}


def run(cmd: Sequence[str], cwd: Path | None = None, timeout: float = 120) -> CmdResult:
    """Run ``cmd`` without a shell and return its result; a missing binary is an ExternalError."""
    try:
        proc = subprocess.run(
            list(cmd), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=no_git_env(),
            check=False,
        )
    except FileNotFoundError as exc:
        raise RendererUnavailableError(f"{cmd[0]} not found", " ".join(cmd[:2])) from exc
    except subprocess.TimeoutExpired as exc:
        raise RendererUnavailableError(f"{cmd[0]} timed out after {timeout:.0f}s", " ".join(cmd)) from exc
    return CmdResult(proc.returncode, proc.stdout, proc.stderr)
