"""GitHub's REST contract (tests/contracts/github-rest.json): validation and schema-built objects."""

from __future__ import annotations

import copy
import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

# Any host works as long as the spec's `servers` and the validated requests agree.
BASE = "http://forge.test"
REPO = Path(__file__).resolve().parents[2]


def contracts_dir() -> Path:
    """``tests/contracts``: the API descriptions kept in this repository."""
    return REPO / "tests" / "contracts"


@cache
def spec() -> dict[str, Any]:
    """The GitHub description with the quirks of contracts/README.md worked around."""
    data: dict[str, Any] = json.loads((contracts_dir() / "github-rest.json").read_text())
    data["servers"] = [{"url": BASE}]
    body = data["paths"]["/repos/{owner}/{repo}/check-runs"]["post"]["requestBody"]
    body["content"]["application/json"]["schema"].pop("discriminator", None)
    return data


class GitHubContract:
    """Checks request/response pairs against the description; thread-safe, built once."""

    _lock = threading.RLock()
    _api: Any = None

    @classmethod
    def warm(cls) -> Any:
        """The validator, built on first use (about a second)."""
        with cls._lock:
            if cls._api is None:
                from openapi_core import OpenAPI

                cls._api = OpenAPI.from_dict(spec())
            return cls._api

    def request_errors(self, method: str, raw_path: str, query: dict[str, list[str]], body: bytes | None) -> list[str]:
        """Every way the request breaks the contract (empty when it keeps it)."""
        req = self._request(method, raw_path, query, body)
        with self._lock:
            return [_describe(e) for e in self.warm().iter_request_errors(req)]

    def response_errors(
        self,
        method: str,
        raw_path: str,
        query: dict[str, list[str]],
        body: bytes | None,
        status: int,
        payload: Any,
    ) -> list[str]:
        """Every way the response to that request breaks the contract."""
        from openapi_core.testing import MockResponse

        req = self._request(method, raw_path, query, body)
        resp = MockResponse(json.dumps(payload).encode(), status_code=status)
        with self._lock:
            return [_describe(e) for e in self.warm().iter_response_errors(req, resp)]

    @staticmethod
    def _request(method: str, raw_path: str, query: dict[str, list[str]], body: bytes | None) -> Any:
        from openapi_core.testing import MockRequest

        return MockRequest(BASE, method.lower(), raw_path, args=query, data=body or None)


def _describe(error: Exception) -> str:
    """The error and its schema errors, one short line each."""
    lines = [f"{type(error).__name__}: {str(error)[:200]}"]
    cause = error.__cause__
    for detail in list(getattr(cause, "schema_errors", None) or [])[:5]:
        lines.append(f"  {detail.message[:200]} at {'/'.join(map(str, detail.path))}")
    return "\n".join(lines)


def example(schema: str, /, **overrides: Any) -> dict[str, Any]:
    """A minimal valid instance of ``components/schemas/<schema>`` with ``overrides`` applied.

    Only required properties are filled; nullable ones are null. This follows the
    schema rather than GitHub's examples, some of which no longer validate.
    """
    value = copy.deepcopy(_example_cached(schema))
    value.update(overrides)
    return value


@cache
def _example_cached(name: str) -> dict[str, Any]:
    built = _build({"$ref": f"#/components/schemas/{name}"}, depth=0)
    assert isinstance(built, dict)
    return built


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec()
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _build(schema: dict[str, Any], depth: int) -> Any:
    schema = _resolve(schema)
    if depth > 0 and schema.get("nullable"):
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return _build(schema[key][0], depth + 1)
    kind = schema.get("type", "object")
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if kind == "object":
        props = schema.get("properties", {})
        return {p: _build(props.get(p, {"type": "string"}), depth + 1) for p in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "string":
        fmt = schema.get("format")
        return {"uri": "https://forge.test/x", "date-time": "2024-01-01T00:00:00Z", "email": "bot@forge.test"}.get(
            fmt or "", "x"
        )
    return {"integer": 1, "number": 1.0, "boolean": False}[kind]
