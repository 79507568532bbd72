"""Mermaid pictures: a structural check of every statement (always), and a real render in headless Chromium.

The structural check parses the source with a grammar of the four statements
the renderer writes (classDef, node, edge, linkStyle) and fails on any other
line, so text that escaped its label would show up as an unknown statement.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import Result
from tests.conftest import PROJECT, isolate_git, make_repo, run
from tests.pictures.conftest import HOSTILE, SHIFTS, Chromium, Shifted, hostile_tree, views

from gitshift.comments.parse import Command
from gitshift.comments.replies import success
from gitshift.pictures import mermaid
from gitshift.pictures.graph import Graph, clean, compare
from gitshift.pictures.traffic import graph

SHAPES = {"entry": r'\(\["(?P<label>[^"]*)"\]\)', "router": r'\{\{"(?P<label>[^"]*)"\}\}',
          "service": r'\["(?P<label>[^"]*)"\]', "workload": r'\("(?P<label>[^"]*)"\)'}
NODE = re.compile(r"  (?P<id>n\d+)(?:" + "|".join(f"(?P<{k}>{v})".replace("?P<label>", f"?P<{k}_label>")
                                                    for k, v in SHAPES.items()) + r"):::(?P<cls>\w+)")
EDGE = re.compile(r'  (?P<src>n\d+) (?P<arrow>-->|==>|-\.->)(?:\|"(?P<label>[^"]*)"\|)? (?P<dst>n\d+)')
STYLE = re.compile(r"  linkStyle (?P<index>\d+) (?P<style>[\w:#,. -]+)")
CLASSDEF = re.compile(r"  classDef (?P<name>\w+) (?P<style>[\w:#,. -]+)")
LABEL_TEXT = re.compile(r"(?:[A-Za-z0-9 .,:/_=+%@×→·\-]|#\d+;|<br/>)*")


@dataclass
class Parsed:
    """A flowchart as the grammar reads it."""

    nodes: dict[str, tuple[str, list[str], str]] = field(default_factory=dict)  # id -> kind, lines, class
    edges: list[tuple[str, str, list[str], str]] = field(default_factory=list)  # src, arrow, lines, dst
    styles: dict[int, str] = field(default_factory=dict)


def decode(label: str | None) -> list[str]:
    """A label's lines, its entity codes decoded."""
    assert LABEL_TEXT.fullmatch(label or ""), label
    return [re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), part) for part in (label or "").split("<br/>") if part]


def parse(source: str) -> Parsed:
    """The statements of ``source``; any other line fails the test."""
    head, *lines = source.rstrip("\n").split("\n")
    assert head == "flowchart LR"
    out = Parsed()
    for line in lines:
        if m := NODE.fullmatch(line):
            kind = next(k for k in SHAPES if m.group(k))
            out.nodes[m["id"]] = (kind, decode(m[f"{kind}_label"]), m["cls"])
        elif m := EDGE.fullmatch(line):
            assert m["src"] in out.nodes and m["dst"] in out.nodes, line
            out.edges.append((m["src"], m["arrow"], decode(m["label"]), m["dst"]))
        elif m := STYLE.fullmatch(line):
            out.styles[int(m["index"])] = m["style"]
        else:
            assert CLASSDEF.fullmatch(line), f"not a statement of the picture: {line!r}"
    assert all(i < len(out.edges) for i in out.styles)
    return out


def check_structure(picture: Graph) -> Parsed:
    """Parse the picture's source and check it says what the model says, node by node and edge by edge."""
    parsed = parse(mermaid.flowchart(picture))
    ids = {n.key: f"n{i}" for i, n in enumerate(picture.nodes)}
    assert len(parsed.nodes) == len(picture.nodes) and len(parsed.edges) == len(picture.edges)
    for n in picture.nodes:
        kind, lines, cls = parsed.nodes[ids[n.key]]
        assert (kind, lines) == (n.kind, [n.title] + [t for t, _ in n.lines()])
        assert cls == {"changed": "changed", "added": "changed", "removed": "removed"}.get(
            n.state, "idle" if n.idle else n.kind)
    for i, e in enumerate(picture.edges):
        src, arrow, lines, dst = parsed.edges[i]
        assert (src, dst) == (ids[e.src], ids[e.dst])
        assert lines == (["before"] if e.state == "removed" else []) + list(e.label)
        moved = e.state in ("changed", "added")
        assert arrow == ("==>" if moved else "-.->" if e.state == "removed" or e.idle else "-->")
        assert (i in parsed.styles) == (e.state != "same")
    return parsed


