"""The GitHub side of the fake forge: repositories, pull requests, comments, reactions, roles."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .github_app_fake import Auth, GitHubApps
from .github_objects import comment_json, label_json, pull_json, reaction_json, user_json
from .http_fake import Answer, Call, Router
from .openapi_contract import GitHubContract, example

if TYPE_CHECKING:
    from .forge_server import ForgeServer

DOCS = "https://docs.github.com/rest"
LEGACY = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}
router: Router[_Ctx] = Router()


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
    draft: bool = False
    state: str = "open"
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    sha: str = "0123456789abcdef0123456789abcdef01234567"
    head_repo: str | None = None  # full name of the fork the head branch lives in


@dataclass
class Repo:
    """A repository: its pull requests, comments, reactions and collaborators' roles."""

    owner: str
    name: str
    id: int
    pulls: dict[int, Pull] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    git_dir: Path | None = None  # a bare repository the Git Data API writes into (github_git_fake)

    @property
    def full_name(self) -> str:
        """``owner/name``."""
        return f"{self.owner}/{self.name}"


class GitHubFake:
    """GitHub REST v3 in memory. ``login`` owns the token; ``roles`` map logins to roles."""

    contract = GitHubContract()

    def __init__(self, server: ForgeServer) -> None:
        self.server = server
        self.login = "gitshift-bot"
        self.users: dict[str, int] = {}
        self.repos: dict[str, Repo] = {}
        self.apps = GitHubApps(self)
        self.api_commits: list[str] = []  # commits made through the Git Data API
        self.before_ref_update: Callable[[], None] | None = None  # runs once inside the next ref update
        self._ids = itertools.count(1000)
        for login in (self.login, "alice", "bob", "carol", "dave", "erin", "mallory"):
            self.user_id(login)
        self.add_repo(
            "acme/gitops",
            {
                "alice": "admin",
                "bob": "maintain",
                "carol": "write",
                "dave": "triage",
                "erin": "read",
                self.login: "write",
            },
        )

    def add_repo(self, full_name: str, roles: dict[str, str] | None = None) -> Repo:
        """Create a repository with collaborators' roles (``admin`` … ``read``)."""
        owner, name = full_name.split("/")
        self.user_id(owner)
        repo = self.repos[full_name] = Repo(owner, name, next(self._ids), roles=dict(roles or {}))
        return repo

    def user_id(self, login: str) -> int:
        """The numeric id of ``login``, creating the user on first use."""
        return self.users.setdefault(login, 1 + len(self.users))

    def next_id(self) -> int:
        """A fresh object id."""
        return next(self._ids)

    def handle(self, call: Call) -> Answer:
        """Authenticate, check the request, answer it and check the answer."""
        auth = self.apps.authenticate(call.header("Authorization") or "", urlsplit(call.path).path)
        if isinstance(auth, Answer):
            return auth
        self._check_headers(call)
        errors = self.contract.request_errors(call.method, call.path, call.query, call.body)
        if errors:
            self.server.violation(f"github request {call.method} {call.path}: " + "; ".join(errors))
            return Answer(400, {"message": "contract: " + "; ".join(errors)}, checked=False)
        handler = router.match(call)
        if handler is None:
            self.server.violation(f"github {call.method} {call.path}: in the contract, not faked")
            return Answer(501, {"message": "not implemented by the fake"}, checked=False)
        answer = handler(_Ctx(self, call, auth))
        if answer.checked:
            errors = self.contract.response_errors(
                call.method, call.path, call.query, call.body, answer.status, answer.body
            )
            if errors:
                self.server.violation(f"github answer to {call.method} {call.path}: " + "; ".join(errors))
                return Answer(500, {"message": "fake broke the contract"}, checked=False)
        return answer

    def _check_headers(self, call: Call) -> None:
        expected = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
        for name, value in expected.items():
            if call.header(name) != value:
                self.server.violation(
                    f"github {call.method} {call.path}: header {name} is {call.header(name)!r}, expected {value!r}"
                )
        if not call.header("User-Agent"):
            self.server.violation(f"github {call.method} {call.path}: no User-Agent")
        if call.body and "application/json" not in (call.header("Content-Type") or ""):
            self.server.violation(f"github {call.method} {call.path}: body is not JSON")


class _Ctx(Call):
    """A call with the fake it is addressed to, as route handlers receive it."""

    def __init__(self, fake: GitHubFake, call: Call, auth: Auth) -> None:
        super().__init__(call.method, call.path, call.query, call.headers, call.body, call.params)
        self.fake = fake
        self.auth = auth

    @property
    def actor(self) -> str:
        """The login the call acts as: the token's user, or an App's bot."""
        return self.auth.login

    def repo(self) -> Repo | None:
        return self.fake.repos.get(f"{self.params['owner']}/{self.params['repo']}")

    def pull(self, key: str = "pull_number") -> tuple[Repo, Pull] | None:
        repo = self.repo()
        pull = repo.pulls.get(int(self.params[key])) if repo else None
        return (repo, pull) if repo and pull else None


def _not_found() -> Answer:
    return Answer(404, {"message": "Not Found", "documentation_url": DOCS})


def _invalid(message: str) -> Answer:
    return Answer(
        422,
        {
            "message": "Validation Failed",
            "documentation_url": DOCS,
            "errors": [{"resource": "PullRequest", "code": "custom", "message": message}],
        },
    )


@router.route("GET", "/repos/{owner}/{repo}/pulls")
def _list_pulls(c: _Ctx) -> Answer:
    repo = c.repo()
    if repo is None:
        return Answer(200, [])
    state, head, base = c.arg("state", "open"), c.arg("head"), c.arg("base")
    found = [
        p
        for p in repo.pulls.values()
        if state in ("all", p.state)
        and (head is None or head == f"{repo.owner}:{p.head}")
        and (base is None or base == p.base)
    ]
    return Answer(200, [pull_json(c.fake, repo, p, simple=True) for p in found])


