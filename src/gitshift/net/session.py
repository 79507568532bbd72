"""One HTTP session per service (a forge, Argo CD, Prometheus): timeouts, retries, rate limits, redaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from gitshift import __version__
from gitshift.errors import ForgeError
from gitshift.net.redact import check_token, redact, redact_headers
from gitshift.net.retry import RetryPolicy, rate_limit_wait, rate_limited

__all__ = ["Reply", "RetryPolicy", "Session", "redact", "redact_headers"]

log = logging.getLogger("gitshift.forge")

# Failures a later attempt may not meet: the network, a timeout, an answer cut short.
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class Reply:
    """An answer: status, decoded JSON body (``None`` when empty) and headers."""

    status: int
    data: Any
    headers: Mapping[str, str] = field(default_factory=dict)


class Session:
    """Calls one service's REST API; retries what a retry can cure and raises ForgeError otherwise.

    Retries are done here rather than by urllib3's ``Retry`` because a rate limit
    is announced differently per forge (``X-RateLimit-Reset``, ``RateLimit-Reset``,
    a 403 with ``X-RateLimit-Remaining: 0``) and the total time must stay bounded.
    """

    def __init__(
        self,
        forge: str,
        base_url: str,
        headers: Mapping[str, str],
        token: str | None,
        policy: RetryPolicy | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self.forge = forge
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self._secrets = (check_token(token, f"{forge} token"), *secrets)  # masked in everything logged or raised
        self._http = requests.Session()
        self._http.trust_env = False  # no netrc or proxy credentials slipped in behind our back
        self._http.mount("http://", HTTPAdapter(max_retries=0))
        self._http.mount("https://", HTTPAdapter(max_retries=0))
        self._http.headers.update({"User-Agent": f"gitshift/{__version__}", **headers})

    def close(self) -> None:
        """Release pooled connections."""
        self._http.close()

    def redact(self, text: str) -> str:
        """``text`` with this session's token and any credential masked."""
        return redact(text, self._secrets)

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        accept: tuple[int, ...] = (),
    ) -> Reply:
        """Send one API call, retrying transient failures within the policy.

        Args:
            method: the HTTP method.
            path: the path below the API base URL, already percent-encoded.
            params: query parameters.
            json: the JSON body, if any.
            accept: error statuses returned to the caller instead of raised (say 404).

        Returns:
            The successful (or accepted) answer.

        Raises:
            ForgeError: a 4xx answer, or retries exhausted on 5xx, rate limits or network errors.
        """
        call = f"{method} {path}"
        deadline = time.monotonic() + self.policy.budget
        last, cause = "no answer", None
        for attempt in range(1, self.policy.attempts + 1):
            remaining = deadline - time.monotonic()
            try:
                resp = self._send(method, path, params, json, remaining)
            except _TRANSIENT as exc:
                last, cause = f"{type(exc).__name__}: {self.redact(str(exc))}", exc
                wait = self.policy.backoff_for(attempt)
            except requests.RequestException as exc:
                why = f"{type(exc).__name__}: {self.redact(str(exc))}"
                # from None: such errors can quote a header value, the token included.
                raise self._error(call, "the request could not be sent", why) from None
            else:
                if resp.status_code < 400 or resp.status_code in accept:
                    return self._reply(call, resp)
                message = self._message(_decode_quietly(resp), resp.reason or resp.text)
                last = f"status {resp.status_code}: {message}"
                limited = rate_limited(resp.status_code, resp.headers)
                if resp.status_code < 500 and not limited:
                    raise self._refused(call, resp.status_code, message)
                wait = self.policy.backoff_for(attempt)
                if limited:
                    wait = rate_limit_wait(resp.headers, wait)
                    if wait > min(self.policy.max_wait, deadline - time.monotonic()):
                        why = f"rate limited; the limit resets in {wait:.0f}s"
                        raise self._error(call, why, last)
                    wait += self.policy.jitter()
            if attempt == self.policy.attempts or time.monotonic() + wait > deadline:
                break
            log.debug("%s %s: retry %d in %.2fs after %s", self.forge, call, attempt, wait, last)
            time.sleep(wait)
        raise self._error(call, f"gave up after {attempt} attempt(s)", last) from cause

    def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, remaining: float
    ) -> requests.Response:
        read = max(0.05, min(self.policy.read_timeout, remaining))
        connect = max(0.05, min(self.policy.connect_timeout, remaining))
        start = time.monotonic()
        url = self.base_url + path
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "%s %s %s headers=%s",
                self.forge,
                method,
                self.redact(url),
                redact_headers({k: str(v) for k, v in self._http.headers.items()}, self._secrets),
            )
        try:
            resp = self._http.request(method, url, params=params, json=body, timeout=(connect, read))
        except requests.RequestException as exc:
            log.debug(
                "%s %s %s -> %s (%.0f ms)",
                self.forge,
                method,
                self.redact(url),
                type(exc).__name__,
                (time.monotonic() - start) * 1000,
            )
            raise
        log.debug(
            "%s %s %s -> %d (%.0f ms)",
            self.forge,
            method,
            self.redact(resp.url),
            resp.status_code,
            (time.monotonic() - start) * 1000,
        )
        return resp

    def _reply(self, call: str, resp: requests.Response) -> Reply:
        if resp.status_code >= 400:
            return Reply(resp.status_code, _decode_quietly(resp), dict(resp.headers))
        try:
            data = _decode(resp)
        except ValueError:
            raise ForgeError(
                f"{self.forge} answered {call} with a body that is not JSON",
                f"{self.forge} {self.redact(self.base_url)}",
                "check forge.api_url",
            ) from None
        return Reply(resp.status_code, data, dict(resp.headers))

    def _message(self, data: Any, fallback: str) -> str:
        """The forge's own error message, short and redacted."""
        text = ""
        if isinstance(data, dict):
            parts = [data.get("message"), data.get("error")]
            errors = data.get("errors")
            if isinstance(errors, list):
                parts += [e.get("message") or e.get("code") if isinstance(e, dict) else e for e in errors]
            text = "; ".join(str(p) for p in parts if p)
        return self.redact(" ".join((text or fallback).split()))[:300]

    def refused(self, method: str, path: str, reply: Reply) -> ForgeError:
        """The error for an accepted answer the caller cannot use (say an unexpected 422)."""
        return self._refused(f"{method} {path}", reply.status, self._message(reply.data, str(reply.status)))

    def _refused(self, call: str, status: int, message: str) -> ForgeError:
        hints = {
            401: "the token was refused; check that it is set and not expired",
            403: "the token lacks a permission this call needs",
            404: "check forge.project and forge.api_url in gitshift.yaml, and the token's access",
        }
        return ForgeError(
            f"{self.forge} refused {call}: status {status}: {message}",
            f"{self.forge} {self.redact(self.base_url)}",
            hints.get(status, ""),
        )

    def _error(self, call: str, why: str, last: str) -> ForgeError:
        return ForgeError(
            f"{self.forge} API call {call} failed: {why}; last: {last}",
            f"{self.forge} {self.redact(self.base_url)}",
            "retry later; run with -v to see each attempt",
        )


def _decode(resp: requests.Response) -> Any:
    """The JSON body, ``None`` when empty; ValueError when it is not JSON."""
    return resp.json() if resp.content else None


def _decode_quietly(resp: requests.Response) -> Any:
    try:
        return _decode(resp)
    except ValueError:
        return None