def shift_picture(s: Shifted) -> Graph:
    return compare(graph(s.before, s.env), graph(s.after, s.env))


@pytest.mark.parametrize("name", [name for name, _ in SHIFTS])
def test_every_pattern_has_a_well_formed_picture(shifted: dict[str, Shifted], name: str) -> None:
    s = shifted[name]
    parsed = check_structure(shift_picture(s))
    classes = {cls for _, _, cls in parsed.nodes.values()}
    assert parsed.styles or "changed" in classes, "a shift changes something the picture marks"
    assert mermaid.shift_picture(s.before, s.after, s.env) == mermaid.flowchart(shift_picture(s))


def test_hostile_text_stays_inside_its_labels(tmp_path: Path) -> None:
    for view in views(hostile_tree(tmp_path)):
        assert view.graph is not None
        parsed = check_structure(view.graph)
        texts = [line for _, lines, _ in parsed.nodes.values() for line in lines]
        texts += [line for _, _, lines, _ in parsed.edges for line in lines]
        assert clean(HOSTILE["host"]) in texts
    first = views(hostile_tree(tmp_path))[0].graph
    assert first is not None
    source = mermaid.flowchart(first)
    assert "```" not in source and "<img" not in source and "%%{" not in source


@pytest.mark.parametrize(("raw", "escaped"), [
    ('say "hi"', "say #34;hi#34;"), ("a<b>", "a#60;b#62;"), ("`x`", "#96;x#96;"), ("#1;", "#35;1#59;"),
    ("[x]{y}(z)|", "#91;x#93;#123;y#125;#40;z#41;#124;"), ("web-canary 10 % ×3", "web-canary 10 % ×3"),
    ("é", "#233;"),
])
def test_text(raw: str, escaped: str) -> None:
    assert mermaid.text(raw) == escaped


# --- in pull request bodies, comment replies and -o json ------------------------------------------

PR_SHIFTS = [
    ("set-image", "web", ":1.1.0", "--env", "staging"),
    ("bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0"),
    ("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--cookie", "beta"),
    ("canary", "deploy", "web", "--env", "production-istio", "--image", ":2.0.0", "--header", "X-Canary=always"),
    ("canary", "deploy", "web", "--env", "production-gateway", "--image", ":2.0.0", "--weight", "25"),
    ("canary", "deploy", "web", "--env", "production-replicas", "--image", ":2.0.0"),
]
BLOCK = re.compile(r"\n```mermaid\n(.*?)```\n", re.S)


def pr_pictures(repo: Path, cli_run: Callable[..., Result]) -> list[str]:
    """The Mermaid block of the pull request each of ``PR_SHIFTS`` would open (``--pr-preview``), checked
    against the ``picture`` of its ``-o json`` result."""
    out = []
    for args in PR_SHIFTS:
        data = json.loads(cli_run(repo, "-o", "json", *args, "--dry-run").stdout)
        preview = cli_run(repo, *args, "--push", "--pr-preview")
        assert preview.exit_code == 0, preview.output
        (block,) = BLOCK.findall(preview.stdout)
        assert block == data["picture"]
        assert preview.stdout.index("**Traffic after this shift**") < preview.stdout.index("**Safety checks**")
        out.append(block)
    return out


