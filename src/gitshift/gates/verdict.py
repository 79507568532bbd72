"""Verdicts: what Argo CD's state, the bake time and each check's value say about a step (pure).

A gate passes, fails or waits. A run fails when any gate fails, waits when any gate
waits, and passes only when every gate passes (README.md, "Gates").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from gitshift.config import Check
from gitshift.gates.argocd import FAILED, RUNNING, Application
from gitshift.gates.prometheus import Measurement

Verdict = Literal["pass", "fail", "wait"]
Kind = Literal["argocd", "prometheus", "bake"]
EXIT_CODES: dict[str, int] = {"pass": 0, "fail": 1, "wait": 75}
_NO_DATA: dict[str, Verdict] = {"pass": "pass", "fail": "fail", "wait": "wait"}  # analysis.on_no_data

# (revision Argo CD reports, commit) -> whether the revision contains the commit;
# None when the revision is unknown here (not fetched yet, or not a commit: a chart version).
Contains = Callable[[str, str], "bool | None"]


@dataclass(frozen=True)
class Gate:
    """One gate's verdict, the value it saw and the threshold it held that value to."""

    name: str
    kind: Kind
    verdict: Verdict
    value: float | str | None
    threshold: float | str | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        """A ``gates[]`` item of the JSON output (docs/json-output.md); an infinite value as ``+Inf``/``-Inf``."""
        return {"name": self.name, "kind": self.kind, "verdict": self.verdict, "value": _json_number(self.value),
                "threshold": _json_number(self.threshold), "detail": self.detail}


