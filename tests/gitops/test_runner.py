"""gitops.runner: how git is run, and what its failures say."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import git

from gitshift.errors import GitError
from gitshift.gitops import runner


def failure(args: list[str], cwd: Path) -> GitError:
    with pytest.raises(GitError) as info:
        runner.run(args, cwd)
    return info.value


def test_a_failure_names_the_command_gits_first_error_and_where(small_repo: Path) -> None:
    err = failure(["-c", "core.quotePath=false", "rev-parse", "--verify", "no-such-ref"], small_repo)
    assert (err.exit_code, err.what, err.where, err.hint) == (
        3, "git rev-parse failed: Needed a single revision", str(small_repo), "")
    assert err.detail == "fatal: Needed a single revision"


def test_the_command_is_named_after_git_dir_and_settings(small_repo: Path) -> None:
    err = failure(["--git-dir", str(small_repo / ".git"), "-c", "a.b=c", "cat-file", "-t", "0" * 40], small_repo)
    assert err.what.startswith("git cat-file failed: ")


def test_an_unknown_remote_gets_a_hint(small_repo: Path) -> None:
    err = failure(["fetch", "upstream"], small_repo)
    assert err.what == "git fetch failed: 'upstream' does not appear to be a git repository"
    assert err.hint.startswith("check the remote with `git remote -v`")
    assert "Could not read from remote repository." in err.detail


def test_credentials_in_a_url_git_quotes_are_masked(small_repo: Path) -> None:
    err = failure(["checkout", "https://user:s3cret@example.com/x"], small_repo)
    assert "s3cret" not in err.what + err.detail
    assert err.what == ("git checkout failed: pathspec 'https://***@example.com/x' did not match any file(s) "
                        "known to git")


def test_git_missing_from_path_is_an_outside_failure(small_repo: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    err = failure(["status"], small_repo)
    assert (err.exit_code, err.what, err.hint) == (3, "git not found", "install git and put it on PATH")


def test_the_callers_git_variables_do_not_point_git_elsewhere(small_repo: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    assert runner.text(["rev-parse", "--show-toplevel"], small_repo) == str(small_repo)
    env = runner.environment({"GIT_TERMINAL_PROMPT": "0"})
    assert (env["LC_ALL"], env["GIT_TERMINAL_PROMPT"]) == ("C", "0")
    assert "GIT_DIR" not in env and "GIT_WORK_TREE" not in env


def test_text_drops_one_trailing_newline_and_run_keeps_bytes(small_repo: Path) -> None:
    assert runner.text(["log", "-1", "--format=%s%n"], small_repo) == "executable\n"
    assert runner.run(["cat-file", "blob", "HEAD:a.txt"], small_repo) == b"a\n"
    assert runner.run(["hash-object", "--stdin"], small_repo, data=b"a\n").strip() == git(
        small_repo, "rev-parse", "HEAD:a.txt").strip().encode()


@pytest.mark.parametrize(("stderr", "first"), [
    ("hint: try this\nfatal: the problem\n", "the problem"),
    ("warning: a warning\nerror: the error\nfatal: a later fatal\n", "the error"),
    ("To origin\n ! [rejected] x -> x\nremote: error: denied by policy\n", "denied by policy"),
    ("hint: only a hint\nsomething else\n", "something else"),
    ("", ""),
])
def test_first_error(stderr: str, first: str) -> None:
    assert runner.first_error(stderr) == first


@pytest.mark.parametrize(("stderr", "hint"), [
    ("fatal: unable to access 'https://h/x/': Could not resolve host: h", "check the network and the remote's host "
                                                                           "name (`git remote -v`)"),
    ("fatal: Authentication failed for 'https://h/x/'", "check that the token is valid and may push to the repository"),
    ("fatal: could not read Username for 'https://h': terminal prompts disabled",
     "set the forge token (forge.token_env), or use an SSH remote"),
    ("fatal: not a git repository (or any of the parent directories): .git",
     "run inside your GitOps repository, or pass -C PATH"),
    ("*** Please tell me who you are.", "set user.name and user.email with `git config`"),
    ("fatal: bad object deadbeef", ""),
])
def test_hint_for(stderr: str, hint: str) -> None:
    assert runner.hint_for(stderr) == hint
