"""The picture model: untrusted text made printable and short, and what ``compare`` marks."""

from __future__ import annotations

import pytest

from gitshift.pictures.graph import Builder, Edge, Fact, Graph, Node, changed, clean, compare


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("web-canary", "web-canary"),
        ("two\nlines\r\nhere", "two lines here"),
        ("tab\there  and   spaces ", "tab here and spaces"),
        ("bidi \u202egoogle.com", "bidi \ufffdgoogle.com"),
        ("nul\x00bell\x07", "nul\ufffdbell\ufffd"),
        ("para\u2029graph", "para\ufffdgraph"),
        ("x" * 80, "x" * 59 + "…"),
        (42, "42"),
    ],
)
def test_clean(raw: object, shown: str) -> None:
    assert clean(raw) == shown


def test_builder_cleans_every_text_and_keeps_the_first_of_a_key() -> None:
    b = Builder()
    key = b.add(Node("Service/web", "service", "Service\nweb", (Fact("s", "blue\x1b[31m", prefix="color: "),)))
    b.add(Node("Service/web", "service", "another"))
    b.link(key, key, ["a loop is dropped"])
    b.link("entry:users", key, ["10\n%"])
    g = b.graph("web/prod")
    assert [(n.title, n.lines()) for n in g.nodes] == [("Service web", [("color: blue\ufffd[31m", False)])]
    assert g.edges == (Edge("entry:users", "Service/web", ("10 %",)),)


def picture(*nodes: Node, edges: tuple[Edge, ...] = ()) -> Graph:
    return Graph("t", nodes, edges)


def workload(name: str, image: str, replicas: str) -> Node:
    return Node(f"Deployment/{name}", "workload", name, (Fact("image", image), Fact("replicas", replicas)))


def test_compare_marks_changed_values_as_old_to_new() -> None:
    before = picture(workload("web-canary", "1.0.0", "×0"), workload("web", "1.0.0", "×3"),
                     edges=(Edge("r", "Deployment/web-canary", ("0 %",), idle=True),
                            Edge("r", "Deployment/web", ("100 %",))))
    after = picture(workload("web-canary", "2.0.0", "×1"), workload("web", "1.0.0", "×3"),
                    edges=(Edge("r", "Deployment/web-canary", ("10 %",)), Edge("r", "Deployment/web", ("90 %",))))
    got = compare(before, after)
    canary, stable = got.nodes
    assert canary.state == "changed" and canary.lines() == [("1.0.0 → 2.0.0 · ×0 → ×1", True)]
    assert stable.state == "same" and stable.lines() == [("1.0.0 ×3", False)]
    assert [(e.label, e.state, e.idle) for e in got.edges] == [
        (("0 % → 10 %",), "changed", False), (("100 % → 90 %",), "changed", False)]
    assert changed(got) and not changed(compare(after, after))


def test_compare_shows_a_prefix_once() -> None:
    def svc(color: str) -> Node:
        return Node("Service/web", "service", "Service web", (Fact("sel", color, prefix="selector color: "),))

    (node,) = compare(picture(svc("blue")), picture(svc("green"))).nodes
    assert node.lines() == [("selector color: blue → green", True)]


def test_compare_keeps_what_was_removed_and_marks_what_was_added() -> None:
    svc = Node("Service/web", "service", "Service web")
    blue, green = workload("web-blue", "1.0", "×3"), workload("web-green", "1.1", "×3")
    before = picture(svc, blue, green, edges=(Edge("Service/web", "Deployment/web-blue"),))
    after = picture(svc, green, Node("entry:testers", "entry", "testers"),
                    edges=(Edge("Service/web", "Deployment/web-green"),))
    got = compare(before, after)
    assert [(n.key, n.state) for n in got.nodes] == [
        ("Service/web", "same"), ("Deployment/web-green", "same"), ("entry:testers", "added"),
        ("Deployment/web-blue", "removed")]
    assert [(e.dst, e.state) for e in got.edges] == [
        ("Deployment/web-green", "added"), ("Deployment/web-blue", "removed")]


def test_a_label_that_changes_shape_shows_the_new_one() -> None:
    before = picture(edges=(Edge("r", "c", ("0 %",)),))
    after = picture(edges=(Edge("r", "c", ("cookie beta", "others 10 %")),))
    (edge,) = compare(before, after).edges
    assert (edge.label, edge.state) == (("cookie beta", "others 10 %"), "changed")
