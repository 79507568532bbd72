"""Container image references: parsing, validation, and applying a new reference to an old one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitshift.errors import InputError

# Distribution reference grammar, reduced: name components, optional tag, optional digest.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)"
_NAME = rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"  # ASCII only: \w would take fullwidth digits or 'é' too
_DIGEST = r"sha256:[0-9a-f]{64}"
_REF = re.compile(rf"(?P<name>{_NAME})?(?::(?P<tag>{_TAG}))?(?:@(?P<digest>[^@]+))?", re.ASCII)


@dataclass(frozen=True)
class ImageRef:
    """An image reference split into name, tag and digest (tag and digest may be empty)."""

    name: str
    tag: str = ""
    digest: str = ""

    def __str__(self) -> str:
        out = self.name
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out


def parse(ref: str, *, allow_bare_tag: bool = False, where: str = "IMAGE") -> ImageRef:
    """Parse and validate ``ref``; ``:tag`` keeps the name when ``allow_bare_tag``.

    Raises:
        InputError: the reference is not valid, or a digest is not sha256 with 64 hex digits.
    """
    m = _REF.fullmatch(ref) if ref and ref.isascii() and ref.isprintable() else None
    if not m or (not m.group("name") and not allow_bare_tag):
        why = "" if not ref or ref.isascii() else \
            f": {next(c for c in ref if not c.isascii())!r} is not ASCII"
        raise InputError(f"invalid image reference {ref!r}{why}", where,
                         "use name:tag, name@sha256:<64 hex>, name:tag@sha256:... or :tag (ASCII letters, digits, "
                         "'.', '_', '-')")
    name, tag, digest = m.group("name") or "", m.group("tag") or "", m.group("digest") or ""
    if digest and not re.fullmatch(_DIGEST, digest, re.ASCII):
        raise InputError(f"invalid image digest {digest!r}", where, "a digest is sha256: followed by 64 hex characters")
    if not name and not (tag or digest):
        raise InputError(f"invalid image reference {ref!r}", where, "give a tag or a digest")
    if not tag and not digest and name.endswith(":"):
        raise InputError(f"invalid image reference {ref!r}", where)
    return ImageRef(name, tag, digest)


def resolve(new: ImageRef, current: str) -> ImageRef:
    """``new`` with its name taken from ``current`` when ``new`` has none (``:tag``)."""
    if new.name:
        return new
    return ImageRef(parse(current, where="current image").name, new.tag, new.digest)
