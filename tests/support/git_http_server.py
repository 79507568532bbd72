"""A real git server over HTTP for tests: ``git http-backend`` behind a token check, on 127.0.0.1.

Bare repositories under ``root`` are served at ``/<owner>/<name>.git``. Every
request must carry the token, as GitHub takes it: ``Authorization: Basic``
with the user ``x-access-token`` and the token as password, or ``Bearer``.
Two ``Authorization`` headers are refused with 400, as GitHub does. While a
request is served, every process's command line is searched for the token
(and its Basic form); a hit is recorded in ``leaks``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

TOKEN = "ghp_GitServerTokenThatMustNeverLeak0123456789"


def backend() -> str:
    """The path of ``git-http-backend``, which ships with git."""
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
    return str(Path(exec_path) / "git-http-backend")


class GitHttpServer:
    """Serves the bare repositories under ``root``; ``tokens`` says which credentials are good."""

    def __init__(self, root: Path, token: str = TOKEN) -> None:
        self.root = root
        self.token = token
        self.extra_tokens: Callable[[], Any] = lambda: ()  # more good tokens (a fake forge's minted ones)
        self.requests: list[tuple[str, str, str]] = []  # method, path, the scheme of Authorization
        self.leaks: list[str] = []
        self.before_push: Callable[[str], None] | None = None  # called once per push, with the repo path
        self._lock = threading.Lock()
        self._backend = backend()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.git = self  # type: ignore[attr-defined]  # read back by _Handler
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def repo_url(self, full_name: str) -> str:
        """The clone URL of ``owner/name``."""
        return f"{self.url}/{full_name}.git"

    def add_bare(self, full_name: str, source: Path) -> Path:
        """Serve a bare clone of ``source`` as ``owner/name``."""
        bare = self.root / f"{full_name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
        return bare

    def start(self) -> GitHttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def secrets(self) -> list[str]:
        """Every good token and its Basic form: none may show up anywhere but a request header."""
        out = []
        for token in (self.token, *self.extra_tokens()):
            out += [token, base64.b64encode(f"x-access-token:{token}".encode()).decode()]
        return out

    def authorized(self, values: list[str]) -> tuple[bool, str]:
        """Whether the request's Authorization headers carry a good token, and its scheme."""
        if len(values) != 1:
            return False, "none" if not values else "duplicate"
        scheme, _, credential = values[0].partition(" ")
        good = {self.token, *self.extra_tokens()}
        if scheme.lower() == "bearer":
            return credential in good, "bearer"
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credential, validate=True).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return False, "basic"
            return user == "x-access-token" and password in good, "basic"
        return False, scheme.lower()

    def scan_processes(self) -> None:
        """Record any process whose command line holds a secret."""
        secrets = [s.encode() for s in self.secrets()]
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if any(secret in argv for secret in secrets):
                with self._lock:
                    self.leaks.append(f"pid {pid}: " + argv.replace(b"\0", b" ").decode(errors="replace")[:300])

    def run_backend(self, handler: _Handler, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(handler.path)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "REQUEST_METHOD": handler.command,
            "PATH_INFO": parts.path,
            "QUERY_STRING": parts.query,
            "CONTENT_TYPE": handler.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",  # enables receive-pack, as an authenticated user
            "REMOTE_ADDR": "127.0.0.1",
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        for header in ("Content-Encoding", "Git-Protocol"):
            if handler.headers.get(header):
                env["HTTP_" + header.upper().replace("-", "_")] = handler.headers[header]
        proc = subprocess.run([self._backend], input=body, capture_output=True, env=env, check=False, timeout=60)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        if not _ and b"\n\n" in proc.stdout:
            head, _, payload = proc.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode(errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        return status, headers, payload


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_GET

    def _serve(self) -> None:
        server: GitHttpServer = self.server.git  # type: ignore[attr-defined]
        body = self._body()
        server.scan_processes()
        ok, scheme = server.authorized(self.headers.get_all("Authorization") or [])
        with server._lock:
            server.requests.append((self.command, self.path, scheme))
        if scheme == "duplicate":
            return self._answer(400, [], b"Duplicate header: 'Authorization'\n")
        if not ok:
            return self._answer(401, [("WWW-Authenticate", 'Basic realm="git"')], b"Authentication required\n")
        if self.command == "POST" and self.path.endswith("/git-receive-pack") and server.before_push is not None:
            hook, server.before_push = server.before_push, None
            hook(urlsplit(self.path).path.rsplit("/git-receive-pack", 1)[0])
        status, headers, payload = server.run_backend(self, body)
        self._answer(status, headers, payload)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture
def git_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHttpServer]:
    """A started git HTTP server; the test fails if a secret showed up in a process's command line."""
    server = GitHttpServer(tmp_path_factory.mktemp("git-http")).start()
    try:
        yield server
    finally:
        server.stop()
    if server.leaks:
        pytest.fail("token in a command line:\n" + "\n".join(server.leaks), pytrace=False)
