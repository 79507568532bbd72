"""Gitea and Forgejo pull requests, comments, reactions and collaborators over /api/v1."""

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

REACTIONS = ("+1", "-1")
# Gitea's access modes -> GitHub's scale (an owner administers; there is no triage or maintain).
PERMISSIONS = {"owner": "admin", "admin": "admin", "write": "write", "read": "read", "none": "none"}
DRAFT = "WIP: "  # Gitea marks a draft by a title prefix (WIP:, [WIP] by default)
DRAFT_PREFIXES = ("WIP:", "[WIP]")
LABEL_COLOR = "#ededed"
PAGE = 50  # Gitea's default maximum page size
MAX_PAGES = 20
# ChangeFiles' answers when a change met a newer one: a file's blob is no longer the planned one
# (422 "sha does not match"), a file or the new branch appeared (422 "... already exists"), or a
# file went away (404 naming its path).
RACE = re.compile(r"sha does not match|already exists|rel_path|file does not exist")


class Gitea:
    """A Gitea (or Forgejo) repository's pull requests, addressed by ``owner/repo`` and index.

    ``config.api_url`` is the instance's API root, ``https://HOST/api/v1``; ``/api/v1``
    is appended when the URL names no API path.
    """

    kind = "gitea"
    body_limit = 1_000_000  # characters; Gitea stores bodies as LONGTEXT

    def __init__(self, config: ForgeConfig, token: str | None, policy: RetryPolicy | None = None) -> None:
        owner, _, name = config.project.partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(f"forge.project: expected owner/repo for gitea, not {config.project!r}")
        self.project = config.project
        api_url = config.api_url.rstrip("/")
        if "/api/v" not in urlsplit(api_url).path:
            api_url += "/api/v1"
        self._repo = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        self._label_ids: dict[str, int] | None = None
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"token {token}"
        self.session = Session("gitea", api_url, headers, token, policy)

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()

    def find_open_pr(self, head: str, base: str | None = None) -> PullRequest | None:
        """The open pull request from branch ``head`` of this repository (into ``base`` when given), or None."""
        for page in range(1, MAX_PAGES + 1):
            items = self.session.call("GET", f"{self._repo}/pulls",
                                      params={"state": "open", "page": page, "limit": PAGE}).data or []
            for item in items:
                pr = self._pr(item)
                if pr.head == head and not pr.fork and base in (None, pr.base):
                    return pr
            if len(items) < PAGE:
                return None
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
        """Open a pull request from ``head`` into ``base``, or update the open one of ``head``.

        Re-running with the same arguments changes nothing. Labels (created when the
        repository lacks them) are added; reviewers are requested unless already
        requested or the author.

        Returns:
            The request as it stands after the call; ``created`` tells whether it is new.
        """
        body = fit_body(body, self.body_limit)
        pr = self.find_open_pr(head)
        if pr is None:
            pr = self._create(head, base, _title(title, draft), body, self._labels(labels))
        wanted_title = _title(title, draft or pr.draft)  # an update never un-drafts
        if not pr.created and (pr.title, pr.body, pr.base) != (wanted_title, body, base):
            fields = {"title": wanted_title, "body": body, "base": base}
            data = self.session.call("PATCH", f"{self._repo}/pulls/{pr.number}", json=fields).data
            pr = self._pr(data)
        new_labels = missing(labels, pr.labels)
        if new_labels:
            data = self.session.call("POST", f"{self._repo}/issues/{pr.number}/labels",
                                     json={"labels": self._labels(new_labels)}).data
            pr = replace(pr, labels=tuple(parsed("gitea", lambda: [str(label["name"]) for label in data])))
        wanted = [r for r in missing(reviewers, pr.reviewers) if r.lower() != pr.author.lower()]
        if wanted:
            self.session.call("POST", f"{self._repo}/pulls/{pr.number}/requested_reviewers",
                              json={"reviewers": wanted})
            pr = replace(pr, reviewers=(*pr.reviewers, *wanted))
        return pr

    def get_pr(self, number: int) -> PullRequest:
        """The pull request with this index."""
        return self._pr(self.session.call("GET", f"{self._repo}/pulls/{number}").data)

    def comment(self, pr_number: int, body: str) -> Comment:
        """Post a comment on pull request ``pr_number``."""
        data = self.session.call("POST", f"{self._repo}/issues/{pr_number}/comments",
                                 json={"body": fit_body(body, self.body_limit, "comment")}).data
        return parsed("gitea", lambda: Comment(int(data["id"]), str(data["html_url"]), pr_number))

    def react(self, pr_number: int, comment_id: int, reaction: Reaction) -> None:
        """Add a reaction to a comment; Gitea answers 200 when it was already there."""
        if reaction not in REACTIONS:
            raise ValueError(f"reaction must be one of {REACTIONS}, not {reaction!r}")
        self.session.call("POST", f"{self._repo}/issues/comments/{comment_id}/reactions",
                          json={"content": reaction})

    def permission(self, username: str, user_id: int | None = None) -> str:
        """``username``'s access to the repository on GitHub's scale; unknown users have ``none``."""
        path = f"{self._repo}/collaborators/{quote(username, safe='')}/permission"
        reply = self.session.call("GET", path, accept=(404,))
        if reply.status == 404:
            return "none"
        level = (reply.data or {}).get("permission") if isinstance(reply.data, dict) else None
        if level not in PERMISSIONS:
            raise ForgeError(f"gitea answered an unknown permission {level!r} for {username!r}", path)
        return PERMISSIONS[str(level)]

    def current_user(self) -> User:
        """The account that owns the token."""
        data = self.session.call("GET", "/user").data
        return parsed("gitea", lambda: User(str(data["login"]), int(data["id"])))

    def commit_changes(self, branch: str, start: str, base: str, create: bool, changes: Sequence[FileChange],
                       message: str) -> Landed | None:
        """One commit of ``changes`` on ``branch`` through ChangeFiles (Gitea 1.20 and later), never forced.

        Each updated or deleted file carries its blob as planned (``sha``), so Gitea refuses the
        commit if another commit changed it since. Gitea commits on the branch's tip (a new
        branch starts at ``base``'s tip), which may be newer than ``start``: the answer says
        which. Author and committer are the token's user.

        Args:
            branch: the branch to commit on.
            start: the commit the changes were planned on.
            base: the branch a new ``branch`` starts from.
            create: whether ``branch`` is new.
            changes: the files the commit writes or deletes.
            message: the commit message.

        Returns:
            The commit and the tip Gitea put it on; None when a file or the new branch met a newer
            change (re-plan on the new tip).

        Raises:
            ForgeError: a change Gitea cannot make (an executable file created, a mode changed).
        """
        files: list[dict[str, Any]] = []
        for change in sorted(changes, key=lambda c: c.path):
            if change.content is not None and change.mode != (change.old_mode or "100644"):
                raise ForgeError(f"gitea's API cannot set the mode of {change.path} to {change.mode}",
                                 "forge.commit_via", "use commit_via: git for this change")
            operation = "create" if change.old_blob is None else "update" if change.content is not None else "delete"
            item: dict[str, Any] = {"operation": operation, "path": change.path}
            if change.content is not None:
                item["content"] = base64.b64encode(change.content).decode()
            if change.old_blob is not None:
                item["sha"] = change.old_blob
            files.append(item)
        fields: dict[str, Any] = {"files": files, "message": message}
        fields.update({"branch": base, "new_branch": branch} if create else {"branch": branch})
        path = f"{self._repo}/contents"
        reply = self.session.call("POST", path, json=fields, accept=(404, 409, 422))
        if reply.status >= 400:
            if reply.status == 409 or RACE.search(str(reply.data)):
                return None
            raise self.session.refused("POST", path, reply)
        data = reply.data
        return parsed("gitea", lambda: Landed(str(data["commit"]["sha"]), str(data["commit"]["parents"][0]["sha"])))

    def _create(self, head: str, base: str, title: str, body: str, label_ids: list[int]) -> PullRequest:
        path = f"{self._repo}/pulls"
        fields: dict[str, Any] = {"head": head, "base": base, "title": title, "body": body}
        if label_ids:
            fields["labels"] = label_ids
        reply = self.session.call("POST", path, json=fields, accept=(409,))
        if reply.status != 409:
            return replace(self._pr(reply.data), created=True)
        # A retried create whose first attempt got through, or a concurrent run, opened it.
        existing = self.find_open_pr(head)
        if existing is None:
            raise self.session.refused("POST", path, reply)
        return existing

    def _labels(self, names: Sequence[str]) -> list[int]:
        """The ids of labels ``names``, creating those the repository does not have."""
        if not names:
            return []
        if self._label_ids is None:
            self._label_ids = self._repo_labels()
        for name in names:
            if name not in self._label_ids:
                self._label_ids[name] = self._create_label(name)
        return [self._label_ids[name] for name in names]

    def _repo_labels(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for page in range(1, MAX_PAGES + 1):
            items = self.session.call("GET", f"{self._repo}/labels", params={"page": page, "limit": PAGE}).data or []
            for name, label_id in _named_ids(items):
                out.setdefault(name, label_id)
            if len(items) < PAGE:
                break
        return out

    def _create_label(self, name: str) -> int:
        data = self.session.call("POST", f"{self._repo}/labels", json={"name": name, "color": LABEL_COLOR}).data
        return parsed("gitea", lambda: int(data["id"]))

    def _pr(self, data: Any) -> PullRequest:
        def build() -> PullRequest:
            head, base = data["head"], data["base"]
            title = str(data["title"])
            return PullRequest(
                number=int(data["number"]),
                url=str(data["html_url"]),
                head=str(head["ref"]),
                base=str(base["ref"]),
                state="merged" if data.get("merged") else str(data["state"]),
                title=title,
                author=str((data.get("user") or {}).get("login", "")),
                body=data.get("body") or "",
                draft=title.startswith(DRAFT_PREFIXES),
                head_sha=str(head.get("sha") or ""),
                labels=tuple(str(label["name"]) for label in data.get("labels") or []),
                reviewers=tuple(str(u["login"]) for u in data.get("requested_reviewers") or []),
                fork=_repo_id(head) != _repo_id(base),
            )

        return parsed("gitea", build)


def _named_ids(items: Any) -> list[tuple[str, int]]:
    return parsed("gitea", lambda: [(str(i["name"]), int(i["id"])) for i in items])


def _repo_id(end: Any) -> int | None:
    """The repository id of a pull request end; None when its repository was deleted."""
    repo_id = end.get("repo_id") or (end.get("repo") or {}).get("id")
    return int(repo_id) if repo_id else None


def _title(title: str, draft: bool) -> str:
    return DRAFT + title if draft and not title.startswith(DRAFT_PREFIXES) else title
