"""How a failure is told: one ``gitshift: error:`` line, the failed checks, a ``hint:`` line, and the exit code.

No click here: the command answered before click is imported (``gitshift render DIR``, see
``gitshift.__main__``) reports exactly as the CLI group does (README.md, "Errors").
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitshift.errors import GitshiftError

Echo = Callable[[str], None]


def stderr(line: str) -> None:
    """Write one line to standard error."""
    sys.stderr.write(f"{line}\n")
    sys.stderr.flush()


def fail(what: str, hint: str = "", echo: Echo = stderr) -> None:
    """The error line, and the hint line when there is a hint."""
    echo(f"gitshift: error: {what}")
    if hint:
        echo(f"hint: {hint}")


def failures(items: Sequence[str], echo: Echo = stderr) -> None:
    """Every failed safety check, each with what to do about it."""
    if not items:
        return
    from gitshift.checks import fix

    for failure in items:
        echo(f"  - {failure}")
        echo(f"    fix: {fix(failure)}")


def error(exc: GitshiftError, verbose: bool, echo: Echo = stderr) -> int:
    """Tell a GitshiftError (with ``-v``: git's whole message, a bug's traceback); its exit code."""
    if verbose and exc.exit_code == 4:  # a traceback helps only with a bug, never with bad input
        import traceback

        traceback.print_exc()
    detail = getattr(exc, "detail", "")
    if verbose and detail:
        echo(detail)
    fail(str(exc), "", echo)
    failures(getattr(exc, "failures", []), echo)
    if exc.hint:
        echo(f"hint: {exc.hint}")
    return exc.exit_code


def bug(exc: BaseException, verbose: bool, echo: Echo = stderr) -> int:
    """Tell an unexpected exception (a bug); exit code 4."""
    if verbose:
        import traceback

        traceback.print_exc()
    fail(f"internal error: {type(exc).__name__}: {exc}",
         "please report this with the output of the same command run with -v", echo)
    return 4


def interrupted(echo: Echo = stderr) -> int:
    """Tell a Ctrl-C; exit code 130."""
    fail("interrupted", "", echo)
    return 130
