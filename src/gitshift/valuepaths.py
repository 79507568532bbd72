"""Dotted Helm value paths (``image.tag``, ``routes[0].weight``, ``annotations["a.b/c"]``): parse, format, get.

Pure and import-light: the config reads its ``helm:`` keys with it.
"""

from __future__ import annotations

import re
from typing import Any

ValuePath = tuple[str | int, ...]

_KEY = re.compile(r"[A-Za-z0-9_$-][A-Za-z0-9_$-]*")
_INDEX = re.compile(r"\[(\d+)\]")
_QUOTED = re.compile(r"""\[(?:"([^"\\]+)"|'([^'\\]+)')\]""")


class PathError(ValueError):
    """A value path that cannot be parsed; the message says where."""


def parse(text: str) -> ValuePath:
    """``a.b[0].c`` -> ``("a", "b", 0, "c")``; ``a["x.y"]`` keeps a key with dots.

    Raises:
        PathError: the text is empty or not a value path.
    """
    if not isinstance(text, str) or not text:
        raise PathError("an empty value path")
    out: list[str | int] = []
    i, n = 0, len(text)
    expect_key = True
    while i < n:
        if text[i] == "[":
            m = _INDEX.match(text, i) or _QUOTED.match(text, i)
            if m is None:
                raise PathError(f"bad index at {text[i:]!r} in {text!r}")
            out.append(int(m.group(1)) if m.re is _INDEX else (m.group(1) or m.group(2)))
            i, expect_key = m.end(), False
            continue
        if text[i] == ".":
            if expect_key:
                raise PathError(f"empty key in {text!r}")
            i, expect_key = i + 1, True
            if i == n:
                raise PathError(f"{text!r} ends with a dot")
            continue
        if not expect_key:
            raise PathError(f"expected '.' or '[' at {text[i:]!r} in {text!r}")
        m = _KEY.match(text, i)
        if m is None:
            raise PathError(f"bad key at {text[i:]!r} in {text!r}")
        out.append(m.group(0))
        i, expect_key = m.end(), False
    if not out or isinstance(out[0], int):
        raise PathError(f"not a value path: {text!r}")
    return tuple(out)


def fmt(path: ValuePath) -> str:
    """The text of a value path, as ``parse`` reads it (and as Argo CD ``parameters`` name it)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def substitute(text: str, **names: str) -> str:
    """``${color}.image.tag`` with ``color=blue`` -> ``blue.image.tag``."""
    for k, v in names.items():
        text = text.replace("${" + k + "}", v)
    return text


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


ABSENT: Any = _Missing()


def get(values: Any, path: ValuePath) -> Any:
    """The value at ``path``, or ``ABSENT`` when a step is missing."""
    cur = values
    for part in path:
        if isinstance(part, int):
            if not isinstance(cur, list) or not 0 <= part < len(cur):
                return ABSENT
        elif not isinstance(cur, dict) or part not in cur:
            return ABSENT
        cur = cur[part]
    return cur


def set_value(values: Any, path: ValuePath, value: Any) -> bool:
    """Set an existing ``path`` in plain data; False when a step is missing."""
    cur = values
    for part in path[:-1]:
        if isinstance(part, int):
            if not isinstance(cur, list) or not 0 <= part < len(cur):
                return False
        elif not isinstance(cur, dict) or part not in cur:
            return False
        cur = cur[part]
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(cur, list) or not 0 <= last < len(cur):
            return False
    elif not isinstance(cur, dict) or last not in cur:
        return False
    cur[last] = value
    return True


def changed(a: Any, b: Any, path: ValuePath = ()) -> list[ValuePath]:
    """The deepest value paths where ``a`` and ``b`` differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[ValuePath] = []
        for k in list(a) + [k for k in b if k not in a]:
            out += changed(a.get(k, ABSENT), b.get(k, ABSENT), (*path, k))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b, strict=True)) for p in changed(x, y, (*path, i))]
    if a is ABSENT and b is ABSENT:
        return []
    return [path] if a != b or type(a) is not type(b) else []


def text_changes(before: Any, after: Any) -> list[tuple[str, Any, Any]] | None:
    """The values that changed between two blocks of YAML text, as (path, before, after); None when not such."""
    if not (isinstance(before, str) and isinstance(after, str) and "\n" in before and "\n" in after):
        return None
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        a, b = yaml.load(before, Loader=loader), yaml.load(after, Loader=loader)
    except yaml.YAMLError:
        return None
    if not isinstance(a, dict) or not isinstance(b, dict):
        return None
    from gitshift.manifests import MISSING

    def val(x: Any) -> Any:
        return MISSING if x is ABSENT else x

    return [(fmt(p), val(get(a, p)), val(get(b, p))) for p in changed(a, b)] or None
