"""The status page: what it says (parsed), where it links, and how it looks in headless Chromium.

The browser test loads the page as a person would, takes a screenshot, and
measures the DOM: every env has its card, no text leaves its box (an HTML
element whose content is wider or taller than it, a text outside its card,
a picture's text outside its node), and nothing scrolls sideways.
"""

from __future__ import annotations

import html
import json
import re
import struct
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from tests.conftest import PROJECT, git, isolate_git, make_repo, run
from tests.pictures.conftest import HOSTILE, Chromium, hostile_tree, load, views

from gitshift.config import ForgeConfig
from gitshift.pictures import gather, page
from gitshift.render import get_renderer
from gitshift.result import State

GITHUB = ForgeConfig("github", "acme/gitops", "https://api.github.com", "main", "GITHUB_TOKEN")
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("forge", "sha", "url"),
    [
        (GITHUB, SHA, f"https://github.com/acme/gitops/commit/{SHA}"),
        (ForgeConfig("github", "acme/gitops", "https://ghe.example.com/api/v3", "main", "T"), SHA[:12],
         f"https://ghe.example.com/acme/gitops/commit/{SHA[:12]}"),
        (ForgeConfig("gitlab", "group/sub/proj", "https://gitlab.example.com/api/v4", "main", "T"), SHA,
         f"https://gitlab.example.com/group/sub/proj/-/commit/{SHA}"),
        (ForgeConfig("github", 'a"b/c d', "https://api.github.com", "main", "T"), SHA,
         f"https://github.com/a%22b/c%20d/commit/{SHA}"),
        (GITHUB, "HEAD~1", None),
        (GITHUB, "abc", None),
        (None, SHA, None),
    ],
)
def test_commit_url(forge: ForgeConfig | None, sha: str, url: str | None) -> None:
    assert page.commit_url(forge, sha) == url


@pytest.mark.parametrize(
    ("weight", "match", "shown"),
    [
        (25, None, "25 % · step 2 of 4"),
        (100, None, "100 % · step 4 of 4"),
        (0, None, "0 % · not started, 4 steps"),
        (0, "header X-Canary=always", "0 % · A/B only, 4 steps"),
        (60, None, "60 % · between steps 3 and 4 of 4"),
        (5, None, "5 % · before step 1 of 4"),
    ],
)
def test_progress(weight: int, match: str | None, shown: str) -> None:
    assert page.progress(State("canary", weight=weight, steps=[10, 25, 50, 100], match=match)) == shown


