"""Pictures of Helm envs (examples/helm), drawn from their values: the cards of the status page, the shifts' pictures.

As for the overlay envs: the structure of every picture is parsed, the page is measured in headless
Chromium at a desktop and a phone width, and the shifts' pictures are drawn by mermaid itself.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from tests.helm.conftest import EXAMPLE, shop  # noqa: F401
from tests.pictures.conftest import Chromium, Shifted, load
from tests.pictures.test_mermaid import BLOCK, check_structure, parse, render_in_chromium
from tests.pictures.test_page import outline, probe

from gitshift import files
from gitshift.pictures import gather, mermaid, page
from gitshift.pictures.graph import Graph, compare
from gitshift.pictures.traffic import graph
from gitshift.render import get_renderer
from gitshift.shift import compute
from gitshift.shift.request import ShiftRequest

ENVS = ["dev", "staging", "prod", "prod-canary", "prod-eu"]
SHIFTS = [
    ("set-image", ShiftRequest("web", "staging", "set-image", image=":1.1.0")),
    ("values-file", ShiftRequest("web", "dev", "set-image", image=":1.1.0")),
    ("bluegreen-deploy", ShiftRequest("web", "prod", "bluegreen.deploy", image=":1.1.0")),
    ("bluegreen-promote", ShiftRequest("web", "prod", "bluegreen.promote")),
    ("bluegreen-finish", ShiftRequest("web", "prod", "bluegreen.finish")),
    ("canary-header", ShiftRequest("web", "prod-canary", "canary.deploy", image=":1.1.0", header=("X-Beta", None))),
    ("canary-scale", ShiftRequest("web", "prod-canary", "canary.scale", weight=50)),
    ("canary-promote", ShiftRequest("web", "prod-canary", "canary.promote")),
    ("helmcharts-deploy", ShiftRequest("web", "prod-eu", "canary.deploy", image=":1.1.0")),
]


@pytest.fixture(scope="module")
def helm_shifted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Shifted]:
    """Every shift of ``SHIFTS`` carried out in turn on one copy of examples/helm."""
    root = tmp_path_factory.mktemp("helm") / "shop"
    shutil.copytree(EXAMPLE, root)
    cfg, renderer = load(root), get_renderer("builtin")
    out = {}
    for name, request in SHIFTS:
        env = cfg.env(request.app, request.env)
        computed = compute.compute(renderer, root, env, request)
        assert computed.intents, name
        files.write_all(computed.edits)
        out[name] = Shifted(name, env, computed.before, computed.after)
    return out


def shift_picture(s: Shifted) -> Graph:
    return compare(graph(s.before, s.env), graph(s.after, s.env))


def texts(picture: Graph) -> dict[str, list[str]]:
    """Each node's lines (title first) by key."""
    return {n.key: [n.title] + [t for t, _ in n.lines()] for n in picture.nodes}


def edges(picture: Graph) -> dict[tuple[str, str], tuple[tuple[str, ...], bool, str]]:
    return {(e.src, e.dst): (e.label, e.idle, e.state) for e in picture.edges}


def test_every_helm_env_has_its_picture(shop: Path) -> None:  # noqa: F811
    views = gather.views(load(shop), get_renderer("builtin"))
    assert [(v.env.name, v.error) for v in views] == [(e, None) for e in ENVS]
    pictures = {v.env.name: v.graph for v in views}
    for p in pictures.values():
        assert p is not None
        check_structure(p)
    dev, prod, canary = pictures["dev"], pictures["prod"], pictures["prod-canary"]
    assert dev is not None and prod is not None and canary is not None
    assert dev.title == "web/dev · rolling · helm"
    assert texts(dev) == {"entry:users": ["users"],
                          "values:charts/web/values-dev.yaml": ["charts/web/values-dev.yaml", "Helm values"],
                          "role:web": ["web", "1.0.0 ×1"]}
    assert canary.title == "web/prod-canary · canary · helm · 0 %"
    assert texts(canary)["values:Application/web-canary"] == ["Application/web-canary", "router.canaryWeight 0"]
    assert texts(canary)["role:canary"] == ["canary", "no image ×0"]
    assert edges(canary)[("values:Application/web-canary", "role:stable")] == (("100 %",), False, "same")
    assert edges(canary)[("values:Application/web-canary", "role:canary")] == (("0 %",), True, "same")
    assert prod.title == "web/prod · bluegreen · helm · active blue"
    assert texts(prod)["role:green"] == ["green", "no image ×0", "no traffic"]
    assert set(edges(prod)) == {("entry:users", "values:HelmRelease/web"), ("values:HelmRelease/web", "role:blue")}


