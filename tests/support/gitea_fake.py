"""The Gitea side of the fake forge, checked against tests/contracts/gitea-api.json (Gitea's own description).

Served under ``/api/v1`` of the fake forge. Every request and answer is
validated; answers omit unset fields (real Gitea sends ``null`` for them, which
its description does not declare, see tests/contracts/README.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .http_fake import Answer, Call, Router
from .openapi_contract import contracts_dir
from .swagger_contract import SwaggerContract

if TYPE_CHECKING:
    from .forge_server import ForgeServer

WEB = "https://gitea.test"
STAMP = "2024-05-01T12:00:00Z"
router: Router[_Ctx] = Router()


@cache
def contract() -> SwaggerContract:
    """Gitea's description, loaded once per process."""
    return SwaggerContract(contracts_dir() / "gitea-api.json", "/api/v1")


@dataclass
class Pull:
    """A pull request as the fake keeps it."""

    number: int
    id: int
    title: str
    body: str
    head: str
    base: str
    author: str
    state: str = "open"
    merged: bool = False
    labels: list[int] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    sha: str = "fedcba9876543210fedcba9876543210fedcba98"
    head_repo: str | None = None  # full name of the fork the head branch lives in


@dataclass
class Repo:
    """A repository: pull requests (issue indexes), comments, reactions, labels and permissions."""

    owner: str
    name: str
    id: int
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[int, dict[str, Any]] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    git_dir: Path | None = None  # a bare repository ChangeFiles writes into (gitea_git_fake)

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"


class GiteaFake:
    """Gitea /api/v1 in memory. ``login`` owns the token; ``permissions`` map logins to access modes."""

    def __init__(self, server: ForgeServer) -> None:
        self.server = server
        self.login = "gitshift-bot"
        self.users: dict[str, int] = {}
        self.repos: dict[str, Repo] = {}
        self.api_commits: list[str] = []  # commits made through ChangeFiles
        self.before_commit: Callable[[], None] | None = None  # runs once as the next ChangeFiles call arrives
        self._ids = itertools.count(7000)
        for login in (self.login, "alice", "bob", "carol", "erin", "mallory"):
            self.user_id(login)
        self.add_repo("acme/gitops", {"alice": "owner", "bob": "admin", "carol": "write", "erin": "read",
                                      self.login: "write"})

    def add_repo(self, full_name: str, permissions: dict[str, str] | None = None) -> Repo:
        """Create a repository with users' access modes (``owner``, ``admin``, ``write``, ``read``)."""
        owner, name = full_name.split("/")
        self.user_id(owner)
        repo = self.repos[full_name] = Repo(owner, name, next(self._ids), permissions=dict(permissions or {}))
        return repo

    def user_id(self, login: str) -> int:
        """The numeric id of ``login``, creating the user on first use."""
        return self.users.setdefault(login, 1 + len(self.users))

    def next_id(self) -> int:
        """A fresh object id."""
        return next(self._ids)

    def handle(self, call: Call) -> Answer:
        """Authenticate, check the request, answer it and check the answer."""
        auth = call.header("Authorization") or ""
        if auth not in (f"token {self.server.token}", f"Bearer {self.server.token}"):
            return Answer(401, {"message": "token is required", "url": f"{WEB}/api/swagger"}, checked=False)
        if call.header("Accept") != "application/json" or not call.header("User-Agent"):
            self.server.violation(f"gitea {call.method} {call.path}: Accept or User-Agent missing")
        if call.body and "application/json" not in (call.header("Content-Type") or ""):
            self.server.violation(f"gitea {call.method} {call.path}: body is not JSON")
        errors = contract().request_errors(call.method, call.path, call.query, call.body)
        if errors:
            self.server.violation(f"gitea request {call.method} {call.path}: " + "; ".join(errors))
            return Answer(422, {"message": "contract: " + "; ".join(errors)}, checked=False)
        handler = router.match(call)
        if handler is None:
            self.server.violation(f"gitea {call.method} {call.path}: in the contract, not faked")
            return Answer(501, {"message": "not implemented by the fake"}, checked=False)
        answer = handler(_Ctx(self, call))
        if answer.checked:
            errors = contract().response_errors(call.method, call.path, answer.status, answer.body)
            if errors:
                self.server.violation(f"gitea answer to {call.method} {call.path}: " + "; ".join(errors))
                return Answer(500, {"message": "fake broke the contract"}, checked=False)
        return answer

    # JSON objects -------------------------------------------------------------------------

    def user_json(self, login: str) -> dict[str, Any]:
        return {"id": self.user_id(login), "login": login, "login_name": "", "full_name": "", "email":
                f"{login}@noreply.gitea.test", "avatar_url": f"{WEB}/avatars/{login}", "language": "",
                "is_admin": False, "last_login": STAMP, "created": STAMP, "restricted": False, "active": True,
                "prohibit_login": False, "location": "", "website": "", "description": "", "visibility": "public",
                "followers_count": 0, "following_count": 0, "starred_repos_count": 0}

    def repo_json(self, repo: Repo) -> dict[str, Any]:
        return {"id": repo.id, "owner": self.user_json(repo.owner), "name": repo.name, "full_name": repo.full_name,
                "description": "", "empty": False, "private": False, "fork": False, "template": False,
                "mirror": False, "size": 1, "html_url": f"{WEB}/{repo.full_name}",
                "ssh_url": f"git@gitea.test:{repo.full_name}.git", "clone_url": f"{WEB}/{repo.full_name}.git",
                "default_branch": "main", "created_at": STAMP, "updated_at": STAMP,
                "permissions": {"admin": False, "push": True, "pull": True}, "has_pull_requests": True,
                "object_format_name": "sha1"}

    def label_json(self, repo: Repo, label_id: int) -> dict[str, Any]:
        label = repo.labels[label_id]
        return {"id": label_id, "name": label["name"], "color": label["color"].lstrip("#"), "description": "",
                "exclusive": False, "is_archived": False,
                "url": f"{WEB}/api/v1/repos/{repo.full_name}/labels/{label_id}"}

    def pull_json(self, repo: Repo, pull: Pull) -> dict[str, Any]:
        head_repo = self.repos[pull.head_repo] if pull.head_repo else repo

        def end(ref: str, sha: str, where: Repo) -> dict[str, Any]:
            return {"label": ref, "ref": ref, "sha": sha, "repo_id": where.id, "repo": self.repo_json(where)}

        out = {"id": pull.id, "number": pull.number, "url": f"{WEB}/{repo.full_name}/pulls/{pull.number}",
               "html_url": f"{WEB}/{repo.full_name}/pulls/{pull.number}", "user": self.user_json(pull.author),
               "title": pull.title, "body": pull.body, "state": pull.state, "merged": pull.merged,
               "mergeable": True, "is_locked": False, "comments": 0,
               "labels": [self.label_json(repo, i) for i in pull.labels],
               "requested_reviewers": [self.user_json(login) for login in pull.reviewers],
               "head": end(pull.head, pull.sha, head_repo), "base": end(pull.base, "e" * 40, repo),
               "merge_base": "e" * 40, "created_at": STAMP, "updated_at": STAMP,
               "diff_url": f"{WEB}/{repo.full_name}/pulls/{pull.number}.diff",
               "patch_url": f"{WEB}/{repo.full_name}/pulls/{pull.number}.patch", "allow_maintainer_edit": False}
        if pull.merged:
            out["merged_at"] = STAMP
        return out

    def comment_json(self, repo: Repo, comment: dict[str, Any]) -> dict[str, Any]:
        return {"id": comment["id"], "body": comment["body"], "user": self.user_json(comment["user"]),
                "html_url": f"{WEB}/{repo.full_name}/pulls/{comment['issue']}#issuecomment-{comment['id']}",
                "pull_request_url": f"{WEB}/{repo.full_name}/pulls/{comment['issue']}",
                "issue_url": "", "original_author": "", "original_author_id": 0, "assets": [],
                "created_at": STAMP, "updated_at": STAMP}


