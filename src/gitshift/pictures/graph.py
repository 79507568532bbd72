"""The picture model: who sends traffic where, and what a shift changed in it (pure, no I/O).

A ``Graph`` has nodes in four kinds, drawn left to right: ``entry`` (users,
a host), ``router`` (an Ingress, a VirtualService, an HTTPRoute), ``service``
and ``workload``. Every text in it may come from the repository and is
untrusted: ``clean`` makes it printable and short before it enters a node
or an edge; the renderers escape it again for their own syntax.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

KINDS = ("entry", "router", "service", "workload")
STATES = ("same", "changed", "added", "removed")
MAX_TEXT = 60
ARROW = " → "


def clean(text: object, limit: int = MAX_TEXT) -> str:
    """``text`` as one printable line of at most ``limit`` characters.

    Control, format (bidi overrides), private-use and unassigned characters
    and line or paragraph separators become U+FFFD; whitespace runs become one space.
    """
    out = []
    for ch in str(text):
        cat = unicodedata.category(ch)
        if ch in "\t\n\r" or cat == "Zs":
            out.append(" ")
        elif cat.startswith("C") or cat in ("Zl", "Zp"):
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    line = " ".join("".join(out).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class Fact:
    """One thing shown in a node (``image 2.0.0``); facts with the same ``row`` share a line."""

    name: str
    value: str
    row: int = 0
    changed: bool = False
    prefix: str = ""  # shown before the value, and once only when the value changed

    @property
    def text(self) -> str:
        """The fact as shown."""
        return self.prefix + self.value


@dataclass(frozen=True)
class Node:
    """An entry, router, Service or workload. ``key`` is its identity across two pictures."""

    key: str
    kind: str
    title: str
    facts: tuple[Fact, ...] = ()
    idle: bool = False  # a workload with 0 replicas
    state: str = "same"

    def lines(self) -> list[tuple[str, bool]]:
        """The text lines under the title, each with whether it changed (a changed line separates its facts with ·)."""
        rows: dict[int, list[Fact]] = {}
        for f in self.facts:
            rows.setdefault(f.row, []).append(f)
        out = []
        for _, fs in sorted(rows.items()):
            moved = any(f.changed for f in fs)
            out.append(((" · " if moved else " ").join(f.text for f in fs), moved))
        return out


@dataclass(frozen=True)
class Edge:
    """Traffic from ``src`` to ``dst`` (node keys); ``label`` lines name the weight or the rule."""

    src: str
    dst: str
    label: tuple[str, ...] = ()
    idle: bool = False  # carries no traffic now (0 %, 0 pods)
    state: str = "same"


@dataclass(frozen=True)
class Graph:
    """One env's traffic picture."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, key: str) -> Node:
        """The node with ``key``."""
        return next(n for n in self.nodes if n.key == key)


class Builder:
    """Collects nodes and edges in order; adding a node or edge twice keeps the first."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: dict[tuple[str, str], Edge] = {}

    def add(self, node: Node) -> str:
        """Add ``node`` (its texts cleaned) unless its key is there already; its key."""
        facts = tuple(replace(f, value=clean(f.value), prefix=clean(f.prefix) + " " * f.prefix[-1:].isspace())
                      for f in node.facts)
        self.nodes.setdefault(node.key, replace(node, title=clean(node.title), facts=facts))
        return node.key

    def link(self, src: str, dst: str, label: Iterable[str] = (), idle: bool = False) -> None:
        """An edge from ``src`` to ``dst``, unless one is there already or it would be a loop."""
        if src != dst:
            self.edges.setdefault((src, dst), Edge(src, dst, tuple(clean(x) for x in label), idle))

    def graph(self, title: str) -> Graph:
        """The collected picture."""
        return Graph(clean(title, 120), tuple(self.nodes.values()), tuple(self.edges.values()))


def _facts(before: Sequence[Fact], after: Sequence[Fact]) -> tuple[Fact, ...]:
    old = {f.name: f for f in before}
    out = []
    for f in after:
        was = old.get(f.name)
        if was is not None and was.text != f.text:
            value = f"{was.value}{ARROW}{f.value}" if was.prefix == f.prefix else f"{was.text}{ARROW}{f.text}"
            out.append(replace(f, value=value, prefix=f.prefix if was.prefix == f.prefix else "", changed=True))
        elif was is None and before:
            out.append(replace(f, changed=True))
        else:
            out.append(f)
    return tuple(out)


def _label(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[str, ...]:
    if len(before) == len(after) == 1:
        return (f"{before[0]}{ARROW}{after[0]}",)
    return after


def compare(before: Graph, after: Graph) -> Graph:
    """``after`` with what differs from ``before`` marked: values as ``old → new``, added and removed parts.

    Nodes match by key, edges by their two ends. A removed node or edge is kept
    (state ``removed``) so that the picture shows where traffic went before.
    """
    old_nodes = {n.key: n for n in before.nodes}
    new_keys = {n.key for n in after.nodes}
    nodes = []
    for n in after.nodes:
        was = old_nodes.get(n.key)
        if was is None:
            nodes.append(replace(n, state="added"))
            continue
        facts = _facts(was.facts, n.facts)
        moved = facts != n.facts or was.idle != n.idle or was.title != n.title
        nodes.append(replace(n, facts=facts, state="changed" if moved else "same"))
    nodes += [replace(n, state="removed") for n in before.nodes if n.key not in new_keys]
    old_edges = {(e.src, e.dst): e for e in before.edges}
    new_ends = {(e.src, e.dst) for e in after.edges}
    edges = []
    for e in after.edges:
        was_edge = old_edges.get((e.src, e.dst))
        if was_edge is None:
            edges.append(replace(e, state="added"))
        elif was_edge.label != e.label or was_edge.idle != e.idle:
            edges.append(replace(e, label=_label(was_edge.label, e.label), state="changed"))
        else:
            edges.append(e)
    edges += [replace(e, state="removed") for e in before.edges if (e.src, e.dst) not in new_ends]
    return Graph(after.title, tuple(nodes), tuple(edges))


def changed(graph: Graph) -> bool:
    """Whether anything in ``graph`` is marked as changed, added or removed."""
    return any(n.state != "same" for n in graph.nodes) or any(e.state != "same" for e in graph.edges)
