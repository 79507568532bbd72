"""GitHub's Git Data API on the fake GitHub, backed by a real bare repository.

A repository of the fake given ``git_dir`` (the test's bare ``origin``) writes
blobs, trees, commits and refs into it with git itself, so what the API made
can be fetched and checked like any pushed commit. Ref updates are never forced:
a PATCH that is not a fast-forward is refused with 422, as GitHub does.
"""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .github_fake import DOCS, router
from .github_objects import API, STAMP, WEB
from .http_fake import Answer

if TYPE_CHECKING:
    from .github_fake import _Ctx


def git(git_dir: Path, *args: str, data: bytes | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "--git-dir", str(git_dir), *args], input=data, capture_output=True, check=False,
                          env={**os.environ, **(env or {})})
    if proc.returncode:
        raise ValueError(proc.stderr.decode(errors="replace").strip())
    return proc.stdout.decode().strip()


def _unprocessable(message: str) -> Answer:
    return Answer(422, {"message": message, "documentation_url": DOCS})


def _git_dir(c: _Ctx) -> Path | None:
    repo = c.repo()
    return repo.git_dir if repo is not None else None


@router.route("POST", "/repos/{owner}/{repo}/git/blobs")
def _blob(c: _Ctx) -> Answer:
    git_dir, data = _git_dir(c), c.data()
    if git_dir is None:
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
    raw = base64.b64decode(data["content"]) if data.get("encoding") == "base64" else data["content"].encode()
    sha = git(git_dir, "hash-object", "-w", "--stdin", data=raw)
    return Answer(201, {"url": f"{API}/repos/{c.params['owner']}/{c.params['repo']}/git/blobs/{sha}", "sha": sha},
                  {"Location": f"{API}/repos/{c.params['owner']}/{c.params['repo']}/git/blobs/{sha}"})


@router.route("POST", "/repos/{owner}/{repo}/git/trees")
def _tree(c: _Ctx) -> Answer:
    git_dir, data = _git_dir(c), c.data()
    if git_dir is None:
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
    fd, index = tempfile.mkstemp(prefix="fake-github-index-")
    os.close(fd)
    env = {"GIT_INDEX_FILE": index}
    try:
        if data.get("base_tree"):
            git(git_dir, "read-tree", data["base_tree"], env=env)
        else:
            Path(index).unlink()
        for entry in data["tree"]:
            if entry.get("sha") is None:
                git(git_dir, "update-index", "--force-remove", "--", entry["path"], env=env)
            else:
                git(git_dir, "update-index", "--add", "--cacheinfo", f"{entry['mode']},{entry['sha']},{entry['path']}",
                    env=env)
        sha = git(git_dir, "write-tree", env=env)
    except ValueError as exc:
        return _unprocessable(f"GitRPC::BadObjectState: {exc}")
    finally:
        Path(index).unlink(missing_ok=True)
    return Answer(201, _tree_json(c, git_dir, sha))


def _tree_json(c: _Ctx, git_dir: Path, sha: str) -> dict[str, Any]:
    base = f"{API}/repos/{c.params['owner']}/{c.params['repo']}/git"
    entries = []
    for line in git(git_dir, "ls-tree", sha).splitlines():
        meta, path = line.split("\t", 1)
        mode, kind, obj = meta.split()
        entries.append({"path": path, "mode": mode, "type": kind, "sha": obj, "url": f"{base}/{kind}s/{obj}"})
    return {"sha": sha, "url": f"{base}/trees/{sha}", "truncated": False, "tree": entries}


@router.route("POST", "/repos/{owner}/{repo}/git/commits")
def _commit(c: _Ctx) -> Answer:
    git_dir, data = _git_dir(c), c.data()
    if git_dir is None:
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
    who = c.actor
    email = f"{c.fake.user_id(who)}+{who}@users.noreply.github.com"
    env = {"GIT_AUTHOR_NAME": who, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": "GitHub",
           "GIT_COMMITTER_EMAIL": "noreply@github.com", "GIT_AUTHOR_DATE": STAMP, "GIT_COMMITTER_DATE": STAMP}
    parents = [arg for p in data.get("parents", []) for arg in ("-p", p)]
    try:
        sha = git(git_dir, "commit-tree", data["tree"], *parents, "-F", "-", data=data["message"].encode(), env=env)
    except ValueError as exc:
        return _unprocessable(f"Tree SHA does not exist: {exc}")
    c.fake.api_commits.append(sha)
    base = f"{API}/repos/{c.params['owner']}/{c.params['repo']}/git"
    person = {"name": who, "email": email, "date": STAMP}
    return Answer(201, {
        "sha": sha, "node_id": f"C_{sha[:12]}", "url": f"{base}/commits/{sha}",
        "html_url": f"{WEB}/{c.params['owner']}/{c.params['repo']}/commit/{sha}",
        "author": person, "committer": {"name": "GitHub", "email": "noreply@github.com", "date": STAMP},
        "tree": {"sha": data["tree"], "url": f"{base}/trees/{data['tree']}"}, "message": data["message"],
        "parents": [{"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{WEB}/commit/{p}"}
                    for p in data.get("parents", [])],
        "verification": {"verified": True, "reason": "valid", "payload": None, "signature": None,
                         "verified_at": STAMP},
    })


def _ref_json(c: _Ctx, ref: str, sha: str) -> dict[str, Any]:
    base = f"{API}/repos/{c.params['owner']}/{c.params['repo']}/git"
    return {"ref": ref, "node_id": f"REF_{sha[:8]}", "url": f"{base}/{ref}",
            "object": {"type": "commit", "sha": sha, "url": f"{base}/commits/{sha}"}}


@router.route("POST", "/repos/{owner}/{repo}/git/refs")
def _create_ref(c: _Ctx) -> Answer:
    git_dir, data = _git_dir(c), c.data()
    if git_dir is None:
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
    try:
        git(git_dir, "update-ref", data["ref"], data["sha"], "0" * 40)
    except ValueError:
        return _unprocessable("Reference already exists")
    return Answer(201, _ref_json(c, data["ref"], data["sha"]))


@router.route("PATCH", "/repos/{owner}/{repo}/git/refs/{ref}")
def _update_ref(c: _Ctx) -> Answer:
    git_dir, data = _git_dir(c), c.data()
    if git_dir is None:
        return Answer(404, {"message": "Not Found", "documentation_url": DOCS})
    ref = "refs/" + unquote(c.params["ref"])
    try:
        old = git(git_dir, "rev-parse", "--verify", ref)
    except ValueError:
        return _unprocessable("Reference does not exist")
    if c.fake.before_ref_update is not None:  # a test's other writer, between read and write
        hook, c.fake.before_ref_update = c.fake.before_ref_update, None
        hook()
        old_now = git(git_dir, "rev-parse", "--verify", ref)
    else:
        old_now = old
    fast_forward = subprocess.run(["git", "--git-dir", str(git_dir), "merge-base", "--is-ancestor", old_now,
                                   data["sha"]], capture_output=True, check=False).returncode == 0
    if not fast_forward and not data.get("force"):
        return _unprocessable("Update is not a fast forward")
    git(git_dir, "update-ref", ref, data["sha"], old_now)
    return Answer(200, _ref_json(c, ref, data["sha"]))
