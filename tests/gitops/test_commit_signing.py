"""Signed shift commits: git's own commit.gpgSign, gpg.format and user.signingKey, and --sign/--no-sign.

A real ssh-keygen key signs; ``git verify-commit`` with ``gpg.ssh.allowedSignersFile`` checks it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import git, run, snapshot

BRANCH = "gitshift/web/staging/set-image"
pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                                reason="ssh-keygen not installed (Debian: openssh-client)")


@pytest.fixture
def signing_repo(example_repo: Path, tmp_path: Path) -> Path:
    """The example repository with an SSH signing key configured, and a file of allowed signers."""
    key = tmp_path / "signing_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@example.com", "-f", str(key)],
                   check=True)
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"test@example.com {(tmp_path / 'signing_key.pub').read_text()}")
    for name, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                        ("gpg.ssh.allowedSignersFile", str(allowed))):
        git(example_repo, "config", "--local", name, value)
    return example_repo


def verify(repo: Path, ref: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "verify-commit", ref], cwd=repo, capture_output=True, text=True, check=False)


def signed(repo: Path, ref: str) -> bool:
    return "\ngpgsig " in git(repo, "cat-file", "commit", ref)


@pytest.mark.parametrize("engine", ["builtin", "kubectl"], ids=["commit-tree", "worktree-commit"])
def test_commit_gpgsign_is_honoured(signing_repo: Path, engine: str) -> None:
    git(signing_repo, "config", "--local", "commit.gpgsign", "true")

    r = run(signing_repo, "--engine", engine, "set-image", "web", ":1.1.0", "--env", "staging", "--commit")

    assert r.exit_code == 0, r.output
    checked = verify(signing_repo, BRANCH)
    assert checked.returncode == 0, checked.stderr
    assert 'Good "git" signature for test@example.com' in checked.stderr


@pytest.mark.parametrize("engine", ["builtin", "kubectl"], ids=["commit-tree", "worktree-commit"])
def test_no_sign_overrides_the_config(signing_repo: Path, engine: str) -> None:
    git(signing_repo, "config", "--local", "commit.gpgsign", "true")

    r = run(signing_repo, "--engine", engine, "set-image", "web", ":1.1.0", "--env", "staging", "--commit",
            "--no-sign")

    assert r.exit_code == 0, r.output
    assert not signed(signing_repo, BRANCH) and verify(signing_repo, BRANCH).returncode != 0


def test_sign_without_the_config_signs(signing_repo: Path) -> None:
    r = run(signing_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--sign")

    assert r.exit_code == 0, r.output
    assert verify(signing_repo, BRANCH).returncode == 0


def test_unsigned_by_default(signing_repo: Path) -> None:
    r = run(signing_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--push")

    assert r.exit_code == 0, r.output
    assert not signed(signing_repo, BRANCH)


def test_a_key_that_cannot_sign_exits_3_and_changes_nothing(signing_repo: Path, tmp_path: Path) -> None:
    git(signing_repo, "config", "--local", "user.signingkey", str(tmp_path / "missing_key"))
    before = snapshot(signing_repo)

    r = run(signing_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit", "--sign")

    assert r.exit_code == 3, r.output
    assert "gitshift: error: git commit-tree failed" in r.stderr
    assert snapshot(signing_repo) == before


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg not installed (Debian: gnupg)")
def test_openpgp_signing(example_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    try:
        subprocess.run(["gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
                        "--quick-gen-key", "Test User <test@example.com>", "ed25519", "sign", "never"],
                       check=True, capture_output=True, timeout=60)
        git(example_repo, "config", "--local", "user.signingkey", "test@example.com")
        git(example_repo, "config", "--local", "commit.gpgsign", "true")

        r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging", "--commit")
        checked = verify(example_repo, BRANCH)
    finally:  # the agent gpg started would outlive the test
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], capture_output=True, check=False, timeout=30)

    assert r.exit_code == 0, r.output
    assert checked.returncode == 0 and "Good signature" in checked.stderr, checked.stderr
