"""The GitLab side of the fake forge, checked against contracts/gitlab-mr-endpoints.md."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .gitlab_contract import check_answer, check_call
from .http_fake import Answer, Call, Router

if TYPE_CHECKING:
    from .forge_server import ForgeServer

WEB = "https://gitlab.test"
STAMP = "2024-05-01T12:00:00.000Z"
router: Router[_Ctx] = Router()


@dataclass
class MergeRequest:
    """A merge request as the fake keeps it."""

    iid: int
    id: int
    title: str
    description: str
    source_branch: str
    target_branch: str
    author_id: int
    state: str = "opened"
    labels: list[str] = field(default_factory=list)
    reviewer_ids: list[int] = field(default_factory=list)
    sha: str = "89abcdef0123456789abcdef0123456789abcdef"
    source_project_id: int | None = None  # a fork's project id; None: the same project


@dataclass
class Project:
    """A project: merge requests, notes, award emoji and members' access levels."""

    id: int
    path: str
    mrs: dict[int, MergeRequest] = field(default_factory=dict)
    notes: dict[int, dict[str, Any]] = field(default_factory=dict)
    awards: list[dict[str, Any]] = field(default_factory=list)
    members: dict[int, int] = field(default_factory=dict)
    git_dir: Path | None = None  # a bare repository the Commits API writes into (gitlab_commits_fake)


class GitLabFake:
    """GitLab /api/v4 in memory. ``username`` owns the token."""

    def __init__(self, server: ForgeServer) -> None:
        self.server = server
        self.username = "gitshift-bot"
        self.users: dict[str, int] = {}
        self.blocked: set[int] = set()
        self.projects: dict[str, Project] = {}
        self.api_commits: list[str] = []  # commits made through the Commits API
        self.before_commit: Callable[[], None] | None = None  # runs once as the next commit call arrives
        self.before_file_read: Callable[[], None] | None = None  # runs once as the next file lookup arrives
        self._ids = itertools.count(5000)
        for name in (self.username, "alice", "bob", "carol", "dave", "paula", "erin", "mallory"):
            self.user_id(name)
        self.blocked.add(self.user_id("bill"))
        self.add_project(
            "acme/platform/gitops",
            {"alice": 50, "bob": 40, "carol": 30, "dave": 20, "paula": 15, "erin": 10, "bill": 40, self.username: 30},
        )

    def add_project(self, path: str, members: dict[str, int] | None = None) -> Project:
        """Create a project with members' access levels (10 guest … 50 owner)."""
        levels = {self.user_id(name): level for name, level in (members or {}).items()}
        project = self.projects[path] = Project(next(self._ids), path, members=levels)
        return project

    def user_id(self, username: str) -> int:
        """The numeric id of ``username``, creating the user on first use."""
        return self.users.setdefault(username, 1 + len(self.users))

    def user_json(self, user_id: int) -> dict[str, Any]:
        """A user as GitLab embeds it (author, reviewer, member)."""
        name = next(n for n, i in self.users.items() if i == user_id)
        return {
            "id": user_id,
            "username": name,
            "name": name.title(),
            "web_url": f"{WEB}/{name}",
            "state": "blocked" if user_id in self.blocked else "active",
        }

    def next_id(self) -> int:
        """A fresh object id."""
        return next(self._ids)

    def handle(self, call: Call) -> Answer:
        """Authenticate, check the call against the endpoint table, and answer it."""
        token = call.header("PRIVATE-TOKEN") or (call.header("Authorization") or "")[7:]
        if token != self.server.token:
            return Answer(401, {"message": "401 Unauthorized"}, checked=False)
        handler = router.match(call)
        problems = check_call(call, known=handler is not None)
        if problems:
            self.server.violation(f"gitlab {call.method} {call.path}: " + "; ".join(problems))
            return Answer(400, {"error": "; ".join(problems)}, checked=False)
        assert handler is not None
        answer = handler(_Ctx(self, call))
        problems = check_answer(call, answer.status, answer.body) if answer.checked else []
        if problems:
            self.server.violation(f"gitlab answer to {call.method} {call.path}: " + "; ".join(problems))
            return Answer(500, {"message": "fake broke the contract"}, checked=False)
        return answer

    def mr_json(self, project: Project, mr: MergeRequest) -> dict[str, Any]:
        """A merge request object (fields of the endpoint table, plus ``reviewers``)."""
        draft = mr.title.startswith(("Draft:", "[Draft]", "(Draft)"))
        return {
            "id": mr.id,
            "iid": mr.iid,
            "project_id": project.id,
            "source_project_id": mr.source_project_id or project.id,
            "target_project_id": project.id,
            "title": mr.title,
            "description": mr.description,
            "state": mr.state,
            "source_branch": mr.source_branch,
            "target_branch": mr.target_branch,
            "sha": mr.sha,
            "draft": draft,
            "work_in_progress": draft,
            "labels": list(mr.labels),
            "web_url": f"{WEB}/{project.path}/-/merge_requests/{mr.iid}",
            "author": self.user_json(mr.author_id),
            "reviewers": [self.user_json(i) for i in mr.reviewer_ids],
            "detailed_merge_status": "mergeable",
            "merge_commit_sha": None,
            "created_at": STAMP,
            "updated_at": STAMP,
        }