class Outline(HTMLParser):
    """Tags, attributes and text of a page, as a parser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())


def outline(text: str) -> Outline:
    parsed = Outline()
    parsed.feed(text)
    return parsed


def released(example_repo: Path, cli_run: Callable[..., Result]) -> Path:
    """The example repository with a forge and a few shifts merged into ``main``, as a reviewer sees it."""
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text("forge: {kind: github, project: acme/gitops}\n" + cfg.read_text())
    git(example_repo, "commit", "-qam", "Open pull requests on GitHub")
    for args in (
        ("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0"),
        ("canary", "scale", "web", "--env", "production-canary", "--next"),
        ("bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0"),
        ("bluegreen", "promote", "web", "--env", "production"),
        ("canary", "deploy", "web", "--env", "production-istio", "--image", ":2.0.0", "--header", "X-Canary=always"),
        ("canary", "deploy", "web", "--env", "production-gateway", "--image", ":2.0.0", "--weight", "50"),
        ("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "1", "--max-unavailable", "0"),
    ):
        result = cli_run(example_repo, "-o", "json", *args, "--commit")
        assert result.exit_code == 0, result.output
        git(example_repo, "merge", "-q", "--ff-only", json.loads(result.stdout)["branch"])
    return example_repo


@pytest.fixture(scope="module")
def released_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``released`` made once for the tests that only read it (seven shifts each time otherwise)."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_git(mp, tmp_path_factory.mktemp("home"))
        return released(make_repo(tmp_path_factory.mktemp("released"), copy_example=True), run)


def build(root: Path, revision: str | None = None) -> dict[str, str]:
    cfg = load(root)
    return page.build(gather.views(cfg, get_renderer("builtin")), title="acme/gitops", generated="2025-01-31 12:00 UTC",
                      revision=revision, forge=cfg.forge)


def test_every_env_has_its_card_and_its_last_shifts(released_repo: Path) -> None:
    repo = released_repo
    cfg = load(repo)
    views_ = gather.views(cfg, get_renderer("builtin"))
    assert [v.env.name for v in views_] == [e.name for e in cfg.select()]
    by_env = {v.env.name: v for v in views_}
    assert [h.action for h in by_env["production-canary"].history] == ["canary.scale", "canary.deploy"]
    assert [h.action for h in by_env["production"].history] == ["bluegreen.promote", "bluegreen.deploy"]
    assert by_env["dev"].history == []
    head = git(repo, "rev-parse", "HEAD").strip()
    files = build(repo, revision=head)
    parsed = outline(files["index.html"])
    cards = [a for t, a in parsed.tags if t == "article"]
    assert [(a["data-app"], a["data-env"]) for a in cards] == [("web", e.name) for e in cfg.select()]
    links = [a["href"] for t, a in parsed.tags if t == "a" and not str(a["href"]).startswith("#")]
    shas = [h.commit for v in views_ for h in v.history]
    assert links == [f"https://github.com/acme/gitops/commit/{head}"] + [
        f"https://github.com/acme/gitops/commit/{sha}" for sha in shas]
    assert "25 % · step 2 of 4" in parsed.text and "header x-canary=always" in parsed.text  # Istio lowercases
    assert sum(1 for t, _ in parsed.tags if t == "svg") == len(cfg.select())


def test_the_page_loads_nothing_and_runs_nothing(example_repo: Path) -> None:
    files = build(example_repo)
    assert set(files) == {"index.html", "style.css"}
    parsed = outline(files["index.html"])
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed", "form", "base"}
    assert [(t, a.get("href")) for t, a in parsed.tags if t == "link"] == [("link", "style.css")]
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    assert csp == page.CSP and csp is not None and "default-src 'none'" in csp
    assert not any(k.startswith("on") or k == "style" for _, a in parsed.tags for k in a)
    assert "url(" not in files["style.css"] and "@import" not in files["style.css"]


def test_hostile_text_is_escaped(tmp_path: Path) -> None:
    root = hostile_tree(tmp_path)
    text = page.build(views(root), title='<b>"x"</b>', generated="now", revision="not-a-sha")["index.html"]
    parsed = outline(text)
    assert not {t for t, _ in parsed.tags} & {"script", "img", "b"}
    assert not any(k.startswith("on") for _, a in parsed.tags for k in a)
    shown = " ".join(parsed.text)
    assert "ghcr.io/acme/web:" + HOSTILE["tag"] in shown
    assert "blue\"] n9[\"x" in shown  # the color, as one line
    assert "not-a-sha" in shown and "href=\"not-a-sha" not in text


def test_a_broken_overlay_shows_its_error_and_the_others(example_repo: Path) -> None:
    (example_repo / "overlays" / "dev" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    views_ = gather.views(load(example_repo), get_renderer("builtin"))
    broken = [v for v in views_ if v.error]
    assert [v.env.name for v in broken] == ["dev"] and "missing.yaml" in str(broken[0].error)
    assert all(v.graph is not None for v in views_ if not v.error)
    parsed = outline(page.build(views_, title="t", generated="now")["index.html"])
    assert sum(1 for t, _ in parsed.tags if t == "article") == len(views_)


# --- as a person looks at it: headless Chromium -----------------------------------------------

PROBE = """<script>(() => {
  const problems = [], cards = [];
  const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1
    && a.bottom <= b.bottom + 1;
  const name = el => el.tagName.toLowerCase() + (el.getAttribute("class") ? "." + el.getAttribute("class") : "");
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth + 1) problems.push(`page scrolls sideways: ${doc.scrollWidth}`);
  for (const card of document.querySelectorAll("article.card")) {
    const box = card.getBoundingClientRect();
    cards.push({app: card.dataset.app, env: card.dataset.env, svg: card.querySelectorAll("svg g.node").length});
    for (const el of card.querySelectorAll("*")) {
      if (el instanceof SVGElement || !el.clientWidth) continue;
      const [w, h] = [el.scrollWidth, el.scrollHeight];
      if (w > el.clientWidth + 1 || h > el.clientHeight + 1)
        problems.push(`${card.id} ${name(el)} content ${w}x${h} > box ${el.clientWidth}x${el.clientHeight}`);
    }
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const t = walker.currentNode;
      if (!t.textContent.trim() || t.parentElement.closest("svg")) continue;
      const range = document.createRange();
      range.selectNodeContents(t);
      for (const r of range.getClientRects())
        if (!inside(r, box)) problems.push(`${card.id} text "${t.textContent.slice(0, 40)}" leaves its card`);
    }
    const figure = card.querySelector("figure");
    if (figure && !inside(figure.querySelector("svg").getBoundingClientRect(), figure.getBoundingClientRect()))
      problems.push(`${card.id} picture leaves its frame`);
    for (const g of card.querySelectorAll("svg g.node, svg g.elabel")) {
      const shapes = g.querySelectorAll(":scope > rect, :scope > polygon");
      const shape = shapes[shapes.length - 1].getBoundingClientRect();
      for (const t of g.querySelectorAll("text"))
        if (!inside(t.getBoundingClientRect(), shape)) problems.push(`${card.id} "${t.textContent}" leaves its shape`);
    }
  }
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({cards, problems, height: doc.scrollHeight});
  document.body.appendChild(out);
})();</script>"""


def probe(chromium: Chromium, files: dict[str, str], where: Path, width: int) -> dict[str, Any]:
    """Load the page at ``width`` CSS pixels and measure it (the probe needs the CSP lifted: it is a script)."""
    where.mkdir(exist_ok=True)
    text = files["index.html"]
    csp = f'<meta http-equiv="Content-Security-Policy" content="{page.CSP}">'
    assert csp in text
    (where / "style.css").write_text(files["style.css"])
    (where / "index.html").write_text(text.replace(csp, "").replace("</body>", PROBE + "</body>"))
    dom = chromium.run("--hide-scrollbars", f"--window-size={width},900", "--dump-dom",
                       (where / "index.html").as_uri()).stdout
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert m, dom[-2000:]
    return dict(json.loads(html.unescape(m.group(1))))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("width", [1400, 420], ids=["desktop", "phone"])
def test_the_page_in_chromium(chromium: Chromium, released_repo: Path, tmp_path: Path, width: int) -> None:
    repo = released_repo
    files = build(repo, revision=git(repo, "rev-parse", "HEAD").strip())
    measured = probe(chromium, files, tmp_path / "probe", width)
    envs = [e.name for e in load(repo).select()]
    assert [(c["app"], c["env"]) for c in measured["cards"]] == [("web", e) for e in envs]
    assert all(c["svg"] >= 4 for c in measured["cards"])
    assert measured["problems"] == []
    site = tmp_path / "site"
    site.mkdir()
    for name, text in files.items():
        (site / name).write_text(text)
    height = int(measured["height"])
    shot = chromium.screenshot(site / "index.html", tmp_path / f"status-{width}.png", width, height)
    assert png_size(shot) == (width, height)
    assert shot.stat().st_size > 20_000, "a blank page compresses to almost nothing"


def test_hostile_text_stays_in_its_boxes(chromium: Chromium, tmp_path: Path) -> None:
    files = page.build(views(hostile_tree(tmp_path / "tree")), title="hostile", generated="now")
    measured = probe(chromium, files, tmp_path / "probe", 1200)
    assert len(measured["cards"]) == 2 and measured["problems"] == []


def test_the_probe_sees_an_overflow(chromium: Chromium, example_repo: Path, tmp_path: Path) -> None:
    """The check can fail: a card whose text may not wrap is reported."""
    files = build(example_repo)
    files["style.css"] += "* { overflow-wrap: normal !important; } .card { grid-template-columns: 120px 1fr; }\n"
    measured = probe(chromium, files, tmp_path / "probe", 1200)
    problems = measured["problems"]
    assert any(re.search(r"ul.workloads content \d+x\d+ > box", p) for p in problems), problems


# --- from the command line, as the example workflow runs it -----------------------------------


def test_status_html_writes_the_page(example_repo: Path, cli_run: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "site"
    r = cli_run(example_repo, "status", "--html", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout == f"status page: {out / 'index.html'}\n"
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "style.css"]
    parsed = outline((out / "index.html").read_text())
    assert [a["data-env"] for t, a in parsed.tags if t == "article"] == [e.name for e in load(example_repo).select()]
    assert f"at {git(example_repo, 'rev-parse', 'HEAD')[:10]}" in " ".join(parsed.text)
    assert git(example_repo, "status", "--porcelain") == ""  # the repository is untouched


def test_status_html_narrows_and_reports_broken_envs(example_repo: Path, cli_run: Callable[..., Result],
                                                     tmp_path: Path) -> None:
    (example_repo / "overlays" / "dev" / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    r = cli_run(example_repo, "-o", "json", "status", "--env", "dev", "--html", str(tmp_path / "site"))
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["written"] == [str(tmp_path / "site" / n) for n in ("index.html", "style.css")]
    assert [(e["app"], e["env"]) for e in data["errors"]] == [("web", "dev")]
    assert r.stderr.startswith("gitshift: warning: web/dev: ") and "missing.yaml" in r.stderr
    parsed = outline((tmp_path / "site" / "index.html").read_text())
    assert [a["data-env"] for t, a in parsed.tags if t == "article"] == ["dev"]


def test_the_example_workflow_publishes_the_page() -> None:
    import yaml

    wf = yaml.safe_load((PROJECT / "examples" / "github" / "status-page.yml").read_text())
    assert wf[True]["push"] == {"branches": ["main"]} and wf["permissions"] == {}
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"} and deploy["needs"] == "build"
    checkout, shift, upload = build["steps"]
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    assert shift["with"]["command"] == "status --html site" and upload["with"]["path"] == "site"
    assert upload["uses"].startswith("actions/upload-pages-artifact@")
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
