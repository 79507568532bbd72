"""--push and --pr end to end: a real bare remote, and the fake forge checking GitHub's contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from tests.conftest import git, run
from tests.support.forge_server import ForgeServer

BRANCH = "gitshift/web/staging/set-image"


def forge_repo(example_repo: Path, server: ForgeServer, kind: str = "github") -> Path:
    cfg = example_repo / "gitshift.yaml"
    url = server.github_url if kind == "github" else server.gitlab_url
    project = "acme/gitops" if kind == "github" else "acme/platform/gitops"
    cfg.write_text(f"forge:\n  kind: {kind}\n  project: {project}\n  api_url: {url}\n  base: main\n"
                   + cfg.read_text())
    git(example_repo, "commit", "-qam", "forge")
    git(example_repo, "push", "-q", "origin", "main")
    return example_repo


def env_for(server: ForgeServer) -> dict[str, str]:
    return {"GITHUB_TOKEN": server.token, "GITLAB_TOKEN": server.token}


def test_pr_opens_once_and_updates(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    args = ("set-image", "web", ":1.1.0", "--env", "staging", "--pr", "--label", "release", "--reviewer", "carol",
            "-o", "json")
    first = run(repo, *args, env=env_for(forge_server))
    assert first.exit_code == 0, first.output
    data = json.loads(first.stdout)
    assert data["pr_url"] and data["branch"] == BRANCH
    pulls = list(forge_server.github.repos["acme/gitops"].pulls.values())
    assert len(pulls) == 1
    pr = pulls[0]
    assert (pr.head, pr.base, pr.title) == (BRANCH, "main", "set-image web/staging: image 1.0.0 → 1.1.0")
    assert pr.labels == ["release"] and pr.reviewers == ["carol"]
    assert "| `Deployment/hello-staging/web` | `spec.template.spec.containers[0].image` |" in pr.body
    assert "```diff" in pr.body and "Gitshift-Action: set-image" in pr.body and "/gitshift status" in pr.body
    tip = git(repo, "ls-remote", "origin", BRANCH).split()[0]
    assert tip == data["commit"]

    again = run(repo, *args, env=env_for(forge_server))
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["pr_url"] == data["pr_url"]
    assert json.loads(again.stdout)["changed"] is False
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1
    assert git(repo, "ls-remote", "origin", BRANCH).split()[0] == tip  # no empty commit

    moved = run(repo, "set-image", "web", ":1.2.0", "--env", "staging", "--pr", "-o", "json",
                env=env_for(forge_server))
    assert json.loads(moved.stdout)["pr_url"] == data["pr_url"]
    assert pr.title == "set-image web/staging: image 1.1.0 → 1.2.0"
    assert git(repo, "rev-list", "--count", f"origin/main..{BRANCH}").strip() == "2"


def test_gitlab_merge_request(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server, "gitlab")
    r = run(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--pr", "-o", "json",
            env=env_for(forge_server))
    assert r.exit_code == 0, r.output
    assert "/merge_requests/" in json.loads(r.stdout)["pr_url"]
    mrs = forge_server.calls("POST", "/merge_requests")
    assert len(mrs) == 1
    assert "/gitshift canary scale 25" in mrs[0].body.decode()
    assert "canary Ingress on the stable hosts and paths" in mrs[0].body.decode()


def test_forge_failure_after_push_reports_branch_and_rerun_completes(example_repo: Path,
                                                                      forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    forge_server.fail("POST", "/repos/acme/gitops/pulls", 422, times=1, body={"message": "Validation Failed"})
    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env_for(forge_server))
    assert r.exit_code == 3, r.output
    assert "POST /repos/acme/gitops/pulls" in r.stderr and "422" in r.stderr
    assert f"the branch {BRANCH} was pushed" in r.stderr
    assert forge_server.token not in r.output
    assert git(repo, "ls-remote", "origin", BRANCH).strip()
    done = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr", "-o", "json",
               env=env_for(forge_server))
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["pr_url"]
    pr = next(iter(forge_server.github.repos["acme/gitops"].pulls.values()))
    assert "1.0.0 → 1.1.0" in pr.title and "spec.template.spec.containers[0].image" in pr.body


def test_server_errors_are_retried(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    forge_server.fail("GET", "/repos/acme/gitops/pulls", 502, times=1)
    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env_for(forge_server))
    assert r.exit_code == 0, r.output


def test_token_is_never_printed_or_stored(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    wrong = "ghp_wrongTokenThatMustNotShow987654321"
    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env={"GITHUB_TOKEN": wrong})
    assert r.exit_code == 3
    assert "401" in r.stderr
    assert wrong not in r.output and wrong not in (repo / ".git/config").read_text()


def test_pr_without_forge_config_is_refused(example_repo: Path) -> None:
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr")
    assert r.exit_code == 2 and "--pr needs a forge" in r.stderr
    assert git(example_repo, "ls-remote", "origin", BRANCH).strip() == ""


def test_pr_without_token_is_refused_before_the_push(example_repo: Path, forge_server: ForgeServer,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = forge_repo(example_repo, forge_server)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env={"GITHUB_TOKEN": ""})
    assert r.exit_code == 2, r.output
    assert "--pr needs a token in $GITHUB_TOKEN" in r.stderr and "hint:" in r.stderr
    assert git(repo, "ls-remote", "origin", BRANCH).strip() == ""  # nothing pushed
    assert not forge_server.calls("GET", "/pulls")


def many_apps(repo_factory: Callable[..., Path], n: int) -> Path:
    tree = {"gitshift.yaml": "apps:\n" + "".join(
        f"  app{i}:\n    image: ghcr.io/acme/app{i}\n    envs:\n      prod: {{overlay: apps/app{i}}}\n"
        for i in range(n))}
    for i in range(n):
        tree[f"apps/app{i}/kustomization.yaml"] = "resources:\n- deploy.yaml\n"
        tree[f"apps/app{i}/deploy.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  template:\n    spec:\n"
            f"      containers:\n      - name: app\n        image: ghcr.io/acme/app{i}:1.0.0\n")
    return repo_factory(tree)


def clone(repo: Path, dest: Path) -> Path:
    origin = git(repo, "remote", "get-url", "origin").strip()
    subprocess.run(["git", "clone", "-q", origin, str(dest)], check=True)
    return dest


def gitshift(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gitshift", "--engine", "builtin", *args], cwd=cwd,
                          capture_output=True, text=True, env=dict(os.environ), check=False, timeout=120)


@pytest.mark.parametrize("direct", [False, True], ids=["own-branches", "direct-to-main"])
def test_parallel_processes_against_one_remote(repo_factory: Callable[..., Path], tmp_path: Path,
                                               direct: bool) -> None:
    n = 10
    repo = many_apps(repo_factory, n)
    clones = [clone(repo, tmp_path / f"c{i}") for i in range(n)]
    extra = ["--branch", "main"] if direct else []

    def shift(i: int) -> subprocess.CompletedProcess[str]:
        return gitshift(clones[i], "set-image", f"app{i}", ":2.0.0", "--env", "prod", "--push", *extra)

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(shift, range(n)))
    assert [r.returncode for r in results] == [0] * n, [r.stderr for r in results]
    git(repo, "fetch", "-q", "origin")
    if direct:
        log = git(repo, "log", "--format=%s", "origin/main").splitlines()
        assert sorted(log[:n]) == sorted(f"set-image app{i}/prod: image 1.0.0 → 2.0.0" for i in range(n))
        for i in range(n):
            assert "newTag: 2.0.0" in git(repo, "show", f"origin/main:apps/app{i}/kustomization.yaml")
        again = gitshift(clones[0], "set-image", "app0", ":2.0.0", "--env", "prod", "--push", "--branch", "main")
        assert again.returncode == 0 and "nothing to do" in again.stdout
    else:
        heads = git(repo, "ls-remote", "origin", "refs/heads/gitshift/*").splitlines()
        assert len(heads) == n


def test_retries_exhausted_exit_3_naming_forge_call_and_status(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    cfg = repo / "gitshift.yaml"
    cfg.write_text(cfg.read_text().replace("  base: main\n", "  base: main\n  retries: 2\n  timeout: 5\n", 1))
    git(repo, "commit", "-qam", "fewer retries")
    forge_server.fail("GET", "/repos/acme/gitops/pulls", 503, times=10)
    r = run(repo, "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env_for(forge_server))
    assert r.exit_code == 3, r.output
    line = r.stderr.splitlines()[0]
    assert line.startswith("gitshift: error: github API call GET /repos/acme/gitops/pulls")
    assert "503" in line and "2 attempt" in line
    assert f"the branch {BRANCH} was pushed" in r.stderr
    assert forge_server.token not in r.output


def test_verbose_shows_forge_calls_without_the_token(example_repo: Path, forge_server: ForgeServer) -> None:
    repo = forge_repo(example_repo, forge_server)
    r = run(repo, "-v", "set-image", "web", ":1.1.0", "--env", "staging", "--pr", env=env_for(forge_server))
    assert r.exit_code == 0, r.output
    assert "gitshift.forge" in r.stderr and "/repos/acme/gitops/pulls" in r.stderr
    assert forge_server.token not in r.output


def test_scale_of_a_canary_deployed_only_here_names_the_ref_it_read(example_repo: Path,
                                                                    forge_server: ForgeServer) -> None:
    from tests.conftest import snapshot

    repo = forge_repo(example_repo, forge_server)
    deploy = run(repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    assert deploy.exit_code == 0, deploy.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "canary deploy, not pushed")
    scale = ("canary", "scale", "web", "--env", "production-canary", "--weight", "25")
    before = snapshot(repo)
    r = run(repo, *scale, "--pr", env=env_for(forge_server))
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: canary web-canary has 0 replicas at origin/main (canary scale)",
        "hint: the shift starts from origin/main, which lacks the canary deploy: push it there first (merge its pull "
        "request), then run this again"]
    assert snapshot(repo) == before
    assert git(repo, "ls-remote", "origin", "gitshift/web/production-canary/canary-scale").strip() == ""
    assert not forge_server.calls("POST", "/pulls")

    git(repo, "push", "-q", "origin", "main")  # as merging the deploy's pull request would
    r = run(repo, *scale, "--pr", env=env_for(forge_server))
    assert r.exit_code == 0, r.output
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1


def test_scale_from_a_commit_without_the_deploy_names_it(example_repo: Path) -> None:
    deploy = run(example_repo, "canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0")
    assert deploy.exit_code == 0, deploy.output
    r = run(example_repo, "canary", "scale", "web", "--env", "production-canary", "--weight", "25", "--commit")
    assert r.exit_code == 2, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: canary web-canary has 0 replicas at HEAD (canary scale)",
        "hint: the shift starts from HEAD, which lacks the canary deploy: commit it on HEAD first, then run this again"]


def test_promote_of_a_blue_green_deployed_only_here_names_the_ref_it_read(example_repo: Path,
                                                                          forge_server: ForgeServer) -> None:
    from tests.conftest import snapshot

    repo = forge_repo(example_repo, forge_server)
    deploy = run(repo, "bluegreen", "deploy", "web", ":1.1.0", "--env", "production")
    assert deploy.exit_code == 0, deploy.output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "bluegreen deploy, not pushed")
    promote = ("bluegreen", "promote", "web", "--env", "production")
    before = snapshot(repo)
    r = run(repo, *promote, "--pr", env=env_for(forge_server))
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: nothing is deployed to the idle color green: Deployment/web-green has 0 replicas at "
        "origin/main (web/production)",
        "hint: the shift starts from origin/main, which lacks the bluegreen deploy: push it there first (merge its "
        "pull request), then run this again"]
    assert snapshot(repo) == before
    assert git(repo, "ls-remote", "origin", "gitshift/web/production/bluegreen-promote").strip() == ""
    assert not forge_server.calls("POST", "/pulls")

    git(repo, "push", "-q", "origin", "main")  # as merging the deploy's pull request would
    r = run(repo, *promote, "--pr", env=env_for(forge_server))
    assert r.exit_code == 0, r.output
    assert len(forge_server.github.repos["acme/gitops"].pulls) == 1


def test_promote_of_a_deploy_left_in_the_working_tree_names_the_commit_it_read(example_repo: Path) -> None:
    deploy = run(example_repo, "bluegreen", "deploy", "web", ":1.1.0", "--env", "production")
    assert deploy.exit_code == 0, deploy.output
    r = run(example_repo, "bluegreen", "promote", "web", "--env", "production", "--commit")
    assert r.exit_code == 1, r.output
    assert r.stderr.splitlines() == [
        "gitshift: error: nothing is deployed to the idle color green: Deployment/web-green has 0 replicas at HEAD "
        "(web/production)",
        "hint: the shift starts from HEAD, which lacks the bluegreen deploy: commit it on HEAD first, then run this "
        "again"]
