"""A real HTTP fake of Argo CD's API server, checked against ``tests/contracts/argocd-rest.json``.

The fake runs on the fake forge's server (``forge_server.ForgeServer``: 127.0.0.1, port 0,
a thread, recorded requests, injected faults) with Argo CD's routes in place of the forges'.
Every request is checked against the Swagger 2.0 subset (path, method, query parameters)
and every answer body against its schema with ``jsonschema``'s Draft 4 validator, as
``argocd-README.md`` prescribes. A breach is recorded in ``violations`` and fails the test.
Errors look like grpc-gateway's (``runtimeError``); an unknown Application answers 403
without ``project`` and 404 with it, as Argo CD does.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from gitshift.config import ArgoCDConfig
from gitshift.gates.argocd import ArgoCD

from .forge_clients import FAST
from .forge_server import ForgeServer
from .http_fake import Answer, Call, Recorded, Router
from .openapi_contract import contracts_dir

# Argo CD counts a bearer token only when it looks like a JWT (util/jwt/jwt.go).
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJnaXRzaGlmdCJ9.QXJnb0NEVG9rZW5NdXN0TmV2ZXJMZWFr"
REPO_URL = "https://git.example.com/acme/gitops.git"
GRPC_CODES = {400: 3, 401: 16, 403: 7, 404: 5}
router: Router[_Ctx] = Router()


@cache
def spec() -> dict[str, Any]:
    """The Argo CD subset (Swagger 2.0)."""
    data: dict[str, Any] = json.loads((contracts_dir() / "argocd-rest.json").read_text())
    return data


class ArgoCDContract:
    """Checks requests (path, method, query) and answer bodies against ``argocd-rest.json``."""

    def __init__(self) -> None:
        from jsonschema import Draft4Validator

        self._validator = Draft4Validator
        self._paths = [
            (re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"), path)
            for path in spec()["paths"]
        ]

    def operation(self, method: str, raw_path: str) -> dict[str, Any] | None:
        """The operation object of a request, None when the contract has none."""
        for regex, path in self._paths:
            if regex.match(raw_path):
                op: dict[str, Any] | None = spec()["paths"][path].get(method.lower())
                return op
        return None

    def request_errors(self, call: Call) -> list[str]:
        """Every way the request breaks the contract (empty when it keeps it)."""
        op = self.operation(call.method, call.path)
        if op is None:
            return [f"no operation {call.method} {call.path} in the contract"]
        errors = []
        params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        for name, values in call.query.items():
            param = params.get(name)
            if param is None:
                errors.append(f"query parameter {name!r} is not in the contract")
            elif param["type"] != "array" and len(values) > 1:
                errors.append(f"query parameter {name!r} given {len(values)} times")
            elif param["type"] == "array" and param.get("collectionFormat") != "multi" and len(values) > 1:
                errors.append(f"query parameter {name!r} repeated, but not collectionFormat multi")
        if call.body:
            errors.append("a GET with a body")
        return errors

    def response_errors(self, method: str, raw_path: str, status: int, body: Any) -> list[str]:
        """Every way an answer's body breaks the schema of its status (``default`` for errors)."""
        op = self.operation(method, raw_path)
        if op is None:
            return [f"no operation {method} {raw_path} in the contract"]
        response = op["responses"].get(str(status)) or op["responses"]["default"]
        schema = {**response["schema"], "definitions": spec()["definitions"]}
        validator = self._validator(schema, format_checker=self._validator.FORMAT_CHECKER)
        return [f"{e.message[:200]} at {'/'.join(map(str, e.path))}" for e in validator.iter_errors(body)][:5]


def _time(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds: float) -> datetime:
    """The time ``seconds`` ago (whole seconds, as Argo CD stores times)."""
    return (datetime.now(UTC) - timedelta(seconds=seconds)).replace(microsecond=0)