@router.route("POST", "/repos/{owner}/{repo}/pulls")
def _create_pull(c: _Ctx) -> Answer:
    repo, data = c.repo(), c.data()
    if repo is None:
        return _not_found()
    head = data["head"].split(":")[-1]
    if any(p.head == head and p.base == data["base"] and p.state == "open" for p in repo.pulls.values()):
        return _invalid(f"A pull request already exists for {repo.owner}:{head}.")
    number = 1 + max([*repo.pulls, *[0]])
    pull = Pull(
        number,
        c.fake.next_id(),
        data.get("title", ""),
        data.get("body") or "",
        head,
        data["base"],
        c.actor,
        bool(data.get("draft")),
    )
    repo.pulls[number] = pull
    return Answer(201, pull_json(c.fake, repo, pull))


@router.route("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")
def _get_pull(c: _Ctx) -> Answer:
    found = c.pull()
    return Answer(200, pull_json(c.fake, *found)) if found else _not_found()


@router.route("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}")
def _update_pull(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return _not_found()
    repo, pull = found
    for key, value in (c.data() or {}).items():
        setattr(pull, key, value)
    return Answer(200, pull_json(c.fake, repo, pull))


@router.route("POST", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers")
def _request_reviewers(c: _Ctx) -> Answer:
    found = c.pull()
    if found is None:
        return Answer(422, {"message": "Not Found"})
    repo, pull = found
    for login in c.data().get("reviewers", []):
        if login == pull.author:
            return Answer(422, {"message": "Review cannot be requested from pull request author."})
        if login not in repo.roles:
            return Answer(422, {"message": f"Reviews may only be requested from collaborators: {login}"})
        if login not in pull.reviewers:
            pull.reviewers.append(login)
    return Answer(201, pull_json(c.fake, repo, pull, simple=True))


@router.route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
def _add_labels(c: _Ctx) -> Answer:
    found = c.pull("issue_number")
    if found is None:
        return _not_found()
    data = c.data()
    names = data["labels"] if isinstance(data, dict) else data
    for item in names:
        name = item["name"] if isinstance(item, dict) else item
        if name not in found[1].labels:
            found[1].labels.append(name)
    return Answer(200, [label_json(name) for name in found[1].labels])


@router.route("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def _create_comment(c: _Ctx) -> Answer:
    found = c.pull("issue_number")
    if found is None:
        return _not_found()
    repo, pull = found
    comment = {"id": c.fake.next_id(), "issue": pull.number, "body": c.data()["body"], "user": c.actor}
    repo.comments[comment["id"]] = comment
    return Answer(
        201,
        comment_json(c.fake, repo, comment),
        {"Location": f"https://api.github.test/repos/{repo.full_name}/issues/comments/{comment['id']}"},
    )


@router.route("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
def _list_comments(c: _Ctx) -> Answer:
    repo = c.repo()
    if repo is None:
        return _not_found()
    number = int(c.params["issue_number"])
    return Answer(200, [comment_json(c.fake, repo, x) for x in repo.comments.values() if x["issue"] == number])


@router.route("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
def _update_comment(c: _Ctx) -> Answer:
    repo = c.repo()
    comment = repo.comments.get(int(c.params["comment_id"])) if repo else None
    if repo is None or comment is None:
        return Answer(422, {"message": "Not Found", "documentation_url": DOCS})
    comment["body"] = c.data()["body"]
    return Answer(200, comment_json(c.fake, repo, comment))


@router.route("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
def _react(c: _Ctx) -> Answer:
    repo = c.repo()
    comment_id = int(c.params["comment_id"])
    if repo is None or comment_id not in repo.comments:
        return Answer(422, {"message": "Not Found", "documentation_url": DOCS})
    content = c.data()["content"]
    for reaction in repo.reactions:
        if (reaction["comment_id"], reaction["content"]) == (comment_id, content):
            return Answer(200, reaction_json(c.fake, reaction))
    reaction = {"id": c.fake.next_id(), "comment_id": comment_id, "content": content, "user": c.actor}
    repo.reactions.append(reaction)
    return Answer(201, reaction_json(c.fake, reaction))


@router.route("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission")
def _permission(c: _Ctx) -> Answer:
    repo, login = c.repo(), c.params["username"]
    if repo is None or login not in c.fake.users:
        return _not_found()
    role = repo.roles.get(login, "none")
    user = example("nullable-collaborator", **user_json(c.fake, login))
    return Answer(200, {"permission": LEGACY.get(role, "none"), "role_name": role, "user": user})


@router.route("GET", "/user")
def _user(c: _Ctx) -> Answer:
    return Answer(200, example("public-user", **user_json(c.fake, c.fake.login), user_view_type="public"))


@router.route("GET", "/app")
def _app(c: _Ctx) -> Answer:
    return c.fake.apps.get_app(c.auth)


@router.route("GET", "/repos/{owner}/{repo}/installation")
def _repo_installation(c: _Ctx) -> Answer:
    return c.fake.apps.repo_installation(c.auth, f"{c.params['owner']}/{c.params['repo']}")


@router.route("POST", "/app/installations/{installation_id}/access_tokens")
def _access_token(c: _Ctx) -> Answer:
    return c.fake.apps.create_token(c.auth, int(c.params["installation_id"]), c.data())


@router.route("GET", "/users/{username}")
def _user_by_name(c: _Ctx) -> Answer:
    return c.fake.apps.user(c.params["username"])


from . import github_git_fake  # noqa: E402, F401  (registers the Git Data API routes on this router)