@dataclass(frozen=True)
class GateResult:
    """The verdict of one app's env: every gate, and the one-line reason for the whole."""

    app: str
    env: str
    verdict: Verdict
    reason: str
    gates: tuple[Gate, ...]

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail, 75 wait (README.md, "Errors")."""
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict[str, Any]:
        """The JSON object `gate -o json` prints (docs/json-output.md)."""
        return {"schema": 1, "app": self.app, "env": self.env, "verdict": self.verdict, "reason": self.reason,
                "gates": [g.to_json() for g in self.gates]}


def decide(app: str, env: str, gates: Sequence[Gate]) -> GateResult:
    """Combine gates: any fail fails, else any wait waits, else pass; the reason names the first that decided."""
    for verdict in ("fail", "wait"):
        first = next((g for g in gates if g.verdict == verdict), None)
        if first is not None:
            return GateResult(app, env, first.verdict, f"{first.name}: {first.detail}", tuple(gates))
    return GateResult(app, env, "pass", f"all {len(gates)} gates passed", tuple(gates))


def argocd_gate(app: Application, commit: str | None, contains: Contains) -> Gate:
    """Argo CD's verdict: pass when Synced at a revision containing ``commit``, Healthy, and idle.

    A running operation, a revision without the commit yet, OutOfSync or a health other than
    Healthy and Degraded wait; Degraded, or a failed sync of the commit, fails.
    """
    value = f"{app.sync}/{app.health}"
    threshold = "Synced/Healthy" + (f" at {commit[:12]}" if commit else "")

    def gate(verdict: Verdict, detail: str) -> Gate:
        return Gate(app.name, "argocd", verdict, value, threshold, detail)

    op = app.operation
    if op is not None and op.phase in RUNNING:
        return gate("wait", _with(f"an operation is {op.phase.lower()}", op.message))
    if op is not None and op.phase in FAILED and (not commit or not op.revisions
                                                  or _contains_any(op.revisions, commit, contains) is not False):
        return gate("fail", _with(f"the last sync ended {op.phase.lower()}", op.message))
    if app.health == "Degraded":
        return gate("fail", _with("the Application is Degraded", app.health_message))
    if commit:
        has = _contains_any(app.revisions, commit, contains)
        shown = ", ".join(r[:12] for r in app.revisions) or "no revision"
        if has is None:
            return gate("wait", f"Argo CD is at {shown}, not known here yet; fetch, then run again")
        if not has:
            return gate("wait", f"Argo CD is at {shown}, which does not contain {commit[:12]} yet")
    if app.sync != "Synced":
        return gate("wait", f"sync status is {app.sync}, not Synced")
    if app.health != "Healthy":
        return gate("wait", _with(f"health is {app.health}, not Healthy", app.health_message))
    return gate("pass", f"Synced and Healthy at {', '.join(r[:12] for r in app.revisions) or 'its revision'}")


def bake_gate(app: Application, commit: str | None, contains: Contains, bake: float, now: datetime) -> Gate:
    """Bake: pass once ``bake`` seconds have passed since the sync that brought ``commit`` finished."""
    since = synced_at(app, commit, contains)
    if since is None:
        return bake_pending(bake, "Argo CD records no finished sync yet")
    elapsed = max(0.0, (now - since).total_seconds())
    stamp = since.isoformat().replace("+00:00", "Z")
    if elapsed < bake:
        baked, left = duration_text(elapsed), duration_text(bake - elapsed)
        return Gate("bake", "bake", "wait", round(elapsed), round(bake),
                    f"baked {baked} of {duration_text(bake)} since the sync finished at {stamp}; {left} left")
    return Gate("bake", "bake", "pass", round(elapsed), round(bake), f"baked {duration_text(elapsed)} since {stamp}")


def bake_pending(bake: float, why: str) -> Gate:
    """The bake gate before it can start."""
    return Gate("bake", "bake", "wait", None, round(bake), why)


def synced_at(app: Application, commit: str | None, contains: Contains) -> datetime | None:
    """When the first recorded sync containing ``commit`` finished.

    Looks at ``status.history`` and the last operation. When none contains the commit
    (it changed nothing this Application renders), the last finished sync counts.
    """
    op = app.operation
    records = [(d.revisions, d.deployed_at) for d in app.history if d.deployed_at is not None]
    if op is not None and op.phase == "Succeeded" and op.finished_at is not None:
        records.append((op.revisions, op.finished_at))
    if commit:
        bringing = [at for revisions, at in records if _contains_any(revisions, commit, contains)]
        if bringing:
            return min(bringing)
    return max((at for _, at in records), default=None)


def check_gate(check: Check, measured: Measurement, on_no_data: str, baking: bool) -> Gate:
    """A check's verdict: fail past ``max``/``min`` (any series), no data as ``on_no_data``.

    While the bake time runs, no data waits whatever ``on_no_data`` says: metrics of a new
    step may take a while to appear.
    """
    threshold = _bounds(check)
    series = measured.values
    if not series:
        verdict = "wait" if baking else _NO_DATA[on_no_data]
        why = "no data: the query returned no series" + (" (still baking)" if baking else "")
        return Gate(check.name, "prometheus", verdict, None, threshold, why)
    worst = min(series, key=lambda s: _margin(check, s.value))
    where = f" for {worst.describe()}" if worst.labels else ""
    if _margin(check, worst.value) < 0:
        return Gate(check.name, "prometheus", "fail", worst.value, threshold,
                    f"{worst.value:g} is past {threshold}{where}")
    return Gate(check.name, "prometheus", "pass", worst.value, threshold,
                f"{worst.value:g} is within {threshold}" + (f" ({len(series)} series)" if len(series) > 1 else ""))


def check_pending(check: Check, why: str) -> Gate:
    """A check not queried (Argo CD has not settled): it waits."""
    return Gate(check.name, "prometheus", "wait", None, _bounds(check), why)


def _contains_any(revisions: Sequence[str], commit: str, contains: Contains) -> bool | None:
    """True when a revision contains ``commit``; None when no revision is known here.

    A multi-source Application mixes this repository's commit with other repositories'
    commits and chart versions: those are unknown here and do not count either way.
    """
    answers = [contains(r, commit) for r in revisions]
    if any(answers):
        return True
    return False if False in answers else None


def _margin(check: Check, value: float) -> float:
    """How far ``value`` is inside the bounds (negative: past one)."""
    margins = [math.inf]
    if check.max is not None:
        margins.append(check.max - value)
    if check.min is not None:
        margins.append(value - check.min)
    return min(margins)


def _bounds(check: Check) -> str:
    parts = [f"{name} {bound:g}" for name, bound in (("min", check.min), ("max", check.max)) if bound is not None]
    return ", ".join(parts)


def _with(what: str, message: str) -> str:
    message = " ".join(message.split())
    return f"{what}: {message[:200]}" if message else what


def duration_text(seconds: float) -> str:
    """``1h2m3s``, ``5m``, ``40s``."""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((h, "h"), (m, "m"), (s, "s")) if n)
    return text or "0s"


def _json_number(value: float | str | None) -> float | str | None:
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value

