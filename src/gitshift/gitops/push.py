"""Pushing without leaving the token anywhere, and telling a lost race from a real failure."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from gitshift.errors import GitError
from gitshift.gitops.repo import Repo

_RACE = ("non-fast-forward", "fetch first", "rejected", "cannot lock ref", "failed to update ref",
         "stale info", "incorrect old value")


def auth_env(repo: Repo, remote: str, token: str | None, kind: str) -> dict[str, str]:
    """Git config, passed through the environment, that sends ``token`` to an HTTPS remote.

    The token never lands in ``.git/config``, on a command line or in a log:
    ``GIT_CONFIG_COUNT`` entries live only in the push's environment. The header
    is keyed by the remote's own URL (fetch and push URL), and an empty value
    first drops any header configured for it: git sends only the most specific
    URL's headers, so a plain ``http.extraHeader`` would lose to the
    ``http.https://github.com/.extraheader`` that actions/checkout persists, and
    two Authorization headers are refused by GitHub.
    """
    if not token:
        return {}
    urls: list[str] = []
    for args in (("remote", "get-url", "--", remote), ("remote", "get-url", "--push", "--", remote)):
        try:
            url = repo.git(*args).strip()
        except GitError:
            continue
        if urlsplit(url).scheme in ("http", "https") and url not in urls:
            urls.append(url)
    if not urls:
        return {}
    user = "oauth2" if kind == "gitlab" else "x-access-token"
    basic = base64.b64encode(f"{user}:{token}".encode()).decode()
    env = {"GIT_TERMINAL_PROMPT": "0"}
    for i, url in enumerate(urls):
        for j, value in enumerate(("", f"Authorization: Basic {basic}")):
            env[f"GIT_CONFIG_KEY_{2 * i + j}"] = f"http.{url}.extraHeader"
            env[f"GIT_CONFIG_VALUE_{2 * i + j}"] = value
    env["GIT_CONFIG_COUNT"] = str(2 * len(urls))
    return env


def push(repo: Repo, remote: str, sha: str, branch: str, env: dict[str, str]) -> bool:
    """Push ``sha`` to ``branch`` on ``remote`` without force; False when another push won the race."""
    try:
        repo.git("push", "--quiet", "--porcelain", "--", remote, f"{sha}:refs/heads/{branch}", env=env)
    except GitError as exc:
        if any(word in exc.detail or word in exc.what for word in _RACE):
            return False
        raise
    return True


def tracking_ref(remote: str, branch: str) -> str:
    """Where the fetched tip of ``branch`` is kept: ``refs/remotes/<name>/`` for a named remote, else per URL."""
    if "/" in remote or ":" in remote:
        return f"refs/gitshift/fetched/{hashlib.sha256(remote.encode()).hexdigest()[:16]}/{branch}"
    return f"refs/remotes/{remote}/{branch}"


def fetch(repo: Repo, remote: str, branch: str, env: dict[str, str]) -> str | None:
    """The tip of ``branch`` on ``remote`` (fetched now), or None when the remote lacks it."""
    ref = tracking_ref(remote, branch)
    try:
        repo.git("fetch", "--quiet", "--no-tags", "--", remote, f"+refs/heads/{branch}:{ref}", env=env)
    except GitError as exc:
        if "couldn't find remote ref" in exc.detail or "couldn't find remote ref" in exc.what:
            return None
        if any(word in exc.detail for word in _RACE):
            return repo.rev_parse(ref)
        raise
    return repo.rev_parse(ref)
