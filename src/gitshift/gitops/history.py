"""Past shifts, read from commit trailers (state lives in Git)."""

from __future__ import annotations

from dataclasses import dataclass

from gitshift.gitops.repo import Repo

_SEP = "\x1f"
_FORMAT = _SEP.join([
    "%H", "%cI", "%s",
    "%(trailers:key=Gitshift-App,valueonly,separator=%x2C)",
    "%(trailers:key=Gitshift-Env,valueonly,separator=%x2C)",
    "%(trailers:key=Gitshift-Action,valueonly,separator=%x2C)",
    "%(trailers:key=Gitshift-Requested-By,valueonly,separator=%x2C)",
]) + "\x1e"


@dataclass(frozen=True)
class Entry:
    """One past shift."""

    commit: str
    date: str
    app: str
    env: str
    action: str
    summary: str
    requested_by: str = ""


def _parse(out: str) -> list[Entry]:
    """One entry per shift; a batch commit repeats the trailers, one App/Env/Action triple per shift."""
    entries = []
    for record in out.split("\x1e"):
        fields = record.strip("\n").split(_SEP)
        if len(fields) != 7 or not fields[5]:
            continue
        apps, envs, actions = (fields[i].split(",") for i in (3, 4, 5))
        if not len(apps) == len(envs) == len(actions):  # no single shift: kept whole, for history to say so
            entries.append(Entry(fields[0], fields[1], fields[3].strip(), fields[4].strip(), fields[5].strip(),
                                 fields[2], fields[6].strip()))
            continue
        for app, env, action in zip(apps, envs, actions, strict=True):
            entries.append(Entry(fields[0], fields[1], app.strip(), env.strip(), action.strip(), fields[2],
                                 fields[6].strip()))
    return entries


def read(repo: Repo, ref: str = "HEAD", app: str | None = None, env: str | None = None,
         limit: int | None = None) -> list[Entry]:
    """Shifts reachable from ``ref``, newest first, narrowed by app and env."""
    out = repo.git("log", f"--format={_FORMAT}", "--grep=^Gitshift-Action:", "--end-of-options", ref, "--")
    entries = [e for e in _parse(out) if (not app or e.app == app) and (not env or e.env == env)]
    return entries[:limit] if limit is not None else entries


def find(repo: Repo, commit: str) -> Entry | None:
    """The shift recorded by ``commit`` (the first, for a batch), or None when it is not a gitshift commit."""
    found = find_all(repo, commit)
    return found[0] if found else None


def find_all(repo: Repo, commit: str) -> list[Entry]:
    """Every shift ``commit`` records: one, or several for a batch commit; empty for any other commit."""
    sha = repo.rev_parse(commit)
    if sha is None:
        return []
    return _parse(repo.git("log", "-1", f"--format={_FORMAT}", sha, "--"))
