"""GitHub JSON objects built from the contract's schemas, filled from the fake's state."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING, Any

from .openapi_contract import example

if TYPE_CHECKING:
    from .github_fake import GitHubFake, Pull, Repo

WEB = "https://github.test"
API = "https://api.github.test"
STAMP = "2024-05-01T12:00:00Z"


def user_json(fake: GitHubFake, login: str) -> dict[str, Any]:
    """A ``simple-user``."""
    return example(
        "simple-user",
        login=login,
        id=fake.user_id(login),
        html_url=f"{WEB}/{login}",
        url=f"{API}/users/{login}",
        type="Bot" if login == fake.login or login.endswith("[bot]") else "User",
    )


def label_json(name: str) -> dict[str, Any]:
    """A ``label`` (ids derived from the name, so they stay stable)."""
    return example(
        "label", id=zlib.crc32(name.encode()), name=name, color="ededed", description="", url=f"{API}/labels/{name}"
    )


def repo_json(fake: GitHubFake, repo: Repo) -> dict[str, Any]:
    """A ``repository``."""
    return example(
        "repository",
        id=repo.id,
        name=repo.name,
        full_name=repo.full_name,
        owner=user_json(fake, repo.owner),
        html_url=f"{WEB}/{repo.full_name}",
        url=f"{API}/repos/{repo.full_name}",
        default_branch="main",
    )


def pull_json(fake: GitHubFake, repo: Repo, pull: Pull, simple: bool = False) -> dict[str, Any]:
    """A ``pull-request``, or with ``simple`` the ``pull-request-simple`` of lists."""

    def end(ref: str, sha: str, where: Repo = repo) -> dict[str, Any]:
        return {
            "label": f"{where.owner}:{ref}",
            "ref": ref,
            "sha": sha,
            "repo": repo_json(fake, where),
            "user": user_json(fake, where.owner),
        }

    head_repo = fake.repos[pull.head_repo] if pull.head_repo else repo

    merged = pull.state == "merged"
    fields: dict[str, Any] = {
        "id": pull.id,
        "number": pull.number,
        "title": pull.title,
        "body": pull.body,
        "state": "closed" if merged else pull.state,
        "draft": pull.draft,
        "html_url": f"{WEB}/{repo.full_name}/pull/{pull.number}",
        "url": f"{API}/repos/{repo.full_name}/pulls/{pull.number}",
        "head": end(pull.head, pull.sha, head_repo),
        "base": end(pull.base, "f" * 40),
        "user": user_json(fake, pull.author),
        "created_at": STAMP,
        "updated_at": STAMP,
        "merged_at": STAMP if merged else None,
        "author_association": "MEMBER",
        "labels": [label_json(name) for name in pull.labels],
        "requested_reviewers": [user_json(fake, login) for login in pull.reviewers],
    }
    if not simple:
        fields.update(
            merged=merged, mergeable=True, mergeable_state="clean", commits=1, additions=1, deletions=1, changed_files=1
        )
    return example("pull-request-simple" if simple else "pull-request", **fields)


def comment_json(fake: GitHubFake, repo: Repo, comment: dict[str, Any]) -> dict[str, Any]:
    """An ``issue-comment``."""
    return example(
        "issue-comment",
        id=comment["id"],
        body=comment["body"],
        html_url=f"{WEB}/{repo.full_name}/pull/{comment['issue']}#issuecomment-{comment['id']}",
        url=f"{API}/repos/{repo.full_name}/issues/comments/{comment['id']}",
        issue_url=f"{API}/repos/{repo.full_name}/issues/{comment['issue']}",
        user=user_json(fake, comment["user"]),
        created_at=STAMP,
        updated_at=STAMP,
        author_association="MEMBER",
    )


def reaction_json(fake: GitHubFake, reaction: dict[str, Any]) -> dict[str, Any]:
    """A ``reaction``."""
    return example(
        "reaction",
        id=reaction["id"],
        content=reaction["content"],
        user=user_json(fake, reaction["user"]),
        created_at=STAMP,
    )
