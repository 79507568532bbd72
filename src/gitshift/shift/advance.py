"""Gated steps: judge an env's current step, then take the next one, roll back, or wait.

README.md, "Gates", describes the loop. A canary moves to the next weight of
``steps`` (after the last, it is promoted when ``analysis.promote``); a blue/green
release is promoted once its preview passes, and finished once the promoted color
has baked. A failed gate rolls back, or holds with ``on_failure: hold``. The shift
asks for the target the gate decided (``--weight 50``, never ``--next``), so a push
that loses a race re-plans to that same target, never a further step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from gitshift.config import Config, EnvConfig
from gitshift.errors import InputError
from gitshift.gates.verdict import EXIT_CODES, GateResult
from gitshift.render import Renderer
from gitshift.result import Result
from gitshift.shift.gate import GATED, Live, Tokens, judge, phase, read

__all__ = ["GATED", "Step", "advance", "decide", "gated"]
from gitshift.shift.request import Delivery, ShiftRequest


@dataclass(frozen=True)
class Step:
    """What ``advance`` did for one env: the gate's verdict, the shift it asked for and its result.

    Attributes:
        app: the app.
        env: the env.
        gate: the verdict; None when no release was in progress (nothing to judge).
        request: the shift taken, None when nothing was written.
        note: one line saying what was decided.
        result: the shift's result.
    """

    app: str
    env: str
    gate: GateResult | None
    request: ShiftRequest | None
    note: str
    result: Result | None = None

    @property
    def exit_code(self) -> int:
        """0 step taken (or nothing to do), 1 after a failed gate, 75 wait."""
        return EXIT_CODES[self.gate.verdict] if self.gate is not None else 0

    def to_json(self) -> dict[str, Any]:
        """The gate object plus ``action``, ``note`` and ``shift`` (the shift object, or null)."""
        head = self.gate.to_json() if self.gate is not None else {
            "schema": 1, "app": self.app, "env": self.env, "verdict": None, "reason": self.note, "gates": []}
        return {**head, "action": self.request.recorded_action if self.request else None, "note": self.note,
                "shift": self.result.to_json() if self.result is not None else None}


def decide(live: Live, gate: GateResult) -> tuple[ShiftRequest | None, str]:
    """The shift a verdict calls for in the env's phase, and a line saying why."""
    env, analysis = live.env, live.env.analysis
    if gate.verdict == "wait":
        return None, "the gate waits: nothing written; run again later"
    current = phase(live)
    if gate.verdict == "fail":
        if analysis.on_failure == "hold":
            return None, "the gate failed; on_failure is hold: left as it is"
        action = {"preview": "bluegreen.finish", "promoted": "bluegreen.rollback"}.get(current or "",
                                                                                       "canary.rollback")
        why = "the preview is scaled down" if current == "preview" else "rolled back"
        return _request(env, action), f"the gate failed: {why}"
    if current == "preview":
        return _request(env, "bluegreen.promote"), "the preview passed: promote"
    if current == "promoted":
        return _request(env, "bluegreen.finish"), "the promoted color baked: finish"
    weight = _next_weight(live)
    if weight is not None:
        return _request(env, "canary.scale", weight=weight), f"the gate passed: weight {live.state.weight} → {weight}"
    if analysis.promote:
        return _request(env, "canary.promote"), "the last step passed: promote"
    return None, "the last step passed; analysis.promote is false: promote by hand"


def _next_weight(live: Live) -> int | None:
    if live.env.helm is not None:  # the weight is a value: the next step of canary.steps, as scale --next
        from gitshift.strategies import helm

        return helm.next_weight(live.state.weight or 0, live.env)
    from gitshift.strategies.canary import router
    from gitshift.strategies.canary.traffic import pair

    r, p = router(live.env), pair(live.rendered, live.env)
    steps = live.env.canary.steps if live.env.canary else ()
    return r.next_weight(r.read(live.rendered, live.env, p), p, steps)


def _request(env: EnvConfig, action: str, **kw: Any) -> ShiftRequest:
    return ShiftRequest(app=env.app, env=env.name, action=action, **kw)


def advance(config: Config, renderer: Renderer, envs: Sequence[EnvConfig], tokens: Tokens,
            delivery: Delivery) -> list[Step]:
    """Judge every env with a release in progress, then deliver the shift each verdict calls for.

    Envs without a release in progress are reported as such and not judged. Argo CD
    is read once for all the others; their shifts are delivered one by one.
    """
    from gitshift import shift

    for env in envs:
        if env.strategy not in GATED:
            raise InputError(f"{env.app}/{env.name} is a {env.strategy} env; advance needs canary or bluegreen",
                             str(config.path), "gate it with `gitshift gate`, and shift it by hand")
    live = read(config, renderer, envs, moving_only=True)
    moving = [x for x in live if phase(x) is not None]
    judged = judge(config, moving, tokens) if moving else []
    verdicts = {(x.env.app, x.env.name): g for x, g in zip(moving, judged, strict=True)}
    steps = []
    for x in live:
        gate = verdicts.get((x.env.app, x.env.name))
        if gate is None:
            steps.append(Step(x.env.app, x.env.name, None, None, "no release in progress: nothing to do"))
            continue
        request, note = decide(x, gate)
        result = None
        if request is not None:
            message = f"Gate {gate.verdict}: {gate.reason}" + (f"\n\n{delivery.message}" if delivery.message else "")
            result = shift.run(config, renderer, request, replace(delivery, gate=gate.verdict, message=message))
        steps.append(Step(x.env.app, x.env.name, gate, request, note, result))
    return steps


def gated(config: Config) -> list[EnvConfig]:
    """The canary and blue/green envs of the config, Helm envs too (``advance --all`` judges those in progress)."""
    return [e for e in config.select() if e.strategy in GATED]
