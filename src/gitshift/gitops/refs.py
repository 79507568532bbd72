"""Validating every name gitshift hands to git: branches, refs, remotes (README.md, "Errors").

A value that reaches git's command line could be read as an option
(``--upload-pack=...`` runs a command) or as a different ref than meant. So
branch and base names follow ``git check-ref-format --branch`` and never start
with ``-``; a remote is a configured remote's name or a URL of a known
transport. These checks are pure (no subprocess): they run before anything
else does.
"""

from __future__ import annotations

import re
import unicodedata

from gitshift.errors import InputError

# The transports a remote URL may use; ``ext::`` and ``fd::`` (which run commands) are never among them.
_URL = re.compile(r"(?:https?|ssh|git|file)://[^\s]+")
_SCP = re.compile(r"[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s-][^\s]*")
# The hint for a revision git does not know.
REF_HINT = "give a branch, tag or commit git knows here (`git branch -a` lists the branches)"
# The hint names exactly what ``_URL`` and ``_SCP`` accept.
REMOTE_HINT = ("give the name of a configured remote (git remote -v) or an http(s)://, ssh://, git://, file:// "
               "or user@host:path URL")
_REMOTE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]*")
_REF_FORBIDDEN = set(" ~^:?*[\\")
_REVISION = re.compile(r"[0-9A-Za-z_./@{}~^-]+")


def _bad_char(value: str) -> str | None:
    for c in value:
        if c in _REF_FORBIDDEN:
            return "a space" if c == " " else f"{c!r}"
        if ord(c) < 0x20 or ord(c) == 0x7F or unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Zs"):
            return f"the control character U+{ord(c):04X}"
    return None


def ref_problem(name: str) -> str | None:
    """Why ``name`` is not a valid branch name (``git check-ref-format --branch`` rules), or None."""
    if not name:
        return "it is empty"
    if name.startswith("-"):
        return "it starts with '-'"
    if name == "HEAD" or name == "@":
        return f"{name!r} is not a branch"
    bad = _bad_char(name)
    if bad is not None:
        return f"it contains {bad}"
    if ".." in name:
        return "it contains '..'"
    if "@{" in name:
        return "it contains '@{'"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "it has an empty path component"
    if name.endswith("."):
        return "it ends with '.'"
    for part in name.split("/"):
        if part.startswith("."):
            return "a component starts with '.'"
        if part.endswith(".lock"):
            return "a component ends with '.lock'"
    if name.startswith("refs/"):
        return "give the branch name without refs/"
    return None


def check_branch(name: str, option: str = "--branch") -> str:
    """``name`` when it is a valid branch name.

    Raises:
        InputError: it is not (exit 2), naming the option and the rule it breaks.
    """
    why = ref_problem(name)
    if why is not None:
        raise InputError(f"invalid branch name {name!r}: {why}", option,
                         "use a name git accepts, such as gitshift/web/staging (see git check-ref-format)")
    return name


def check_revision(value: str, option: str) -> str:
    """``value`` when it can only be read as a revision (a ref, a commit id, ``HEAD~1``), never as an option.

    Raises:
        InputError: it starts with ``-`` or holds characters no revision has (exit 2).
    """
    if not value or value.startswith("-") or not _REVISION.fullmatch(value) or ".." in value:
        raise InputError(f"invalid revision {value!r}", option,
                         "give a branch, a tag or a commit id (not starting with '-')")
    return value


def is_url(remote: str) -> bool:
    """``remote`` is a URL (of a transport ``check_remote_syntax`` accepts), not a remote's name."""
    return bool(_URL.fullmatch(remote) or _SCP.fullmatch(remote))


def check_remote_syntax(value: str) -> str:
    """``value`` when it may be a remote's name or a URL (the configured names are checked by ``check_remote``).

    Raises:
        InputError: it starts with ``-``, holds spaces or control characters, or uses an unknown transport.
    """
    if _URL.fullmatch(value) or _SCP.fullmatch(value):
        if value.isprintable() and value.isascii():
            return value
    elif _REMOTE_NAME.fullmatch(value) and ".." not in value:
        return value
    raise InputError(f"invalid remote {value!r}", "--remote", REMOTE_HINT)


def check_remote(value: str, configured: list[str]) -> str:
    """``value`` when it is one of the ``configured`` remotes or a URL.

    Raises:
        InputError: a name that is not configured, or an invalid value (exit 2).
    """
    check_remote_syntax(value)
    if value in configured or is_url(value):
        return value
    known = ", ".join(configured) or "none"
    raise InputError(f"no remote named {value!r}", "--remote",
                     f"configured remotes: {known}; add one with: git remote add {value} <url>")
