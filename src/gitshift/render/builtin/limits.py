"""The bounds on what one render may read and build (README: Errors).

Repository content is untrusted: a pull request's head is rendered for anyone
who may comment. Every way content can make the engine work harder than its
size (aliases, copies, inclusion of one base through many paths, regular
expressions) is bounded here, and refused with exit 2 naming the file.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from gitshift.errors import RenderError

MAX_FILE_BYTES = 8 * 1024 * 1024
"""The largest file a render reads (kustomization, resource, patch, generator source)."""

MAX_DEPTH = 100
"""The deepest nesting of maps and lists in a document or a built object."""

MAX_ALIAS_WEIGHT = 1_000_000
"""What YAML aliases may add to one file, in weight (below)."""

MAX_OBJECTS = 10_000
"""The most objects one render builds, counting every inclusion of a base."""

MAX_KUSTOMIZATIONS = 2_000
"""The most kustomizations (and components) one render builds, counting every inclusion."""

MAX_WEIGHT = 64 * 1024 * 1024
"""The most weight one render builds: objects read, copied by patches and replacements, generated.

Weight is one per map entry or list item plus the length of every string, so
a file weighs about its size in bytes.
"""


class LimitError(RenderError):
    """A bound above was reached (exit 2)."""


def weigh(value: Any, cap: int = MAX_WEIGHT) -> tuple[int, int]:
    """(weight, depth) of plain YAML data; counting stops once the weight passes ``cap``.

    Weight approximates the data's size as YAML: the length of every string
    (keys included) plus, per map entry or list item, its nesting depth (the
    indentation it prints with).
    """
    weight, deepest = len(value) if value.__class__ is str else 1, 0
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > deepest:
            deepest = depth
        if weight > cap or deepest > MAX_DEPTH:
            break
        if node.__class__ is dict:
            weight += depth * len(node)
            for key, item in node.items():
                if key.__class__ is str:
                    weight += len(key)
                c = item.__class__
                if c is str:
                    weight += len(item)
                elif c is dict or c is list:
                    push((item, depth + 1))
        elif node.__class__ is list:
            weight += depth * len(node)
            for item in node:
                c = item.__class__
                if c is str:
                    weight += len(item)
                elif c is dict or c is list:
                    push((item, depth + 1))
    return weight, deepest


def check_depth(doc: Any, where: str) -> None:
    """LimitError when a parsed document nests deeper than MAX_DEPTH (a walk over its maps and lists)."""
    stack = [(doc, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if depth > MAX_DEPTH:
            raise LimitError(f"YAML nests deeper than {MAX_DEPTH} levels", where)
        for item in node.values() if node.__class__ is dict else node if node.__class__ is list else ():
            c = item.__class__
            if c is dict or c is list:
                push((item, depth + 1))


MAX_EVENTS = 100_000
"""The most charges one render remembers for shared bases (bases.py); past it, no base of the render is kept."""

Event = tuple[str, str, int, int]  # ("build", where, count, 0) or ("charge", where, weight, objects)


class Budget:
    """What one render has built so far, and the charges in the order they were made.

    A base kept for reuse (bases.py) keeps the charges its build made, and a reuse
    makes them again: a render's bounds, and where it stops, do not depend on what
    the process built before.
    """

    def __init__(self) -> None:
        self.objects = 0
        self.weight = 0
        self.builds = 0
        self.events: list[Event] = []
        self.sealed = 0  # events before this index are not merged into (a base's charges start there)
        self.full = False  # an event was dropped (MAX_EVENTS): nothing of this render is kept

    def _note(self, kind: str, where: str, amount: int, objects: int) -> None:
        events = self.events
        if len(events) > self.sealed:
            last = events[-1]
            if last[0] == kind and last[1] == where:  # the same file charging again: one event
                events[-1] = (kind, where, last[2] + amount, last[3] + objects)
                return
        if len(events) >= MAX_EVENTS:
            self.full = True
        else:
            events.append((kind, where, amount, objects))

    def count_build(self, where: str, count: int = 1) -> None:
        self.builds += count
        self._note("build", where, count, 0)
        if self.builds > MAX_KUSTOMIZATIONS:
            raise LimitError(f"the render builds more than {MAX_KUSTOMIZATIONS} kustomizations", where)

    def charge(self, weight: int, where: str, objects: int = 0) -> None:
        self.weight += weight
        self.objects += objects
        if weight or objects:
            self._note("charge", where, weight, objects)
        if self.objects > MAX_OBJECTS:
            raise LimitError(f"the render builds more than {MAX_OBJECTS} objects", where)
        if self.weight > MAX_WEIGHT:
            raise LimitError(f"the render builds more than {MAX_WEIGHT >> 20} MiB of objects", where)


_BUDGET: ContextVar[Budget | None] = ContextVar("gitshift_render_budget", default=None)


def start() -> Any:
    """Begin counting for one render; returns the token for ``stop``."""
    return _BUDGET.set(Budget())


def stop(token: Any) -> None:
    _BUDGET.reset(token)


def count_build(where: str) -> None:
    """Count one kustomization built; LimitError past MAX_KUSTOMIZATIONS (a base reached by many paths)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.count_build(where)


