"""GitHub (and GitHub Enterprise Server) over REST v3, API version 2022-11-28."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gitshift.errors import ConfigError, ForgeError
from gitshift.forge import PERMISSIONS, Comment, PullRequest, Reaction, User, fit_body, missing, parsed
from gitshift.forge.github_api import github_session
from gitshift.net.session import RetryPolicy

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig

REACTIONS = ("+1", "-1")


class GitHub:
    """A GitHub repository's pull requests, comments, reactions and collaborators.

    ``config.api_url`` is ``https://api.github.com`` or, for GitHub Enterprise
    Server, ``https://HOST/api/v3``; every path is appended to it.
    """

    kind = "github"
    body_limit = 65536  # characters in a pull request body or comment

    def __init__(self, config: ForgeConfig, token: str | None, policy: RetryPolicy | None = None) -> None:
        owner, _, name = config.project.partition("/")
        if not owner or not name or "/" in name:
            raise ConfigError(f"forge.project: expected owner/repo for github, not {config.project!r}")
        self.project = config.project
        self.owner = owner
        self._repo = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        self._token = token
        self.session = github_session(config, token, policy)

    def close(self) -> None:
        """Release the HTTP session."""
        self.session.close()

    def find_open_pr(self, head: str, base: str | None = None) -> PullRequest | None:
        """The open pull request from branch ``head`` (into ``base`` when given), or None."""
        qualified = head if ":" in head else f"{self.owner}:{head}"
        params: dict[str, Any] = {"state": "open", "head": qualified, "per_page": 100}
        if base:
            params["base"] = base
        items = self.session.call("GET", f"{self._repo}/pulls", params=params).data
        branch = qualified.partition(":")[2]
        for item in items or []:
            pr = self._pr(item)
            if pr.head == branch:
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
        """Open a pull request from ``head`` into ``base``, or update the open one of ``head``.

        Re-running with the same arguments changes nothing. Labels are added to those
        the request has; reviewers are requested unless already requested or the author.

        Returns:
            The request as it stands after the call; ``created`` tells whether it is new.
        """
        body = fit_body(body, self.body_limit)
        pr = self.find_open_pr(head)
        if pr is None:
            pr = self._create(head, base, title, body, draft)
        if not pr.created and (pr.title, pr.body, pr.base) != (title, body, base):
            fields = {"title": title, "body": body, "base": base}
            data = self.session.call("PATCH", f"{self._repo}/pulls/{pr.number}", json=fields).data
            pr = replace(self._pr(data), created=False)
        new_labels = missing(labels, pr.labels)
        if new_labels:
            data = self.session.call(
                "POST", f"{self._repo}/issues/{pr.number}/labels", json={"labels": new_labels}
            ).data
            pr = replace(pr, labels=tuple(parsed("github", lambda: [label["name"] for label in data])))
        wanted = [r for r in missing(reviewers, pr.reviewers) if r.lower() != pr.author.lower()]
        if wanted:
            data = self.session.call(
                "POST",
                f"{self._repo}/pulls/{pr.number}/requested_reviewers",
                json={"reviewers": wanted},
            ).data
            pr = replace(pr, reviewers=self._pr(data).reviewers)
        return pr

    def get_pr(self, number: int) -> PullRequest:
        """The pull request with this number."""
        return self._pr(self.session.call("GET", f"{self._repo}/pulls/{number}").data)

    def comment(self, pr_number: int, body: str) -> Comment:
        """Post a comment on pull request ``pr_number`` (cut to the body limit)."""
        data = self.session.call(
            "POST",
            f"{self._repo}/issues/{pr_number}/comments",
            json={"body": fit_body(body, self.body_limit, "comment")},
        ).data
        return parsed("github", lambda: Comment(int(data["id"]), str(data["html_url"]), pr_number))

    def react(self, pr_number: int, comment_id: int, reaction: Reaction) -> None:
        """Add a reaction to an issue comment; an existing identical reaction is kept."""
        if reaction not in REACTIONS:
            raise ValueError(f"reaction must be one of {REACTIONS}, not {reaction!r}")
        self.session.call(
            "POST",
            f"{self._repo}/issues/comments/{comment_id}/reactions",
            json={"content": reaction},
        )

    def permission(self, username: str, user_id: int | None = None) -> str:
        """``username``'s role on the repository, one of PERMISSIONS; unknown users have ``none``.

        GitHub's ``role_name`` tells ``maintain`` and ``triage`` apart, which the
        older ``permission`` field folds into ``write`` and ``read``; a custom role
        falls back to ``permission``.
        """
        path = f"{self._repo}/collaborators/{quote(username, safe='')}/permission"
        reply = self.session.call("GET", path, accept=(404,))
        if reply.status == 404:
            return "none"
        data = reply.data if isinstance(reply.data, dict) else {}
        role, legacy = data.get("role_name"), data.get("permission")
        if role in PERMISSIONS:
            return str(role)
        if legacy in PERMISSIONS:
            return str(legacy)
        raise ForgeError(f"github answered an unknown permission {legacy!r} for {username!r}", path)

    def current_user(self) -> User:
        """The account that owns the token: for a GitHub App's installation token, the App's bot user."""
        from gitshift.forge import app

        bot = app.bot_for(self._token)
        if bot is not None:  # GET /user is not open to installation tokens
            return User(bot.login, bot.id)
        data = self.session.call("GET", "/user").data
        return parsed("github", lambda: User(str(data["login"]), int(data["id"])))

    def commit_files(self, parent: str, base_tree: str, files: Mapping[str, tuple[str, bytes | None]],
                     message: str) -> tuple[str, str]:
        """A commit on ``parent`` made through the Git Data API: blobs, a tree on ``base_tree``, the commit.

        Args:
            parent: the commit the new one follows.
            base_tree: the tree of ``parent``; entries not in ``files`` are kept from it.
            files: repository path -> (mode, bytes), or (mode, None) to delete it.
            message: the commit message. Author and committer are the token's account
                (an App's bot), and GitHub signs the commit: it shows as verified.

        Returns:
            The new commit's sha and its tree's sha. No ref moves (see ``move_branch``).
        """
        entries: list[dict[str, Any]] = []
        for path, (mode, data) in sorted(files.items()):
            sha = None if data is None else self._blob(data)
            entries.append({"path": path, "mode": mode, "type": "blob", "sha": sha})
        tree = self.session.call("POST", f"{self._repo}/git/trees",
                                 json={"base_tree": base_tree, "tree": entries}).data
        tree_sha = parsed("github", lambda: str(tree["sha"]))
        commit = self.session.call("POST", f"{self._repo}/git/commits",
                                   json={"message": message, "tree": tree_sha, "parents": [parent]}).data
        return parsed("github", lambda: str(commit["sha"])), tree_sha

    def _blob(self, data: bytes) -> str:
        blob = self.session.call("POST", f"{self._repo}/git/blobs",
                                 json={"content": base64.b64encode(data).decode(), "encoding": "base64"}).data
        return parsed("github", lambda: str(blob["sha"]))

    def move_branch(self, branch: str, sha: str, create: bool) -> bool:
        """Create ``refs/heads/<branch>`` at ``sha``, or fast-forward it there; never forced.

        Returns:
            False when another writer got there first (the branch moved, or now exists): re-plan.
        """
        if create:
            path = f"{self._repo}/git/refs"
            reply = self.session.call("POST", path, json={"ref": f"refs/heads/{branch}", "sha": sha}, accept=(422,))
        else:
            path = f"{self._repo}/git/refs/{quote('heads/' + branch, safe='')}"
            reply = self.session.call("PATCH", path, json={"sha": sha, "force": False}, accept=(422,))
        if reply.status != 422:
            return True
        message = str(reply.data)
        if "fast forward" in message or "already exists" in message:
            return False
        raise self.session.refused("PATCH" if not create else "POST", path, reply)

    def _create(self, head: str, base: str, title: str, body: str, draft: bool) -> PullRequest:
        path = f"{self._repo}/pulls"
        fields = {"title": title, "head": head, "base": base, "body": body, "draft": draft}
        reply = self.session.call("POST", path, json=fields, accept=(422,))
        if reply.status == 201:
            return replace(self._pr(reply.data), created=True)
        # A retried create whose first attempt got through, or a concurrent run, opened it.
        existing = self.find_open_pr(head)
        if existing is None or "already exists" not in str(reply.data):
            raise self.session.refused("POST", path, reply)
        return existing

    def _pr(self, data: Any) -> PullRequest:
        def build() -> PullRequest:
            state = "merged" if data.get("merged_at") else str(data["state"])
            return PullRequest(
                number=int(data["number"]),
                url=str(data["html_url"]),
                head=str(data["head"]["ref"]),
                base=str(data["base"]["ref"]),
                state=state,
                title=str(data["title"]),
                author=str((data.get("user") or {}).get("login", "")),
                body=data.get("body") or "",
                draft=bool(data.get("draft")),
                head_sha=str(data["head"].get("sha") or ""),
                labels=tuple(str(label["name"]) for label in data.get("labels") or []),
                reviewers=tuple(str(u["login"]) for u in data.get("requested_reviewers") or []),
                fork=_full_name(data["head"]) != _full_name(data["base"]),
            )

        return parsed("github", build)


def _full_name(end: Any) -> str | None:
    """``owner/repo`` of a pull request end; None when its repository was deleted."""
    repo = end.get("repo") or {}
    return str(repo["full_name"]).lower() if repo.get("full_name") else None
