"""Gate fixtures: a fake Argo CD, a real Prometheus over a TSDB built for the tests, a real git history."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.support.argocd_fake import argocd, argocd_server  # noqa: F401
from tests.support.forge_clients import FAST

from gitshift.config import PrometheusConfig
from gitshift.gates.prometheus import Prometheus

STEP = 10  # seconds between samples
SPAN = 900  # samples from now-SPAN to now+SPAN: every query of the run sees the same values

# Series the tests query: (name, labels, value at sample i).
SERIES: list[tuple[str, dict[str, str], Callable[[int], float]]] = [
    ("http_requests_total", {"namespace": "shop", "deployment": "web-canary", "code": "200"}, lambda i: 1000.0 * i),
    ("http_requests_total", {"namespace": "shop", "deployment": "web-canary", "code": "500"}, lambda i: 5.0 * i),
    ("http_requests_total", {"namespace": "shop", "deployment": "web", "code": "200"}, lambda i: 2000.0 * i),
    ("http_requests_total", {"namespace": "shop", "deployment": "web", "code": "500"}, lambda i: 1.0 * i),
    ("http_requests_total", {"namespace": "shop", "deployment": "bad-canary", "code": "200"}, lambda i: 1000.0 * i),
    ("http_requests_total", {"namespace": "shop", "deployment": "bad-canary", "code": "500"}, lambda i: 100.0 * i),
    # The example tree's canary env (namespace hello-canary).
    ("http_requests_total", {"namespace": "hello-canary", "deployment": "web-canary", "code": "200"},
     lambda i: 1000.0 * i),
    ("http_requests_total", {"namespace": "hello-canary", "deployment": "web-canary", "code": "500"},
     lambda i: 2.0 * i),
    # examples/helm: the chart's canary in prod-canary (namespace shop-canary).
    ("http_requests_total", {"namespace": "shop-canary", "deployment": "web-canary", "code": "200"},
     lambda i: 1000.0 * i),
    ("http_requests_total", {"namespace": "shop-canary", "deployment": "web-canary", "code": "500"},
     lambda i: 3.0 * i),
    ("latency_p99_seconds", {"namespace": "shop", "deployment": "web-canary"}, lambda i: 0.25),
    ("latency_p99_seconds", {"namespace": "shop", "deployment": "web"}, lambda i: 0.2),
    ("ready_ratio", {"namespace": "shop", "deployment": "web-green"}, lambda i: 1.0),
    ("ready_ratio", {"namespace": "shop", "deployment": "web-blue"}, lambda i: 0.5),
    ("odd_value", {"kind": "nan"}, lambda i: math.nan),
    ("odd_value", {"kind": "inf"}, lambda i: math.inf),
]
TYPES = {"http_requests_total": "counter", "latency_p99_seconds": "gauge", "ready_ratio": "gauge", "odd_value": "gauge"}


def openmetrics(now: int) -> str:
    """The test series in OpenMetrics text, a sample every STEP seconds around ``now``."""
    lines = []
    for family, kind in TYPES.items():
        name = family.removesuffix("_total") if kind == "counter" else family
        lines.append(f"# TYPE {name} {kind}")
        for metric, labels, value in SERIES:
            if metric != family:
                continue
            text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            for i, ts in enumerate(range(now - SPAN, now + SPAN + 1, STEP)):
                number = value(i)
                shown = "NaN" if math.isnan(number) else "+Inf" if math.isinf(number) else repr(number)
                lines.append(f"{metric}{{{text}}} {shown} {ts}")
    return "\n".join([*lines, "# EOF", ""])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PrometheusServer:
    """A running Prometheus on 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture(scope="session")
def prometheus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """Prometheus serving a TSDB filled by ``promtool tsdb create-blocks-from openmetrics``."""
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if binary is None or promtool is None:
        pytest.skip("prometheus/promtool not on PATH (Debian: apt-get install prometheus)")
    root = tmp_path_factory.mktemp("prometheus")
    (root / "metrics.om").write_text(openmetrics(int(time.time())))
    (root / "prometheus.yml").write_text("global: {evaluation_interval: 1m}\n")
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(root / "metrics.om"),
                    str(root / "data")], check=True, capture_output=True)
    url = f"http://127.0.0.1:{_free_port()}"
    log = root / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, f"--config.file={root / 'prometheus.yml'}", f"--storage.tsdb.path={root / 'data'}",
             f"--web.listen-address={url.removeprefix('http://')}", "--log.level=warn"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        _wait_ready(url, process, log)
        yield PrometheusServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prometheus exited with {process.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=1) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"prometheus not ready after 20 s:\n{log.read_text()[-2000:]}")


@pytest.fixture
def prometheus(prometheus_server: PrometheusServer) -> Iterator[Prometheus]:
    """gitshift's Prometheus client pointed at the real Prometheus."""
    client = Prometheus(PrometheusConfig(url=prometheus_server.url), None, FAST)
    yield client
    client.close()


@dataclass(frozen=True)
class History:
    """A real git history: ``before`` ← ``shift`` (the env's last shift) ← ``after``; ``side`` elsewhere."""

    repo: Path
    before: str
    shift: str
    after: str
    side: str

    def contains(self, revision: str, commit: str) -> bool | None:
        """Whether ``revision`` contains ``commit``; None when git does not know ``revision``."""
        known = subprocess.run(["git", "cat-file", "-e", f"{revision}^{{commit}}"], cwd=self.repo,
                               capture_output=True, check=False)
        if known.returncode != 0:
            return None
        found = subprocess.run(["git", "merge-base", "--is-ancestor", commit, revision], cwd=self.repo,
                               capture_output=True, check=False)
        return found.returncode == 0


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    """Four commits: before, shift, after on main; side branched from before."""
    repo = tmp_path_factory.mktemp("history")
    env = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(repo / ".none"), "HOME": str(repo),
           "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": os.environ["PATH"]}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q", "-b", "main")
    shas = {}
    for name in ("before", "shift", "after"):
        git("commit", "-q", "--allow-empty", "-m", name)
        shas[name] = git("rev-parse", "HEAD")
    git("checkout", "-q", "-b", "side", shas["before"])
    git("commit", "-q", "--allow-empty", "-m", "side")
    return History(repo, shas["before"], shas["shift"], shas["after"], git("rev-parse", "HEAD"))
