"""Read-only Prometheus client: instant queries (``/api/v1/query``), several at a time.

Each worker thread has its own HTTP session; identical queries of a run are sent once.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from gitshift.config import PrometheusConfig
from gitshift.errors import GateError
from gitshift.gates.http import Endpoint
from gitshift.net.retry import RetryPolicy

WORKERS = 8


@dataclass(frozen=True)
class Series:
    """One value of an instant query's answer and the labels of its series."""

    labels: Mapping[str, str]
    value: float

    def describe(self) -> str:
        """``{deployment="web", code="500"}`` (empty braces for a scalar or an aggregate)."""
        return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(self.labels.items())) + "}"


@dataclass(frozen=True)
class Measurement:
    """The answer to one instant query: its series (empty: no data) and Prometheus's ``resultType``."""

    query: str
    series: tuple[Series, ...]
    kind: str = "vector"

    @property
    def values(self) -> list[Series]:
        """The series with a number (NaN, as from 0/0 without traffic, counts as no data)."""
        return [s for s in self.series if not math.isnan(s.value)]


class Prometheus:
    """Runs instant queries against one Prometheus (or a compatible API such as Thanos or Mimir).

    Args:
        config: ``gates.prometheus``.
        token: sent as ``Authorization: Bearer``; None sends none.
        retry: the retry policy of each call.
        workers: the most queries in flight at once.
    """

    def __init__(
        self, config: PrometheusConfig, token: str | None, retry: RetryPolicy | None = None, workers: int = WORKERS
    ) -> None:
        self.config = config
        self.workers = max(1, workers)
        self._token = token
        self._retry = retry
        self._local = threading.local()
        self._lock = threading.Lock()
        self._endpoints: list[Endpoint] = []

    def close(self) -> None:
        """Release every worker's pooled connections."""
        with self._lock:
            for endpoint in self._endpoints:
                endpoint.close()
            self._endpoints.clear()

    def query(self, expr: str) -> Measurement:
        """The instant value of ``expr`` now.

        Raises:
            GateError: Prometheus is unreachable, or answers with an error (a bad query included).
        """
        endpoint = self._endpoint()
        # 400 (bad_data: the query does not parse) and 422 (execution) carry Prometheus's own message.
        reply = endpoint.get("/api/v1/query", {"query": expr}, accept=(400, 422))
        data = reply.data if isinstance(reply.data, dict) else {}
        if data.get("status") != "success":
            error = endpoint.redact(str(data.get("error") or "no status in the answer"))[:300]
            raise GateError(f"Prometheus answered an error for {expr!r}: {error}", endpoint.where,
                            "check the query in analysis.checks")
        try:
            return Measurement(expr, _series(data["data"]), str(data["data"]["resultType"]))
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise GateError(f"Prometheus answered with an unexpected shape: {exc!r}", endpoint.where,
                            "check that gates.prometheus.url points at Prometheus's HTTP API") from None

    def query_all(self, exprs: Sequence[str]) -> dict[str, Measurement]:
        """Every query of ``exprs`` (each sent once), at most ``workers`` in flight.

        Raises:
            GateError: the first failing query's error, in the order given.
        """
        unique = list(dict.fromkeys(exprs))
        if len(unique) <= 1:
            return {e: self.query(e) for e in unique}
        with ThreadPoolExecutor(max_workers=min(self.workers, len(unique)),
                                thread_name_prefix="gitshift-prometheus") as pool:
            return dict(zip(unique, pool.map(self.query, unique), strict=True))

    def _endpoint(self) -> Endpoint:
        endpoint: Endpoint | None = getattr(self._local, "endpoint", None)
        if endpoint is None:
            endpoint = Endpoint("prometheus", self.config.url, self._token, "gates.prometheus", self._retry)
            self._local.endpoint = endpoint
            with self._lock:
                self._endpoints.append(endpoint)
        return endpoint


def _series(data: Mapping[str, Any]) -> tuple[Series, ...]:
    """The series of an instant query's ``data``: a ``vector`` or ``scalar`` (others have no numbers)."""
    kind, result = data["resultType"], data["result"]
    if kind == "scalar":
        return (Series({}, float(result[1])),)
    if kind == "vector":
        return tuple(Series(dict(item.get("metric") or {}), float(item["value"][1])) for item in result)
    return ()
