"""The replies gitshift posts under a comment command: result tables, refusals, status and help."""

from __future__ import annotations

from collections.abc import Sequence

from gitshift.comments.parse import Command
from gitshift.config import CommandsConfig
from gitshift.result import Result, State
from gitshift.shift import prbody

HELP = """Commands (app and env default to this pull request's own shift; override with --app/--env):
- `{p} status` · `{p} help`
- `{p} set-image IMAGE [--max-surge V] [--max-unavailable V]`
- `{p} bluegreen deploy IMAGE [--replicas N]` · `{p} bluegreen promote|rollback|finish`
- `{p} canary deploy IMAGE [--weight N] [--header NAME[=VALUE]] [--cookie NAME]`
- `{p} canary scale N` (or `--weight N`, `--next`) · `{p} canary promote|rollback`
- `{p} promote APP FROM TO` · `{p} revert COMMIT`
- add `--allow-other-envs` to a shift whose edit also changes other envs' renders (each one must be yours to shift)
- add `--all-kustomizations` to a shift to list every other kustomization whose render it changes"""
CUT_NOTE = "\n_… {cut} of {total} diff lines cut to fit the forge's comment limit; run `gitshift diff` for all._\n"


def quote(line: str, limit: int = 120) -> str:
    """``line`` as an inline code span that cannot break out of itself (mentions in it notify no one)."""
    text = "".join(c if c.isprintable() and c != "`" else "'" if c == "`" else "?" for c in line[:limit])
    return f"`{text}{'…' if len(line) > limit else ''}`"


def _head(login: str, command: Command) -> str:
    return f"@{login} {quote(command.line)}"


def _per_resource(result: Result) -> str:
    counts: dict[str, int] = {}
    for c in result.changes:
        counts[c.resource] = counts.get(c.resource, 0) + 1
    return "\n".join(f"- `{r}`: {n} field{'s' if n > 1 else ''}" for r, n in counts.items())


def success(login: str, command: Command, result: Result, overlay: str, state: State | None, prefix: str,
            limit: int, same_pr: bool) -> str:
    """The reply to a shift that ran: where it went, the before → after table, checks, the diff, what next."""
    if not result.changed:
        return f"{_head(login, command)}: {result.summary}."
    if same_pr:
        where = f"Pushed `{(result.commit or '')[:12]}` to `{result.branch}`: this pull request now carries it."
    else:
        where = f"Opened {result.pr_url} from `{result.branch}`."
    checks: Sequence[str] = result.checks or ("no check ran",)
    parts = [
        f"{_head(login, command)}\n\n**{result.summary}**", where, prbody.table(result), prbody.affected(result),
        prbody.picture(result),
        "**Safety checks**: " + " · ".join(f"✅ {c}" for c in checks),
        "**Resources changed**\n" + _per_resource(result), "{diff}",
        "**Next**: " + " · ".join(f"`{c}`" for c in prbody.next_commands(result.action, state, prefix)),
    ]
    return prbody.with_diff("\n\n".join(p for p in parts if p), result, overlay, limit, CUT_NOTE)


def refusal(login: str, command: Command | None, line: str, why: str, hint: str = "") -> str:
    """The reply to a command that did not run (not allowed, malformed, or refused by a check)."""
    text = f"@{login} {quote(command.line if command else line)} was not run: {why}"
    return text + (f"\n\n{hint}" if hint else "") + "\n\nNothing was changed."


def status(login: str, command: Command, rows: Sequence[tuple[str, State]], ref: str) -> str:
    """The state of the env(s) as the pull request's head leaves them."""
    out = [f"{_head(login, command)}: state at `{ref}`", "",
           "| env | strategy | images | traffic | replicas |", "|---|---|---|---|---|"]
    for env, s in rows:
        traffic = s.traffic_text()
        images = ", ".join(f"`{i}`" for i in sorted(set(s.images.values()))) or "-"
        reps = s.replicas_text() or "-"
        out.append(f"| {env} | {s.strategy} | {images} | {prbody.cell(traffic or '-')} | {reps} |")
    return "\n".join(out)


def help_text(login: str, command: Command, config: CommandsConfig) -> str:
    """The command list and who may run them."""
    who = f"at least **{config.min_permission}** permission"
    if config.allow_users:
        who += " and one of " + ", ".join(f"@{u}" for u in config.allow_users)
    rules = [f"- {', '.join(r.verbs) or 'any command'} in {', '.join(r.envs) or 'any env'}: "
             + (", ".join(f"@{u}" for u in r.allow_users) or f"{r.min_permission} permission")
             for r in config.rules]
    text = f"{_head(login, command)}\n\n{HELP.format(p=config.prefix)}\n\nShifts need {who}."
    return text + ("\n\nNarrower rules (first match wins):\n" + "\n".join(rules) if rules else "")
