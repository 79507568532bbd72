"""GitLab merge requests, notes, award emoji and members over /api/v4 (any instance)."""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from gitshift.errors import ConfigError, ForgeError
from gitshift.forge import Comment, FileChange, Landed, PullRequest, Reaction, User, fit_body, missing, parsed
from gitshift.net.session import RetryPolicy, Session

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig

EMOJI = {"+1": "thumbsup", "-1": "thumbsdown"}
STATES = {"opened": "open", "locked": "open", "closed": "closed", "merged": "merged"}
# GitLab access level -> GitHub's scale. Guest reads; Planner and Reporter triage
# (labels, issues, no push); Developer writes; Maintainer maintains; Owner (and
# instance admin, 60) is admin. Below Guest (5, minimal access) is none.
ACCESS_LEVELS = ((50, "admin"), (40, "maintain"), (30, "write"), (15, "triage"), (10, "read"))
DRAFT = "Draft: "
# The Commits API's answers (400, or 409) when a change met a newer one: a file changed since the
# planned commit ("The file has changed since you started editing it"), was created or deleted
# meanwhile, or the new branch appeared ("A branch called 'x' already exists").
RACE = re.compile(r"has (been )?changed|already exists|doesn't exist|does not exist")
MODES = {"100644": False, "100755": True}  # git mode -> execute_filemode


