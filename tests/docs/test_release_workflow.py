""".github/workflows/release.yml: what each job may do, and its version check run for real.

zizmor and check-jsonschema check it with the other workflows (tests/ci).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import PROJECT

import gitshift

RELEASE = PROJECT / ".github" / "workflows" / "release.yml"


def workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(RELEASE.read_text())
    return data


def scripts(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_runs_on_version_tags_only_and_grants_nothing_by_default() -> None:
    wf = workflow()
    assert wf[True] == {"push": {"tags": ["v*"]}}  # YAML 1.1 reads the key `on` as True
    assert wf["permissions"] == {}
    assert wf["concurrency"]["cancel-in-progress"] is False  # a release is never cut off halfway


def test_only_the_publish_job_gets_an_id_token() -> None:
    jobs = workflow()["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["pypi"]["permissions"] == {"id-token": "write"}
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["pypi"]["needs"] == "build" and jobs["github-release"]["needs"] == ["build", "pypi"]
    assert jobs["pypi"]["environment"]["name"] == "pypi"
    (publish,) = [s for s in jobs["pypi"]["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi-publish@")]
    assert "with" not in publish  # no password: trusted publishing


def test_build_checks_what_it_publishes() -> None:
    build = scripts(workflow()["jobs"]["build"])
    assert "python -m build" in build and "twine check --strict dist/*" in build
    assert "python -m venv" in build and "gitshift\" --version" in build and "gitshift\" demo" in build
    release = scripts(workflow()["jobs"]["github-release"])
    assert 'gh release create "$TAG" dist/*' in release and "--verify-tag" in release


@pytest.mark.parametrize(("tag", "code"), [(f"v{gitshift.__version__}", 0), ("v9.9.9", 1),
                                           (gitshift.__version__, 1)])
def test_the_tag_must_equal_the_package_version(tag: str, code: int) -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    (step,) = [s for s in steps if s.get("name") == "The tag names the package's version"]
    assert step["env"] == {"TAG": "${{ github.ref_name }}"}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TAG"] = tag
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=PROJECT,
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code:
        assert f"the tag {tag} is not v{gitshift.__version__}" in proc.stdout
