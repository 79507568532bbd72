"""Inline SVG pictures: well-formed and inert whatever the repository says, laid out without overlaps."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from tests.pictures.conftest import HOSTILE, SHIFTS, Shifted, hostile_tree, views

from gitshift.pictures import svg
from gitshift.pictures.graph import Graph, clean, compare
from gitshift.pictures.traffic import graph

NS = "{http://www.w3.org/2000/svg}"
ELEMENTS = {"svg", "title", "desc", "defs", "marker", "path", "g", "rect", "polygon", "text"}


def pictures(shifted: dict[str, Shifted], tmp_path: Path) -> list[Graph]:
    out = [compare(graph(s.before, s.env), graph(s.after, s.env)) for s in shifted.values()]
    return out + [v.graph for v in views(hostile_tree(tmp_path)) if v.graph is not None]


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{NS}text")]


def test_svg_is_well_formed_and_inert(shifted: dict[str, Shifted], tmp_path: Path) -> None:
    for i, picture in enumerate(pictures(shifted, tmp_path)):
        root = ET.fromstring(svg.render(picture, f"p{i}"))
        assert {e.tag.removeprefix(NS) for e in root.iter()} <= ELEMENTS
        for e in root.iter():
            assert not any(a.lower().startswith("on") or "href" in a for a in e.attrib), e.attrib
            assert all(v.startswith(f"url(#p{i}-") for a, v in e.attrib.items() if a == "marker-end")
        nodes = [g for g in root.iter(f"{NS}g") if "node" in g.get("class", "").split()]
        assert [texts(g) for g in nodes] == [[n.title] + [t for t, _ in n.lines()] for n in picture.nodes]
        assert root.findtext(f"{NS}title") == picture.title


def test_hostile_text_is_shown_as_text(tmp_path: Path) -> None:
    picture = views(hostile_tree(tmp_path))[0].graph
    assert picture is not None
    text = svg.render(picture, "x")
    assert "<script" not in text and "<img" not in text
    root = ET.fromstring(text)
    shown = texts(root)
    assert clean(HOSTILE["host"]) in shown
    assert any(clean(HOSTILE["header"]) in t for t in shown)


def test_boxes_never_overlap_and_hold_their_text(shifted: dict[str, Shifted], tmp_path: Path) -> None:
    for picture in pictures(shifted, tmp_path):
        boxes, width, height = svg.layout(picture)
        for a, b in itertools.combinations(boxes.values(), 2):
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, (picture.title, a.node.key, b.node.key)
        for box in boxes.values():
            assert box.x >= 0 and box.x + box.w <= width and box.y >= 0 and box.y + box.h <= height
            sized = [(box.node.title, svg.TITLE)] + [(t, svg.LINE) for t, _ in box.node.lines()]
            assert all(svg.width(line, size) <= box.w - 2 * svg.PAD_X for line, size in sized)
        columns = {b.node.kind: b.x for b in boxes.values()}
        assert sorted(columns, key=columns.__getitem__) == [k for k in ("entry", "router", "service", "workload")
                                                            if k in columns]


def test_a_chain_is_drawn_level(shifted: dict[str, Shifted]) -> None:
    s = shifted["recreate"]
    boxes, _, _ = svg.layout(graph(s.after, s.env))
    assert len({round(b.mid) for b in boxes.values()}) == 1


def test_wide_characters_count_twice() -> None:
    assert svg.width("ウェブ", 10) == 2 * svg.width("web", 10)


@pytest.mark.parametrize("uid", ["a b", 'x"', "", "a<"])
def test_ids_are_checked(uid: str, shifted: dict[str, Shifted]) -> None:
    s = shifted[SHIFTS[0][0]]
    with pytest.raises(ValueError, match="invalid SVG id prefix"):
        svg.render(graph(s.after, s.env), uid)


@pytest.mark.parametrize(("line", "lines"), [
    ("header x-canary=always", ["header", "x-canary=always"]),
    ("others 10 %", ["others 10 %"]),
    ("4 of 4 pods → 3 of 4 pods", ["4 of 4 pods →", "3 of 4 pods"]),
    ("0 % → header x-canary=always", ["0 % →", "header", "x-canary=always"]),
    ("a-very-long-word-that-cannot-be-broken-anywhere x", ["a-very-long-word-that-cannot-be-broken-anywhere", "x"]),
])
def test_edge_labels_wrap_at_spaces(line: str, lines: list[str]) -> None:
    assert svg.wrap(line) == lines
