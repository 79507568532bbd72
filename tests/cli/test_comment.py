"""``gitshift comment`` end to end: event payloads as the forges send them, the fake forge, a real bare remote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import PROJECT, git, run
from tests.shift.test_blast_radius import GUESTBOOK
from tests.support.forge_server import ForgeServer

EVENTS = PROJECT / "tests" / "fixtures" / "events"
CANARY = "gitshift/web/production-canary/canary-deploy"
STAGING = "gitshift/web/staging/set-image"
RULES = ("commands:\n  rules:\n  - envs: [production]\n    verbs: [promote, bluegreen.promote, canary.promote]\n"
         "    allow_users: [alice]\n")


def setup(repo: Path, server: ForgeServer, kind: str = "github", extra: str = "") -> Path:
    """Point the example repository at the fake forge (and push that config to main)."""
    cfg = repo / "gitshift.yaml"
    url = server.github_url if kind == "github" else server.gitlab_url
    project = "acme/gitops" if kind == "github" else "acme/platform/gitops"
    cfg.write_text(f"forge:\n  kind: {kind}\n  project: {project}\n  api_url: {url}\n  base: main\n{extra}"
                   + cfg.read_text())
    git(repo, "commit", "-qam", "forge")
    git(repo, "push", "-q", "origin", "main")
    return repo


def env_for(server: ForgeServer) -> dict[str, str]:
    return {"GITHUB_TOKEN": server.token, "GITLAB_TOKEN": server.token}


def open_pr(repo: Path, server: ForgeServer, *args: str) -> None:
    r = run(repo, *args, "--pr", env=env_for(server))
    assert r.exit_code == 0, r.output


def github_event(server: ForgeServer, body: str, login: str = "carol", number: int = 1,
                 **changes: Any) -> dict[str, Any]:
    """An issue_comment payload for a comment the fake forge also holds (so it can be reacted to)."""
    repo = server.github.repos["acme/gitops"]
    cid = server.github.next_id()
    repo.comments[cid] = {"id": cid, "issue": number, "body": body, "user": login}
    data: dict[str, Any] = json.loads((EVENTS / "github_issue_comment.json").read_text())
    user = {**data["comment"]["user"], "login": login, "id": server.github.user_id(login)}
    data["comment"].update(id=cid, body=body, user=user)
    data["issue"]["number"] = number
    data["sender"] = user
    for key, value in changes.items():
        data[key] = value
    return data


def gitlab_event(server: ForgeServer, body: str, login: str = "carol", iid: int = 1) -> dict[str, Any]:
    project = server.gitlab.projects["acme/platform/gitops"]
    nid = server.gitlab.next_id()
    project.notes[nid] = {"id": nid, "body": body, "noteable_iid": iid}
    data: dict[str, Any] = json.loads((EVENTS / "gitlab_note.json").read_text())
    data["user"].update(username=login, id=server.gitlab.user_id(login))
    data["object_attributes"].update(id=nid, note=body, author_id=server.gitlab.user_id(login))
    data["merge_request"]["iid"] = iid
    return data


def comment(repo: Path, server: ForgeServer, data: dict[str, Any], tmp_path: Path, *args: str) -> Any:
    path = tmp_path / f"event-{data.get('comment', data.get('object_attributes', {})).get('id')}.json"
    path.write_text(json.dumps(data))
    return run(repo, "comment", "--event", str(path), *args, env=env_for(server))


def remote_tip(repo: Path, branch: str) -> str:
    out = git(repo, "ls-remote", "origin", f"refs/heads/{branch}").split()
    return out[0] if out else ""


def replies(server: ForgeServer) -> list[str]:
    return [c["body"] for c in server.github.repos["acme/gitops"].comments.values() if c["user"] == "gitshift-bot"]


def reactions(server: ForgeServer) -> list[str]:
    return [r["content"] for r in server.github.repos["acme/gitops"].reactions]


def test_writer_scales_the_canary_on_its_own_pr(example_repo: Path, forge_server: ForgeServer,
                                                tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    before = remote_tip(repo, CANARY)
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift canary scale 50"), tmp_path)
    assert r.exit_code == 0, r.output
    assert "weight 10 → 50" in r.stdout
    tip = remote_tip(repo, CANARY)
    assert git(repo, "rev-parse", f"{tip}^") == before + "\n"  # a new commit on the same PR
    message = git(repo, "log", "-1", "--format=%B", tip)
    assert "Gitshift-Requested-By: carol" in message and "Gitshift-Action: canary.scale" in message
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1
    [reply] = replies(forge_server)
    assert "@carol `/gitshift canary scale 50`" in reply and "| resource | field | before | after |" in reply
    assert "| 10 | 50 |" in reply and "/gitshift canary scale 100" in reply and "```diff" in reply
    assert reactions(forge_server) == ["+1"]
    assert forge_server.token not in r.output


def test_read_only_user_is_refused_and_nothing_moves(example_repo: Path, forge_server: ForgeServer,
                                                     tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    before = git(repo, "ls-remote", "origin")
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift canary scale 50", "erin"), tmp_path)
    assert r.exit_code == 1, r.output
    assert git(repo, "ls-remote", "origin") == before
    [reply] = replies(forge_server)
    assert "was not run" in reply and "erin has read permission" in reply and "needs at least write" in reply
    assert reactions(forge_server) == ["-1"]


def test_malformed_command_is_refused_with_exit_2(example_repo: Path, forge_server: ForgeServer,
                                                  tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    before = git(repo, "ls-remote", "origin")
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift canary scale 1e3"), tmp_path)
    assert r.exit_code == 2, r.output
    assert "invalid weight" in replies(forge_server)[0] and reactions(forge_server) == ["-1"]
    assert git(repo, "ls-remote", "origin") == before


def test_production_promote_rule_refuses_bob_and_lets_alice_open_a_new_pr(
        example_repo: Path, forge_server: ForgeServer, tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server, extra=RULES)
    open_pr(repo, forge_server, "set-image", "web", ":1.1.0", "--env", "staging")
    command = "/gitshift promote web staging production"
    r = comment(repo, forge_server, github_event(forge_server, command, "bob"), tmp_path)
    assert r.exit_code == 1, r.output
    assert "promote in production is limited to @alice" in replies(forge_server)[0]
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1

    ok = comment(repo, forge_server, github_event(forge_server, command, "alice"), tmp_path)
    assert ok.exit_code == 0, ok.output
    pulls = forge_server.github.repos["acme/gitops"].pulls
    assert len(pulls) == 2 and pulls[2].head == "gitshift/web/production/promote"
    assert "Gitshift-Requested-By: alice" in git(repo, "log", "-1", "--format=%B",
                                                 remote_tip(repo, "gitshift/web/production/promote"))
    assert "Opened " in replies(forge_server)[1] and reactions(forge_server) == ["-1", "+1"]


def test_policy_comes_from_the_base_branch_not_the_head(example_repo: Path, forge_server: ForgeServer,
                                                        tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    git(repo, "fetch", "-q", "origin")
    git(repo, "checkout", "-q", "-b", "sneaky", f"origin/{CANARY}")
    cfg = repo / "gitshift.yaml"
    cfg.write_text("commands:\n  min_permission: read\n" + cfg.read_text())
    git(repo, "commit", "-qam", "let everyone in")
    git(repo, "push", "-q", "origin", f"sneaky:{CANARY}")
    git(repo, "checkout", "-q", "main")
    before = remote_tip(repo, CANARY)
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift canary scale 50", "erin"), tmp_path)
    assert r.exit_code == 1, r.output
    assert remote_tip(repo, CANARY) == before


@pytest.mark.parametrize("case", ["bot", "bot-suffix", "own-token", "edited", "not-a-pr", "fork", "closed",
                                  "merged-payload", "plain-comment", "other-repo"])
def test_ignored_events(example_repo: Path, forge_server: ForgeServer, tmp_path: Path, case: str) -> None:
    repo = setup(example_repo, forge_server)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    data = github_event(forge_server, "Looks good" if case == "plain-comment" else "/gitshift canary scale 50")
    user = data["comment"]["user"]
    if case == "bot":
        user["type"] = "Bot"
    elif case == "bot-suffix":
        user["login"] = "renovate[bot]"
    elif case == "own-token":
        user["login"] = "gitshift-bot"  # the token's own account, whatever its type says
    elif case == "edited":
        data["action"] = "edited"
    elif case == "not-a-pr":
        del data["issue"]["pull_request"]
    elif case == "fork":
        forge_server.github.add_repo("mallory/gitops")
        forge_server.github.repos["acme/gitops"].pulls[1].head_repo = "mallory/gitops"
    elif case == "closed":
        forge_server.github.repos["acme/gitops"].pulls[1].state = "closed"  # the payload still says open
    elif case == "merged-payload":
        data["issue"]["state"] = "closed"
        data["issue"]["pull_request"]["merged_at"] = "2024-05-01T13:00:00Z"
    elif case == "other-repo":
        data["repository"]["full_name"] = "acme/other"
    before = git(repo, "ls-remote", "origin")
    r = comment(repo, forge_server, data, tmp_path)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("ignored: ")
    assert replies(forge_server) == [] and reactions(forge_server) == []
    assert git(repo, "ls-remote", "origin") == before


def test_status_and_help_reply_without_writing(example_repo: Path, forge_server: ForgeServer,
                                               tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server, extra=RULES)
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    before = git(repo, "ls-remote", "origin")
    r = comment(repo, forge_server, github_event(forge_server, "/gitshift status", "erin"), tmp_path)
    assert r.exit_code == 0, r.output
    h = comment(repo, forge_server, github_event(forge_server, "/gitshift help"), tmp_path)
    assert h.exit_code == 0, h.output
    status, help_ = replies(forge_server)
    assert "| production-canary | canary | `ghcr.io/acme/web:1.0.0`, `ghcr.io/acme/web:2.0.0` |" in status
    assert "weight=10" in status
    assert "`/gitshift canary scale N`" in help_ and "@alice" in help_
    assert git(repo, "ls-remote", "origin") == before


def test_gitlab_note_scales_the_canary(example_repo: Path, forge_server: ForgeServer, tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server, "gitlab")
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    r = comment(repo, forge_server, gitlab_event(forge_server, "/gitshift canary scale --next"), tmp_path,
                "--forge", "gitlab")
    assert r.exit_code == 0, r.output
    assert "Gitshift-Requested-By: carol" in git(repo, "log", "-1", "--format=%B", remote_tip(repo, CANARY))
    project = forge_server.gitlab.projects["acme/platform/gitops"]
    assert any("weight" in n["body"] and "| 10 | 25 |" in n["body"] for n in project.notes.values())
    assert [a["name"] for a in project.awards] == ["thumbsup"]


def test_gitlab_fork_and_edited_notes_are_ignored(example_repo: Path, forge_server: ForgeServer,
                                                  tmp_path: Path) -> None:
    repo = setup(example_repo, forge_server, "gitlab")
    open_pr(repo, forge_server, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    edited = gitlab_event(forge_server, "/gitshift canary scale 50")
    edited["object_attributes"]["action"] = "update"
    assert comment(repo, forge_server, edited, tmp_path).stdout.startswith("ignored: the comment was not newly")
    forge_server.gitlab.projects["acme/platform/gitops"].mrs[1].source_project_id = 9999
    r = comment(repo, forge_server, gitlab_event(forge_server, "/gitshift canary scale 50"), tmp_path)
    assert r.exit_code == 0 and r.stdout.startswith("ignored: the pull request comes from a fork")
    assert not forge_server.gitlab.projects["acme/platform/gitops"].awards


def test_bad_event_file_is_exit_2(example_repo: Path, tmp_path: Path) -> None:
    bad = tmp_path / "event.json"
    bad.write_text("{not json")
    r = run(example_repo, "comment", "--event", str(bad))
    assert r.exit_code == 2 and "gitshift: error: the event is not JSON" in r.stderr
    bad.write_text(json.dumps({"hello": "world"}))
    r = run(example_repo, "comment", "--event", str(bad))
    assert r.exit_code == 2 and "not a comment event" in r.stderr


GUESTBOOK_BRANCH = "gitshift/guestbook/kustomize-guestbook/set-image"


def test_allow_other_envs_in_a_comment_follows_the_policy_for_every_env_it_changes(
        repo_factory: Any, forge_server: ForgeServer, tmp_path: Path) -> None:
    """pre-post-sync builds on kustomize-guestbook's folder: an image set there changes both renders."""
    repo = setup(repo_factory(GUESTBOOK), forge_server,
                 extra="commands:\n  rules:\n  - envs: [pre-post-sync]\n    allow_users: [alice]\n")
    open_pr(repo, forge_server, "set-image", "guestbook", ":v6", "--env", "kustomize-guestbook",
            "--allow-other-envs")
    before = remote_tip(repo, GUESTBOOK_BRANCH)

    r = comment(repo, forge_server, github_event(forge_server, "/gitshift set-image :v7", "alice"), tmp_path)
    assert r.exit_code == 1, r.output  # as on the command line: not without the word
    assert "also changes the render of guestbook/pre-post-sync" in replies(forge_server)[0]
    assert "give --allow-other-envs to shift them too" in replies(forge_server)[0]

    command = "/gitshift set-image :v7 --allow-other-envs"
    r = comment(repo, forge_server, github_event(forge_server, command, "carol"), tmp_path)
    assert r.exit_code == 1, r.output  # carol may shift kustomize-guestbook, not pre-post-sync
    assert ("the edit of kustomize-guestbook also changes the render of guestbook/pre-post-sync, and set-image in "
            "pre-post-sync is limited to @alice") in replies(forge_server)[1]
    assert "Nothing was changed." in replies(forge_server)[1]
    assert remote_tip(repo, GUESTBOOK_BRANCH) == before

    r = comment(repo, forge_server, github_event(forge_server, command, "alice"), tmp_path)
    assert r.exit_code == 0, r.output
    reply = replies(forge_server)[2]
    assert "**set-image guestbook/kustomize-guestbook: image v6 → v7**" in reply
    assert "**Also changes the render of**: `guestbook/pre-post-sync` (`pre-post-sync`)" in reply
    tip = remote_tip(repo, GUESTBOOK_BRANCH)
    assert git(repo, "rev-parse", f"{tip}^") == before + "\n"
    assert "Gitshift-Requested-By: alice" in git(repo, "log", "-1", "--format=%B", tip)
    assert reactions(forge_server) == ["-1", "-1", "+1"]


