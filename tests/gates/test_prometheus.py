"""The Prometheus client and check verdicts against a real Prometheus running real PromQL."""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tests.support.forge_clients import FAST

from gitshift.config import Check, PrometheusConfig
from gitshift.errors import GateError
from gitshift.gates.prometheus import Prometheus
from gitshift.gates.verdict import check_gate

ERROR_RATIO = ('sum(rate(http_requests_total{namespace="shop",deployment="%s",code=~"5.."}[1m]))'
               ' / sum(rate(http_requests_total{namespace="shop",deployment="%s"}[1m]))')


def test_a_ratio_of_rates(prometheus: Prometheus) -> None:
    measured = prometheus.query(ERROR_RATIO % ("web-canary", "web-canary"))
    assert measured.kind == "vector"
    [series] = measured.values
    assert series.labels == {}
    assert series.value == pytest.approx(5 / 1005)


def test_a_vector_keeps_its_labels(prometheus: Prometheus) -> None:
    measured = prometheus.query('ready_ratio{namespace="shop"}')
    assert sorted((s.labels["deployment"], s.value) for s in measured.values) == [("web-blue", 0.5),
                                                                                  ("web-green", 1.0)]


def test_a_scalar(prometheus: Prometheus) -> None:
    measured = prometheus.query("scalar(latency_p99_seconds{deployment='web'}) * 2")
    assert measured.kind == "scalar"
    assert [s.value for s in measured.values] == [pytest.approx(0.4)]


@pytest.mark.parametrize(
    ("deployment", "check", "verdict", "value"),
    [
        ("web-canary", Check("errors", "", max=0.01), "pass", 5 / 1005),
        ("bad-canary", Check("errors", "", max=0.01), "fail", 100 / 1100),
        ("bad-canary", Check("errors", "", max=100 / 1100), "pass", 100 / 1100),  # on the bound passes
        ("web-canary", Check("errors", "", min=0.01), "fail", 5 / 1005),
        ("web-canary", Check("errors", "", min=0.001, max=0.01), "pass", 5 / 1005),
    ],
)
def test_check_verdicts_on_real_values(prometheus: Prometheus, deployment: str, check: Check, verdict: str,
                                       value: float) -> None:
    measured = prometheus.query(ERROR_RATIO % (deployment, deployment))
    gate = check_gate(check, measured, "wait", baking=False)
    assert (gate.kind, gate.verdict) == ("prometheus", verdict)
    assert gate.value == pytest.approx(value)
    assert gate.to_json()["threshold"] == ", ".join(
        f"{n} {b:g}" for n, b in (("min", check.min), ("max", check.max)) if b is not None)


def test_the_worst_series_decides(prometheus: Prometheus) -> None:
    gate = check_gate(Check("ready", "", min=0.9), prometheus.query('ready_ratio{namespace="shop"}'), "wait", False)
    assert (gate.verdict, gate.value) == ("fail", 0.5)
    assert 'deployment="web-blue"' in gate.detail


@pytest.mark.parametrize(("on_no_data", "baking", "verdict"),
                         [("wait", False, "wait"), ("fail", False, "fail"), ("pass", False, "pass"),
                          ("fail", True, "wait")])
def test_no_data_follows_on_no_data(prometheus: Prometheus, on_no_data: str, baking: bool, verdict: str) -> None:
    measured = prometheus.query('http_requests_total{deployment="nobody"}')
    assert measured.series == ()
    gate = check_gate(Check("errors", "", max=0.01), measured, on_no_data, baking)
    assert (gate.verdict, gate.value) == (verdict, None)
    assert "no data" in gate.detail


def test_nan_is_no_data_and_inf_is_a_value(prometheus: Prometheus) -> None:
    nan = prometheus.query('odd_value{kind="nan"}')
    assert len(nan.series) == 1 and math.isnan(nan.series[0].value) and nan.values == []
    assert check_gate(Check("x", "", max=1), nan, "fail", False).verdict == "fail"
    inf = check_gate(Check("x", "", max=1), prometheus.query('odd_value{kind="inf"}'), "wait", False)
    assert inf.verdict == "fail" and inf.to_json()["value"] == "+Inf"


