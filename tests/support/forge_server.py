"""A real HTTP fake of GitHub and GitLab for tests, and the ``forge_server`` fixture.

One ``ThreadingHTTPServer`` on 127.0.0.1 (port 0) serves GitHub at its root (or
under ``github_prefix``, like GitHub Enterprise's ``/api/v3``), GitLab under
``/api/v4`` and Gitea under ``/api/v1``. Every GitHub request and answer is checked
against ``tests/contracts/github-rest.json``, Gitea's against ``gitea-api.json``;
GitLab calls against the table in ``gitlab-mr-endpoints.md``. A breach is recorded in ``violations`` and answered
with 400 (request) or 500 (answer); the fixture fails the test at teardown.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from .gitea_fake import GiteaFake
from .github_fake import GitHubFake
from .gitlab_fake import GitLabFake
from .http_fake import Answer, Call, Fault, Recorded

TOKEN = "ghp_T0kenValueThatMustNeverLeak1234567890"


class ForgeServer:
    """The fake forges, their state, the requests they received and any contract breach."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.github_prefix = ""
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self.github = GitHubFake(self)
        self.gitlab = GitLabFake(self)
        self.gitea = GiteaFake(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.forge = self  # type: ignore[attr-defined]  # read back by _Handler
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def github_url(self) -> str:
        """The GitHub API root to configure (``api_url``)."""
        return self.url + self.github_prefix

    @property
    def gitlab_url(self) -> str:
        """The GitLab API root to configure (``api_url``)."""
        return self.url + "/api/v4"

    @property
    def gitea_url(self) -> str:
        """The Gitea API root to configure (``api_url``)."""
        return self.url + "/api/v1"

    def start(self) -> ForgeServer:
        """Serve in a background thread, the contract loaded first so no call waits for it."""
        self.github.contract.warm()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (again: no-op); handler threads are daemons."""
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def violation(self, message: str) -> None:
        """Record a contract breach; the fixture fails the test with it."""
        with self._lock:
            self.violations.append(message)

    # Fault injection -------------------------------------------------------

    def fail(
        self,
        method: str,
        pattern: str,
        status: int = 503,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> Fault:
        """Answer the next ``times`` matching calls with ``status`` instead of doing them."""
        body = {"message": f"injected {status}"} if body is None else body
        return self._add(Fault(method, pattern, "answer", times, status, headers or {}, body))

    def rate_limit(
        self,
        method: str,
        pattern: str,
        status: int = 429,
        times: int = 1,
        retry_after: float | None = None,
        reset_in: float | None = None,
    ) -> Fault:
        """Refuse calls as rate limited, GitHub style (403 + ``X-RateLimit-Remaining: 0``)
        or with 429; ``retry_after`` sets ``Retry-After``, ``reset_in`` the reset headers."""
        headers = {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "RateLimit-Remaining": "0"}
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        if reset_in is not None:
            reset = str(int(time.time() + reset_in))
            headers.update({"X-RateLimit-Reset": reset, "RateLimit-Reset": reset})
        return self.fail(method, pattern, status, times, headers, {"message": "API rate limit exceeded"})

    def drop(self, method: str, pattern: str, times: int = 1, after: bool = False) -> Fault:
        """Close the connection without an answer, before (or ``after``) doing the work."""
        return self._add(Fault(method, pattern, "drop_after" if after else "drop", times))

    def slow(self, method: str, pattern: str, delay: float, times: int = 1) -> Fault:
        """Wait ``delay`` seconds before answering."""
        return self._add(Fault(method, pattern, "slow", times, delay=delay))

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    # Requests ----------------------------------------------------------------

    def calls(self, method: str | None = None, contains: str = "") -> list[Recorded]:
        """Recorded requests, narrowed by method and a substring of the target."""
        return [r for r in self.requests if method in (None, r.method) and contains in r.target]

    def transcript(self) -> str:
        """Every recorded request as text."""
        return "\n\n".join(r.text() for r in self.requests)

    def dispatch(self, record: Recorded) -> Answer | None:
        """Answer one request; None means: close the connection without answering."""
        with self._lock:
            self.requests.append(record)
        parts = urlsplit(record.target)
        fault = self._take_fault(record.method, parts.path)
        if fault is not None and fault.kind == "drop":
            return None
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "answer":
            record.status = fault.status
            return Answer(fault.status, fault.body, dict(fault.headers), checked=False)
        answer = self._route(record, parts.path, parse_qs(parts.query))
        record.status = answer.status
        return None if fault is not None and fault.kind == "drop_after" else answer

    def _route(self, record: Recorded, path: str, query: dict[str, list[str]]) -> Answer:
        def call(below: str) -> Call:
            return Call(record.method, below, query, record.headers, record.body)

        if path.startswith("/api/v4/"):
            return self.gitlab.handle(call(path[len("/api/v4") :]))
        if path.startswith("/api/v1/"):
            return self.gitea.handle(call(path[len("/api/v1") :]))
        if self.github_prefix and not path.startswith(self.github_prefix + "/"):
            return Answer(404, {"message": "Not Found"}, checked=False)
        return self.github.handle(call(path[len(self.github_prefix) :]))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as forges serve
    disable_nagle_algorithm = True  # else ~44 ms stall per answer (DESIGN: where the time goes)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the server records requests itself."""

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = Recorded(self.command, self.path, dict(self.headers.items()), body)
        forge: ForgeServer = self.server.forge  # type: ignore[attr-defined]
        try:
            answer = forge.dispatch(record)
        except Exception:  # a bug in the fake must fail the test, not hang the client
            forge.violation(f"the fake crashed on {record.method} {record.target}:\n" + traceback.format_exc())
            answer = Answer(500, {"message": "the fake forge crashed"}, checked=False)
        if answer is None:
            self.close_connection = True
            return
        payload = b"" if answer.body is None else json.dumps(answer.body).encode()
        try:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting (a slow answer)


@pytest.fixture
def forge_server() -> Iterator[ForgeServer]:
    """A started fake forge; the test fails if any call broke the contract."""
    server = ForgeServer().start()
    try:
        yield server
    finally:
        server.stop()
    if server.violations:
        pytest.fail("forge contract violations:\n" + "\n".join(server.violations), pytrace=False)
