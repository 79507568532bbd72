"""The static status page: every app and env with its strategy, images, traffic picture and last shifts (pure).

``build`` returns the page's files (``index.html`` and ``style.css``) as
text; the caller writes them. The page needs no script and nothing from the
network: the pictures are inline SVG drawn by ``svg``. Every text from the
repository is HTML-escaped, and links are built only from a commit id
checked to be hexadecimal and the configured forge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from gitshift.config import EnvConfig, ForgeConfig
from gitshift.gitops.history import Entry
from gitshift.pictures import svg
from gitshift.pictures.css import CSS
from gitshift.pictures.graph import Graph, clean
from gitshift.result import State

_SHA = re.compile(r"[0-9a-f]{7,64}")
_COLORS = ("blue", "green")  # colors with a swatch of their own; others are shown neutral
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class EnvView:
    """What the page shows of one env: its state and picture, or why they could not be read."""

    env: EnvConfig
    state: State | None = None
    graph: Graph | None = None
    history: Sequence[Entry] = ()
    error: str | None = None


def commit_url(forge: ForgeConfig | None, sha: str) -> str | None:
    """The forge's web page of commit ``sha``, or None without a forge or for an id that is not one."""
    if forge is None or not _SHA.fullmatch(sha):
        return None
    web = forge.api_url.rsplit("/api/v", 1)[0]
    if forge.kind == "github" and web == "https://api.github.com":
        web = "https://github.com"
    project = quote(forge.project, safe="/")
    sep = "/-/commit/" if forge.kind == "gitlab" else "/commit/"
    return f"{web}/{project}{sep}{sha}"


def progress(state: State) -> str:
    """A canary's place in its steps: ``25 % · step 2 of 4``."""
    weight, steps = state.weight or 0, list(state.steps or ())
    if not steps:
        return f"{weight} %"
    if weight in steps:
        return f"{weight} % · step {steps.index(weight) + 1} of {len(steps)}"
    if weight == 0:
        return f"0 % · A/B only, {len(steps)} steps" if state.match else f"0 % · not started, {len(steps)} steps"
    below = sum(1 for s in steps if s < weight)
    if below == len(steps):
        return f"{weight} % · past the last step ({steps[-1]} %)"
    return f"{weight} % · between steps {below} and {below + 1} of {len(steps)}" if below else \
        f"{weight} % · before step 1 of {len(steps)}"


def _e(text: object, limit: int = 200) -> str:
    return escape(clean(text, limit))


def _badge(view: EnvView) -> str:
    env = view.env
    kind = env.strategy + (" · helm" if env.helm else f" · {env.canary.traffic}" if env.canary else "")
    return f'<span class="badge {escape(env.strategy)}">{_e(kind)}</span>'


def _steps(state: State) -> str:
    weight = state.weight or 0
    items = []
    for s in state.steps or ():
        cls = "current" if s == weight else "done" if s < weight else "todo"
        items.append(f'<li class="{cls}">{s}</li>')
    return f'<ol class="steps" aria-hidden="true">{"".join(items)}</ol>' if items else ""


def _traffic(state: State) -> list[str]:
    out = []
    if state.weight is not None:
        out.append(f'<div class="progress">{_steps(state)}<p class="step">{_e(progress(state))}</p></div>')
    if state.match:
        out.append(f'<p class="match"><span class="k">A/B</span> {_e(state.match)}</p>')
    if state.active:
        live = state.active if state.active in _COLORS else "other"
        row = f'<span class="k">live</span> <span class="color {live}">{_e(state.active)}</span>'
        if state.preview and state.preview != state.active:
            idle = state.preview if state.preview in _COLORS else "other"
            row += f' <span class="k">preview</span> <span class="color {idle}">{_e(state.preview)}</span>'
        out.append(f'<p class="colors">{row}</p>')
    return out


def _workloads(state: State) -> str:
    rows = []
    for name, image in state.images.items():
        n = state.replicas.get(name)
        count = f'<span class="count">×{n}</span>' if n is not None else ""
        rows.append(f'<li><span class="name">{_e(name)}</span> {count}<code>{_e(image or "no image")}</code></li>')
    return f'<ul class="workloads">{"".join(rows)}</ul>'


