"""A webhook receiver for forges whose CI cannot start on a comment (``gitshift serve``).

Every delivery is authenticated before its body is parsed: GitHub's
``X-Hub-Signature-256`` and Gitea's ``X-Gitea-Signature`` (Forgejo's
``X-Forgejo-Signature``), HMAC-SHA256 of the raw body, and GitLab's
``X-Gitlab-Token``, all compared in constant time. Accepted events wait in a
bounded queue and one worker handles them one at a time, so the repository
the server keeps is never worked on by two events at once. A delivery or
comment already handled (kept in a ``ReplayWindow``) is answered 200 and not
handled again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import queue
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MAX_BODY = 1 << 20  # GitHub caps payloads at 25 MB, but a comment event is a few KB
QUEUE_SIZE = 16
Process = Callable[[str, bytes], None]
WINDOW = 30 * 24 * 3600  # seconds a handled delivery or comment is remembered
MAX_SEEN = 10000  # and at most this many


class ReplayWindow:
    """Delivery and comment ids already handled, kept in a file so a restart remembers them.

    A signed delivery sent again (by an attacker who saw it, or a forge's
    redelivery) carries the same ``X-GitHub-Delivery`` / ``X-Gitlab-Event-UUID``,
    or the same comment id: it is answered without being handled twice.
    """

    def __init__(self, path: Path | None, window: float = WINDOW, limit: int = MAX_SEEN) -> None:
        self.path, self.window, self.limit = path, window, limit
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                self._seen = {str(k): float(v) for k, v in loaded.items()}
            except (OSError, ValueError, AttributeError, TypeError):
                self._seen = {}  # an unreadable window is started afresh; deliveries stay signed
        self._prune(time.time())

    def claim(self, keys: list[str]) -> str | None:
        """Record ``keys`` as handled; the first one already recorded (nothing is recorded then), or None."""
        now = time.time()
        with self._lock:
            self._prune(now)
            for key in keys:
                if key in self._seen:
                    return key
            for key in keys:
                self._seen[key] = now
            self._save()
        return None

    def release(self, keys: list[str]) -> None:
        """Forget ``keys`` (the event was not taken after all, so the forge's retry must be handled)."""
        with self._lock:
            for key in keys:
                self._seen.pop(key, None)
            self._save()

    def _prune(self, now: float) -> None:
        fresh = sorted(((t, k) for k, t in self._seen.items() if now - t < self.window), reverse=True)
        self._seen = {k: t for t, k in fresh[:self.limit]}

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.write_text(json.dumps(self._seen), encoding="utf-8")
        os.replace(tmp, self.path)


def replay_keys(forge: str, headers: Any, body: bytes) -> list[str]:
    """What identifies a delivery: its delivery id header, and the comment (forge, project, id) it carries."""
    keys = []
    delivery = headers.get("X-GitHub-Delivery") if forge == "github" else headers.get("X-Gitlab-Event-UUID")
    if delivery:
        keys.append(f"{forge}:delivery:{delivery.strip()[:100]}")
    try:
        data = json.loads(body)
        if forge == "github":
            project, cid = data["repository"]["full_name"], data["comment"]["id"]
        else:
            project, cid = data["project"]["path_with_namespace"], data["object_attributes"]["id"]
        action = data.get("action") if forge == "github" else (data["object_attributes"].get("action") or "create")
    except (ValueError, KeyError, TypeError, AttributeError):
        return keys
    if action in ("created", "create"):  # an edit of the same comment is another event (and is ignored)
        keys.append(f"{forge}:comment:{str(project).casefold()}:{cid}")
    return keys


def github_signature(secret: bytes, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header GitHub sends for ``body``."""
    return "sha256=" + gitea_signature(secret, body)


def gitea_signature(secret: bytes, body: bytes) -> str:
    """The ``X-Gitea-Signature`` header Gitea (and Forgejo) send for ``body``: the bare hex HMAC-SHA256."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def forge_of(headers: Any) -> str | None:
    """Which forge sent a delivery; Gitea also sends GitHub's and Gogs' headers, so it is asked first."""
    if "X-Gitea-Event" in headers or "X-Forgejo-Event" in headers:
        return "gitea"
    if "X-GitHub-Event" in headers:
        return "github"
    return "gitlab" if "X-Gitlab-Event" in headers else None


class WebhookServer:
    """The HTTP server, its queue and its one worker.

    Args:
        host: the address to listen on.
        port: the port; 0 picks a free one (see ``port``).
        secret: the webhook secret shared with the forge.
        process: called on the worker with the forge (``github``/``gitlab``/``gitea``) and the raw body.
        log: where the worker reports what happened (one line each).
    """

    def __init__(self, host: str, port: int, secret: str, process: Process, log: Callable[[str], None],
                 queue_size: int = QUEUE_SIZE, max_body: int = MAX_BODY, seen: ReplayWindow | None = None) -> None:
        self.secret = secret.encode()
        self.process, self.log, self.max_body = process, log, max_body
        self.seen = seen or ReplayWindow(None)
        self.queue: queue.Queue[tuple[str, bytes] | None] = queue.Queue(maxsize=queue_size)
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.webhooks = self  # type: ignore[attr-defined]  # read back by _Handler
        self.worker = threading.Thread(target=self._work, name="gitshift-worker", daemon=True)
        self.worker.start()

    @property
    def port(self) -> int:
        """The port actually listened on."""
        return int(self.httpd.server_address[1])

    def serve_forever(self) -> None:
        """Answer requests until ``shutdown``."""
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop answering, let the worker finish the queue, and close the socket."""
        self.httpd.shutdown()
        self.queue.put(None)
        self.worker.join()
        self.httpd.server_close()

    def authentic(self, forge: str, headers: Any, body: bytes | None) -> bool:
        """Whether the delivery carries the right signature (GitHub, Gitea) or token (GitLab)."""
        if forge == "gitlab":
            return hmac.compare_digest((headers.get("X-Gitlab-Token") or "").encode(), self.secret)
        if body is None:
            return False
        if forge == "gitea":
            given = (headers.get("X-Gitea-Signature") or headers.get("X-Forgejo-Signature") or "").encode()
            return hmac.compare_digest(given, gitea_signature(self.secret, body).encode())
        given = (headers.get("X-Hub-Signature-256") or "").encode()
        return hmac.compare_digest(given, github_signature(self.secret, body).encode())

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            try:
                self.process(*item)
            except Exception as exc:  # one bad event must not stop the worker; process reports its own errors
                self.log(f"gitshift: error: {type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else ~44 ms per answer (DESIGN: where the time goes)
    timeout = 10  # a client that stops sending mid-body loses its connection

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the worker reports what each event did."""

    def do_GET(self) -> None:
        self._answer(200 if self.path == "/healthz" else 404, {"status": "ok"} if self.path == "/healthz" else {})

    def do_POST(self) -> None:
        hooks: WebhookServer = self.server.webhooks  # type: ignore[attr-defined]
        forge = forge_of(self.headers)
        if forge is None:
            return self._answer(400, {"message": "not a GitHub, GitLab or Gitea webhook delivery"})
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._answer(411, {"message": "Content-Length required"})
        if length < 0 or length > hooks.max_body:
            return self._answer(413, {"message": f"body over {hooks.max_body} bytes"})
        if forge == "gitlab" and not hooks.authentic(forge, self.headers, None):
            return self._answer(401, {"message": "bad or missing X-Gitlab-Token"})
        body = self.rfile.read(length)
        if forge != "gitlab" and not hooks.authentic(forge, self.headers, body):
            header = "X-Gitea-Signature" if forge == "gitea" else "X-Hub-Signature-256"
            return self._answer(401, {"message": f"bad or missing {header}"})
        kind = (self.headers.get("X-Gitea-Event") or self.headers.get("X-Forgejo-Event")
                or self.headers.get("X-GitHub-Event") or self.headers.get("X-Gitlab-Event") or "")
        if kind == "ping":
            return self._answer(200, {"message": "pong"})
        if kind not in ("issue_comment", "Note Hook"):
            return self._answer(202, {"message": f"ignored: {kind} events carry no comment command"})
        keys = replay_keys(forge, self.headers, body)
        if hooks.seen.claim(keys) is not None:
            return self._answer(200, {"message": "already handled: a replayed delivery does nothing"})
        try:
            hooks.queue.put_nowait((forge, body))
        except queue.Full:
            hooks.seen.release(keys)
            return self._answer(503, {"message": "busy: too many events waiting"}, {"Retry-After": "30"})
        return self._answer(202, {"message": "accepted"})

    def _answer(self, status: int, data: dict[str, str], headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(data).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status >= 400:
            self.send_header("Connection", "close")  # the body may be left unread
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)
