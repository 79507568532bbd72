"""One gate run over any number of envs: Argo CD read once, Prometheus queried concurrently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from gitshift.config import EnvConfig
from gitshift.errors import ConfigError
from gitshift.gates.argocd import ArgoCD
from gitshift.gates.prometheus import Measurement, Prometheus
from gitshift.gates.queries import render
from gitshift.gates.verdict import (
    Contains,
    Gate,
    GateResult,
    argocd_gate,
    bake_gate,
    bake_pending,
    check_gate,
    check_pending,
    decide,
)


@dataclass(frozen=True)
class Subject:
    """One env to judge.

    Attributes:
        env: the env's config (its ``argocd_app`` and ``analysis``).
        commit: the env's last shift commit; Argo CD must be at a revision containing it
            (None: any revision will do).
        names: placeholder values, rendered names (``canary`` → ``web-canary``).
    """

    env: EnvConfig
    commit: str | None
    names: Mapping[str, str] = field(default_factory=dict)


def evaluate(
    subjects: Sequence[Subject],
    argocd: ArgoCD,
    prometheus: Prometheus | None,
    contains: Contains,
    now: datetime | None = None,
    source: str = "gitshift.yaml",
) -> list[GateResult]:
    """The verdict of every subject, in order.

    Queries are rendered first, so a config error is found before any call. Argo CD is
    read once for all subjects; the checks of the subjects whose Application has settled
    are then queried together, at most ``prometheus.workers`` at a time. Checks of a
    subject whose Application has not settled are not queried: they wait.

    Raises:
        ConfigError: a placeholder without a value, or checks without ``gates.prometheus``.
        GateError: Argo CD or Prometheus unreachable, refusing, or answering an error.
    """
    queries = [_queries(s, source) for s in subjects]
    if prometheus is None and any(queries):
        raise ConfigError("analysis.checks need gates.prometheus", source, "add gates.prometheus.url")
    apps = argocd.applications([s.env.argocd_name for s in subjects])
    now = now or datetime.now(UTC)
    firsts: list[list[Gate]] = []
    settled: list[bool] = []
    for subject in subjects:
        app = apps[subject.env.argocd_name]
        bake = subject.env.analysis.bake
        argo = argocd_gate(app, subject.commit, contains)
        ok = argo.verdict == "pass"
        if ok:
            baked = bake_gate(app, subject.commit, contains, bake, now)
        else:
            baked = bake_pending(bake, "starts once Argo CD passes")
        firsts.append([argo, baked])
        settled.append(ok)
    wanted = [q for qs, ok in zip(queries, settled, strict=True) if ok for q in qs]
    measured: dict[str, Measurement] = prometheus.query_all(wanted) if prometheus and wanted else {}
    results = []
    for subject, gates, ok, qs in zip(subjects, firsts, settled, queries, strict=True):
        analysis = subject.env.analysis
        baking = gates[1].verdict != "pass"
        for i, (check, query) in enumerate(zip(analysis.checks, qs, strict=True)):
            if not ok:
                gates.append(check_pending(check, "not queried: waits for Argo CD"))
                continue
            if measured[query].kind not in ("vector", "scalar"):
                raise ConfigError(
                    f"{_key(subject)}[{i}].query gives a {measured[query].kind}, not a number per series",
                    source, "drop the range selector ([5m]) or wrap it in a function such as rate()")
            gates.append(check_gate(check, measured[query], analysis.on_no_data, baking))
        results.append(decide(subject.env.app, subject.env.name, gates))
    return results


def _key(subject: Subject) -> str:
    return f"apps.{subject.env.app}.envs.{subject.env.name}.analysis.checks"


def _queries(subject: Subject, source: str) -> list[str]:
    checks = subject.env.analysis.checks
    return [render(c.query, subject.names, f"{_key(subject)}[{i}]", source) for i, c in enumerate(checks)]
