"""Printing objects as ``kustomize build`` does: via JSON into yaml.v2 (sorted keys, Go quoting)."""

from __future__ import annotations

import functools
import io
import math
import re
from typing import Any

import yaml

_STR = "tag:yaml.org,2002:str"
_BOOLS = ("y", "yes", "n", "no", "on", "off", "true", "false")
_OLD_WORDS = frozenset(
    [w for b in _BOOLS for w in (b, b.capitalize(), b.upper())]
    + ["~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN"]
    + [f"{s}.{i}" for s in ("", "+", "-") for i in ("inf", "Inf", "INF")]
)
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_GO_INT = re.compile(r"^[-+]?(?:0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")
# Unambiguous (no backtracking): a long run of digits ending badly must fail in linear time.
_GO_FLOAT = re.compile(r"^[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf|infinity|nan)$",
                       re.IGNORECASE)
_TIMESTAMP = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:$|[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2})")


def _needs_quotes(s: str) -> bool:
    """Whether yaml.v2 would read ``s`` unquoted as something other than a string."""
    if s == "" or s in _OLD_WORDS:
        return True
    if s[0] not in "0123456789+-.":
        return False
    plain = s.replace("_", "")
    if _GO_INT.match(plain) or (s[0] in "0123456789+-." and _GO_FLOAT.match(s)):
        return True
    return bool(_BASE60.match(s) or _TIMESTAMP.match(s))


def go_float(value: float) -> str:
    """A float as it reaches kustomize's output (JSON number, then yaml.v2)."""
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if math.isnan(value):
        return ".nan"
    if value.is_integer() and abs(value) < 1e21:
        as_int = int(value)
        if -(2**63) <= as_int < 2**64:
            return str(as_int)
    from decimal import Decimal  # here: most renders hold no float

    sign, digits_t, exponent = Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(map(str, digits_t))
    assert isinstance(exponent, int)
    point = len(digits) + exponent
    exp = point - 1
    head = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mant = digits[0] + (f".{digits[1:]}" if len(digits) > 1 else "")
        return f"{head}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{head}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return head + digits + "0" * (point - len(digits))
    return f"{head}{digits[:point]}.{digits[point:]}"


def _key_cmp(a: str, b: str) -> int:
    """yaml.v2's key order: letters after other runes, digit runs compared as numbers."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        la, lb = ca.isalpha(), cb.isalpha()
        if la and lb:
            return -1 if ca < cb else 1
        if la or lb:
            return -1 if lb else 1
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ca < cb else 1
    return (len(a) > len(b)) - (len(a) < len(b))


_KEY = functools.cmp_to_key(_key_cmp)


def sorted_keys(keys: list[str]) -> list[str]:
    """Keys in yaml.v2 order (plain string order when every key is letters only)."""
    if all(k.isalpha() for k in keys):
        return sorted(keys)
    return sorted(keys, key=_KEY)


class Dumper(yaml.CSafeDumper):
    """libyaml emitter with yaml.v2's scalar styles and key order."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  # PyYAML reads it per class

    # With no implicit or path resolver (above), PyYAML's resolver answers the default tag of the
    # node's kind; libyaml's emitter asks it twice a scalar, so it is answered here directly.
    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


_DEFAULT_TAGS = {yaml.ScalarNode: _STR, yaml.SequenceNode: "tag:yaml.org,2002:seq",
                 yaml.MappingNode: "tag:yaml.org,2002:map"}
assert not Dumper.yaml_path_resolvers, "Dumper.resolve assumes no path resolver"


def _scalar_text(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def _represent_str(dumper: Dumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return yaml.ScalarNode(_STR, value, style="|")
    return yaml.ScalarNode(_STR, value, style='"' if _needs_quotes(value) else None)


def _represent_plain(dumper: Dumper, value: Any) -> yaml.ScalarNode:
    return yaml.ScalarNode(_STR, _scalar_text(value))


def _represent_dict(dumper: Dumper, value: dict[Any, Any]) -> yaml.MappingNode:
    keys = {str(k) if not isinstance(k, str) else k: v for k, v in value.items()}
    pairs = [(dumper.represent_data(k), dumper.represent_data(keys[k])) for k in sorted_keys(list(keys))]
    return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=not pairs)


def _represent_list(dumper: Dumper, value: list[Any]) -> yaml.SequenceNode:
    items = [dumper.represent_data(v) for v in value]
    return yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=not items)


Dumper.add_representer(str, _represent_str)
for _type in (int, float, bool, type(None)):
    Dumper.add_representer(_type, _represent_plain)
Dumper.add_representer(dict, _represent_dict)
Dumper.add_representer(list, _represent_list)
Dumper.ignore_aliases = lambda self, data: True  # type: ignore[method-assign]  # kustomize never prints anchors


_SCALARS = (int, float, bool, type(None))
_QUOTED: dict[str, bool] = {}  # _needs_quotes of strings seen: keys and values repeat across objects


def _node(dumper: Dumper, value: Any) -> yaml.Node:
    """The node the representers above make of ``value``, without PyYAML's per-value dispatch (a third of the time)."""
    kind = type(value)
    if kind is str:
        if "\n" in value:
            return yaml.ScalarNode(_STR, value, style="|")
        quoted = _QUOTED.get(value)
        if quoted is None:
            quoted = _QUOTED[value] = _needs_quotes(value)
        return yaml.ScalarNode(_STR, value, style='"' if quoted else None)
    if kind is dict:
        keys = {str(k) if not isinstance(k, str) else k: v for k, v in value.items()}
        pairs = [(_node(dumper, k), _node(dumper, keys[k])) for k in sorted_keys(list(keys))]
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, flow_style=not pairs)
    if kind is list:
        items = [_node(dumper, v) for v in value]
        return yaml.SequenceNode("tag:yaml.org,2002:seq", items, flow_style=not items)
    if kind in _SCALARS:
        return yaml.ScalarNode(_STR, _scalar_text(value))
    node: yaml.Node = dumper.represent_data(value)  # anything else: as PyYAML represents it
    return node


def dump(obj: Any) -> str:
    """One object as kustomize prints it (what ``yaml.dump(obj, Dumper=Dumper, allow_unicode=True, width=80,
    sort_keys=False)`` prints, libyaml's emitter writing the nodes)."""
    stream = io.StringIO()
    dumper = Dumper(stream, default_flow_style=False, allow_unicode=True, width=80, sort_keys=False)
    try:
        dumper.open()
        dumper.serialize(_node(dumper, obj))
        dumper.close()
    finally:
        dumper.dispose()
    return stream.getvalue()


def dump_all(objs: list[Any]) -> str:
    """Objects as one stream, ``---`` between them, as ``kustomize build`` prints it."""
    return "---\n".join(dump(o) for o in objs)
