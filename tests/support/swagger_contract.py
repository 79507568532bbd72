"""Checking HTTP exchanges against a Swagger 2.0 description (Gitea's), which openapi-core does not read.

A request must name a known path and method, carry the declared path and query
parameters with the declared types (no undeclared query parameter), and a body
that validates against its schema with no property the schema does not
declare. An answer's status must be declared and its body must validate against
that status's schema (JSON Schema draft 4, formats checked).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote

URN = "urn:contract"


@dataclass(frozen=True)
class Operation:
    """One method of one path template: its regex, parameters and responses."""

    method: str
    template: str
    regex: re.Pattern[str]
    spec: dict[str, Any]
    pointer: str  # JSON pointer of the operation inside the description


class SwaggerContract:
    """A Swagger 2.0 description; ``request_errors``/``response_errors`` list every breach."""

    def __init__(self, path: Path, base_path: str) -> None:
        self.spec: dict[str, Any] = json.loads(path.read_text())
        self.spec["basePath"] = base_path
        self.operations: list[Operation] = []
        for template, item in self.spec["paths"].items():
            regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
            for method, op in item.items():
                pointer = "/paths/" + template.replace("~", "~0").replace("/", "~1") + "/" + method
                self.operations.append(Operation(method.upper(), template, regex, op, pointer))
        # Literal segments win over parameters (`/pulls/pinned` before `/pulls/{index}`).
        self.operations.sort(key=lambda o: o.template.count("{"))

    @cached_property
    def _registry(self) -> Any:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4

        return Registry().with_resource(URN, Resource(contents=self.spec, specification=DRAFT4))

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for ``method`` and a raw path below the base path, with its path parameters."""
        for op in self.operations:
            found = op.regex.match(path)
            if found and op.method == method:
                return op, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def request_errors(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> list[str]:
        """Every way the request breaks the description."""
        found = self.find(method, path)
        if found is None:
            return [f"{method} {path}: no such operation in the description"]
        op, params = found
        errors: list[str] = []
        declared = {p["name"]: p for p in op.spec.get("parameters", [])}
        for name, p in declared.items():
            if p["in"] == "path":
                errors += _scalar_errors(name, params.get(name), p)
            elif p["in"] == "query":
                for value in query.get(name, []):
                    errors += _scalar_errors(name, value, p)
                if p.get("required") and name not in query:
                    errors.append(f"query parameter {name} is required")
        errors += [f"query parameter {name} is not declared" for name in query
                   if declared.get(name, {}).get("in") != "query"]
        body_param = next((i for i, p in enumerate(op.spec.get("parameters", [])) if p["in"] == "body"), None)
        if body_param is None:
            if body:
                errors.append("a body was sent to an operation that takes none")
            return errors
        if not body:
            if op.spec["parameters"][body_param].get("required"):
                errors.append("the body is required")
            return errors
        try:
            data = json.loads(body)
        except ValueError:
            return [*errors, "the body is not JSON"]
        pointer = f"{op.pointer}/parameters/{body_param}/schema"
        errors += self._validate(pointer, data)
        errors += self._undeclared(self._resolve(self._at(pointer)), data, "body")
        return errors

    def response_errors(self, method: str, path: str, status: int, payload: Any) -> list[str]:
        """Every way an answer breaks the description."""
        found = self.find(method, path)
        if found is None:
            return [f"{method} {path}: no such operation in the description"]
        op = found[0]
        responses = op.spec.get("responses", {})
        key = str(status) if str(status) in responses else "default" if "default" in responses else None
        if key is None:
            return [f"status {status} is not declared for {op.method} {op.template}"]
        response = self._resolve(responses[key])
        if "schema" not in response:
            return _error_body_errors(status, response, payload)
        if "$ref" in responses[key]:
            pointer = "/responses/" + responses[key]["$ref"].rsplit("/", 1)[1] + "/schema"
        else:
            pointer = f"{op.pointer}/responses/{key}/schema"
        return self._validate(pointer, payload)

    def _validate(self, pointer: str, data: Any) -> list[str]:
        from jsonschema import Draft4Validator, FormatChecker

        validator = Draft4Validator({"$ref": f"{URN}#{pointer}"}, registry=self._registry,
                                    format_checker=FormatChecker())
        return [f"{e.message[:200]} at /{'/'.join(map(str, e.absolute_path))}"
                for e in sorted(validator.iter_errors(data), key=str)][:5]

    def _at(self, pointer: str) -> Any:
        node: Any = self.spec
        for part in pointer.strip("/").split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = self._at(node["$ref"].lstrip("#"))
        return node

    def _undeclared(self, schema: Any, data: Any, where: str) -> list[str]:
        """Properties a request body sends that its schema does not declare (a misspelt field is lost)."""
        if isinstance(data, list) and isinstance(schema, dict) and "items" in schema:
            items = self._resolve(schema["items"])
            return [e for i, item in enumerate(data) for e in self._undeclared(items, item, f"{where}[{i}]")]
        if not isinstance(data, dict) or not isinstance(schema, dict) or "properties" not in schema:
            return []
        props = schema["properties"]
        errors = [f"{where}.{k}: not declared by the schema" for k in data if k not in props]
        for k, v in data.items():
            if k in props:
                errors += self._undeclared(self._resolve(props[k]), v, f"{where}.{k}")
        return errors


def _error_body_errors(status: int, response: dict[str, Any], payload: Any) -> list[str]:
    """A body for a response that declares none.

    Gitea's description declares the fields of its error answers (``message``,
    ``url``) as headers, while the server sends them as a JSON object: such a body
    may carry exactly those fields, as strings. Its ``notFound`` (APINotFound)
    declares nothing, while Gitea's 404 is the same error object: a 404 may carry
    ``message`` and ``url`` too.
    """
    if payload in (None, "", {}):
        return []
    fields = set(response.get("headers", {})) or ({"message", "url"} if status == 404 else set())
    if not isinstance(payload, dict) or not fields:
        return [f"status {status} declares no body"]
    return [f"error body field {k!r} is not declared" for k, v in payload.items()
            if k not in fields or not isinstance(v, str)]


def _scalar_errors(name: str, value: str | None, param: dict[str, Any]) -> list[str]:
    if value is None:
        return [f"parameter {name} is required"] if param.get("required") else []
    kind = param.get("type")
    if kind == "integer" and not re.fullmatch(r"-?\d+", value):
        return [f"parameter {name}={value!r} is not an integer"]
    if kind == "boolean" and value not in ("true", "false"):
        return [f"parameter {name}={value!r} is not a boolean"]
    if "enum" in param and value not in param["enum"]:
        return [f"parameter {name}={value!r} is not one of {param['enum']}"]
    if kind == "array":
        item = param.get("items", {})
        return [e for v in value.split(",") for e in _scalar_errors(name, v, {**item, "name": name})]
    return []
