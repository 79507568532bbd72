"""Weighted route lists shared by the Istio and Gateway API canaries (VirtualService ``http``, HTTPRoute ``rules``).

Custom resources have no merge keys, so a list that gains or loses an A/B
entry is replaced whole; while it keeps its shape each weight is its own
intent (DESIGN: where an intent can be placed).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from gitshift.errors import InputError
from gitshift.manifests import FieldPath, Intent, Obj, format_path, get_path
from gitshift.strategies.base import collect, intent


def name_of(obj: Obj) -> str:
    """An object's name."""
    return str((obj.get("metadata") or {}).get("name", ""))


def weighted_entries(roles: Sequence[Sequence[str | None]]) -> list[int]:
    """Indexes of the entries that split between exactly one stable and one canary destination."""
    return [i for i, r in enumerate(roles) if sorted(map(str, r)) == ["canary", "stable"]]


def read_weight(entry: Obj, key: str, roles: Sequence[str | None], default: int) -> int:
    """The canary's percentage in a weighted entry (a missing weight counts as ``default``)."""
    dests = zip(entry.get(key) or [], roles, strict=True)
    weights = {role: _as_int(d.get("weight", default), default) for d, role in dests}
    total = weights["stable"] + weights["canary"]
    return (weights["canary"] * 100 + total // 2) // total if total > 0 else 0


def _as_int(value: object, default: int) -> int:
    """A weight as written, or ``default`` when it is not a number (``checks`` reports it)."""
    try:
        return int(str(value))
    except ValueError:
        return default


def split_routes(
    obj: Obj,
    path: FieldPath,
    key: str,
    roles: Sequence[Sequence[str | None]],
    ab: Sequence[int],
    weight: int,
    rule: Obj | None,
) -> list[Intent]:
    """Intents giving each weighted entry ``weight``, and the A/B ``rule`` in front of the first.

    While the list keeps its shape each weight is its own intent; when an A/B
    entry comes, goes or changes, one intent replaces the whole list (custom
    resources have no merge keys: DESIGN, where an intent can be placed).
    """
    old = list(get_path(obj, path, []))
    weighted = weighted_entries(roles)
    if not weighted:
        raise InputError(
            f"{obj.get('kind')} {name_of(obj)} has no {format_path(path)} entry with both "
            "a stable and a canary destination",
            "canary traffic",
            "route to both (weights 100 and 0) in the overlay first",
        )
    reshaped = [
        _weighted(e, key, roles[i], weight) if i in weighted else e for i, e in enumerate(old)
    ]
    new = []
    for i, reweighted in enumerate(reshaped):
        if rule is not None and i == weighted[0]:
            new.append(rule)
        if i not in ab:
            new.append(reweighted)
    if new != reshaped:
        return collect(intent(obj, path, new))
    return collect(
        [
            intent(obj, (*path, i, key, j, "weight"), d["weight"])
            for i in weighted
            for j, d in enumerate(reshaped[i][key])
        ]
    )


def route_with_ab(obj: Obj, path: FieldPath, key: str, roles: Sequence[Sequence[str | None]], ab: Sequence[int],
                  parse: Callable[[Obj, Obj], object], build: Callable[[Obj, Sequence[str | None], Any], Obj],
                  weight: int, match: object | None) -> list[Intent]:
    """Weights on every stable/canary entry, and the A/B entry ``build`` makes in front of the first.

    An A/B entry that ``parse`` already reads as ``match`` stays as written
    (maybe by hand): only the weights move.
    """
    entries = list(get_path(obj, path, []))
    weighted = weighted_entries(roles)
    if ab and weighted and parse(entries[ab[0]], entries[weighted[0]]) == match:
        return split_routes(obj, path, key, roles, [], weight, None)
    rule = build(entries[weighted[0]], roles[weighted[0]], match) if match is not None and weighted else None
    return split_routes(obj, path, key, roles, ab, weight, rule)


def _weighted(entry: Obj, key: str, roles: Sequence[str | None], weight: int) -> Obj:
    out = copy.deepcopy(entry)
    for dest, role in zip(out[key], roles, strict=True):
        dest["weight"] = weight if role == "canary" else 100 - weight
    return out


def weight_failure(where: str, weights: Sequence[object]) -> str | None:
    """Safety check (README.md, "How a shift works"): weights of one route are integers 0-100 summing to 100."""
    if not all(isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= 100 for w in weights):
        return f"{where} weights {list(weights)} are not all integers 0-100"
    total = sum(w for w in weights if isinstance(w, int))
    return None if total == 100 else f"{where} weights sum to {total}, not 100"