def test_helm_shifts_mark_what_they_changed(helm_shifted: dict[str, Shifted]) -> None:
    for name, _ in SHIFTS:
        parsed = check_structure(shift_picture(helm_shifted[name]))
        assert parsed.styles or any(cls == "changed" for _, _, cls in parsed.nodes.values()), name
    deploy = shift_picture(helm_shifted["bluegreen-deploy"])
    assert texts(deploy)["values:HelmRelease/web"] == ["HelmRelease/web", "router.activeColor blue",
                                                       "router.previewColor blue → green"]
    assert texts(deploy)["role:green"] == ["green", "no image → 1.1.0 · ×0 → ×3"]
    assert edges(deploy)[("entry:testers", "role:green")] == (("preview",), False, "added")
    promote = shift_picture(helm_shifted["bluegreen-promote"])
    assert texts(promote)["values:HelmRelease/web"][1] == "router.activeColor blue → green"
    assert texts(promote)["role:blue"] == ["blue", "1.0.0 ×3", "no traffic"]
    assert edges(promote)[("values:HelmRelease/web", "role:green")][2] == "added"
    assert edges(shift_picture(helm_shifted["bluegreen-finish"]))[("values:HelmRelease/web", "role:green")][2] == "same"
    header = shift_picture(helm_shifted["canary-header"])
    assert edges(header)[("values:Application/web-canary", "role:canary")] == (("0 % → header X-Beta",), False,
                                                                               "changed")
    assert edges(header)[("values:Application/web-canary", "role:stable")][0] == ("100 % → all others",)
    scale = shift_picture(helm_shifted["canary-scale"])
    assert edges(scale)[("values:Application/web-canary", "role:canary")][0] == ("header X-Beta", "others 50 %")
    assert shift_picture(helm_shifted["canary-promote"]).title == "web/prod-canary · canary · helm · 0 %"
    eu = shift_picture(helm_shifted["helmcharts-deploy"])
    assert texts(eu)["values:clusters/prod-eu/kustomization.yaml#helmCharts[0]"][1] == "router.canaryWeight 0 → 10"


def test_pull_requests_of_helm_shifts_carry_the_picture(shop: Path,  # noqa: F811
                                                         cli_run: Callable[..., Result]) -> None:
    args = ("canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0")
    data = json.loads(cli_run(shop, "-o", "json", *args, "--dry-run").stdout)
    preview = cli_run(shop, *args, "--push", "--pr-preview")
    assert preview.exit_code == 0, preview.output
    (block,) = BLOCK.findall(preview.stdout)
    assert block == data["picture"]
    labels = [line for _, _, lines, _ in parse(block).edges for line in lines]
    assert labels == ["100 % → 90 %", "0 % → 10 %"]


def test_the_status_page_of_helm_envs(shop: Path,  # noqa: F811
                                       cli_run: Callable[..., Result], tmp_path: Path) -> None:
    r = cli_run(shop, "-o", "json", "status", "--html", str(tmp_path / "site"))
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["errors"] == [] and r.stderr == ""
    text = (tmp_path / "site" / "index.html").read_text()
    parsed = outline(text)
    assert [a["data-env"] for t, a in parsed.tags if t == "article"] == ENVS
    assert "canary · helm" in parsed.text and "bluegreen · helm" in parsed.text
    assert "router: Ingress, VirtualService, HTTPRoute, Helm values" in " ".join(parsed.text)
    assert 'class="error"' not in text


@pytest.mark.parametrize("width", [1400, 420], ids=["desktop", "phone"])
def test_the_helm_page_in_chromium(chromium: Chromium, shop: Path, tmp_path: Path, width: int) -> None:  # noqa: F811
    views = gather.views(load(shop), get_renderer("builtin"))
    built = page.build(views, title="shop", generated="2025-01-31 12:00 UTC")
    measured = probe(chromium, built, tmp_path / "probe", width)
    assert [c["env"] for c in measured["cards"]] == ENVS
    assert all(c["svg"] >= 3 for c in measured["cards"])
    assert measured["problems"] == []


def test_mermaid_draws_the_helm_pictures(chromium: Chromium, mermaid_js: Path, helm_shifted: dict[str, Shifted],
                                         tmp_path: Path) -> None:
    pictures = [shift_picture(helm_shifted[name]) for name, _ in SHIFTS]
    results = render_in_chromium(chromium, mermaid_js, [mermaid.flowchart(p) for p in pictures], tmp_path)
    for picture, got in zip(pictures, results, strict=True):
        assert got["ok"] is True, (picture.title, got.get("error"))
        assert got["nodes"] == ["".join([n.title] + [t for t, _ in n.lines()]) for n in picture.nodes]
        assert got["edges"] == len(picture.edges)
        assert got["unsafe"] == 0
