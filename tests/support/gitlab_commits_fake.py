"""GitLab's Commits API and file lookups on the fake GitLab, backed by a real bare repository.

A project given ``git_dir`` (the test's bare ``origin``) answers
``GET /projects/:id/repository/files/:file_path`` from it and makes the commits of
``POST /projects/:id/repository/commits`` in it, with GitLab's own rules (from
``lib/api/commits.rb``, ``app/services/commits/create_service.rb`` and
``app/services/files/multi_service.rb``): the commit goes on the branch's tip as
the call finds it; ``last_commit_id`` refuses an action on a file changed since;
a new branch needs ``start_branch`` or ``start_sha`` and must not exist unless
``force``; every refusal is a 400 with GitLab's message.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any

from . import git_store
from .gitlab_fake import STAMP, WEB, router
from .http_fake import Answer

if TYPE_CHECKING:
    from pathlib import Path

    from .gitlab_fake import Project, _Ctx

SHA = re.compile(r"[0-9a-f]{40}")


class Refused(Exception):
    """A commit GitLab refuses: its 400 message."""


def _bad(message: str) -> Answer:
    return Answer(400, {"message": message})


def _repo(c: _Ctx) -> tuple[Project, Path] | None:
    project = c.project()
    return (project, project.git_dir) if project is not None and project.git_dir is not None else None


@router.route("GET", "/projects/{id}/repository/files/{file_path}")
def _file(c: _Ctx) -> Answer:
    if c.fake.before_file_read is not None:  # a test's other writer, before GitLab reads the ref
        hook, c.fake.before_file_read = c.fake.before_file_read, None
        hook()
    found = _repo(c)
    if found is None:
        return Answer(404, {"message": "404 Project Not Found"})
    git_dir, ref, path = found[1], c.arg("ref") or "", c.params["file_path"]
    commit = git_store.resolve(git_dir, ref if SHA.fullmatch(ref) else f"refs/heads/{ref}")
    if commit is None:
        return Answer(404, {"message": "404 Commit Not Found"})
    item = git_store.entry(git_dir, commit, path)
    if item is None:
        return Answer(404, {"message": "404 File Not Found"})
    data = git_store.blob(git_dir, item[1])
    return Answer(200, {"file_name": path.rsplit("/", 1)[-1], "file_path": path, "size": len(data),
                        "encoding": "base64", "content": base64.b64encode(data).decode(),
                        "content_sha256": hashlib.sha256(data).hexdigest(), "ref": ref, "blob_id": item[1],
                        "commit_id": commit, "last_commit_id": git_store.last_commit(git_dir, commit, path),
                        "execute_filemode": item[0] == "100755"})


@router.route("POST", "/projects/{id}/repository/commits")
def _commit(c: _Ctx) -> Answer:
    if c.fake.before_commit is not None:  # a test's other writer, before GitLab reads the branch
        hook, c.fake.before_commit = c.fake.before_commit, None
        hook()
    found = _repo(c)
    if found is None:
        return Answer(404, {"message": "404 Project Not Found"})
    project, git_dir = found
    data = c.data()
    try:
        branch, start, old = _start(git_dir, data)
        writes = _writes(git_dir, start, data["actions"])
    except Refused as exc:
        return _bad(str(exc))
    who = c.fake.user_json(c.fake.users[c.fake.username])
    author = (str(data.get("author_name") or who["name"]), str(data.get("author_email") or
                                                               f"{who['username']}@gitlab.test"))
    sha, _tree = git_store.write_commit(git_dir, start, writes, data["commit_message"], author,
                                        (who["name"], f"{who['username']}@gitlab.test"))
    if not git_store.move_branch(git_dir, branch, sha, old):
        return _bad(f"Could not update refs/heads/{branch}. Please refresh and try again.")
    c.fake.api_commits.append(sha)
    added, deleted = git_store.diff_stats(git_dir, start, sha)
    message = data["commit_message"]
    return Answer(201, {
        "id": sha, "short_id": sha[:8], "created_at": STAMP, "parent_ids": [start],
        "title": message.split("\n", 1)[0], "message": message, "author_name": author[0],
        "author_email": author[1], "authored_date": STAMP, "committer_name": who["name"],
        "committer_email": f"{who['username']}@gitlab.test", "committed_date": STAMP, "trailers": {},
        "extended_trailers": {}, "web_url": f"{WEB}/{project.path}/-/commit/{sha}",
        "stats": {"additions": added, "deletions": deleted, "total": added + deleted}, "status": None,
        "project_id": project.id, "last_pipeline": None,
    })


def _start(git_dir: Path, data: dict[str, Any]) -> tuple[str, str, str | None]:
    """The branch, the commit the new one goes on, and the branch's tip it replaces (None: a new branch)."""
    branch, start_sha, start_branch = data["branch"], data.get("start_sha"), data.get("start_branch")
    if start_sha and start_branch:
        raise Refused("You can't pass both start_branch and start_sha")
    if not start_sha:
        start_branch = start_branch or branch  # the API's own default
    head = git_store.resolve(git_dir, f"refs/heads/{branch}")
    if start_sha:
        start = git_store.resolve(git_dir, start_sha) if SHA.fullmatch(start_sha) else None
        if start is None:
            raise Refused(f"Cannot find start_sha '{start_sha}'")
    else:
        start = git_store.resolve(git_dir, f"refs/heads/{start_branch}")
        if start is None:
            raise Refused("You can only create or edit files when you are on a branch")
    if (start_sha or start_branch != branch) and head is not None and not data.get("force"):
        raise Refused(f"A branch called '{branch}' already exists. Switch to that branch in order to make changes")
    return branch, start, head


def _writes(git_dir: Path, start: str, actions: list[dict[str, Any]]) -> dict[str, tuple[str, bytes] | None]:
    """The files the actions write on ``start`` (None deletes), checked as GitLab checks them."""
    for action in actions:  # validate_file_status!: a file changed since the caller read it
        path = action.get("previous_path") or action["file_path"]
        if action["action"] in ("update", "move", "delete") and action.get("last_commit_id"):
            last = git_store.last_commit(git_dir, start, path)
            if last is not None and last != action["last_commit_id"]:
                raise Refused(f"The file has changed since you started editing it: {path}")
    writes: dict[str, tuple[str, bytes] | None] = {}

    def current(path: str) -> tuple[str, bytes] | None:
        if path in writes:
            return writes[path]
        item = git_store.entry(git_dir, start, path)
        return (item[0], git_store.blob(git_dir, item[1])) if item else None

    for action in actions:
        kind, path = action["action"], action["file_path"]
        raw = action.get("content")
        content = None if raw is None else base64.b64decode(raw) if action.get("encoding") == "base64" else \
            raw.encode()
        old = current(action.get("previous_path") or path)
        moved_onto = kind == "move" and path != action.get("previous_path")
        if (kind == "create" or moved_onto) and current(path) is not None:
            raise Refused("A file with this name already exists")
        if kind != "create" and old is None:
            raise Refused("A file with this name doesn't exist")
        if kind == "create":
            writes[path] = ("100644", content or b"")
        elif kind == "update":
            assert old is not None
            writes[path] = (old[0], content or b"")
        elif kind == "delete":
            writes[path] = None
        elif kind == "move":
            assert old is not None
            writes[action["previous_path"]] = None
            writes[path] = (old[0], old[1] if content is None else content)
        else:  # chmod
            assert old is not None
            writes[path] = ("100755" if action.get("execute_filemode") else "100644", old[1])
    return writes