class GitLab:
    """A GitLab project's merge requests, addressed by ``iid`` and the URL-encoded project path.

    ``config.api_url`` is ``https://gitlab.com/api/v4`` or a self-hosted instance;
    ``/api/v4`` is appended when the URL names no API path.
    """

    kind = "gitlab"
    body_limit = 1_000_000  # characters in a note or description

    def __init__(self, config: ForgeConfig, token: str | None, policy: RetryPolicy | None = None) -> None:
        if not config.project.strip("/"):
            raise ConfigError("forge.project: expected the GitLab project path, like group/project")
        self.project = config.project.strip("/")
        api_url = config.api_url.rstrip("/")
        if "/api/v" not in urlsplit(api_url).path:
            api_url += "/api/v4"
        self.web_url = api_url.rsplit("/api/v", 1)[0]
        self._project = f"/projects/{quote(self.project, safe='')}"
        self._user_ids: dict[str, int | None] = {}
        headers = {"Accept": "application/json"}
        if token:
            headers["PRIVATE-TOKEN"] = token
        self.session = Session("gitlab", api_url, headers, token, policy)

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()

    def find_open_pr(self, head: str, base: str | None = None) -> PullRequest | None:
        """The open merge request from branch ``head`` (into ``base`` when given), or None."""
        params: dict[str, Any] = {"source_branch": head, "state": "opened", "per_page": 100}
        if base:
            params["target_branch"] = base
        items = self.session.call("GET", f"{self._project}/merge_requests", params=params).data
        for item in items or []:
            pr = self._mr(item)
            if pr.head == head:
                return pr
        return None

    def open_or_update_pr(
        self,
        head: str,
        base: str,
        title: str,
        body: str,
        labels: Sequence[str] = (),
        reviewers: Sequence[str] = (),
        draft: bool = False,
    ) -> PullRequest:
        """Open a merge request from ``head`` into ``base``, or update the open one of ``head``.

        Re-running with the same arguments changes nothing. Labels are added; reviewers
        (GitLab usernames) are added to those already assigned.

        Returns:
            The request as it stands after the call; ``created`` tells whether it is new.
        """
        body = fit_body(body, self.body_limit, "description")
        reviewer_ids = [self._reviewer_id(name) for name in missing(reviewers, ())]
        pr = self.find_open_pr(head)
        if pr is None:
            pr = self._create(head, base, _title(title, draft), body, labels, reviewer_ids)
            if pr.created:
                return pr
        fields: dict[str, Any] = {}
        wanted_title = _title(title, draft or pr.draft)  # an update never un-drafts
        if (pr.title, pr.body, pr.base) != (wanted_title, body, base):
            fields.update(title=wanted_title, description=body, target_branch=base)
        new_labels = missing(labels, pr.labels)
        if new_labels:
            fields["add_labels"] = ",".join(new_labels)
        current = self._reviewer_ids(pr.number) if reviewer_ids else []
        if not set(reviewer_ids) <= set(current):
            fields["reviewer_ids"] = current + [i for i in reviewer_ids if i not in current]
        if not fields:
            return pr
        data = self.session.call("PUT", f"{self._project}/merge_requests/{pr.number}", json=fields).data
        return self._mr(data)

    def get_pr(self, number: int) -> PullRequest:
        """The merge request with this iid."""
        return self._mr(self.session.call("GET", f"{self._project}/merge_requests/{number}").data)

    def comment(self, pr_number: int, body: str) -> Comment:
        """Post a note on merge request ``pr_number``."""
        path = f"{self._project}/merge_requests/{pr_number}/notes"
        data = self.session.call("POST", path, json={"body": fit_body(body, self.body_limit, "comment")}).data
        note_id = parsed("gitlab", lambda: int(data["id"]))
        url = f"{self.web_url}/{self.project}/-/merge_requests/{pr_number}#note_{note_id}"
        return Comment(note_id, url, pr_number)

    def react(self, pr_number: int, comment_id: int, reaction: Reaction) -> None:
        """Award ``thumbsup``/``thumbsdown`` to a note; an award already given is kept."""
        if reaction not in EMOJI:
            raise ValueError(f"reaction must be one of {tuple(EMOJI)}, not {reaction!r}")
        path = f"{self._project}/merge_requests/{pr_number}/notes/{comment_id}/award_emoji"
        reply = self.session.call("POST", path, json={"name": EMOJI[reaction]}, accept=(400, 404, 409))
        if reply.status >= 400 and "already been taken" not in str(reply.data):
            raise self.session.refused("POST", path, reply)

    def permission(self, username: str, user_id: int | None = None) -> str:
        """The user's access to the project on GitHub's scale (see ACCESS_LEVELS).

        Args:
            username: the login, looked up when ``user_id`` is not given.
            user_id: the numeric id (a note event carries it as ``author.id``).

        Returns:
            One of PERMISSIONS; non-members, unknown and inactive users have ``none``.
        """
        if user_id is None:
            user_id = self._user_id(username)
            if user_id is None:
                return "none"
        reply = self.session.call("GET", f"{self._project}/members/all/{user_id}", accept=(404,))
        if reply.status == 404 or not isinstance(reply.data, dict):
            return "none"
        if reply.data.get("state", "active") != "active":
            return "none"
        level = parsed("gitlab", lambda: int(reply.data["access_level"]))
        return next((name for floor, name in ACCESS_LEVELS if level >= floor), "none")

    def current_user(self) -> User:
        """The account that owns the token."""
        data = self.session.call("GET", "/user").data
        return parsed("gitlab", lambda: User(str(data["username"]), int(data["id"])))

    def commit_changes(self, branch: str, start: str, base: str, create: bool, changes: Sequence[FileChange],
                       message: str) -> Landed | None:
        """One commit of ``changes`` on ``branch`` through the Commits API, never forced.

        On an existing branch each updated or deleted file carries its last commit as of
        ``start`` (``last_commit_id``), so GitLab refuses the commit if another commit changed
        it since; a branch whose tip is no longer ``start`` is seen in that lookup and nothing
        is sent. A new branch starts at ``start`` itself (``start_sha``), where every file is
        as planned; GitLab refuses it if the branch appeared meanwhile. Author and committer
        are the token's user.

        Args:
            branch: the branch to commit on.
            start: the commit the changes were planned on (the branch's tip, or the new branch's start).
            base: unused: a new branch starts at ``start`` exactly.
            create: whether ``branch`` is new.
            changes: the files the commit writes or deletes.
            message: the commit message.

        Returns:
            The commit and the tip GitLab put it on; None when the branch or a file moved
            meanwhile (re-plan on the new tip).
        """
        actions: list[dict[str, Any]] = []
        for change in sorted(changes, key=lambda c: c.path):
            if change.old_blob is not None:
                action = {"action": "update" if change.content is not None else "delete", "file_path": change.path}
                if not create:
                    found = self._last_commit(branch, change.path)
                    if found is None or found[0] != start:  # the branch moved since the plan
                        return None
                    action["last_commit_id"] = found[1]
            else:
                action = {"action": "create", "file_path": change.path}
            if change.content is not None:
                action.update(content=base64.b64encode(change.content).decode(), encoding="base64")
            actions.append(action)
            if change.content is not None and _executable(change.mode) != _executable(change.old_mode or "100644"):
                actions.append({"action": "chmod", "file_path": change.path,
                                "execute_filemode": _executable(change.mode)})
        fields: dict[str, Any] = {"branch": branch, "commit_message": message, "actions": actions, "force": False}
        if create:
            fields["start_sha"] = start
        path = f"{self._project}/repository/commits"
        reply = self.session.call("POST", path, json=fields, accept=(400, 409))
        if reply.status in (400, 409):
            if reply.status == 409 or RACE.search(str(reply.data)):
                return None
            raise self.session.refused("POST", path, reply)
        data = reply.data
        return parsed("gitlab", lambda: Landed(str(data["id"]), str(data["parent_ids"][0])))

    def _last_commit(self, ref: str, file_path: str) -> tuple[str, str] | None:
        """The commit ``ref`` names and the last commit that changed ``file_path`` there; None: no such file."""
        path = f"{self._project}/repository/files/{quote(file_path, safe='')}"
        reply = self.session.call("GET", path, params={"ref": ref}, accept=(404,))
        if reply.status == 404:
            if "File Not Found" in str(reply.data):  # deleted since the plan
                return None
            raise self.session.refused("GET", path, reply)
        data = reply.data
        return parsed("gitlab", lambda: (str(data["commit_id"]), str(data["last_commit_id"])))

    def _create(
        self,
        head: str,
        base: str,
        title: str,
        body: str,
        labels: Sequence[str],
        reviewer_ids: list[int],
    ) -> PullRequest:
        path = f"{self._project}/merge_requests"
        fields: dict[str, Any] = {
            "source_branch": head,
            "target_branch": base,
            "title": title,
            "description": body,
            "remove_source_branch": True,
        }
        if labels:
            fields["labels"] = ",".join(labels)
        if reviewer_ids:
            fields["reviewer_ids"] = reviewer_ids
        reply = self.session.call("POST", path, json=fields, accept=(409,))
        if reply.status != 409:
            return replace(self._mr(reply.data), created=True)
        # A retried create whose first attempt got through, or a concurrent run, opened it.
        existing = self.find_open_pr(head)
        if existing is None:
            raise self.session.refused("POST", path, reply)
        return existing

    def _user_id(self, username: str) -> int | None:
        if username not in self._user_ids:
            data = self.session.call("GET", "/users", params={"username": username}).data
            self._user_ids[username] = parsed("gitlab", lambda: int(data[0]["id"]) if data else None)
        return self._user_ids[username]

    def _reviewer_id(self, username: str) -> int:
        user_id = self._user_id(username)
        if user_id is None:
            raise ForgeError(
                f"gitlab has no user {username!r} to ask for a review",
                f"gitlab {self.project}",
                "check the --reviewer names",
            )
        return user_id

    def _reviewer_ids(self, iid: int) -> list[int]:
        data = self.session.call("GET", f"{self._project}/merge_requests/{iid}").data
        return parsed("gitlab", lambda: [int(u["id"]) for u in data.get("reviewers") or []])

    def _mr(self, data: Any) -> PullRequest:
        def build() -> PullRequest:
            return PullRequest(
                number=int(data["iid"]),
                url=str(data["web_url"]),
                head=str(data["source_branch"]),
                base=str(data["target_branch"]),
                state=STATES.get(data["state"], str(data["state"])),
                title=str(data["title"]),
                author=str((data.get("author") or {}).get("username", "")),
                body=data.get("description") or "",
                draft=bool(data.get("draft")),
                head_sha=str(data.get("sha") or ""),
                labels=tuple(str(x) for x in data.get("labels") or []),
                reviewers=tuple(str(u["username"]) for u in data.get("reviewers") or []),
                fork=data.get("source_project_id", 0) != data.get("target_project_id", 0),
            )

        return parsed("gitlab", build)


def _executable(mode: str) -> bool:
    if mode not in MODES:
        raise ForgeError(f"gitlab's Commits API writes regular files, not mode {mode}", "forge.commit_via",
                         "use commit_via: git for this change")
    return MODES[mode]


def _title(title: str, draft: bool) -> str:
    return DRAFT + title if draft and not title.startswith(DRAFT) else title
