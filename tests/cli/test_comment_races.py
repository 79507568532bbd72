"""``gitshift comment`` when two commands race on one pull request, and a GitLab refusal, end to end.

Real processes, each in its own clone of one bare remote, against the fake forge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.cli.test_comment import CANARY, github_event, gitlab_event, open_pr, remote_tip, replies, setup
from tests.conftest import find, git, render
from tests.support.forge_server import ForgeServer

# Each clone pushes through this wrapper of git-receive-pack (remote.origin.receivepack), which
# logs every push and holds the first push of each process so the race is certain, not likely:
# "overlap": both first pushes start once both processes have their commit (from the same old
#   tip); one ref update fails on the server.
# "stale": carol's push waits until bob has his commit, and bob's push starts only once carol's
#   landed, so his push is not a fast-forward (a force push would overwrite carol's commit).
RECEIVE_PACK = """#!/bin/sh
d={dir}
wait_for() {{ i=0; while [ ! -e "$d/$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done; }}
first=0
mkdir "$d/{me}-push" 2>/dev/null && first=1
echo {me} >>"$d/log"
if [ $first = 1 ]; then
  case {mode}-{me} in
    overlap-*) wait_for carol-push; wait_for bob-push ;;
    stale-carol) wait_for bob-push; git-receive-pack "$@"; rc=$?; touch "$d/landed"; exit $rc ;;
    stale-bob) wait_for landed ;;
  esac
fi
exec git-receive-pack "$@"
"""


def bare(repo: Path) -> Path:
    return Path(git(repo, "remote", "get-url", "origin").strip())


def clone(origin: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(dest)], check=True)
    return dest


def trailer(repo: Path, sha: str, key: str) -> str:
    return git(repo, "log", "-1", f"--format=%(trailers:key={key},valueonly)", sha).strip()


def weight_at(repo: Path, sha: str, tmp: Path) -> str:
    """The canary weight the overlay renders to at ``sha`` (kubectl kustomize as the oracle)."""
    tree = tmp / sha
    tree.mkdir()
    archive = subprocess.run(["git", "archive", sha], cwd=repo, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    ingress = find(render(tree / "overlays/production-canary"), "Ingress", "web-canary")
    return str(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/canary-weight"])


@pytest.mark.parametrize("mode", ["overlap", "stale"])
def test_concurrent_comments_on_one_pr_are_serialized(example_repo: Path, forge_server: ForgeServer,
                                                      tmp_path: Path, mode: str) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    deploy = remote_tip(repo, CANARY)
    origin = bare(repo)
    gate = tmp_path / "gate"
    gate.mkdir()

    weights = {"carol": "25", "bob": "50"}
    procs: dict[str, subprocess.Popen[str]] = {}
    env = {**os.environ, "GITHUB_TOKEN": forge_server.token}
    for login, weight in weights.items():
        work = clone(origin, tmp_path / f"clone-{login}")
        wrapper = tmp_path / f"receive-pack-{login}"
        wrapper.write_text(RECEIVE_PACK.format(dir=gate, me=login, mode=mode))
        wrapper.chmod(0o755)
        git(work, "config", "remote.origin.receivepack", str(wrapper))
        event = tmp_path / f"event-{login}.json"
        event.write_text(json.dumps(github_event(forge_server, f"/gitshift canary scale {weight}", login)))
        procs[login] = subprocess.Popen(
            [sys.executable, "-m", "gitshift", "--engine", "builtin", "-C", str(work), "comment", "--event",
             str(event)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    outs = {login: p.communicate(timeout=60) for login, p in procs.items()}
    codes = {login: p.returncode for login, p in procs.items()}
    assert codes == {"carol": 0, "bob": 0}, outs
    pushes = (gate / "log").read_text().split()
    assert len(pushes) == 3, pushes  # one push lost the race and was planned and pushed again
    if mode == "stale":
        assert sorted(pushes) == ["bob", "bob", "carol"]  # carol's landed first, bob's went again

    tip = remote_tip(repo, CANARY)
    git(repo, "fetch", "-q", "origin")
    log = git(repo, "rev-list", "--parents", f"origin/main..{tip}").splitlines()
    assert len(log) == 3 and all(len(line.split()) == 2 for line in log), log  # linear: no merge
    second, first = tip, log[1].split()[0]
    assert log[2].split()[0] == deploy
    git(repo, "merge-base", "--is-ancestor", first, tip)  # fast-forwards only: nothing was force-pushed
    winner, loser = trailer(repo, first, "Gitshift-Requested-By"), trailer(repo, second, "Gitshift-Requested-By")
    assert {winner, loser} == {"carol", "bob"}  # each commit names its own commenter
    if mode == "stale":
        assert (winner, loser) == ("carol", "bob")
    assert trailer(repo, first, "Gitshift-Action") == trailer(repo, second, "Gitshift-Action") == "canary.scale"

    # The loser re-planned on the winner's commit: its change starts from the winner's weight.
    assert weight_at(repo, deploy, tmp_path) == "10"
    assert weight_at(repo, first, tmp_path) == weights[winner]
    assert weight_at(repo, tip, tmp_path) == weights[loser]
    assert f"weight 10 → {weights[winner]}" in git(repo, "log", "-1", "--format=%s", first)
    assert f"weight {weights[winner]} → {weights[loser]}" in git(repo, "log", "-1", "--format=%s", second)
    assert f"weight {weights[winner]} → {weights[loser]}" in outs[loser][0]

    # One reply and one 👍 per comment, each telling what its own commit did.
    posted = replies(forge_server)
    assert len(posted) == 2, posted
    for login, weight in weights.items():
        [reply] = [r for r in posted if r.startswith(f"@{login} `/gitshift canary scale {weight}`")]
        before = "10" if login == winner else weights[winner]
        assert f"| {before} | {weight} |" in reply, reply
    reacted = forge_server.github.repos["acme/gitops"].reactions
    assert sorted((r["comment_id"], r["content"]) for r in reacted) == sorted(
        (cid, "+1") for cid, c in forge_server.github.repos["acme/gitops"].comments.items()
        if c["user"] in weights)
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1


def test_gitlab_reporter_is_refused_end_to_end(example_repo: Path, forge_server: ForgeServer,
                                               tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server, "gitlab")
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    project = forge_server.gitlab.projects["acme/platform/gitops"]
    assert project.members[forge_server.gitlab.user_id("dave")] == 20  # Reporter: below Developer (write)
    before = git(repo, "ls-remote", "origin")
    notes_before = set(project.notes)
    data: dict[str, Any] = gitlab_event(forge_server, "/gitshift canary scale 50", "dave")
    event = tmp_path / "note.json"
    event.write_text(json.dumps(data))
    r = subprocess.run([sys.executable, "-m", "gitshift", "--engine", "builtin", "-C", str(repo), "comment",
                        "--event", str(event)], capture_output=True, text=True, check=False, timeout=60,
                       env={**os.environ, "GITLAB_TOKEN": forge_server.token})
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert git(repo, "ls-remote", "origin") == before
    new = [n for nid, n in project.notes.items() if nid not in notes_before and nid != data["object_attributes"]["id"]]
    [reply] = [n["body"] for n in new]
    assert reply.startswith("@dave `/gitshift canary scale 50` was not run:"), reply
    assert "dave has triage permission" in reply and "needs at least write" in reply
    assert "Nothing was changed." in reply
    assert [(a["awardable_id"], a["name"]) for a in project.awards] == [(data["object_attributes"]["id"],
                                                                         "thumbsdown")]
    assert forge_server.token not in r.stdout + r.stderr
