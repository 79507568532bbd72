"""A traffic picture as inline SVG, laid out here so that the page needs no script (pure).

Columns hold the node kinds left to right (entry, router, Service, workload;
an empty column is left out). Within a column nodes sit level with the nodes
that send them traffic, in the order of those nodes, and never overlap.
Text is monospace, so its width is known without a font: every box is sized
to hold its longest line. Every text is escaped as XML.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from gitshift.pictures.graph import ARROW, KINDS, Edge, Graph, Node

FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace"
EM = 0.62  # the widest advance of common monospace fonts, in em (DejaVu and Menlo 0.602)
TITLE, LINE, LABEL = 13, 12, 11  # font sizes
PAD_X, PAD_Y, LEAD = 12, 8, 1.35
GAP_Y, GAP_X, MARGIN = 28, 84, 12
WRAP = 18  # characters of an edge label's line
INK, MUTED, FAINT, ACCENT = "#212529", "#495057", "#adb5bd", "#d9480f"
FILLS = {"entry": ("#edf2ff", "#4c6ef5"), "router": ("#fff9db", "#f08c00"),
         "service": ("#e6fcf5", "#0ca678"), "workload": ("#ffffff", "#495057")}


def width(text: str, size: float) -> float:
    """The most ``text`` can take in a monospace font of ``size`` px (wide East Asian characters count twice)."""
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return cells * size * EM


@dataclass
class _Box:
    node: Node
    w: float
    h: float
    col: int = -1
    x: float = 0.0
    y: float = 0.0

    @property
    def mid(self) -> float:
        return self.y + self.h / 2


def _box(node: Node) -> _Box:
    lines = node.lines()
    w = max([width(node.title, TITLE)] + [width(t, LINE) for t, _ in lines]) + 2 * PAD_X
    if node.kind == "router":
        w += 2 * PAD_X  # the pointed ends of the hexagon
    h = TITLE * LEAD + len(lines) * LINE * LEAD + 2 * PAD_Y
    if node.kind == "entry":
        w += h / 2  # the round ends
    return _Box(node, w, h)


def wrap(line: str, limit: int = WRAP) -> list[str]:
    """``line`` in lines of at most ``limit`` characters where it can be: after ``→``, then at spaces."""
    if len(line) <= limit:
        return [line]
    head, arrow, tail = line.partition(ARROW)
    if arrow:
        return wrap(head + ARROW.rstrip(), limit) + wrap(tail, limit)
    out: list[str] = []
    for word in line.split(" "):
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    return out


def _label(edge: Edge) -> list[str]:
    """The lines of an edge's label, wrapped to keep the columns close; a removed edge says so."""
    lines = ["before", *edge.label] if edge.state == "removed" else list(edge.label)
    return [part for line in lines for part in wrap(line)]


def _label_size(edge: Edge) -> tuple[float, float]:
    lines = _label(edge)
    if not lines:
        return 0.0, 0.0
    return max(width(t, LABEL) for t in lines) + 10, len(lines) * LABEL * LEAD + 6


def layout(graph: Graph) -> tuple[dict[str, _Box], float, float]:
    """Boxes placed in columns; the drawing's width and height."""
    boxes = {n.key: _box(n) for n in graph.nodes}
    used = [k for k in KINDS if any(n.kind == k for n in graph.nodes)]
    cols: list[list[_Box]] = [[b for b in boxes.values() if b.node.kind == k] for k in used]
    preds: dict[str, list[str]] = {}
    for e in graph.edges:
        preds.setdefault(e.dst, []).append(e.src)
    x = float(MARGIN)
    for i, col in enumerate(cols):
        gap = GAP_X + max([_label_size(e)[0] for e in graph.edges
                           if boxes[e.src].node.kind == used[i - 1] and e.dst in {b.node.key for b in col}] + [0])
        x += gap if i else 0
        for b in col:
            b.col, b.x = i, x
        _stack(col, preds, boxes)
        x += max(b.w for b in col)
    top = min(b.y for b in boxes.values())
    for b in boxes.values():
        b.y += MARGIN - top
    height = max(b.y + b.h for b in boxes.values()) + MARGIN
    return boxes, x + MARGIN, height


def _stack(col: list[_Box], preds: dict[str, list[str]], boxes: dict[str, _Box]) -> None:
    """Place a column's boxes level with their senders, in their senders' order, without overlap."""
    def wanted(b: _Box) -> float:
        ys = [boxes[p].mid for p in preds.get(b.node.key, []) if 0 <= boxes[p].col < b.col]
        return sum(ys) / len(ys) if ys else float("inf")

    order = sorted(col, key=wanted)  # stable: senders' order, then the graph's order
    y = 0.0
    for b in order:
        w = wanted(b)
        b.y = max(y, w - b.h / 2) if w != float("inf") else y
        y = b.y + b.h + GAP_Y
    placed = [b for b in order if wanted(b) != float("inf")]
    if placed:  # centre the column on what it wants, keeping its spacing
        shift = sum(wanted(b) for b in placed) / len(placed) - sum(b.mid for b in placed) / len(placed)
        for b in order:
            b.y += shift


def _text(x: float, y: float, value: str, size: int, fill: str, bold: bool = False, anchor: str = "start") -> str:
    weight = ' font-weight="600"' if bold else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{weight} '
            f'text-anchor="{anchor}">{escape(value)}</text>')


