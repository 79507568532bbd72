"""Comment events as GitHub and Gitea (``issue_comment``) and GitLab (note hook) deliver them, in one shape.

Pure: a payload in, an ``Event`` out, and the reasons to ignore one that need
no forge call (edited comments and comments by bots are ignored).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitshift.errors import InputError

FORGES = ("github", "gitlab", "gitea")
# Gitea Actions comments as this user; Gitea has no bot account type in its payloads.
_GITEA_BOTS = ("gitea-actions", "forgejo-actions")
# GitLab project and group access tokens act as users named like project_123_bot_<hash>.
_GITLAB_BOT = re.compile(r"(project|group)_\d+_bot(_[0-9a-f]+)?|.*\[bot\]")
_GITLAB_STATES = {"opened": "open", "locked": "open"}


@dataclass(frozen=True)
class Event:
    """A comment on a pull/merge request, as gitshift needs it.

    Attributes:
        forge: ``github``, ``gitlab`` or ``gitea``.
        project: ``owner/repo`` or the GitLab project path.
        action: ``created`` for a new comment; anything else is ignored.
        pr_number: the pull request number (GitLab ``iid``); None when not on a pull request.
        comment_id: the comment (note) id, for the reply's reaction.
        body: the comment text.
        login: who wrote it.
        user_id: their numeric id (GitLab's permission look-up uses it).
        bot: whether the payload marks the author as a bot or an app.
        pr_state: ``open``, ``closed`` or ``merged`` when the payload says.
        kind: what was commented on, for the message when it is not a pull request.
    """

    forge: str
    project: str
    action: str
    pr_number: int | None
    comment_id: int
    body: str
    login: str
    user_id: int | None = None
    bot: bool = False
    pr_state: str | None = None
    kind: str = "pull request"


def detect(data: Any) -> str:
    """Which forge sent ``data``.

    Raises:
        InputError: neither a GitHub comment event nor a GitLab note event.
    """
    if isinstance(data, dict) and data.get("object_kind") == "note":
        return "gitlab"
    if isinstance(data, dict) and isinstance(data.get("comment"), dict):
        return "gitea" if "is_pull" in data else "github"  # Gitea's payload mirrors GitHub's, plus is_pull
    raise InputError("not a comment event", "--event",
                     "pass the payload of a GitHub or Gitea issue_comment event or a GitLab note hook")


def read(data: Any, forge: str | None = None) -> Event:
    """The event in a decoded JSON payload; ``forge`` None detects it.

    Raises:
        InputError: the payload is not a comment event of that forge.
    """
    forge = forge or detect(data)
    try:
        return {"github": _github, "gitlab": _gitlab, "gitea": _gitea}[forge](data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"malformed {forge} comment event: missing or bad {exc}", "--event") from exc


def _github(data: dict[str, Any]) -> Event:
    comment, user = data["comment"], data["comment"]["user"]
    issue = data.get("issue") or {}
    on_pr = bool(issue.get("pull_request"))
    login = str(user["login"])
    merged = bool((issue.get("pull_request") or {}).get("merged_at"))
    return Event(
        forge="github", project=str(data["repository"]["full_name"]), action=str(data.get("action", "")),
        pr_number=int(issue["number"]) if on_pr else None, comment_id=int(comment["id"]),
        body=str(comment.get("body") or ""), login=login, user_id=int(user["id"]),
        bot=user.get("type") == "Bot" or login.endswith("[bot]") or bool(comment.get("performed_via_github_app")),
        pr_state="merged" if merged else issue.get("state"),
        kind="pull request" if on_pr else ("issue" if issue else "review thread"),
    )


def _gitea(data: dict[str, Any]) -> Event:
    """Gitea's (and Forgejo's) IssueCommentPayload: GitHub's shape, ``is_pull``, no user type."""
    comment, user = data["comment"], data["comment"]["user"]
    issue = data.get("issue") or {}
    meta = issue.get("pull_request") or {}
    on_pr = bool(data.get("is_pull")) or bool(meta)
    merged = bool(meta.get("merged") or (data.get("pull_request") or {}).get("merged"))
    login = str(user["login"])
    return Event(
        forge="gitea", project=str(data["repository"]["full_name"]), action=str(data.get("action", "")),
        pr_number=int(issue["number"]) if on_pr else None, comment_id=int(comment["id"]),
        body=str(comment.get("body") or ""), login=login, user_id=int(user["id"]),
        bot=login.endswith("[bot]") or login in _GITEA_BOTS,
        pr_state="merged" if merged else issue.get("state"),
        kind="pull request" if on_pr else "issue",
    )


def _gitlab(data: dict[str, Any]) -> Event:
    note, user = data["object_attributes"], data["user"]
    mr = data.get("merge_request") or {}
    on_mr = note.get("noteable_type") == "MergeRequest" and bool(mr)
    # object_attributes.action (GitLab 16.11+) is create or update; older payloads have none.
    action = {"create": "created", "update": "edited", None: "created"}.get(note.get("action"), "edited")
    if note.get("system"):
        action = "system note"
    login = str(user["username"])
    state = mr.get("state")
    return Event(
        forge="gitlab", project=str(data["project"]["path_with_namespace"]), action=action,
        pr_number=int(mr["iid"]) if on_mr else None, comment_id=int(note["id"]), body=str(note.get("note") or ""),
        login=login, user_id=int(user["id"]) if user.get("id") is not None else None,
        bot=bool(_GITLAB_BOT.fullmatch(login)) or bool(user.get("bot")),
        pr_state=_GITLAB_STATES.get(state, state) if state else None,
        kind="merge request" if on_mr else str(note.get("noteable_type") or "object").lower(),
    )


def ignored(event: Event) -> str | None:
    """Why ``event`` needs no answer, judged from the payload alone; None when it may be a command."""
    if event.action != "created":
        return f"the comment was not newly created ({event.action or 'no action'})"
    if event.pr_number is None:
        return f"the comment is not on a pull request ({event.kind})"
    if event.bot:
        return f"the comment is by a bot ({event.login})"
    if event.pr_state not in (None, "open"):
        return f"the pull request is {event.pr_state}"
    return None
