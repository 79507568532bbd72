"""Every ``-o json`` output of every command validates against its schema in docs/schemas/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from tests.conftest import PROJECT, git, run
from tests.support.forge_server import ForgeServer

SCHEMAS = PROJECT / "docs" / "schemas"
EVENT = PROJECT / "tests" / "fixtures" / "events" / "github_issue_comment.json"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text())
    return data


REGISTRY: Registry[Any] = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in map(_load, (p.stem for p in SCHEMAS.glob("*.json")))
)


def validate(name: str, data: Any) -> None:
    """``data`` is a valid ``name`` (docs/schemas/<name>.json)."""
    schema = _load(name)
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(data)


def ok(repo: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    r = run(repo, "-o", "json", *args, env=env)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.json")), ids=lambda p: p.stem)
def test_schema_is_valid_and_its_examples_validate(path: Path) -> None:
    schema = _load(path.stem)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"urn:gitshift:json:{path.stem}" and schema["title"] and schema["description"]
    assert schema["examples"]
    for example in schema["examples"]:
        validate(path.stem, example)


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """The objects whose shape a schema pins: the printed object, or each of the printed list."""
    yield from (data if isinstance(data, list) else [data])


def test_status_check_diff_render_history(example_repo: Path, tmp_path: Path) -> None:
    for args, name in [(("status",), "status"), (("status", "web", "--env", "production"), "status"),
                       (("check",), "check"), (("diff",), "diff"), (("history",), "history")]:
        validate(name, ok(example_repo, *args))
    validate("render-all", ok(example_repo, "render", "--all", "--out", str(tmp_path / "out")))
    for args in [("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--header",
                  "X-Canary=always", "--commit", "--branch", "release"),
                 ("bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0", "--commit",
                  "--branch", "release")]:
        validate("shift", ok(example_repo, *args))
    git(example_repo, "merge", "-q", "--ff-only", "release")
    git(example_repo, "checkout", "-q", "--", ".")
    rows = ok(example_repo, "status")
    validate("status", rows)
    assert {r["match"] for r in rows} >= {None, "header X-Canary=always"}
    history = ok(example_repo, "history")
    validate("history", history)
    assert len(history) == 2
    validate("diff", ok(example_repo, "diff", "--against", "HEAD~1"))
    validate("check", ok(example_repo, "check"))
    for obj in _objects(rows + history):
        assert next(iter(obj)) == "schema" and obj["schema"] == 1


SHIFTS = [
    ("set-image", "web", ":1.1.0", "--env", "staging"),
    ("set-image", "web", ":1.1.0", "--env", "staging", "--max-surge", "1", "--max-unavailable", "0", "--dry-run"),
    ("set-image", "web", ":1.0.0", "--env", "staging"),  # nothing to do: changed false
    ("bluegreen", "deploy", "web", "--env", "production", "--image", ":1.1.0", "--commit"),
    ("canary", "deploy", "web", "--env", "production-istio", "--image", ":2.0.0", "--dry-run"),
    ("canary", "deploy", "web", "--env", "production-gateway", "--image", ":2.0.0", "--cookie", "beta", "--dry-run"),
    ("canary", "deploy", "web", "--env", "production-replicas", "--image", ":2.0.0", "--push"),
    ("canary", "scale", "web", "--env", "production-canary", "--weight", "0"),
    ("canary", "rollback", "web", "--env", "production-canary", "--dry-run"),
    ("promote", "web", "--from", "staging", "--to", "production-canary", "--dry-run"),
]


@pytest.mark.parametrize("args", SHIFTS, ids=lambda a: " ".join(a[:2]))
def test_shift_results(example_repo: Path, args: tuple[str, ...]) -> None:
    data = ok(example_repo, *args)
    validate("shift", data)
    if "--commit" in args or "--push" in args:
        assert data["commit"] and data["branch"]


def test_revert_result(example_repo: Path) -> None:
    shifted = ok(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--branch", "release")
    git(example_repo, "merge", "-q", "--ff-only", "release")
    data = ok(example_repo, "revert", shifted["commit"], "--dry-run")
    validate("shift", data)
    assert data["action"] == "revert" and data["changed"] is True


def _event(server: ForgeServer, body: str, action: str = "created") -> dict[str, Any]:
    repo = server.github.repos["acme/gitops"]
    cid = server.github.next_id()
    repo.comments[cid] = {"id": cid, "issue": 1, "body": body, "user": "carol"}
    data: dict[str, Any] = json.loads(EVENT.read_text())
    user = {**data["comment"]["user"], "login": "carol", "id": server.github.user_id("carol")}
    data["comment"].update(id=cid, body=body, user=user)
    data["issue"]["number"] = 1
    data["sender"] = user
    data["action"] = action
    return data


def test_comment_outcomes(example_repo: Path, forge_server: ForgeServer, tmp_path: Path) -> None:
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {forge_server.github_url}\n"
                   f"  base: main\n{cfg.read_text()}")
    git(example_repo, "commit", "-qam", "forge")
    git(example_repo, "push", "-q", "origin", "main")
    env = {"GITHUB_TOKEN": forge_server.token}
    ok(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--pr", env=env)
    outcomes = []
    for body, action in [("/gitshift canary scale 50", "created"), ("/gitshift canary scale 50", "edited"),
                         ("/gitshift status", "created")]:
        path = tmp_path / "event.json"
        path.write_text(json.dumps(_event(forge_server, body, action)))
        outcomes.append(ok(example_repo, "comment", "--event", str(path), env=env))
    for outcome in outcomes:
        validate("comment", outcome)
    assert outcomes[0]["result"]["changed"] is True and outcomes[1]["result"] is None
    assert outcomes[0]["result"]["schema"] == 1


def test_a_wrong_shape_is_refused() -> None:
    """The schemas are strict: a missing, extra or mistyped field fails."""
    good = _load("shift")["examples"][0]
    for bad in ({k: v for k, v in good.items() if k != "pr_url"}, {**good, "extra": 1}, {**good, "changed": "yes"},
                {**good, "schema": 2}):
        with pytest.raises(jsonschema.ValidationError):
            validate("shift", bad)


def test_init_output(example_repo: Path) -> None:
    data = ok(example_repo, "init", "--dry-run")
    validate("init", data)
    assert data["written"] is False and data["config"] == "gitshift.yaml"
    assert {e["env"] for e in data["apps"][0]["envs"]} >= {"dev", "staging", "production"}


def test_gate_and_advance_objects() -> None:
    """The objects `gate` and `advance` print (tests/gates runs them against Argo CD and Prometheus)."""
    from gitshift.gates.verdict import Gate, decide
    from gitshift.result import Result
    from gitshift.shift.advance import Step
    from gitshift.shift.request import ShiftRequest

    gates = [Gate("web-prod", "argocd", "pass", "Synced/Healthy", "Synced/Healthy at 3f1c2a9b07de", "ok"),
             Gate("bake", "bake", "wait", None, 300.0, "not synced yet"),
             Gate("error-rate", "prometheus", "pass", float("inf"), "max 0.01", "no data")]
    gate = decide("web", "prod", gates)
    validate("gate", gate.to_json())
    request = ShiftRequest(app="web", env="prod", action="canary.scale")
    result = Result(app="web", env="prod", action="canary.scale", changed=True, summary="canary web/prod: 10 → 25")
    taken = Step("web", "prod", decide("web", "prod", gates[:1]), request, "the gate passed", result)
    idle = Step("web", "staging", None, None, "no release in progress")
    validate("advance", taken.to_json())
    validate("advance", [taken.to_json(), idle.to_json()])
    assert gate.to_json()["gates"][2]["value"] == "+Inf"