class _Ctx(Call):
    """A call with the fake it is addressed to, as route handlers receive it."""

    def __init__(self, fake: GitLabFake, call: Call) -> None:
        super().__init__(call.method, call.path, call.query, call.headers, call.body, call.params)
        self.fake = fake

    def project(self) -> Project | None:
        key = self.params["id"]
        by_id = {str(p.id): p for p in self.fake.projects.values()}
        return by_id.get(key) or self.fake.projects.get(key)

    def mr(self) -> tuple[Project, MergeRequest] | None:
        project = self.project()
        mr = project.mrs.get(int(self.params["iid"])) if project else None
        return (project, mr) if project and mr else None


def _missing(what: str) -> Answer:
    return Answer(404, {"message": f"404 {what} Not Found"})


def _listing(items: list[Any]) -> Answer:
    headers = {"X-Page": "1", "X-Per-Page": "100", "X-Total": str(len(items)), "X-Total-Pages": "1", "X-Next-Page": ""}
    return Answer(200, items, headers)


@router.route("GET", "/projects/{id}/merge_requests")
def _list_mrs(c: _Ctx) -> Answer:
    project = c.project()
    if project is None:
        return _missing("Project")
    state, source, target = c.arg("state", "all"), c.arg("source_branch"), c.arg("target_branch")
    found = [
        m
        for m in project.mrs.values()
        if state in ("all", m.state) and source in (None, m.source_branch) and target in (None, m.target_branch)
    ]
    return _listing([c.fake.mr_json(project, m) for m in found])


@router.route("POST", "/projects/{id}/merge_requests")
def _create_mr(c: _Ctx) -> Answer:
    project, data = c.project(), c.data()
    if project is None:
        return _missing("Project")
    for other in project.mrs.values():
        if other.state == "opened" and (other.source_branch, other.target_branch) == (
            data["source_branch"],
            data["target_branch"],
        ):
            message = f"Another open merge request already exists for this source branch: !{other.iid}"
            return Answer(409, {"message": [message]})
    iid = 1 + max([*project.mrs, 0])
    mr = MergeRequest(
        iid,
        c.fake.next_id(),
        data["title"],
        data.get("description") or "",
        data["source_branch"],
        data["target_branch"],
        c.fake.users[c.fake.username],
        labels=_labels(data.get("labels")),
        reviewer_ids=list(data.get("reviewer_ids") or []),
    )
    project.mrs[iid] = mr
    return Answer(201, c.fake.mr_json(project, mr))


