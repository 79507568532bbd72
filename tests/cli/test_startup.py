"""Start-up: what a command imports, and ``gitshift render DIR`` answered before click, exactly as the CLI does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import PROJECT

# Runs the entry point (the fast answers) or the click group alone, then lists the modules imported.
_SCRIPT = """
import json, sys
sys.argv = ["gitshift", *json.loads(sys.argv[1])]
from {module} import main
try:
    main()
finally:
    sys.stdout.flush()
    with open({out!r}, "w") as fh:
        json.dump(sorted(sys.modules), fh)
"""


def gitshift(args: list[str], cwd: Path, tmp_path: Path, module: str = "gitshift.__main__",
             env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    out = tmp_path / "modules.json"
    script = _SCRIPT.format(module=module, out=str(out))
    proc = subprocess.run([sys.executable, "-c", script, json.dumps(args)], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)
    return proc, set(json.loads(out.read_text()))


HEAVY = {"ruamel", "requests", "jwt", "cryptography", "git", "jsonpatch", "http.client", "urllib3"}


def roots(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules} | modules


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_import_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    proc, modules = gitshift(args, tmp_path, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not HEAVY & roots(modules)
    assert "yaml" not in modules
    if args == ["--version"]:
        assert "click" not in modules


CASES = {
    "renders": {"base/kustomization.yaml": "resources:\n- d.yaml\n",
                "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
                "o/kustomization.yaml": "resources:\n- ../base\nnamespace: prod\n"},
    "no kustomization": {"o/readme.txt": "x\n"},
    "bad resource": {"o/kustomization.yaml": "resources:\n- missing.yaml\n"},
    "bad yaml": {"o/kustomization.yaml": "resources: [\n"},
    "unsupported": {"o/kustomization.yaml": "helmCharts:\n- name: x\n"},
    "handed to an external engine": {"o/kustomization.yaml": "resources:\n- cm.yaml\nvalidators:\n- v.yaml\n",
                                     "o/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
                                     "o/v.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\n"},
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_dir_answers_as_the_cli_does(case: str, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name, text in CASES[case].items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)  # `render` reads inside the repository only
    fast, modules = gitshift(["render", "o"], repo, tmp_path)
    assert "click" not in modules and not HEAVY & roots(modules)
    slow, _ = gitshift(["render", "o"], repo, tmp_path, module="gitshift.cli.app")
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)
    if case == "renders":
        assert fast.returncode == 0 and fast.stdout.startswith("apiVersion: apps/v1"), fast.stderr
    elif case != "handed to an external engine":  # whatever the external engine makes of it, both say the same
        assert fast.returncode != 0 and "gitshift: error: " in fast.stderr, fast.stderr


@pytest.mark.parametrize("args, env", [(["render", "o/kustomization.yaml"], {}), (["render", "--", "o"], {}),
                                       (["render", "o"], {"GITSHIFT_OUTPUT": "json"}),
                                       (["render", "o"], {"GITSHIFT_ENGINE": "nothing"})])
def test_anything_else_is_the_cli_s(args: list[str], env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "kustomization.yaml").write_text("namespace: x\n")
    proc, modules = gitshift(args, tmp_path, tmp_path, env=env)
    assert "click" in modules, proc.stderr


def test_the_console_script_is_the_entry_point() -> None:
    text = (PROJECT / "pyproject.toml").read_text()
    assert 'gitshift = "gitshift.__main__:main"' in text


def test_a_group_keeps_its_lazily_added_commands_after_another_command_ran() -> None:
    """One process running several commands (tests, `gitshift serve`) still finds `canary advance`
    after an earlier command loaded only the module that defines the `canary` group."""
    script = """
from click.testing import CliRunner
from gitshift.cli.app import cli
runner = CliRunner()
assert runner.invoke(cli, ["set-image", "--help"]).exit_code == 0
r = runner.invoke(cli, ["canary", "advance", "--help"])
print(r.exit_code, r.output.splitlines()[0] if r.output else "")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT, check=True)
    assert done.stdout.startswith("0 Usage: "), done.stdout + done.stderr