@dataclass
class FakeApp:
    """An Argo CD Application as the fake keeps it; ``to_json`` gives ``v1alpha1Application``.

    Attributes:
        revisions: one per source; more than one makes a multi-source app (``spec.sources``).
        phase: the last operation's phase; None when no operation ever ran.
        op_revisions: what that operation synced (default: ``revisions``).
        history: successful syncs, oldest first: (revisions, when they finished).
    """

    name: str
    revisions: list[str]
    project: str = "default"
    namespace: str = "argocd"
    labels: dict[str, str] = field(default_factory=dict)
    sync: str = "Synced"
    health: str = "Healthy"
    health_message: str = ""
    phase: str | None = "Succeeded"
    op_message: str = "successfully synced (all tasks run)"
    op_revisions: list[str] | None = None
    finished_at: datetime | None = field(default_factory=lambda: ago(600))
    history: list[tuple[list[str], datetime]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The Application as Argo CD's API shows it."""
        multi = len(self.revisions) > 1
        sources = [{"repoURL": REPO_URL, "path": f"overlays/{self.name}", "targetRevision": "main"}]
        sources += [{"repoURL": "https://charts.example.com", "chart": "extra", "targetRevision": r}
                    for r in self.revisions[1:]]
        spec_sources = {"sources": sources} if multi else {"source": sources[0]}
        status: dict[str, Any] = {
            "sync": {"status": self.sync, "comparedTo": {**spec_sources, "destination": self._destination()},
                     **self._revs(self.revisions)},
            "health": {"status": self.health, **({"message": self.health_message} if self.health_message else {})},
            "reconciledAt": _time(ago(5)),
            "sourceType": "Kustomize",
        }
        if self.history:
            status["history"] = [
                {"id": i, **self._revs(revs), "deployedAt": _time(at),
                 "deployStartedAt": _time(at - timedelta(seconds=3)), **spec_sources}
                for i, (revs, at) in enumerate(self.history)
            ]
        if self.phase is not None:
            revs = self._revs(self.op_revisions or self.revisions)
            state: dict[str, Any] = {
                "operation": {"sync": dict(revs), "initiatedBy": {"automated": True}},
                "phase": self.phase,
                "message": self.op_message,
                "startedAt": _time((self.finished_at or ago(2)) - timedelta(seconds=5)),
                "syncResult": {**revs, **spec_sources},
            }
            if self.phase not in ("Running", "Terminating") and self.finished_at is not None:
                state["finishedAt"] = _time(self.finished_at)
            status["operationState"] = state
        return {
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": dict(self.labels),
                         "uid": f"uid-{self.name}", "resourceVersion": "1"},
            "spec": {"project": self.project, "destination": self._destination(), **spec_sources},
            "status": status,
        }

    def _revs(self, revisions: list[str]) -> dict[str, Any]:
        return {"revisions": list(revisions)} if len(self.revisions) > 1 else {"revision": revisions[0]}

    def _destination(self) -> dict[str, str]:
        return {"server": "https://kubernetes.default.svc", "namespace": "shop"}


class ArgoCDFake:
    """Argo CD's application API in memory; ``apps`` keyed by (namespace, name)."""

    contract: ArgoCDContract | None = None

    def __init__(self, server: ArgoCDServer) -> None:
        self.server = server
        self.namespace = "argocd"  # the API server's own namespace: appNamespace's default
        self.apps: dict[tuple[str, str], FakeApp] = {}
        self._versions = itertools.count(100)

    def add(self, app: FakeApp) -> FakeApp:
        """Create or replace an Application."""
        self.apps[(app.namespace, app.name)] = app
        return app

    @classmethod
    def checker(cls) -> ArgoCDContract:
        """The contract checker, built once."""
        if cls.contract is None:
            cls.contract = ArgoCDContract()
        return cls.contract

    def handle(self, call: Call) -> Answer:
        """Authenticate, check the request, answer it and check the answer."""
        auth = call.header("Authorization") or ""
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else ""
        errors = self.checker().request_errors(call)
        if errors:
            self.server.violation(f"argocd request {call.method} {call.path}: " + "; ".join(errors))
            return error(400, "contract: " + "; ".join(errors))
        if token.count(".") != 2:  # not a JWT: Argo CD ignores the header
            answer = error(401, "no session information")
        elif token != self.server.token:
            answer = error(401, "invalid session: token signature is invalid")
        else:
            handler = router.match(call)
            if handler is None:
                self.server.violation(f"argocd {call.method} {call.path}: in the contract, not faked")
                return Answer(501, {"error": "not implemented by the fake"}, checked=False)
            answer = handler(_Ctx(self, call))
        problems = self.checker().response_errors(call.method, call.path, answer.status, answer.body)
        if problems:
            self.server.violation(f"argocd answer to {call.method} {call.path}: " + "; ".join(problems))
            return Answer(500, {"error": "fake broke the contract"}, checked=False)
        return answer