def _history(view: EnvView, forge: ForgeConfig | None) -> str:
    if not view.history:
        return '<p class="none">No shift recorded yet.</p>'
    items = []
    for h in view.history:
        url = commit_url(forge, h.commit)
        sha = f"<code>{_e(h.commit[:10])}</code>"
        link = f'<a href="{escape(url)}">{sha}</a>' if url else sha
        by = f' <span class="by">by {_e(h.requested_by)}</span>' if h.requested_by else ""
        items.append(f'<li><time datetime="{_e(h.date)}">{_e(h.date[:16].replace("T", " "))}</time> {link} '
                     f'<span class="action">{_e(h.action)}</span><span class="summary">{_e(h.summary)}</span>{by}</li>')
    return f'<ol class="history">{"".join(items)}</ol>'


def _card(view: EnvView, forge: ForgeConfig | None, uid: str) -> str:
    env = view.env
    info = [f'<header><h3>{_e(env.name)}</h3>{_badge(view)}</header>',
            f'<p class="overlay"><code>{_e(env.overlay)}</code></p>']
    if view.error:
        info.append(f'<p class="error">{_e(view.error, 400)}</p>')
    if view.state is not None:
        info += _traffic(view.state)
        info.append(_workloads(view.state))
    info += ["<h4>Last shifts</h4>", _history(view, forge)]
    picture = svg.render(view.graph, uid) if view.graph is not None else ""
    figure = f'<figure class="picture">{picture}</figure>' if picture else ""
    return (f'<article class="card" id="{uid}" data-app="{_e(env.app)}" data-env="{_e(env.name)}">'
            f'<div class="info">{"".join(info)}</div>{figure}</article>')


_LEGEND = ('<ul class="legend" aria-label="legend"><li><span class="sw entry"></span>users, host</li>'
           '<li><span class="sw router"></span>router: Ingress, VirtualService, HTTPRoute</li>'
           '<li><span class="sw service"></span>Service</li><li><span class="sw workload"></span>'
           'workload: image ×replicas</li><li><span class="sw idle"></span>no traffic, 0 replicas</li></ul>')


def build(views: Sequence[EnvView], *, title: str, generated: str, revision: str | None = None,
          forge: ForgeConfig | None = None) -> dict[str, str]:
    """The page's files by name: ``index.html`` (every env in ``views``, grouped by app) and ``style.css``."""
    apps: dict[str, list[EnvView]] = {}
    for v in views:
        apps.setdefault(v.env.app, []).append(v)
    sections, toc = [], []
    for a, (app, envs) in enumerate(apps.items()):
        image = next((v.env.image for v in envs if v.env.image), None)
        sub = f' <span class="image">{_e(image)}</span>' if image else ""
        cards = "".join(_card(v, forge, f"a{a}-e{i}") for i, v in enumerate(envs))
        sections.append(f'<section class="app" id="app-{a}"><h2>{_e(app)}{sub}</h2>{cards}</section>')
        toc.append(f'<li><a href="#app-{a}">{_e(app)}</a> <span>{len(envs)} env(s)</span></li>')
    legend = _LEGEND  # a Helm env's router is the release's values (pictures/helm.py)
    if any(v.env.helm is not None for v in views):
        legend = legend.replace("HTTPRoute</li>", "HTTPRoute, Helm values</li>")
    rev = ""
    if revision:
        url = commit_url(forge, revision)
        code = f"<code>{_e(revision[:10])}</code>"
        rev = f' at <a href="{escape(url)}">{code}</a>' if url else f" at {code}"
    html = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(title)} · release status</title><link rel="stylesheet" href="style.css"></head>'
            f'<body><header class="top"><h1>{_e(title)} <span>release status</span></h1>'
            f'<p class="meta">Generated {_e(generated)}{rev} by gitshift from the rendered overlays; '
            f'history from commit trailers.</p>{legend}'
            f'<nav><ul class="toc">{"".join(toc)}</ul></nav></header>'
            f'<main>{"".join(sections)}</main></body></html>\n')
    return {"index.html": html, "style.css": CSS}