class _Ctx(Call):
    """A call with the fake it is addressed to, as route handlers receive it."""

    def __init__(self, fake: GiteaFake, call: Call) -> None:
        super().__init__(call.method, call.path, call.query, call.headers, call.body, call.params)
        self.fake = fake

    def repo(self) -> Repo | None:
        return self.fake.repos.get(f"{self.params['owner']}/{self.params['repo']}")

    def pull(self) -> tuple[Repo, Pull] | None:
        repo = self.repo()
        pull = repo.pulls.get(int(self.params["index"])) if repo else None
        return (repo, pull) if repo and pull else None


def _not_found() -> Answer:
    return Answer(404, None)


def _refused(status: int, message: str) -> Answer:
    """An error as Gitea sends it: ``message`` and ``url`` in a JSON body."""
    return Answer(status, {"message": message, "url": f"{WEB}/api/swagger"})


@router.route("GET", "/repos/{owner}/{repo}/pulls")
def _list_pulls(c: _Ctx) -> Answer:
    repo = c.repo()
    if repo is None:
        return _not_found()
    state = c.arg("state", "open")
    page, limit = int(c.arg("page", "1") or 1), min(50, int(c.arg("limit", "30") or 30))
    found = [p for p in repo.pulls.values() if state in ("all", p.state)]
    chunk = found[(page - 1) * limit: page * limit]
    return Answer(200, [c.fake.pull_json(repo, p) for p in chunk])


@router.route("POST", "/repos/{owner}/{repo}/pulls")
def _create_pull(c: _Ctx) -> Answer:
    repo, data = c.repo(), c.data()
    if repo is None:
        return _not_found()
    if any(p.head == data["head"] and p.base == data["base"] and p.state == "open" for p in repo.pulls.values()):
        return _refused(409, "pull request already exists for these targets")
    unknown = [i for i in data.get("labels") or [] if i not in repo.labels]
    if unknown:
        return _refused(422, f"label does not exist [id: {unknown[0]}]")
    number = 1 + max([*repo.pulls, *[c["issue"] for c in repo.comments.values()], 0])
    pull = Pull(number, c.fake.next_id(), data["title"], data.get("body") or "", data["head"], data["base"],
                c.fake.login, labels=list(data.get("labels") or []))
    repo.pulls[number] = pull
    return Answer(201, c.fake.pull_json(repo, pull))


