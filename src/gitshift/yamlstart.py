"""Importing PyYAML without compiling its pure-Python reader's pattern of non-printable characters.

PyYAML's ``Reader`` compiles ``NON_PRINTABLE`` when the module is imported: a class of nearly
every Unicode code point, which ``re`` turns into a table one code point at a time. That costs
about as much as starting Python itself, a sixth of a ``gitshift render`` process, and gitshift
never uses it: it reads through libyaml, whose C reader checks printability itself (ruamel.yaml,
which does use such a pattern, compiles its own copy lazily). ``defer()``, called before the first
``import yaml``, leaves in ``re``'s cache a stand-in for that one pattern, which compiles it the
first time PyYAML's pure-Python reader searches with it. A Python whose ``re`` keeps no such
cache is left alone: the pattern is then compiled at import, as before.
"""

from __future__ import annotations

import re
from typing import Any

# yaml/reader.py's, character for character once the escapes are read.
NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


class _Deferred:
    """Compiles the pattern on first use; until then, only its source is held."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            # re.UNICODE is what a str pattern means anyway; as a flag it makes a key of its own in
            # the cache, so this compiles the pattern instead of finding this stand-in again.
            self._compiled = re.compile(self._source, re.UNICODE)
        return getattr(self._compiled, name)


def defer() -> None:
    """Put the stand-in in ``re``'s cache, unless the pattern is there already or there is no such cache."""
    cache = getattr(re, "_cache", None)
    if isinstance(cache, dict):
        cache.setdefault((str, NON_PRINTABLE, 0), _Deferred(NON_PRINTABLE))
