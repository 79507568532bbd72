"""The forge protocol (GitHub, GitLab, Gitea), its typed values and the factory choosing one.

Forge modules never print and never read the environment: the caller passes the
token. Importing this package is cheap; ``requests`` loads in ``make_forge``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, TypeVar

from gitshift.errors import ConfigError, ForgeError

if TYPE_CHECKING:
    from gitshift.config import ForgeConfig
    from gitshift.net.session import RetryPolicy

# GitHub's scale, weakest first; GitLab access levels are mapped onto it.
PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
Reaction = Literal["+1", "-1"]
T = TypeVar("T")


@dataclass(frozen=True)
class PullRequest:
    """A pull request (GitHub) or merge request (GitLab), as gitshift needs it.

    Attributes:
        number: the number shown to users (GitHub ``number``, GitLab ``iid``).
        url: the web page of the request.
        head: the source branch.
        base: the target branch.
        state: ``open``, ``closed`` or ``merged``.
        title: the title.
        created: True when this call opened it, False when it was found or updated.
        author: the login of whoever opened it.
        body: the description.
        draft: whether it is a draft.
        head_sha: the commit at the tip of ``head``.
        labels: the labels it carries.
        reviewers: the logins asked to review.
        fork: whether ``head`` lives in another repository (a fork, or a deleted one).
    """

    number: int
    url: str
    head: str
    base: str
    state: str
    title: str
    created: bool = False
    author: str = ""
    body: str = ""
    draft: bool = False
    head_sha: str = ""
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    fork: bool = False


@dataclass(frozen=True)
class Comment:
    """A comment on a pull request (a GitLab note): its id, web URL and request number."""

    id: int
    url: str
    pr_number: int


@dataclass(frozen=True)
class User:
    """A forge account: login and numeric id."""

    login: str
    id: int


@dataclass(frozen=True)
class FileChange:
    """One file a commit made through a forge's API changes (``forge.commit_via: api``).

    Attributes:
        path: the repository path, with ``/``.
        content: the new bytes; None deletes the file.
        mode: the git mode after the commit (before it, for a deletion): ``100644`` or ``100755``.
        old_mode: the git mode before the commit; None when the commit creates the file.
        old_blob: the blob id before the commit; None when the commit creates the file.
    """

    path: str
    content: bytes | None = field(repr=False)
    mode: str = "100644"
    old_mode: str | None = None
    old_blob: str | None = None


@dataclass(frozen=True)
class Landed:
    """A commit a forge made on a branch through its API.

    Attributes:
        sha: the commit.
        parent: the commit the forge put it on: the planned start, or the branch's tip
            when another writer moved it meanwhile (GitLab and Gitea commit on the tip).
        verified: whether its tree was compared with the verified one before the branch moved.
    """

    sha: str
    parent: str
    verified: bool = False


class Forge(Protocol):
    """What gitshift asks of a forge; GitHub, GitLab and Gitea (or Forgejo) implement it."""

    kind: str
    project: str
    body_limit: int

    def find_open_pr(self, head: str, base: str | None = None) -> PullRequest | None:
        """The open request from branch ``head`` (into ``base`` when given), or None."""
        ...

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
        """Open a request from ``head``, or update the open one; add labels and reviewers."""
        ...

    def get_pr(self, number: int) -> PullRequest:
        """The request with this number."""
        ...

    def comment(self, pr_number: int, body: str) -> Comment:
        """Post a comment on request ``pr_number``."""
        ...

    def react(self, pr_number: int, comment_id: int, reaction: Reaction) -> None:
        """Add 👍 (``+1``) or 👎 (``-1``) to a comment of request ``pr_number``."""
        ...

    def permission(self, username: str, user_id: int | None = None) -> str:
        """``username``'s permission on the project, one of PERMISSIONS."""
        ...

    def current_user(self) -> User:
        """The account that owns the token."""
        ...

    def close(self) -> None:
        """Release the HTTP session."""
        ...


def make_forge(config: ForgeConfig, token: str | None, policy: RetryPolicy | None = None) -> Forge:
    """Build the forge client the config names.

    Args:
        config: the ``forge:`` section of ``gitshift.yaml``.
        token: the API token (read by the caller from ``config.token_env``); surrounding
            whitespace is dropped.
        policy: timeouts and retries; the defaults suit a CI job.

    Returns:
        A GitHub, GitLab or Gitea client sharing one HTTP session for the run.

    Raises:
        ConfigError: an unknown forge kind or a malformed project.
    """
    token = (token.strip() or None) if token is not None else None
    if policy is None:
        policy = retry_policy(config)
    if config.kind == "github":
        from gitshift.forge.github import GitHub

        return GitHub(config, token, policy)
    if config.kind == "gitlab":
        from gitshift.forge.gitlab import GitLab

        return GitLab(config, token, policy)
    if config.kind == "gitea":
        from gitshift.forge.gitea import Gitea

        return Gitea(config, token, policy)
    raise ConfigError(f"forge.kind: expected github, gitlab or gitea, not {config.kind!r}")


def retry_policy(config: ForgeConfig) -> RetryPolicy:
    """Timeouts and retries from ``forge.retries`` and ``forge.timeout``."""
    from gitshift.net.retry import RetryPolicy

    return RetryPolicy(attempts=config.retries, budget=config.timeout,
                       read_timeout=min(30.0, config.timeout), connect_timeout=min(10.0, config.timeout))


def fit_body(text: str, limit: int = 65536, what: str = "body") -> str:
    """Cut ``text`` to at most ``limit`` characters, ending with a note saying so.

    The cut falls on a line boundary when one is near, and a code fence or
    ``<details>`` block left open by the cut is closed, so the rest still renders.

    Args:
        text: the comment or description.
        limit: the forge's maximum length (GitHub: 65,536 characters).
        what: the name used in the note.

    Returns:
        ``text`` itself when it fits, otherwise a shortened text of at most ``limit`` characters.
    """
    if len(text) <= limit:
        return text
    note = f"\n\n_… {what} cut: {{shown}} of {len(text):,} characters shown (limit {limit:,})._\n"
    room = max(0, limit - len(note) - 40)  # 40: the closers and the digits of {shown}
    head = text[:room]
    newline = head.rfind("\n")
    if newline >= room * 3 // 4:
        head = head[:newline]
    closers = ""
    if sum(1 for line in head.splitlines() if line.lstrip().startswith("```")) % 2:
        closers += "\n```"
    closers += "\n</details>" * max(0, head.count("<details") - head.count("</details>"))
    return (head + closers + note.format(shown=f"{len(head):,}"))[:limit]


def parsed(forge: str, build: Callable[[], T]) -> T:
    """Run ``build`` over forge JSON; a missing or mistyped field is the forge's fault (exit 3)."""
    try:
        return build()
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise ForgeError(
            f"{forge} answered with an unexpected shape: {exc!r}",
            f"{forge} API",
            "check that forge.api_url points at the forge's REST API",
        ) from None


def missing(wanted: Iterable[str], present: Iterable[str]) -> list[str]:
    """Entries of ``wanted`` not in ``present``, once each, in their order."""
    seen = set(present)
    out = []
    for item in wanted:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out
