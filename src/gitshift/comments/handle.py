"""Answering one comment command end to end (README.md, "Pull request comment commands").

The order is the safety argument: ignore what needs no answer, ask the forge
who commented and what the pull request is, read the policy from the **base**
branch, look the commenter's permission up, and only then parse, authorize and
shift. A refusal is a reply and a 👎, never a write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gitshift import config, shift
from gitshift import strategies as registry
from gitshift.comments import events, replies
from gitshift.comments import parse as grammar
from gitshift.config import Config
from gitshift.errors import ExternalError, GitshiftError, InputError
from gitshift.gitops import history
from gitshift.gitops import push as pushing
from gitshift.gitops.repo import Repo
from gitshift.render import Renderer
from gitshift.result import Result, State
from gitshift.shift.compute import files_at, render

if TYPE_CHECKING:
    from gitshift.forge import Forge, PullRequest, Reaction
    from gitshift.net.retry import RetryPolicy


@dataclass(frozen=True)
class Outcome:
    """What handling a comment did: the exit code, one line saying so, and the reply posted (if any)."""

    exit_code: int
    message: str
    reply: str | None = None
    result: Result | None = None


@dataclass
class _Context:
    """What one run knows once the forge has been asked."""

    event: events.Event
    forge: Forge
    pr: PullRequest
    repo: Repo
    policy: Config
    base_sha: str
    head_sha: str | None
    token: str | None
    renderer: Renderer


def handle(event: events.Event, local: Config, renderer: Renderer, token: str | None,
           policy: RetryPolicy | None = None, remote: str = "origin") -> Outcome:
    """Answer ``event``; ``local`` (the checkout's config) only says where the forge is.

    Raises:
        GitshiftError: the forge or git failed before a reply could be posted.
    """
    why = events.ignored(event)
    if why is None and local.forge is None:
        raise InputError("comment commands need a forge: section in gitshift.yaml", str(local.path),
                         "add forge: {kind: github, project: owner/repo} (or gitlab, gitea) to gitshift.yaml")
    if why is None and local.forge is not None and (event.forge, event.project.casefold()) != (
            local.forge.kind, local.forge.project.casefold()):
        why = f"the event is for {event.forge} {event.project}; this repository is {local.forge.project}"
    if why is None and not grammar.addressed(event.body, local.commands.prefix):
        why = "the comment is not a command"
    if why is not None:
        return Outcome(0, f"ignored: {why}")
    from gitshift.forge import make_forge

    assert local.forge is not None
    forge = make_forge(local.forge, token, policy)
    try:
        return _with_forge(event, local, forge, renderer, token, remote)
    finally:
        forge.close()


def stopped(event: events.Event, local: Config, token: str | None, why: str, hint: str) -> Outcome:
    """Answer ``event`` with a refusal saying why it was stopped (``serve``'s time limit), when it was a command."""
    if events.ignored(event) is not None or local.forge is None or not grammar.addressed(
            event.body, local.commands.prefix) or event.pr_number is None:
        return Outcome(3, f"stopped: {why}")
    from gitshift.forge import fit_body, make_forge

    forge = make_forge(local.forge, token)
    try:
        text = replies.refusal(event.login, None, grammar.first_line(event.body)[:200], why, hint)
        forge.comment(event.pr_number, fit_body(text, forge.body_limit, "comment"))
        forge.react(event.pr_number, event.comment_id, "-1")
    finally:
        forge.close()
    return Outcome(3, f"stopped: {why}", text)


def _with_forge(event: events.Event, local: Config, forge: Forge, renderer: Renderer, token: str | None,
                remote: str) -> Outcome:
    assert event.pr_number is not None
    if event.login.casefold() == forge.current_user().login.casefold():
        return Outcome(0, "ignored: the comment is gitshift's own")
    pr = forge.get_pr(event.pr_number)
    if pr.state != "open":
        return Outcome(0, f"ignored: the pull request is {pr.state}")
    if pr.fork:
        return Outcome(0, "ignored: the pull request comes from a fork")
    repo = Repo(local.root)
    auth = pushing.auth_env(repo, remote, token, forge.kind)
    base_sha = pushing.fetch(repo, remote, pr.base, auth)
    if base_sha is None:
        raise ExternalError(f"the base branch {pr.base} is not on {remote}", remote,
                            f"{remote} must be the repository the pull request targets (check `git remote -v`)")
    rel = local.path.relative_to(local.root).as_posix() if local.path.is_relative_to(local.root) else "gitshift.yaml"
    policy = config.parse(repo.git("show", f"{base_sha}:{rel}"), Path(f"{remote}/{pr.base}:{rel}"), local.root)
    ctx = _Context(event, forge, pr, repo, policy, base_sha, pushing.fetch(repo, remote, pr.head, auth),
                   token, renderer)
    return _command(ctx, forge.permission(event.login, event.user_id), remote)


def _command(ctx: _Context, permission: str, remote: str) -> Outcome:
    ev, rules = ctx.event, ctx.policy.commands
    try:
        command = grammar.parse(ev.body, rules.prefix)
    except grammar.CommandError as exc:
        probe = grammar.Command("help", grammar.first_line(ev.body))
        try:
            grammar.authorize(probe, permission, ev.login, None, rules)
        except grammar.RefusedError as refused:
            return _refuse(ctx, None, refused)
        return _refuse(ctx, None, exc)
    if command is None:
        return Outcome(0, f"ignored: the comment does not start with {rules.prefix}")
    try:
        # Who may run anything is settled before the command is looked at any further.
        grammar.authorize(command, permission, ev.login, None, replace(rules, rules=()))
        app, env = _target(ctx, command)
        grammar.authorize(command, permission, ev.login, env, rules)
        return _run(ctx, command, app, env, remote, permission)
    except GitshiftError as exc:
        return _refuse(ctx, command, exc)


def relative(text: str, root: Path) -> str:
    """``text`` with the runner's paths (the clone, a temporary worktree) shown relative to the repository."""
    import re

    for base in dict.fromkeys((str(root.resolve()), str(root))):
        text = text.replace(base + "/", "").replace(base, ".")
    return re.sub(r"/\S*?/gitshift-wt-[^/\s]+/tree(/|\b)", "", text)


def _refuse(ctx: _Context, command: grammar.Command | None, exc: GitshiftError) -> Outcome:
    why = exc.what if isinstance(exc, grammar.CommandError | grammar.RefusedError) else str(exc)
    why = relative(why, ctx.repo.root)
    if isinstance(exc, grammar.CommandError):
        why = why.replace("@", "@\u2060")  # words of the comment echoed back must not mention anyone
    text = replies.refusal(ctx.event.login, command, grammar.first_line(ctx.event.body)[:200], why,
                            relative(exc.hint, ctx.repo.root))
    _reply(ctx, text, "-1")
    return Outcome(exc.exit_code, f"refused: {why}", text)


def _reply(ctx: _Context, text: str, reaction: Reaction) -> None:
    from gitshift.forge import fit_body

    assert ctx.event.pr_number is not None
    ctx.forge.comment(ctx.event.pr_number, fit_body(text, ctx.forge.body_limit, "comment"))
    ctx.forge.react(ctx.event.pr_number, ctx.event.comment_id, reaction)


def own_shift(ctx: _Context) -> history.Entry | None:
    """The newest gitshift shift on the pull request's branch and not on its base."""
    if ctx.head_sha is None:
        return None
    found = history.read(ctx.repo, f"{ctx.base_sha}..{ctx.head_sha}", limit=1)
    return found[0] if found else None


def _target(ctx: _Context, command: grammar.Command) -> tuple[str | None, str | None]:
    """The app and env the command acts on: its own --app/--env, else the pull request's shift."""
    if command.verb == "revert":
        entry = history.find(ctx.repo, command.commit or "")
        if entry is None:
            raise grammar.CommandError(f"{command.commit} is not a gitshift shift this repository knows")
        return entry.app, entry.env
    own = own_shift(ctx)
    app = command.app or (own.app if own else None)
    env = command.env or (own.env if own else None)
    if command.verb == "help":
        return app, env
    if app is None or (env is None and command.verb != "status"):
        raise grammar.CommandError("this pull request carries no gitshift shift to default to",
                                    hint="name them: add --app APP --env ENV")
    ctx.policy.select(app, env)  # unknown names are refused before anything runs
    return app, env


def _states(ctx: _Context, app: str, env: str | None, sha: str) -> list[tuple[str, State]]:
    out = []
    with files_at(ctx.renderer, ctx.repo, sha) as (tree, view):
        for e in ctx.policy.select(app, env):
            rendered = render(ctx.renderer, tree, e, view)
            out.append((e.name, registry.for_env(e).state(rendered, e)))
    return out


def _run(ctx: _Context, command: grammar.Command, app: str | None, env: str | None, remote: str,
         permission: str) -> Outcome:
    from gitshift.comments import request as commandshift

    ev = ctx.event
    if command.verb == "help":
        text = replies.help_text(ev.login, command, ctx.policy.commands)
        _reply(ctx, text, "+1")
        return Outcome(0, "replied: help", text)
    assert app is not None
    if command.verb == "status":
        ref, name = (ctx.head_sha, ctx.pr.head) if ctx.head_sha else (ctx.base_sha, ctx.pr.base)
        text = replies.status(ev.login, command, _states(ctx, app, env, ref), name)
        _reply(ctx, text, "+1")
        return Outcome(0, "replied: status", text)
    assert env is not None
    own = own_shift(ctx)
    same = own is not None and (own.app, own.env) == (app, env)
    barred = grammar.barred_envs(command, permission, ev.login, ((e.app, e.name) for e in ctx.policy.select()),
                                 ctx.policy.commands) if command.allow_other_envs else ()
    result = commandshift.run(ctx.policy, ctx.renderer, command, app, env,
                              shift.Delivery(mode="push" if same else "pr", branch=ctx.pr.head if same else None,
                                             base=ctx.pr.base, remote=remote, requested_by=ev.login,
                                             token=ctx.token, keep_local=False,
                                             allow_other_envs=command.allow_other_envs, barred_envs=barred,
                                             all_kustomizations=command.all_kustomizations),
                              ctx.base_sha)
    state = _states(ctx, app, env, result.commit)[0][1] if result.commit else None
    text = replies.success(ev.login, command, result, ctx.policy.env(app, env).overlay, state,
                           ctx.policy.commands.prefix, ctx.forge.body_limit, same)
    _reply(ctx, text, "+1")
    return Outcome(0, f"done: {result.summary}", text, result)
