"""Past shifts, read from commit trailers (state lives in Git)."""

from __future__ import annotations

from dataclasses import dataclass

from gitshift.gitops.repo import Repo

# git log -z prints one NUL-separated token per field and per trailer value, each led by a letter naming it.
# A commit message cannot hold a NUL (git cuts it there), so no subject or trailer can forge a token; any
# other byte, \x1e and \x1f included, is just text. The trailers are git's own reading (last paragraph).
_KEYS = {"a": "Gitshift-App", "e": "Gitshift-Env", "c": "Gitshift-Action", "r": "Gitshift-Requested-By"}
_FORMAT = "%x00".join(["H%H", "D%cI", "S%s", *(f"{tag}%(trailers:key={key},valueonly,separator=%x00{tag})"
                                               for tag, key in _KEYS.items())])


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


def _records(out: str) -> list[dict[str, list[str]]]:
    """Each commit's tokens by their letter: one value for H, D and S, one per trailer (none when absent)."""
    records: list[dict[str, list[str]]] = []
    for token in out.split("\0"):
        if not token:
            continue
        if token[0] == "H":
            records.append({})
        if records:
            records[-1].setdefault(token[0], []).append(token[1:])
    for record in records:
        for tag in _KEYS:
            if record.get(tag) == [""]:  # git prints the key's letter alone when the commit has no such trailer
                record[tag] = []
    return records


def _parse(out: str) -> list[Entry]:
    """One entry per shift; a batch commit repeats the trailers, one App/Env/Action triple per shift."""
    entries = []
    for record in _records(out):
        sha, date, subject = (record.get(tag, [""])[0] for tag in "HDS")
        apps, envs, actions = (record.get(tag, []) for tag in "aec")
        requested_by = ",".join(record.get("r", [])).strip()
        if not actions:
            continue
        if not len(apps) == len(envs) == len(actions):  # no single shift: kept whole, for history to say so
            entries.append(Entry(sha, date, ",".join(apps).strip(), ",".join(envs).strip(),
                                 ",".join(actions).strip(), subject, requested_by))
            continue
        for app, env, action in zip(apps, envs, actions, strict=True):
            entries.append(Entry(sha, date, app.strip(), env.strip(), action.strip(), subject, requested_by))
    return entries


def read(repo: Repo, ref: str = "HEAD", app: str | None = None, env: str | None = None,
         limit: int | None = None) -> list[Entry]:
    """Shifts reachable from ``ref``, newest first, narrowed by app and env."""
    out = repo.git("log", "-z", f"--format={_FORMAT}", "--grep=^Gitshift-Action:", "--end-of-options", ref, "--")
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
    return _parse(repo.git("log", "-1", "-z", f"--format={_FORMAT}", sha, "--"))