@pytest.fixture(scope="module")
def pr_blocks(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``pr_pictures`` on a fresh example repository, once for the tests that read them."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, tmp_path_factory.mktemp("home"))
        return pr_pictures(make_repo(tmp_path_factory.mktemp("pr"), copy_example=True), run)


def test_pull_request_bodies_carry_the_picture(pr_blocks: list[str]) -> None:
    for block in pr_blocks:
        parsed = parse(block)
        assert any(cls == "changed" for _, _, cls in parsed.nodes.values())


def test_comment_replies_carry_the_picture(shifted: dict[str, Shifted]) -> None:
    from gitshift.result import Result as ShiftResult

    s = shifted["nginx-scale"]
    source = mermaid.shift_picture(s.before, s.after, s.env)
    summary = "canary web/production-canary: weight 10 → 25"
    result = ShiftResult("web", "production-canary", "canary.scale", True, summary, commit="a" * 40,
                         branch="gitshift/web/production-canary/canary.scale", picture=source)
    text = success("carol", Command("canary.scale", "/gitshift canary scale 25", weight=25), result,
                   s.env.overlay, None, "/gitshift", 65536, same_pr=True)
    assert BLOCK.findall(text) == [source]
    assert "10 % → 25 %" in source


def test_a_shift_without_change_has_no_picture(example_repo: Path, cli_run: Callable[..., Result]) -> None:
    data = json.loads(cli_run(example_repo, "-o", "json", "set-image", "web", ":1.0.0", "--env", "staging").stdout)
    assert data["changed"] is False and data["picture"] is None


# --- rendered by mermaid itself, in headless Chromium --------------------------------------------

HARNESS = """<!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out">pending</pre>
<div id="drawn"></div><script src="{bundle}"></script><script>
const sources = {sources};
mermaid.initialize({{startOnLoad: false, securityLevel: "strict"}});
(async () => {{
  const results = [];
  for (const [i, src] of sources.entries()) {{
    try {{
      await mermaid.parse(src);
      const {{svg}} = await mermaid.render("m" + i, src);
      const div = document.createElement("div");
      div.innerHTML = svg;
      document.getElementById("drawn").appendChild(div);
      results.push({{ok: true, nodes: [...div.querySelectorAll("g.node")].map(n => n.textContent),
        edges: div.querySelectorAll("g.edgePaths > path").length,
        labels: [...div.querySelectorAll("g.edgeLabel")].map(n => n.textContent).filter(t => t),
        unsafe: div.querySelectorAll("script, img, iframe, [onerror], [onload], a[href]").length}});
    }} catch (e) {{ results.push({{ok: false, error: String(e && e.message || e)}}); }}
  }}
  document.getElementById("out").textContent = JSON.stringify(results);
}})();
</script></body></html>"""


def render_in_chromium(chromium: Chromium, bundle: Path, sources: list[str], tmp_path: Path) -> list[dict[str, object]]:
    """Each source parsed and drawn by the mermaid bundle; what was drawn, or the error."""
    page = tmp_path / "mermaid.html"
    page.write_text(HARNESS.format(bundle=bundle.as_uri(), sources=json.dumps(sources).replace("<", "\\u003c")))
    dom = chromium.dom(page, budget_ms=20000)
    m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert m and m.group(1) != "pending", dom[:2000]
    results = json.loads(html.unescape(m.group(1)))
    assert len(results) == len(sources)
    return list(results)


def test_mermaid_draws_every_picture(chromium: Chromium, mermaid_js: Path, shifted: dict[str, Shifted],
                                     tmp_path: Path) -> None:
    pictures = [shift_picture(shifted[name]) for name, _ in SHIFTS]
    pictures += [v.graph for v in views(hostile_tree(tmp_path)) if v.graph is not None]
    results = render_in_chromium(chromium, mermaid_js, [mermaid.flowchart(p) for p in pictures], tmp_path)
    for picture, got in zip(pictures, results, strict=True):
        assert got["ok"] is True, (picture.title, got.get("error"))
        assert got["nodes"] == ["".join([n.title] + [t for t, _ in n.lines()]) for n in picture.nodes]
        assert got["edges"] == len(picture.edges)
        labels = ["".join((["before"] if e.state == "removed" else []) + list(e.label))
                  for e in picture.edges if e.label or e.state == "removed"]
        assert got["labels"] == labels
        assert got["unsafe"] == 0


def test_mermaid_draws_the_pictures_of_pull_request_bodies(chromium: Chromium, mermaid_js: Path, pr_blocks: list[str],
                                                           tmp_path: Path) -> None:
    blocks = pr_blocks
    results = render_in_chromium(chromium, mermaid_js, blocks, tmp_path)
    for block, got in zip(blocks, results, strict=True):
        assert got["ok"] is True, (block, got.get("error"))
        parsed = parse(block)
        assert len(got["nodes"]) == len(parsed.nodes) and got["edges"] == len(parsed.edges)  # type: ignore[arg-type]


def test_mermaid_refuses_a_broken_picture(chromium: Chromium, mermaid_js: Path, shifted: dict[str, Shifted],
                                          tmp_path: Path) -> None:
    """The check can fail: a label whose quote was not escaped is a parse error."""
    source = mermaid.flowchart(shift_picture(shifted["nginx-deploy"])).replace("Service web", 'Service "web', 1)
    (got,) = render_in_chromium(chromium, mermaid_js, [source], tmp_path)
    assert got["ok"] is False and "Parse error" in str(got["error"])


def test_the_readme_shows_the_picture_gitshift_draws(shifted: dict[str, Shifted]) -> None:
    readme = (PROJECT / "README.md").read_text()
    section = readme[readme.index("<!-- pictures:start -->"):readme.index("<!-- pictures:end -->")]
    s = shifted["nginx-scale"]  # canary scale --next on the example tree: 10 -> 25 %
    assert BLOCK.findall(section) == [mermaid.shift_picture(s.before, s.after, s.env)]
