"""The pull request a shift opens: title, body with the before → after table, checks, diff, next commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gitshift.manifests import show
from gitshift.result import Result, State

DIFF_NOTE = "\n… {cut} more line(s) cut to fit the forge's size limit; run `gitshift diff` to see them all.\n"


def next_commands(action: str, state: State | None, prefix: str = "/gitshift") -> list[str]:
    """The comment commands that can come after ``action`` (the PR body shows them)."""
    family = action.split(".")[0]
    if family in ("canary", "promote") and state is not None and state.weight is not None:
        out = []
        later = [s for s in (state.steps or ()) if s > (state.weight or 0)]
        if later and action != "canary.promote":
            out.append(f"{prefix} canary scale {later[0]}")
        if action not in ("canary.promote", "canary.rollback"):
            out += [f"{prefix} canary promote", f"{prefix} canary rollback"]
        return out or [f"{prefix} status"]
    if state is not None and state.active is not None:
        if action in ("bluegreen.deploy", "promote"):
            return [f"{prefix} bluegreen promote", f"{prefix} status"]
        if action == "bluegreen.promote":
            return [f"{prefix} bluegreen finish", f"{prefix} bluegreen rollback"]
        if action == "bluegreen.rollback":
            return [f"{prefix} bluegreen promote", f"{prefix} status"]
    return [f"{prefix} status"]


def cell(value: object) -> str:
    """A value as a Markdown table cell."""
    return show(value).replace("|", "\\|").replace("\n", " ")


def table(result: Result) -> str:
    """The before → after table of the shifted fields."""
    rows = [f"| `{c.resource}` | `{c.path}` | {cell(c.before)} | {cell(c.after)} |" for c in result.changes]
    return "\n".join(["| resource | field | before | after |", "|---|---|---|---|", *rows])


def picture(result: Result) -> str:
    """The traffic picture of the shift as a Mermaid block (its source escapes all repository text), or ""."""
    if not result.picture:
        return ""
    return ("**Traffic after this shift** (what it changed in orange; dotted: no traffic, or where it went before)"
            f"\n\n```mermaid\n{result.picture}```")


def fold(diff: str, budget: int, overlay: str, note: str = DIFF_NOTE) -> str:
    """The diff in a folded block, cut at a line boundary to ``budget`` characters with ``note`` saying so.

    ``note`` is formatted with ``cut`` (lines left out) and ``total`` (lines in all).
    """
    lines = diff.splitlines(keepends=True)
    kept, used = [], 0
    for line in lines:
        if used + len(line) > budget:
            break
        kept.append(line)
        used += len(line)
    said = note.format(cut=len(lines) - len(kept), total=len(lines)) if len(kept) < len(lines) else ""
    return (f"<details><summary>Rendered diff of <code>{overlay}</code> ({len(lines)} lines)</summary>\n\n"
            f"```diff\n{''.join(kept)}```\n{said}</details>")


def with_diff(skeleton: str, result: Result, overlay: str, limit: int, note: str = DIFF_NOTE) -> str:
    """``skeleton`` with its ``{diff}`` replaced by the folded diff, cut so the whole stays under ``limit``."""
    budget = max(0, limit - len(skeleton) - 400)
    return skeleton.replace("{diff}", fold(result.diff, budget, overlay, note) if result.diff else "")


def affected(result: Result) -> str:
    """The other envs (and kustomizations) whose render the shift changes, as one line; empty when none."""
    if not result.affected[1:]:
        return ""
    return "**Also changes the render of**: " + ", ".join(
        f"`{a['app']}/{a['env']}` (`{a['overlay']}`)" if a["env"] else f"`{a['overlay']}`"
        for a in result.affected[1:])


def body(result: Result, overlay: str, trailers: Mapping[str, str], state: State | None,
         limit: int = 65536, prefix: str = "/gitshift", message: str | None = None) -> str:
    """The PR description; the diff is cut so that the whole stays under ``limit`` characters."""
    checks: Sequence[str] = result.checks or ("no check ran",)
    parts = [f"**{result.summary}**"]
    if message:
        parts.append(message.strip())
    parts += [table(result)]
    parts += [
        affected(result),
        picture(result),
        "**Safety checks**: " + " · ".join(c if c.startswith("⚠️") else f"✅ {c}" for c in checks),
        "{diff}",
        "**Commit trailers**\n```\n" + "\n".join(f"{k}: {v}" for k, v in trailers.items()) + "\n```",
        "**Next** (comment on this pull request):\n" + "\n".join(
            f"- `{c}`" for c in next_commands(result.action, state, prefix)),
        "<sub>Opened by gitshift. Merge to release; Argo CD or Flux applies it.</sub>",
    ]
    return with_diff("\n\n".join(p for p in parts if p), result, overlay, limit)