def test_a_query_prometheus_rejects_is_an_outside_error(prometheus: Prometheus) -> None:
    with pytest.raises(GateError, match="Prometheus answered an error") as caught:
        prometheus.query("sum(rate(http_requests_total{code=~'5..'}[1m])")
    assert caught.value.exit_code == 3 and "parse error" in caught.value.what
    assert "analysis.checks" in caught.value.hint


def test_a_range_vector_has_its_kind(prometheus: Prometheus) -> None:
    measured = prometheus.query("ready_ratio[1m]")
    assert measured.kind == "matrix" and measured.series == ()


def test_queries_run_concurrently_and_each_once(prometheus: Prometheus) -> None:
    exprs = [f'ready_ratio{{deployment="web-green"}} * {i}' for i in range(24)] * 2
    start = time.monotonic()
    measured = prometheus.query_all(exprs)
    assert len(measured) == 24
    assert [measured[e].values[0].value for e in exprs[:24]] == [float(i) for i in range(24)]
    assert time.monotonic() - start < 5


class _Flaky(ThreadingHTTPServer):
    """A stand-in Prometheus for faults a real one does not make: slow answers, 5xx, echoed secrets.

    Answers ``script`` in order (then its last entry), each after ``delay`` seconds, and
    records the most requests it had in flight at once and every Authorization header.
    """

    def __init__(self, script: list[tuple[int, dict[str, Any]]], delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _FlakyHandler)
        self.daemon_threads = True
        self.script, self.delay = script, delay
        self.lock = threading.Lock()
        self.in_flight = self.most = self.calls = 0
        self.auth: set[str] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, auth: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.auth.add(auth)
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            step = self.script[min(self.calls, len(self.script) - 1)]
            self.calls += 1
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        return step


class _FlakyHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        assert isinstance(self.server, _Flaky)
        status, body = self.server.answer(self.headers.get("Authorization", ""))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def _flaky(script: list[tuple[int, dict[str, Any]]], delay: float = 0.0) -> Iterator[tuple[_Flaky, Prometheus]]:
    server = _Flaky(script, delay)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    client = Prometheus(PrometheusConfig(url=server.url), SECRET, FAST, workers=3)
    try:
        yield server, client
    finally:
        client.close()
        server.shutdown()
        server.server_close()


SECRET = "prom-Secret-Token-123"
EMPTY = {"status": "success", "data": {"resultType": "vector", "result": []}}


def test_concurrency_is_bounded() -> None:
    with _flaky([(200, EMPTY)], delay=0.2) as (server, client):
        start = time.monotonic()
        measured = client.query_all([f"q{i}" for i in range(9)])
        elapsed = time.monotonic() - start
    assert len(measured) == 9 and server.calls == 9
    assert server.most == 3
    assert 0.55 < elapsed < 2.0  # 9 slow answers, 3 at a time: 3 rounds of 0.2 s
    assert server.auth == {f"Bearer {SECRET}"}


def test_5xx_is_retried() -> None:
    ok = {"status": "success", "data": {"resultType": "scalar", "result": [1, "0.5"]}}
    with _flaky([(503, {"status": "error", "error": "overloaded"}), (200, ok)]) as (server, client):
        assert [s.value for s in client.query("q").values] == [0.5]
    assert server.calls == 2


def test_5xx_after_every_retry_is_an_outside_error_without_the_token() -> None:
    echo = [(500, {"status": "error", "error": f"echo Bearer {SECRET}"})]
    with _flaky(echo) as (server, client), pytest.raises(GateError) as caught:
        client.query("q")
    assert server.calls == FAST.attempts
    assert caught.value.exit_code == 3 and "status 500" in caught.value.what
    assert SECRET not in caught.value.what + caught.value.where + caught.value.hint