@router.route("GET", "/repos/{owner}/{repo}/pulls/{index}")
def _get_pull(c: _Ctx) -> Answer:
    found = c.pull()
    return Answer(200, c.fake.pull_json(*found)) if found else _not_found()


@router.route("PATCH", "/repos/{owner}/{repo}/pulls/{index}")
def _edit_pull(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return _not_found()
    repo, pull = found
    data = c.data() or {}
    for key in ("title", "body", "base"):
        if key in data:
            setattr(pull, key, data[key])
    return Answer(201, c.fake.pull_json(repo, pull))


@router.route("POST", "/repos/{owner}/{repo}/pulls/{index}/requested_reviewers")
def _request_reviewers(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return _not_found()
    repo, pull = found
    reviews = []
    for login in c.data().get("reviewers", []):
        if login == pull.author or login not in repo.permissions:
            return _refused(422, f"reviewer is invalid [user_id: {c.fake.user_id(login)}]")
        if login not in pull.reviewers:
            pull.reviewers.append(login)
        reviews.append({"id": c.fake.next_id(), "user": c.fake.user_json(login), "state": "REQUEST_REVIEW",
                        "body": "", "commit_id": pull.sha, "stale": False, "official": False, "dismissed": False,
                        "comments_count": 0, "submitted_at": STAMP, "updated_at": STAMP,
                        "html_url": f"{WEB}/{repo.full_name}/pulls/{pull.number}",
                        "pull_request_url": f"{WEB}/{repo.full_name}/pulls/{pull.number}"})
    return Answer(201, reviews)


@router.route("GET", "/repos/{owner}/{repo}/labels")
def _list_labels(c: _Ctx) -> Answer:
    repo = c.repo()
    if repo is None:
        return _not_found()
    page, limit = int(c.arg("page", "1") or 1), min(50, int(c.arg("limit", "30") or 30))
    ids = sorted(repo.labels)[(page - 1) * limit: page * limit]
    return Answer(200, [c.fake.label_json(repo, i) for i in ids])


@router.route("POST", "/repos/{owner}/{repo}/labels")
def _create_label(c: _Ctx) -> Answer:
    repo, data = c.repo(), c.data()
    if repo is None:
        return _not_found()
    if any(label["name"] == data["name"] for label in repo.labels.values()):
        return _refused(422, "label already exists")
    label_id = c.fake.next_id()
    repo.labels[label_id] = {"name": data["name"], "color": data["color"]}
    return Answer(201, c.fake.label_json(repo, label_id))


@router.route("POST", "/repos/{owner}/{repo}/issues/{index}/labels")
def _add_labels(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return _not_found()
    repo, pull = found
    for label_id in c.data().get("labels") or []:
        if label_id not in repo.labels:
            return _not_found()
        if label_id not in pull.labels:
            pull.labels.append(label_id)
    return Answer(200, [c.fake.label_json(repo, i) for i in pull.labels])


@router.route("POST", "/repos/{owner}/{repo}/issues/{index}/comments")
def _create_comment(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return _not_found()
    repo, pull = found
    comment = {"id": c.fake.next_id(), "issue": pull.number, "body": c.data()["body"], "user": c.fake.login}
    repo.comments[comment["id"]] = comment
    return Answer(201, c.fake.comment_json(repo, comment))


@router.route("POST", "/repos/{owner}/{repo}/issues/comments/{id}/reactions")
def _react(c: _Ctx) -> Answer:
    repo = c.repo()
    comment_id = int(c.params["id"])
    if repo is None or comment_id not in repo.comments:
        return _not_found()
    content = c.data()["content"]
    reaction = {"comment_id": comment_id, "content": content, "user": c.fake.login}
    if reaction in repo.reactions:
        status = 200
    else:
        repo.reactions.append(reaction)
        status = 201
    return Answer(status, {"user": c.fake.user_json(c.fake.login), "content": content, "created_at": STAMP})


@router.route("GET", "/repos/{owner}/{repo}/collaborators/{collaborator}/permission")
def _permission(c: _Ctx) -> Answer:
    repo, login = c.repo(), c.params["collaborator"]
    if repo is None or login not in c.fake.users:
        return _not_found()
    mode = repo.permissions.get(login, "read")  # a public repository: anyone reads
    return Answer(200, {"permission": mode, "role_name": mode, "user": c.fake.user_json(login)})


@router.route("GET", "/user")
def _user(c: _Ctx) -> Answer:
    return Answer(200, c.fake.user_json(c.fake.login))


from . import gitea_git_fake  # noqa: E402, F401  (registers ChangeFiles on this router)