def _shape(b: _Box) -> str:
    n = b.node
    fill, stroke = FILLS[n.kind]
    dash = ""
    sw = 1.5
    if n.state in ("changed", "added"):
        stroke, sw = ACCENT, 2.5
    elif n.state == "removed" or n.idle:
        fill, stroke, dash = "#f8f9fa", FAINT, ' stroke-dasharray="5 4"'
    attrs = f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dash}'
    x, y, w, h = b.x, b.y, b.w, b.h
    if n.kind == "router":
        p = PAD_X
        pts = f"{x + p},{y} {x + w - p},{y} {x + w},{y + h / 2} {x + w - p},{y + h} {x + p},{y + h} {x},{y + h / 2}"
        return f'<polygon points="{pts}" {attrs}/>'
    rx = h / 2 if n.kind == "entry" else 6 if n.kind == "workload" else 3
    back = ""
    if n.kind == "workload" and not n.idle and n.state != "removed":  # a stack of pods
        back = f'<rect x="{x + 4}" y="{y + 4}" width="{w}" height="{h}" rx="{rx}" fill="#e9ecef" stroke="{FAINT}"/>'
    return back + f'<rect x="{x}" y="{y}" width="{w:.1f}" height="{h:.1f}" rx="{rx:.1f}" {attrs}/>'


def _node(b: _Box) -> str:
    n = b.node
    grey = n.state == "removed" or n.idle
    cx = b.x + b.w / 2
    y = b.y + PAD_Y + TITLE
    parts = [_shape(b), _text(cx, y, n.title, TITLE, MUTED if grey else INK, bold=True, anchor="middle")]
    for line, moved in n.lines():
        y += LINE * LEAD
        parts.append(_text(cx, y, line, LINE, ACCENT if moved else FAINT if grey else MUTED, anchor="middle"))
    cls = f"node {n.kind} {n.state}" + (" idle" if n.idle else "")
    return f'<g class="{cls}">{"".join(parts)}</g>'


def _route(x1: float, y1: float, x2: float, y2: float, bend_late: bool) -> tuple[str, float, float]:
    """A path that bends near one end and runs level at the other; the middle of the level run.

    Fanning out, edges bend at their source and run level into each target,
    where their labels sit apart; fanning in (``bend_late``), the other way round.
    """
    k = min(28.0, (x2 - x1) / 4)
    if bend_late:
        bx = x2 - 2 * k
        d = f"M{x1:.1f},{y1:.1f} L{bx:.1f},{y1:.1f} C{bx + k:.1f},{y1:.1f} {bx + k:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        return d, (x1 + bx) / 2, y1
    bx = x1 + 2 * k
    d = f"M{x1:.1f},{y1:.1f} C{x1 + k:.1f},{y1:.1f} {x1 + k:.1f},{y2:.1f} {bx:.1f},{y2:.1f} L{x2:.1f},{y2:.1f}"
    return d, (bx + x2) / 2, y2


def _edge(e: Edge, boxes: dict[str, _Box], uid: str, fan_in: bool) -> str:
    a, b = boxes[e.src], boxes[e.dst]
    d, lx, ly = _route(a.x + a.w, a.mid, b.x - 2, b.mid, fan_in)
    style, marker = f'stroke="{MUTED}" stroke-width="1.5"', "arrow"
    if e.state in ("changed", "added"):
        style, marker = f'stroke="{ACCENT}" stroke-width="3"', "accent"
    elif e.state == "removed" or e.idle:
        style, marker = f'stroke="{FAINT}" stroke-width="1.5" stroke-dasharray="5 4"', "faint"
    path = f'<path d="{d}" fill="none" {style} marker-end="url(#{uid}-{marker})"/>'
    label = _label(e)
    if not label:
        return f'<g class="edge {e.state}">{path}</g>'
    w, h = _label_size(e)
    color = ACCENT if e.state in ("changed", "added") else FAINT if e.state == "removed" or e.idle else MUTED
    parts = [f'<rect x="{lx - w / 2:.1f}" y="{ly - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" rx="3" '
             f'fill="#ffffff" fill-opacity="0.92"/>']
    ty = ly - h / 2 + 3 + LABEL
    for line in label:
        parts.append(_text(lx, ty, line, LABEL, color, bold=e.state in ("changed", "added"), anchor="middle"))
        ty += LABEL * LEAD
    return f'<g class="edge {e.state}">{path}<g class="elabel">{"".join(parts)}</g></g>'


def _markers(uid: str) -> str:
    out = []
    for name, color in (("arrow", MUTED), ("accent", ACCENT), ("faint", FAINT)):
        out.append(f'<marker id="{uid}-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" markerUnits="userSpaceOnUse" orient="auto">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>')
    return f"<defs>{''.join(out)}</defs>"


def describe(graph: Graph) -> str:
    """The picture in words, for screen readers: ``a → b (label)`` per edge."""
    names = {n.key: n.title for n in graph.nodes}
    return "; ".join(f"{names[e.src]} → {names[e.dst]}" + (f" ({', '.join(e.label)})" if e.label else "")
                     for e in graph.edges)


def render(graph: Graph, uid: str) -> str:
    """``graph`` as one ``<svg>`` element; ``uid`` (letters, digits, ``-``) keeps its ids unique in a page."""
    if not uid.replace("-", "").isalnum():
        raise ValueError(f"invalid SVG id prefix {uid!r}")
    if not graph.nodes:
        return ""
    boxes, w, h = layout(graph)
    outs = Counter(e.src for e in graph.edges)
    ins = Counter(e.dst for e in graph.edges)
    edges = [_edge(e, boxes, uid, ins[e.dst] > 1 and outs[e.src] == 1) for e in graph.edges]
    body: Sequence[str] = edges + [_node(b) for b in boxes.values()]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="traffic" role="img" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.0f} {h:.0f}" aria-labelledby="{uid}-title {uid}-desc" font-family="{escape(FONT)}">'
            f'<title id="{uid}-title">{escape(graph.title)}</title><desc id="{uid}-desc">{escape(describe(graph))}'
            f"</desc>{_markers(uid)}{''.join(body)}</svg>")
