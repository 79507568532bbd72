"""Redaction of credentials from anything the HTTP clients (forges, gates) log or raise."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MASK = "***"
SENSITIVE_HEADERS = frozenset({"authorization", "private-token", "job-token", "proxy-authorization"})

# `https://user:secret@host` and `https://secret@host`: everything between the
# scheme and the `@` is a credential (x-access-token:TOKEN, oauth2:TOKEN).
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/@\s'\"<>]+)@")
# `Authorization: Bearer x`, `'PRIVATE-TOKEN': 'x'`, `authorization=x`.
_HEADER_VALUE = re.compile(
    r"(?i)((?:proxy-)?authorization|private-token|job-token)(['\"]?\s*[:=]\s*['\"]?)([^'\"\r\n,}]+)"
)
# `?access_token=x`, `&private_token=x`, `token=x` in query strings.
_QUERY_TOKEN = re.compile(r"(?i)([?&](?:access_token|private_token|job_token|token)=)[^&#\s'\"]+")
# A literal shorter than this is too likely to occur by chance to be masked everywhere.
_MIN_SECRET_LENGTH = 4


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with credentials masked.

    Masks the values of authorization headers, credentials in URLs, token query
    parameters, and every literal occurrence of the given secrets.

    Args:
        text: a URL, header dump, log line or error message.
        secrets: the literal token values known to the caller (``None`` ignored).

    Returns:
        The text with each credential replaced by ``***``.
    """
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LENGTH:
            for form in sorted(_forms(secret), key=len, reverse=True):
                text = text.replace(form, MASK)
    text = _URL_USERINFO.sub(_mask_userinfo, text)
    text = _HEADER_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    return _QUERY_TOKEN.sub(lambda m: f"{m.group(1)}{MASK}", text)


def _forms(secret: str) -> set[str]:
    """``secret`` as it may be quoted in a message: itself, escaped (repr, JSON) or percent-encoded."""
    import json
    from urllib.parse import quote

    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe=""),
             secret.encode("unicode_escape").decode("ascii")}
    # Each line of a secret with a line break, as a message may quote the lines apart.
    forms.update(line for line in secret.splitlines() if len(line) >= _MIN_SECRET_LENGTH)
    return {f for f in forms if f}


def check_token(token: str | None, where: str) -> str | None:
    """``token`` when it is printable ASCII, all an HTTP header can carry; it is never echoed.

    Raises:
        InputError: it holds a line break, a control or a non-ASCII character (exit 2), naming only its position.
    """
    from gitshift.errors import InputError

    if token is None:
        return None
    for i, c in enumerate(token):
        if not (c.isascii() and c.isprintable()):
            kind = "a line break" if c in "\r\n" else "a non-ASCII character" if not c.isascii() \
                else "a control character"
            raise InputError(f"the token holds {kind} at position {i + 1}; it is refused and not shown", where,
                             "set the variable to the token alone (no line break, quotes or spaces around it)")
    return token


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str | None] = ()) -> dict[str, str]:
    """Return a copy of ``headers`` with credential headers masked and other values redacted."""
    known = list(secrets)
    return {
        name: MASK if name.lower() in SENSITIVE_HEADERS else redact(str(value), known)
        for name, value in headers.items()
    }


def _mask_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match.group(1), match.group(2)
    if userinfo == MASK or userinfo.endswith(":" + MASK):
        return match.group(0)
    user, sep, _password = userinfo.partition(":")
    # `x-access-token:TOKEN` keeps the harmless user name; a bare `TOKEN@` is all secret.
    return f"{scheme}{user}:{MASK}@" if sep else f"{scheme}{MASK}@"
