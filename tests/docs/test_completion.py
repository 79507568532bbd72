"""Shell completion (README: Install): click's scripts for bash, zsh and fish, and bash completing for real."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
GITSHIFT = BIN / "gitshift"


def source(shell: str) -> str:
    env = {**os.environ, "_GITSHIFT_COMPLETE": f"{shell}_source"}
    proc = subprocess.run([str(GITSHIFT)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize(("shell", "needle"), [
    ("bash", "complete -o nosort -F _gitshift_completion gitshift"),
    ("zsh", "#compdef gitshift"),
    ("fish", "complete --no-files --command gitshift"),
])
def test_completion_script_is_produced(shell: str, needle: str) -> None:
    script = source(shell)
    assert needle in script and "_GITSHIFT_COMPLETE" in script


@pytest.mark.parametrize(("words", "expected"), [
    ("gitshift blue", {"bluegreen"}),
    ("gitshift canary ", {"deploy", "scale", "promote", "confirm", "rollback", "advance"}),
    ("gitshift status --engine ", {"auto", "builtin", "kustomize", "kubectl", "helm"}),
    ("gitshift set-image web :1 --dry", {"--dry-run"}),
])
def test_bash_completes(words: str, expected: set[str]) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    script = (f'eval "$(_GITSHIFT_COMPLETE=bash_source gitshift)"\n'
              f'COMP_WORDS=({words}); COMP_CWORD=${{#COMP_WORDS[@]}}\n')
    if words.endswith(" "):
        script += "COMP_WORDS+=(''); \n"
    else:
        script += "COMP_CWORD=$((COMP_CWORD - 1))\n"
    script += '_gitshift_completion gitshift\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([bash, "--noprofile", "--norc", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) == expected, proc.stdout


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_script_loads_in_its_shell(shell: str, tmp_path: Path) -> None:
    exe = shutil.which(shell)
    if exe is None:
        pytest.skip(f"{shell} is not installed (apt-get install {shell})")
    path = tmp_path / f"gitshift.{shell}"
    path.write_text(source(shell))
    check = [exe, "-n", str(path)] if shell == "zsh" else [exe, "--no-execute", str(path)]
    proc = subprocess.run(check, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
