"""Regular expressions written in repository content, matched as Kustomize (Go's regexp) matches them.

Go's regexp is RE2: no backreferences, lookaround or possessive and atomic
groups, and matching in time linear in the input. Python's ``re`` backtracks:
a patch target name of ``(a+)+$`` takes exponential time. So patterns from
content are compiled with RE2 itself (the ``google-re2`` binding); a pattern
RE2 refuses is refused, as ``kubectl kustomize`` refuses it.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Protocol

from gitshift.errors import RenderError


class Pattern(Protocol):
    """What the callers use of a compiled pattern."""

    def search(self, text: str) -> Any: ...


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> Pattern | str:
    import re2  # type: ignore[import-untyped]  # google-re2 ships no type hints

    options = re2.Options()
    options.log_errors = False
    try:
        compiled: Pattern = re2.compile(pattern, options)
    except re2.error as exc:
        message = exc.args[0] if exc.args else exc
        return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return compiled


# A written part made only of these holds no operator but ``.``: it cannot backtrack, and Python's
# ``re`` (faster to build and run for such names) matches it exactly as RE2 does.
_PLAIN = re.compile(r"[A-Za-z0-9_./:@-]*")


@functools.lru_cache(maxsize=4096)
def _plain(pattern: str) -> Pattern:
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def compile_go(pattern: str, what: str, where: str, written: str | None = None) -> Pattern:
    """``pattern`` (Go regexp syntax) or a RenderError naming ``what`` and the ``written`` pattern.

    ``written`` is the part of ``pattern`` that came from the repository; the
    caller's own parts use no ``$`` but the final one.
    """
    if written is not None and _PLAIN.fullmatch(written):
        return _plain(pattern)
    compiled = _compile(pattern)
    if isinstance(compiled, str):
        reason = compiled.split(": ", 1)[0]  # RE2 appends the offending fragment of the compiled pattern
        raise RenderError(f"invalid regular expression {written or pattern!r} in {what}: {reason}", where)
    return compiled


def anchored(pattern: str, what: str, where: str) -> Pattern:
    """A selector pattern as Kustomize anchors it: ``^(?:pattern)$``, matching the whole text."""
    return compile_go(f"^(?:{pattern})$", what, where, pattern)


def split_top(text: str, sep: str = ",") -> list[str]:
    """``text`` split on ``sep`` outside parentheses, in one pass (``a=b,c in (d,e)``)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts
