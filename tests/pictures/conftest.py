"""Fixtures for the pictures: shifts computed on the example tree, headless Chromium, the mermaid bundle."""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, PROJECT

from gitshift import config, files
from gitshift import strategies as registry
from gitshift.config import Config, EnvConfig
from gitshift.manifests import Rendered
from gitshift.pictures import traffic
from gitshift.pictures.page import EnvView
from gitshift.render import get_renderer
from gitshift.shift import compute
from gitshift.shift.request import ShiftRequest

# The shifts of the README's release patterns, in order, on one copy of the example tree.
SHIFTS = [
    ("rolling", ShiftRequest("web", "staging", "set-image", image=":1.1.0", max_surge="1", max_unavailable="0")),
    ("recreate", ShiftRequest("web", "dev", "set-image", image=":1.1.0")),
    ("bluegreen-deploy", ShiftRequest("web", "production", "bluegreen.deploy", image=":1.1.0")),
    ("bluegreen-promote", ShiftRequest("web", "production", "bluegreen.promote")),
    ("bluegreen-finish", ShiftRequest("web", "production", "bluegreen.finish")),
    ("nginx-deploy", ShiftRequest("web", "production-canary", "canary.deploy", image=":2.0.0")),
    ("nginx-scale", ShiftRequest("web", "production-canary", "canary.scale", next_step=True)),
    ("nginx-cookie", ShiftRequest("web", "production-canary", "canary.deploy", image=":2.0.1", cookie="beta",
                                  weight=10)),
    ("istio-header", ShiftRequest("web", "production-istio", "canary.deploy", image=":2.0.0",
                                  header=("X-Canary", "always"))),
    ("istio-promote", ShiftRequest("web", "production-istio", "canary.promote")),
    ("gateway-deploy", ShiftRequest("web", "production-gateway", "canary.deploy", image=":2.0.0", weight=25)),
    ("gateway-header", ShiftRequest("web", "production-gateway", "canary.deploy", image=":2.0.0",
                                    header=("X-Beta", None))),
    ("replicas-deploy", ShiftRequest("web", "production-replicas", "canary.deploy", image=":2.0.0")),
    ("replicas-rollback", ShiftRequest("web", "production-replicas", "canary.rollback")),
]
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")
MERMAID = "mermaid@11"


@dataclass(frozen=True)
class Shifted:
    """One shift of ``SHIFTS``: the env, and its render before and after."""

    name: str
    env: EnvConfig
    before: Rendered
    after: Rendered


def example_tree(root: Path) -> Path:
    """A copy of the example tree (no git: the pictures read only the working tree)."""
    for name in EXAMPLE:
        src = PROJECT / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name)
    return root


def load(root: Path) -> Config:
    """The config of the tree at ``root``."""
    return config.load(root / "gitshift.yaml", root)


@pytest.fixture(scope="session")
def shifted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Shifted]:
    """Every shift of ``SHIFTS`` carried out in turn on one copy of the example tree."""
    root = example_tree(tmp_path_factory.mktemp("example"))
    cfg, renderer = load(root), get_renderer("builtin")
    out = {}
    for name, request in SHIFTS:
        env = cfg.env(request.app, request.env)
        computed = compute.compute(renderer, root, env, request)
        assert computed.intents, name
        files.write_all(computed.edits)
        out[name] = Shifted(name, env, computed.before, computed.after)
    return out