def test_a_command_without_a_forge_section_says_how_to_add_one(example_repo: Path, tmp_path: Path) -> None:
    data = json.loads((EVENTS / "github_issue_comment.json").read_text())
    data["comment"]["body"] = "/gitshift canary scale 25"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data))
    r = run(example_repo, "comment", "--event", str(path))
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        f"gitshift: error: comment commands need a forge: section in gitshift.yaml ({example_repo / 'gitshift.yaml'})",
        "hint: add forge: {kind: github, project: owner/repo} (or gitlab, gitea) to gitshift.yaml"]


def test_all_kustomizations_in_a_comment_lists_the_folders_whose_render_changes(
        repo_factory: Any, forge_server: ForgeServer, tmp_path: Path) -> None:
    """clusters/prod includes the folder of the env plain, and no env names it."""
    repo = repo_factory({**GUESTBOOK, "clusters/prod/kustomization.yaml": "resources:\n- ../../helm-guestbook\n"})
    repo = setup(repo, forge_server)
    branch = "gitshift/guestbook/plain/set-image"
    open_pr(repo, forge_server, "set-image", "guestbook", ":v6", "--env", "plain")
    before = remote_tip(repo, branch)

    r = comment(repo, forge_server, github_event(forge_server, "/gitshift set-image :v7"), tmp_path)
    assert r.exit_code == 0, r.output
    assert "Also changes the render of" not in replies(forge_server)[0]  # as on the command line: not looked for
    first = remote_tip(repo, branch)
    assert git(repo, "rev-parse", f"{first}^") == before + "\n"

    r = comment(repo, forge_server, github_event(forge_server, "/gitshift set-image :v8 --all-kustomizations"),
                tmp_path)
    assert r.exit_code == 0, r.output  # listed, not refused: no --allow-other-envs needed
    reply = replies(forge_server)[1]
    assert "**set-image guestbook/plain: image v7 → v8**" in reply
    assert "**Also changes the render of**: `clusters/prod`" in reply
    tip = remote_tip(repo, branch)
    assert git(repo, "rev-parse", f"{tip}^") == first + "\n"
    assert git(repo, "diff", "--name-only", first, tip).split() == ["helm-guestbook/kustomization.yaml"]
    assert reactions(forge_server) == ["+1", "+1"]
