"""A traffic picture as a Mermaid flowchart, for pull request bodies and comment replies (pure).

Node ids are generated (``n0``, ``n1`` ...), never taken from the
repository. Every label is quoted, and every character outside a short
safe set becomes a Mermaid entity code (``#35;``), so repository text can
neither end a label, start a statement, open a Markdown string or a code
fence, nor inject HTML. Changed parts use the ``changed`` class and thick
arrows; parts a shift removed are dotted and grey, as is traffic at 0 %.
"""

from __future__ import annotations

import re

from gitshift.config import EnvConfig
from gitshift.manifests import Rendered
from gitshift.pictures.graph import Edge, Graph, Node, compare
from gitshift.pictures.traffic import graph

_SAFE = re.compile(r"[A-Za-z0-9 .,:/_=+%@×→·\-]")
_CHANGED = "stroke:#d9480f,stroke-width:3px,color:#d9480f"
_REMOVED = "stroke:#adb5bd,stroke-dasharray:4 4,color:#868e96"
CLASSES = {
    "entry": "fill:#edf2ff,stroke:#4c6ef5,color:#1b1f3b",
    "router": "fill:#fff9db,stroke:#f08c00,color:#1b1f3b",
    "service": "fill:#e6fcf5,stroke:#0ca678,color:#1b1f3b",
    "workload": "fill:#f8f9fa,stroke:#495057,color:#1b1f3b",
    "idle": "fill:#f1f3f5,stroke:#adb5bd,color:#868e96,stroke-dasharray:4 4",
    "changed": "fill:#fff4e6,stroke:#d9480f,stroke-width:3px,color:#1b1f3b",
    "removed": "fill:#f8f9fa,stroke:#adb5bd,color:#adb5bd,stroke-dasharray:4 4",
}
_SHAPES = {"entry": ('(["', '"])'), "router": ('{{"', '"}}'), "service": ('["', '"]'), "workload": ('("', '")')}


def text(value: str) -> str:
    """``value`` safe inside a quoted Mermaid label: anything outside a short safe set as ``#<code>;``."""
    return "".join(ch if _SAFE.fullmatch(ch) else f"#{ord(ch)};" for ch in value)


def _label(node: Node) -> str:
    lines = [text(node.title)] + [text(line) for line, _ in node.lines()]
    return "<br/>".join(lines)


def _class(node: Node) -> str:
    if node.state == "removed":
        return "removed"
    if node.state in ("changed", "added"):
        return "changed"
    return "idle" if node.idle else node.kind


def _arrow(edge: Edge) -> str:
    if edge.state in ("changed", "added"):
        arrow = "==>"
    elif edge.state == "removed" or edge.idle:
        arrow = "-.->"
    else:
        arrow = "-->"
    label = "<br/>".join(text(x) for x in edge.label)
    if edge.state == "removed":
        label = "<br/>".join(filter(None, ["before", label]))
    return f'{arrow}|"{label}"|' if label else arrow


def flowchart(picture: Graph) -> str:
    """The Mermaid source of ``picture`` (``flowchart LR``), without the code fence."""
    ids = {n.key: f"n{i}" for i, n in enumerate(picture.nodes)}
    out = ["flowchart LR"]
    out += [f"  classDef {name} {style}" for name, style in CLASSES.items()]
    for node in picture.nodes:
        start, end = _SHAPES[node.kind]
        out.append(f"  {ids[node.key]}{start}{_label(node)}{end}:::{_class(node)}")
    styles = []
    for i, edge in enumerate(picture.edges):
        out.append(f"  {ids[edge.src]} {_arrow(edge)} {ids[edge.dst]}")
        if edge.state in ("changed", "added"):
            styles.append(f"  linkStyle {i} {_CHANGED}")
        elif edge.state == "removed":
            styles.append(f"  linkStyle {i} {_REMOVED}")
    return "\n".join(out + styles) + "\n"


def shift_picture(before: Rendered, after: Rendered, env: EnvConfig) -> str:
    """The Mermaid source of a shift: the traffic after it, with what it changed marked."""
    return flowchart(compare(graph(before, env), graph(after, env)))
