"""The forge an origin remote URL names: ``github.com`` or ``gitlab.com`` and the project path (pure)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")
_KINDS = {"github.com": "github", "gitlab.com": "gitlab"}


def forge_of(url: str) -> dict[str, str] | None:
    """``{"kind", "project"}`` for a GitHub or GitLab remote URL (https, ssh or scp-like), else None.

    Only the host and the path are read: credentials in the URL never reach the result.
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path
    else:
        match = _SCP.match(url)
        if match is None:
            return None
        host, path = match["host"].lower(), match["path"]
    kind = _KINDS.get(host)
    segments = path.strip("/").removesuffix(".git").split("/")
    if kind is None or not all(_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None
    if len(segments) != 2 and not (kind == "gitlab" and len(segments) > 2):
        return None
    return {"kind": kind, "project": "/".join(segments)}
