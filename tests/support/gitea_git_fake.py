"""Gitea's ChangeFiles (``POST /repos/{owner}/{repo}/contents``) on the fake Gitea, backed by a real bare repository.

A repository given ``git_dir`` (the test's bare ``origin``) makes the commit in
it with Gitea's own rules (``routers/api/v1/repo/file.go`` and
``services/repository/files/update.go``): the commit goes on the tip of
``branch`` as the call finds it (``new_branch`` starts there and must not exist);
an update or delete names the file's blob (``sha``) and is refused with 422 when
it no longer matches; a created file that exists is 422, a missing one 404.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from . import git_store
from .gitea_fake import STAMP, WEB, router
from .http_fake import Answer

if TYPE_CHECKING:
    from pathlib import Path

    from .gitea_fake import Repo, _Ctx


class Refused(Exception):
    """A change Gitea refuses: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@router.route("POST", "/repos/{owner}/{repo}/contents")
def _change_files(c: _Ctx) -> Answer:
    if c.fake.before_commit is not None:  # a test's other writer, before Gitea reads the branch
        hook, c.fake.before_commit = c.fake.before_commit, None
        hook()
    repo = c.repo()
    if repo is None or repo.git_dir is None:
        return Answer(404, None)
    git_dir, data = repo.git_dir, c.data()
    old_branch = data.get("branch") or "main"
    new_branch = data.get("new_branch") or old_branch
    try:
        head = git_store.resolve(git_dir, f"refs/heads/{old_branch}")
        if head is None:
            raise Refused(404, f"branch does not exist [name: {old_branch}]")
        if new_branch != old_branch and git_store.resolve(git_dir, f"refs/heads/{new_branch}"):
            raise Refused(422, f"branch already exists [name: {new_branch}]")
        writes = _writes(git_dir, head, data["files"])
    except Refused as exc:
        return Answer(exc.status, {"message": str(exc), "url": f"{WEB}/api/swagger"})
    user = c.fake.user_json(c.fake.login)
    who = (user["login"], user["email"])
    sha, tree = git_store.write_commit(git_dir, head, writes, data.get("message") or "Update files", who)
    if not git_store.move_branch(git_dir, new_branch, sha, head if new_branch == old_branch else None):
        return Answer(500, {"message": "push rejected", "url": f"{WEB}/api/swagger"}, checked=False)
    c.fake.api_commits.append(sha)
    return Answer(201, _files_json(git_dir, repo, sha, tree, head, data, who, writes))


def _writes(git_dir: Path, head: str, files: list[dict[str, Any]]) -> dict[str, tuple[str, bytes] | None]:
    """The files the operations write on ``head`` (None deletes), checked as Gitea checks them."""
    writes: dict[str, tuple[str, bytes] | None] = {}
    for item in files:
        operation, path = item["operation"], item["path"]
        source = item.get("from_path") or path
        old = git_store.entry(git_dir, head, source)
        if operation in ("update", "delete"):
            if old is None:
                raise Refused(404, f"object does not exist [id: , rel_path: {source}]")
            if not item.get("sha"):
                raise Refused(422, "a SHA or commit ID must be proved when updating a file")
            if item["sha"] != old[1]:
                raise Refused(422, f"sha does not match [given: {item['sha']}, expected: {old[1]}]")
        if operation in ("create", "update") and (operation == "create" or source != path) \
                and git_store.entry(git_dir, head, path) is not None:
            raise Refused(422, f"repository file already exists [path: {path}]")
        content = base64.b64decode(item.get("content") or "")
        if operation == "delete":
            writes[path] = None
        else:
            if source != path:
                writes[source] = None
            writes[path] = (old[0] if operation == "update" and old else "100644", content)
    return writes


def _files_json(git_dir: Path, repo: Repo, sha: str, tree: str, parent: str, data: dict[str, Any],
                who: tuple[str, str], writes: dict[str, tuple[str, bytes] | None]) -> dict[str, Any]:
    """A FilesResponse: the commit, the contents of the files it wrote (deleted ones left out), the verification."""
    api = f"{WEB}/api/v1/repos/{repo.full_name}"
    person = {"name": who[0], "email": who[1], "date": STAMP}

    def meta(kind: str, ref: str) -> dict[str, Any]:
        return {"url": f"{api}/git/{kind}/{ref}", "sha": ref, "created": STAMP}

    contents = []
    for path, change in sorted(writes.items()):
        if change is None:
            continue
        blob = git_store.entry(git_dir, sha, path)
        assert blob is not None
        blob_sha = blob[1]
        contents.append({
            "name": path.rsplit("/", 1)[-1], "path": path, "sha": blob_sha, "last_commit_sha": sha, "type": "file",
            "size": len(change[1]), "encoding": "base64", "content": base64.b64encode(change[1]).decode(),
            "url": f"{api}/contents/{path}?ref={data.get('new_branch') or data.get('branch') or 'main'}",
            "html_url": f"{WEB}/{repo.full_name}/src/commit/{sha}/{path}",
            "git_url": f"{api}/git/blobs/{blob_sha}",
            "download_url": f"{WEB}/{repo.full_name}/raw/commit/{sha}/{path}",
            "_links": {"self": f"{api}/contents/{path}", "git": f"{api}/git/blobs/{blob_sha}",
                       "html": f"{WEB}/{repo.full_name}/src/commit/{sha}/{path}"},
        })
    commit = {**meta("commits", sha), "html_url": f"{WEB}/{repo.full_name}/commit/{sha}", "author": person,
              "committer": person, "parents": [meta("commits", parent)], "message": data.get("message") or "",
              "tree": meta("trees", tree)}
    return {"commit": commit, "files": contents,
            "verification": {"verified": False, "reason": "gpg.error.not_signed_commit", "signature": "",
                             "payload": ""}}