@dataclass
class _Ctx:
    fake: ArgoCDFake
    call: Call

    def scope(self) -> tuple[str, list[str]] | Answer:
        """The app namespace and project filter of the call, or a 400 answer."""
        projects = self.call.query.get("project") or self.call.query.get("projects") or []
        if len(projects) > 1:
            return error(400, "at most one project may be given")
        return self.call.arg("appNamespace") or self.fake.namespace, projects


def error(status: int, message: str) -> Answer:
    """A grpc-gateway error answer (``runtimeError``)."""
    return Answer(status, {"error": message, "code": GRPC_CODES.get(status, 2), "message": message})


def _selected(app: FakeApp, selector: str | None) -> bool:
    """Whether the labels of ``app`` match a label selector (``a=b,c!=d,e``)."""
    for term in filter(None, (selector or "").split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if app.labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if app.labels.get(key.strip()) != value.strip():
                return False
        elif term.strip() not in app.labels:
            return False
    return True


@router.route("GET", "/api/v1/applications")
def _list(ctx: _Ctx) -> Answer:
    scope = ctx.scope()
    if isinstance(scope, Answer):
        return scope
    namespace, projects = scope
    name = ctx.call.arg("name")
    items = [
        app.to_json() for (ns, _), app in sorted(ctx.fake.apps.items())
        if ns == namespace and (not projects or app.project in projects) and name in (None, app.name)
        and _selected(app, ctx.call.arg("selector"))
    ]
    return Answer(200, {"metadata": {"resourceVersion": str(next(ctx.fake._versions))}, "items": items})


@router.route("GET", "/api/v1/applications/{name}")
def _get(ctx: _Ctx) -> Answer:
    scope = ctx.scope()
    if isinstance(scope, Answer):
        return scope
    namespace, projects = scope
    name = ctx.call.params["name"]
    app = ctx.fake.apps.get((namespace, name))
    if projects:  # RBAC checked for project/name: missing or elsewhere is 404
        if app is None or app.project not in projects:
            return error(404, f'applications.argoproj.io "{name}" not found')
    elif app is None:  # without a project, a missing app looks like a forbidden one
        return error(403, "permission denied")
    return Answer(200, app.to_json())


class ArgoCDServer(ForgeServer):
    """The fake forge's server answering as Argo CD at its root."""

    def __init__(self, token: str = TOKEN) -> None:
        super().__init__(token)
        self.argocd = ArgoCDFake(self)

    def start(self) -> ArgoCDServer:
        """Serve in a background thread, the contract loaded first."""
        ArgoCDFake.checker()
        self._thread.start()
        return self

    def _route(self, record: Recorded, path: str, query: dict[str, list[str]]) -> Answer:
        return self.argocd.handle(Call(record.method, path, query, record.headers, record.body))


@pytest.fixture
def argocd_server() -> Iterator[ArgoCDServer]:
    """A started fake Argo CD; the test fails if any call broke the contract."""
    server = ArgoCDServer().start()
    try:
        yield server
    finally:
        server.stop()
    if server.violations:
        pytest.fail("argocd contract violations:\n" + "\n".join(server.violations), pytrace=False)


@pytest.fixture
def argocd(argocd_server: ArgoCDServer) -> Iterator[ArgoCD]:
    """gitshift's Argo CD client pointed at the fake, with the right token and fast retries."""
    client = ArgoCD(ArgoCDConfig(url=argocd_server.url), argocd_server.token, FAST)
    yield client
    client.close()