@dataclass(frozen=True)
class Chromium:
    """Headless Chromium, each run with a fresh profile and no network of its own."""

    exe: str
    scratch: Path

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
        """Chromium with the flags every run uses plus ``args``."""
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.scratch)
        cmd = [self.exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc

    def dom(self, page: Path, budget_ms: int = 0) -> str:
        """The page's DOM after load (and after ``budget_ms`` of virtual time for its scripts)."""
        budget = [f"--virtual-time-budget={budget_ms}"] if budget_ms else []
        return self.run(*budget, "--dump-dom", page.as_uri()).stdout

    def screenshot(self, page: Path, out: Path, width: int, height: int) -> Path:
        """A PNG of the page at ``width`` x ``height`` CSS pixels."""
        self.run("--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={out}", page.as_uri())
        return out


@pytest.fixture
def chromium(tmp_path: Path) -> Chromium:
    """Headless Chromium (Debian ``chromium``; Google Chrome on hosted runners), or a skip saying why."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium)")
    scratch = tmp_path / "chromium"
    scratch.mkdir()
    return Chromium(exe, scratch)


@pytest.fixture(scope="session")
def mermaid_js(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The browser bundle of the ``mermaid`` npm package, installed once into the pytest cache."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the Mermaid check needs the mermaid npm package")
    cache = Path(request.config.cache.mkdir("gitshift-mermaid"))
    bundle = cache / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers install once between them
        if not bundle.exists():
            proc = subprocess.run(
                [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--ignore-scripts",
                 "--no-save", MERMAID],
                capture_output=True, text=True, timeout=600, check=False)
            if proc.returncode != 0 or not bundle.exists():
                pytest.skip(f"npm install {MERMAID} failed (offline?): {proc.stderr.strip()[-300:]}")
    yield bundle


# Repository text that tries to break out: of a Mermaid label or statement, of Markdown, of HTML and SVG.
HOSTILE = {
    "host": 'a"]; click n0 call alert(1) %%{init}%% <img src=x onerror=alert(1)>\u202egoogle.com',
    "tag": "1.0`<script>alert(1)<#35;&amp;'\"]",
    "header": 'X-A|"n0-->n1:::changed',
    "value": "```\n## injected\n[link](javascript:alert(1)) <br/> |x|",
    "color": "blue\"]\n  n9[\"x",
}


def hostile_tree(root: Path) -> Path:
    """An nginx canary and a blue/green env whose hosts, images, annotations and selectors are ``HOSTILE``."""
    h = {k: json.dumps(v) for k, v in HOSTILE.items()}  # JSON strings are YAML double-quoted scalars
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {n}\n"
              "  selector: {{matchLabels: {labels}}}\n  template:\n    metadata: {{labels: {labels}}}\n"
              "    spec: {{containers: [{{name: web, image: {image}}}]}}\n---\n")
    service = "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec: {{selector: {labels}}}\n---\n"
    ingress = ("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, annotations: {ann}}}\n"
               "spec: {{rules: [{{host: {host}, http: {{paths: [{{path: /, pathType: Prefix, backend: "
               "{{service: {{name: {name}, port: {{number: 80}}}}}}}}]}}}}]}}\n---\n")
    image = json.dumps(f"ghcr.io/acme/web:{HOSTILE['tag']}")
    ann = ('{"nginx.ingress.kubernetes.io/canary": "true", "nginx.ingress.kubernetes.io/canary-weight": "20", '
           f'"nginx.ingress.kubernetes.io/canary-by-header": {h["header"]}, '
           f'"nginx.ingress.kubernetes.io/canary-by-header-value": {h["value"]}}}')
    canary = (deploy.format(name="web", n=3, labels="{app: web, track: stable}", image=image)
              + deploy.format(name="web-canary", n=1, labels="{app: web, track: canary}", image=image)
              + service.format(name="web", labels="{app: web, track: stable}")
              + service.format(name="web-canary", labels="{app: web, track: canary}")
              + ingress.format(name="web", ann="{}", host=h["host"])
              + ingress.format(name="web-canary", ann=ann, host=h["host"]))
    colors = (deploy.format(name="web-blue", n=2, labels=f"{{app: web, color: {h['color']}}}", image=image)
              + deploy.format(name="web-green", n=0, labels="{app: web, color: green}", image=image)
              + service.format(name="web", labels=f"{{color: {h['color']}}}")
              + ingress.format(name="web", ann="{}", host=h["host"]))
    kustomization = "resources: [all.yaml]\n"
    tree = {
        "gitshift.yaml": ("apps:\n  web:\n    image: ghcr.io/acme/web\n    envs:\n"
                          "      ab: {overlay: ab, strategy: canary}\n"
                          "      bg:\n        overlay: bg\n        strategy: bluegreen\n"
                          f"        bluegreen: {{colors: {{{h['color']}: web-blue, green: web-green}}}}\n"),
        "ab/kustomization.yaml": kustomization, "ab/all.yaml": canary,
        "bg/kustomization.yaml": kustomization, "bg/all.yaml": colors,
    }
    for rel, text in tree.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def views(root: Path) -> list[EnvView]:
    """Each env's state and picture in the tree at ``root`` (no history: not a git repository)."""
    cfg, renderer = load(root), get_renderer("builtin")
    view = files.FileView(root=root)
    out = []
    for e in cfg.select():
        rendered = compute.render(renderer, root, e, view)
        out.append(EnvView(e, registry.get(e.strategy).state(rendered, e), traffic.graph(rendered, e)))
    return out
