"""Building blocks of the fake forges: a parsed call, an answer, a route table, faults."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, unquote


@dataclass
class Call:
    """One request as a fake forge sees it.

    Attributes:
        method: the HTTP method.
        path: the raw (still percent-encoded) path below the forge's API root, no query.
        query: the query string, parsed.
        headers: request headers (names as sent).
        body: the raw body.
        params: the route's path parameters, percent-decoded.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """A header's value, whatever the case of its name."""
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query parameter."""
        return self.query.get(name, [default])[0]

    def data(self) -> Any:
        """The body: JSON, or a form decoded to a dict (GitLab accepts both)."""
        if not self.body:
            return None
        if "application/x-www-form-urlencoded" in (self.header("Content-Type") or ""):
            return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}
        return json.loads(self.body)


@dataclass
class Answer:
    """What a fake forge sends back; ``checked`` is False for answers outside the contract
    (an auth failure, an injected fault) that must not be validated as the API's own."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    checked: bool = True


C = TypeVar("C", bound=Call)


class Router(Generic[C]):
    """Method-and-path routes to handlers taking ``C``; a pattern names parameters like ``{owner}``."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Callable[[C], Answer]]] = []

    def route(self, method: str, pattern: str) -> Callable[[Callable[[C], Answer]], Callable[[C], Answer]]:
        """Register the decorated function for ``method`` and ``pattern``."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")

        def register(handler: Callable[[C], Answer]) -> Callable[[C], Answer]:
            self._routes.append((method, regex, handler))
            return handler

        return register

    def match(self, call: Call) -> Callable[[C], Answer] | None:
        """The handler for ``call`` (filling ``call.params``), or None."""
        for method, regex, handler in self._routes:
            found = regex.match(call.path)
            if found and method == call.method:
                call.params = {k: unquote(v) for k, v in found.groupdict().items()}
                return handler
        return None

    def knows_path(self, path: str) -> bool:
        """Whether any route matches ``path`` whatever the method."""
        return any(regex.match(path) for _, regex, _ in self._routes)


@dataclass
class Fault:
    """A misbehaviour injected on calls whose method and raw path match.

    Attributes:
        method: the HTTP method, or ``*``.
        pattern: an fnmatch pattern over the raw request path (query excluded).
        kind: ``answer`` (send ``status``/``headers``/``body``), ``drop`` (close without
            answering), ``drop_after`` (do the work, then close), ``slow`` (wait ``delay``).
        times: how many matching calls it still affects.
    """

    method: str
    pattern: str
    kind: str
    times: int = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a call (and has uses left)."""
        return self.times > 0 and self.method in ("*", method) and fnmatch.fnmatchcase(path, self.pattern)


@dataclass
class Recorded:
    """A request the server received, and the status it answered (None: dropped)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None

    def text(self) -> str:
        """Everything about the request as one string (for searching a secret in it)."""
        head = "\n".join(f"{k}: {v}" for k, v in self.headers.items())
        return f"{self.method} {self.target}\n{head}\n\n{self.body.decode(errors='replace')}"
