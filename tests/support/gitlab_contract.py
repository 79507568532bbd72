"""The endpoint table of contracts/gitlab-mr-endpoints.md as hand-written checks.

GitLab publishes no subset of its OpenAPI description here, so each row of the
table becomes an ``Endpoint``: method, path, required and optional parameters.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from .http_fake import Call

PAGING = ("page", "per_page")
MR_FIELDS = (
    "title",
    "description",
    "target_branch",
    "labels",
    "assignee_ids",
    "reviewer_ids",
    "remove_source_branch",
    "squash",
)
MR_STATES = ("opened", "closed", "locked", "merged", "all")
COMMIT_ACTIONS = ("create", "delete", "move", "update", "chmod")
ACTION_KEYS = ("action", "file_path", "previous_path", "content", "encoding", "last_commit_id", "execute_filemode")
COMMIT_FIELDS = ("id", "short_id", "title", "message", "parent_ids", "web_url")
FILE_FIELDS = ("file_name", "file_path", "size", "encoding", "content", "content_sha256", "ref", "blob_id",
               "commit_id", "last_commit_id")
SHA = re.compile(r"[0-9a-f]{40}")


@dataclass(frozen=True)
class Endpoint:
    """One row of the table."""

    method: str
    path: str
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    at_least_one: bool = False
    answer: tuple[str, ...] = ()  # fields a success answer carries (the row's key response fields)

    def matches(self, call: Call) -> bool:
        """Whether the call's method and raw path are this row's."""
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path)
        return call.method == self.method and re.fullmatch(pattern, call.path) is not None


MR = "/projects/{id}/merge_requests/{iid}"
ENDPOINTS = (
    Endpoint(
        "POST",
        "/projects/{id}/merge_requests",
        ("source_branch", "target_branch", "title"),
        (*MR_FIELDS, "target_project_id"),
    ),
    Endpoint(
        "GET",
        "/projects/{id}/merge_requests",
        query=("source_branch", "target_branch", "state", "labels", "order_by", "sort", *PAGING),
    ),
    Endpoint("GET", MR, query=("include_rebase_in_progress", "include_diverged_commits_count")),
    Endpoint(
        "PUT",
        MR,
        optional=(*MR_FIELDS, "state_event", "add_labels", "remove_labels", "milestone_id", "discussion_locked"),
        at_least_one=True,
    ),
    Endpoint("POST", MR + "/notes", ("body",), ("internal", "created_at")),
    Endpoint("GET", MR + "/notes", query=("sort", "order_by", *PAGING)),
    Endpoint("PUT", MR + "/notes/{note_id}", ("body",)),
    Endpoint("POST", MR + "/notes/{note_id}/award_emoji", ("name",)),
    Endpoint("GET", MR + "/notes/{note_id}/award_emoji", query=PAGING),
    Endpoint("GET", "/projects/{id}/members/all/{user_id}"),
    Endpoint("GET", "/user"),
    Endpoint("GET", MR + "/diffs", query=(*PAGING, "unidiff")),
    # Not in the table yet: GitLab's "List users" filtered by username, which turns a
    # --reviewer login into the id that reviewer_ids needs.
    Endpoint("GET", "/users", ("username",)),
    Endpoint("GET", "/projects/{id}/repository/files/{file_path}", ("ref",), answer=FILE_FIELDS),
    Endpoint(
        "POST",
        "/projects/{id}/repository/commits",
        ("branch", "commit_message", "actions"),
        ("start_branch", "start_sha", "start_project", "author_email", "author_name", "stats", "force"),
        answer=COMMIT_FIELDS,
    ),
)


def check_call(call: Call, known: bool) -> list[str]:
    """Every way ``call`` breaks the table; ``known`` says whether the fake implements it."""
    row = next((e for e in ENDPOINTS if e.matches(call)), None)
    if row is None:
        return [
            f"{call.method} {call.path} is not in gitlab-mr-endpoints.md"
            " (a project path must be URL-encoded: group%2Fproject)"
        ]
    problems = [] if known else ["in the table, but not faked"]
    problems += _path_problems(call)
    try:
        body = call.data()
    except (ValueError, UnicodeDecodeError) as exc:
        return [*problems, f"body is neither JSON nor a form: {exc}"]
    if call.method == "GET":
        problems += [] if body is None else ["a GET with a body"]
        problems += _param_problems(row, {k: v[0] for k, v in call.query.items()}, query=True)
    else:
        if not isinstance(body, dict):
            return [*problems, "the body must be an object of parameters"]
        problems += _param_problems(row, body, query=False)
    return problems


def check_answer(call: Call, status: int, body: Any) -> list[str]:
    """Every way an answer to ``call`` breaks its row: a success lacks a key field, an error lacks its message."""
    row = next((e for e in ENDPOINTS if e.matches(call)), None)
    if row is None:
        return []
    if status >= 400:
        ok = isinstance(body, dict) and bool(body.get("message") or body.get("error"))
        return [] if ok else [f"error {status} without a message or error field"]
    if not row.answer:
        return []
    if not isinstance(body, dict):
        return ["the answer must be an object"]
    return [f"answer lacks {name!r}" for name in row.answer if name not in body]


def _path_problems(call: Call) -> list[str]:
    parts = call.path.split("/")
    problems = []
    if len(parts) > 2 and parts[1] == "projects":
        project = parts[2]
        if not project.isdigit() and "%2F" not in project.upper():
            problems.append(f"project {project!r}: expected a numeric id or an encoded full path")
    for name, value in itertools.pairwise(parts[3:]):
        if name in ("merge_requests", "notes", "all") and not value.isdigit():
            problems.append(f"{name}/{value}: expected a number")
    return problems


def _param_problems(row: Endpoint, params: dict[str, Any], query: bool) -> list[str]:
    allowed = set(row.required) | set(row.optional) | set(row.query)
    problems = [f"unknown parameter {k!r}" for k in params if k not in allowed]
    problems += [f"missing required parameter {k!r}" for k in row.required if params.get(k) in (None, "")]
    if row.at_least_one and not params:
        problems.append("no attribute to change")
    for key, value in params.items():
        problems += _type_problems(key, value, query)
    return problems


def _type_problems(key: str, value: Any, query: bool) -> list[str]:
    if key in ("labels", "add_labels", "remove_labels") and not isinstance(value, str):
        return [f"{key} must be a comma-separated string, not {json.dumps(value)}"]
    if key.endswith("_ids") and not (isinstance(value, list) and all(isinstance(i, int) for i in value)):
        return [f"{key} must be a list of numeric ids"]
    if key == "state" and value not in MR_STATES:
        return [f"state {value!r} is not one of {', '.join(MR_STATES)}"]
    if key == "state_event" and value not in ("close", "reopen"):
        return [f"state_event {value!r} is not close or reopen"]
    if key == "per_page" and not (str(value).isdigit() and 1 <= int(value) <= 100):
        return [f"per_page {value!r} is not 1..100"]
    if key in ("remove_source_branch", "squash", "internal", "force", "stats") and not query \
            and not isinstance(value, bool):
        return [f"{key} must be a boolean"]
    if key == "start_sha" and not (isinstance(value, str) and SHA.fullmatch(value)):
        return [f"start_sha {value!r} is not a full commit id"]
    if key == "actions":
        if not isinstance(value, list) or not value:
            return ["actions must be a non-empty list"]
        return [f"actions[{i}]: {p}" for i, action in enumerate(value) for p in _action_problems(action)]
    return []


def _action_problems(action: Any) -> list[str]:
    """Every way one entry of a commit's ``actions`` breaks the row."""
    if not isinstance(action, dict):
        return ["must be an object"]
    problems = [f"unknown key {k!r}" for k in action if k not in ACTION_KEYS]
    kind = action.get("action")
    if kind not in COMMIT_ACTIONS:
        return [*problems, f"action {kind!r} is not one of {', '.join(COMMIT_ACTIONS)}"]
    if not isinstance(action.get("file_path"), str) or not action["file_path"]:
        problems.append("file_path is required")
    if kind in ("create", "update") and not isinstance(action.get("content"), str):
        problems.append(f"content is required for {kind}")
    if kind == "move" and not isinstance(action.get("previous_path"), str):
        problems.append("previous_path is required for move")
    if action.get("encoding", "text") not in ("text", "base64"):
        problems.append(f"encoding {action['encoding']!r} is not text or base64")
    if "last_commit_id" in action and not (isinstance(action["last_commit_id"], str)
                                           and SHA.fullmatch(action["last_commit_id"])):
        problems.append("last_commit_id must be a full commit id")
    if "execute_filemode" in action and (kind != "chmod" or not isinstance(action["execute_filemode"], bool)):
        problems.append("execute_filemode is a boolean of chmod actions only")
    return problems