@router.route("GET", "/projects/{id}/merge_requests/{iid}")
def _get_mr(c: _Ctx) -> Answer:
    found = c.mr()
    return Answer(200, c.fake.mr_json(*found)) if found else _missing("Not found")


@router.route("PUT", "/projects/{id}/merge_requests/{iid}")
def _update_mr(c: _Ctx) -> Answer:
    found = c.mr()
    if found is None:
        return _missing("Not found")
    project, mr = found
    data = c.data()
    for key in ("title", "description", "target_branch"):
        if key in data:
            setattr(mr, key, data[key])
    if "labels" in data:
        mr.labels = _labels(data["labels"])
    mr.labels += [x for x in _labels(data.get("add_labels")) if x not in mr.labels]
    mr.labels = [x for x in mr.labels if x not in _labels(data.get("remove_labels"))]
    if "reviewer_ids" in data:
        mr.reviewer_ids = list(data["reviewer_ids"])
    if "state_event" in data:
        mr.state = {"close": "closed", "reopen": "opened"}[data["state_event"]]
    return Answer(200, c.fake.mr_json(project, mr))


@router.route("POST", "/projects/{id}/merge_requests/{iid}/notes")
def _create_note(c: _Ctx) -> Answer:
    found = c.mr()
    if found is None:
        return _missing("Not found")
    project, mr = found
    author = c.fake.users[c.fake.username]
    note = {
        "id": c.fake.next_id(),
        "body": c.data()["body"],
        "author": c.fake.user_json(author),
        "created_at": STAMP,
        "updated_at": STAMP,
        "system": False,
        "noteable_id": mr.id,
        "noteable_iid": mr.iid,
        "noteable_type": "MergeRequest",
        "resolvable": False,
        "internal": False,
    }
    project.notes[note["id"]] = note
    return Answer(201, note)


@router.route("GET", "/projects/{id}/merge_requests/{iid}/notes")
def _list_notes(c: _Ctx) -> Answer:
    found = c.mr()
    if found is None:
        return _missing("Not found")
    project, mr = found
    return _listing([n for n in project.notes.values() if n["noteable_iid"] == mr.iid])


@router.route("POST", "/projects/{id}/merge_requests/{iid}/notes/{note_id}/award_emoji")
def _award(c: _Ctx) -> Answer:
    found = c.mr()
    note_id = int(c.params["note_id"])
    if found is None or note_id not in found[0].notes:
        return _missing("Not found")
    project = found[0]
    name, user = c.data()["name"], c.fake.users[c.fake.username]
    if any((a["awardable_id"], a["name"], a["user"]["id"]) == (note_id, name, user) for a in project.awards):
        return _missing("Award Emoji Name has already been taken")
    award = {
        "id": c.fake.next_id(),
        "name": name,
        "user": c.fake.user_json(user),
        "created_at": STAMP,
        "updated_at": STAMP,
        "awardable_id": note_id,
        "awardable_type": "Note",
    }
    project.awards.append(award)
    return Answer(201, award)


@router.route("GET", "/projects/{id}/members/all/{user_id}")
def _member(c: _Ctx) -> Answer:
    project, user_id = c.project(), int(c.params["user_id"])
    if project is None or user_id not in project.members:
        return _missing("Member")
    return Answer(200, {**c.fake.user_json(user_id), "access_level": project.members[user_id], "expires_at": None})


@router.route("GET", "/user")
def _current_user(c: _Ctx) -> Answer:
    return Answer(200, c.fake.user_json(c.fake.users[c.fake.username]))


@router.route("GET", "/users")
def _users(c: _Ctx) -> Answer:
    name = c.arg("username")
    return _listing([c.fake.user_json(c.fake.users[name])] if name in c.fake.users else [])


def _labels(value: str | None) -> list[str]:
    return [x.strip() for x in (value or "").split(",") if x.strip()]


from . import gitlab_commits_fake  # noqa: E402, F401  (registers the repository routes on this router)