def charge(weight: int, where: str, objects: int = 0) -> None:
    """Count ``weight`` (and ``objects``) against the current render; LimitError past the bounds."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.charge(weight, where, objects)


def mark() -> int | None:
    """Where the charges of a build about to start begin (None outside a render)."""
    budget = _BUDGET.get()
    if budget is None:
        return None
    budget.sealed = len(budget.events)
    return budget.sealed


def since(start: int | None) -> tuple[Event, ...] | None:
    """The charges made since ``mark`` returned ``start``; None when they cannot all be told."""
    budget = _BUDGET.get()
    if budget is None or start is None or budget.full:
        return None
    budget.sealed = len(budget.events)  # later charges are not merged into the build's last one
    return tuple(budget.events[start:])


def replay(events: tuple[Event, ...]) -> None:
    """Make again the charges of a kept build (LimitError where the build itself would have stopped)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    for kind, where, amount, objects in events:
        if kind == "build":
            budget.count_build(where, amount)
        else:
            budget.charge(amount, where, objects)


def weight_of(events: tuple[Event, ...]) -> int:
    """The weight the charges ``events`` count."""
    return sum(amount for kind, _, amount, _ in events if kind == "charge")


def charge_value(value: Any, where: str, depth_below: int = 0) -> None:
    """Count a value about to be copied into an object ``depth_below`` levels deep."""
    weight, depth = weigh(value)
    if depth + depth_below > MAX_DEPTH:
        raise LimitError(f"the result nests deeper than {MAX_DEPTH} levels", where)
    charge(weight, where)


def type_name(value: Any) -> str:
    """How YAML calls the type of ``value``, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a map"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else "a string"


def check_shared(data: Any, where: str) -> None:
    """Bound data whose containers may be shared (YAML aliases, as ruamel builds them).

    LimitError when the aliases repeat more than MAX_ALIAS_WEIGHT or the data
    nests deeper than MAX_DEPTH, counting each shared container once per use;
    RenderError for a container inside itself. Each container is visited once.
    """
    if not isinstance(data, dict | list):
        return
    weights: dict[int, tuple[int, int]] = {}  # id -> (expanded weight, depth)
    written = 0
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            kids = _containers(node)
            values = list(node.values()) if isinstance(node, dict) else node
            own = len(values) + sum(len(v) for v in values if isinstance(v, str))
            if isinstance(node, dict):
                own += sum(len(k) for k in node if isinstance(k, str))
            written += own
            total = own + sum(weights[id(c)][0] for c in kids)
            depth = 1 + max((weights[id(c)][1] for c in kids), default=0)
            weights[key] = (total, depth)
            open_.discard(key)
            if total - written > MAX_ALIAS_WEIGHT:
                raise LimitError(f"YAML aliases repeat more than {MAX_ALIAS_WEIGHT} of content", where)
            if depth > MAX_DEPTH:
                raise LimitError(f"YAML nests deeper than {MAX_DEPTH} levels", where)
            continue
        if key in weights:
            continue
        if key in open_:
            raise RenderError("an alias refers to a node that contains it", where)
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _containers(node) if id(c) not in weights)


def _containers(node: Any) -> list[Any]:
    values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    return [v for v in values if isinstance(v, dict | list)]
