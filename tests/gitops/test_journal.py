"""Working-tree writes are all or nothing, and one command at a time (README.md, "Errors").

Crashes are reproduced as they leave the disk (a journal and the files beside
the targets) and as real signals sent to a running ``gitshift`` process.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import git, run, snapshot

from gitshift.errors import InputError
from gitshift.gitops import journal

GITSHIFT = [sys.executable, "-m", "gitshift", "--engine", "builtin"]
CANARY = ("canary", "deploy", "web", "--env", "production-canary", "--image", ":2.0.0", "--header", "x-canary=1")
CANARY_FILES = ["overlays/production-canary/canary.yaml",
                "overlays/production-canary/gitshift-deployment-web-canary.yaml",
                "overlays/production-canary/kustomization.yaml"]


def two_apps_one_file(factory: Callable[..., Path]) -> Path:
    """Two apps whose image tags live in one kustomization.yaml: two shifts at once edit the same file."""
    deployment = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {0}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {0}}}
  template:
    metadata:
      labels: {{app: {0}}}
    spec:
      containers:
      - name: {0}
        image: ghcr.io/acme/{0}:1.0.0
"""
    apps = "\n".join(f"  {a}:\n    image: ghcr.io/acme/{a}\n    envs:\n      staging: {{overlay: overlays/staging, "
                     "strategy: rolling}" for a in ("web", "api"))
    return factory({
        "base/kustomization.yaml": "resources:\n- web.yaml\n- api.yaml\n",
        "base/web.yaml": deployment.format("web"),
        "base/api.yaml": deployment.format("api"),
        "overlays/staging/kustomization.yaml": "resources:\n- ../../base\nimages:\n- name: ghcr.io/acme/web\n"
                                               "  newTag: 1.0.0\n- name: ghcr.io/acme/api\n  newTag: 1.0.0\n",
        "gitshift.yaml": f"apps:\n{apps}\n",
    })


def crashed(repo: Path, state: str, new: dict[str, bytes], renamed: tuple[str, ...] = (),
            dirs: tuple[str, ...] = ()) -> None:
    """Leave ``repo`` as a command killed with SIGKILL leaves it: the journal, files beside, some renamed."""
    entries = []
    for rel, data in new.items():
        path = repo / rel
        tmp = path.parent / f".{path.name}.gitshift-dead0001.tmp"
        tmp.parent.mkdir(parents=True, exist_ok=True)
        if rel in renamed:
            path.write_bytes(data)
        else:
            tmp.write_bytes(data)
        entries.append({"path": rel, "tmp": tmp.relative_to(repo).as_posix(),
                        "sha256": hashlib.sha256(data).hexdigest()})
    directory = repo / ".git" / "gitshift"
    directory.mkdir(exist_ok=True)
    (directory / "journal.json").write_text(json.dumps(
        {"version": 1, "state": state, "pid": 999999, "entries": entries, "dirs": list(dirs)}))


def stray(repo: Path) -> list[str]:
    """Files a write left beside its targets, and the journal."""
    left = [str(p.relative_to(repo)) for p in repo.rglob("*.tmp") if ".git" not in p.relative_to(repo).parts]
    return left + [str(p) for p in (repo / ".git" / "gitshift").glob("journal*")]


def test_a_set_cut_before_its_commit_point_is_rolled_back_by_any_command(example_repo: Path) -> None:
    before = snapshot(example_repo)
    crashed(example_repo, "prepared", {
        "overlays/staging/kustomization.yaml": b"half: written\n",
        "overlays/staging/new/patch.yaml": b"kind: Deployment\n",
    }, dirs=("overlays/staging/new",))
    r = run(example_repo, "status")
    assert r.exit_code == 0, r.output
    assert "gitshift: rolled back an interrupted write (nothing of it was applied): overlays/staging/" in r.stderr
    assert snapshot(example_repo) == before
    assert not (example_repo / "overlays/staging/new").exists()
    assert stray(example_repo) == []


def test_a_set_cut_after_its_commit_point_is_replayed_by_any_command(example_repo: Path) -> None:
    first, second = b"resources:\n- ../../base\n", b"apiVersion: v1\nkind: ConfigMap\n"
    crashed(example_repo, "committed", {
        "overlays/staging/kustomization.yaml": first,
        "overlays/staging/extra.yaml": second,
    }, renamed=("overlays/staging/extra.yaml",))
    r = run(example_repo, "history")
    assert r.exit_code == 0, r.output
    assert "gitshift: completed an interrupted write of 2 file(s)" in r.stderr
    assert (example_repo / "overlays/staging/kustomization.yaml").read_bytes() == first
    assert (example_repo / "overlays/staging/extra.yaml").read_bytes() == second
    assert stray(example_repo) == []


def test_a_journal_naming_paths_outside_is_refused(example_repo: Path, tmp_path: Path) -> None:
    directory = example_repo / ".git" / "gitshift"
    directory.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (directory / "journal.json").write_text(json.dumps({"version": 1, "state": "committed", "entries": [
        {"path": "../../victim", "tmp": None, "sha256": None}]}))
    r = run(example_repo, "status")
    assert r.exit_code == 2
    assert "the working-tree journal names a path outside the repository" in r.stderr
    assert victim.read_text() == "keep"


def hold_lock(repo: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process holding the working tree's lock, as a running gitshift does."""
    code = ("import sys, time; from pathlib import Path; from gitshift.gitops import journal\n"
            "with journal.locked(Path(sys.argv[1]), command='gitshift canary scale web --weight 50'):\n"
            "    print('held', flush=True); time.sleep(float(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(repo), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_a_live_journal_is_left_to_its_writer(example_repo: Path) -> None:
    holder = hold_lock(example_repo, 30)
    try:
        crashed(example_repo, "prepared", {"overlays/staging/kustomization.yaml": b"being: written\n"})
        r = run(example_repo, "status")
        assert r.exit_code == 0, r.output
        assert "rolled back" not in r.stderr
        assert (example_repo / ".git/gitshift/journal.json").exists()
    finally:
        holder.kill()
        holder.wait()


def test_the_second_writer_waits_then_names_the_holder(example_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "WAIT", 0.5)
    holder = hold_lock(example_repo, 30)
    try:
        before = snapshot(example_repo)
        started = time.monotonic()
        r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging")
        assert r.exit_code == 3, r.output
        assert time.monotonic() - started >= 0.5
        assert r.stderr.splitlines() == [
            f"gitshift: error: the working tree is locked by pid {holder.pid}: gitshift canary scale web --weight 50 "
            "(.git/gitshift/worktree.lock)",
            "hint: waited 0.5s; run the command again when the other one is done"]
        assert snapshot(example_repo) == before
    finally:
        holder.kill()
        holder.wait()
    r = run(example_repo, "set-image", "web", ":1.1.0", "--env", "staging")  # the kernel freed the lock
    assert r.exit_code == 0, r.output


def test_two_shifts_at_once_on_one_file_keep_both_edits(repo_factory: Callable[..., Path]) -> None:
    repo = two_apps_one_file(repo_factory)
    for _ in range(3):
        procs = [subprocess.Popen([*GITSHIFT, "-C", str(repo), "-q", "set-image", app, f":{n}.0.0", "--env",
                                   "staging"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for n, app in ((2, "web"), (3, "api"))]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, out + err
        text = (repo / "overlays/staging/kustomization.yaml").read_text()
        assert "name: ghcr.io/acme/web\n  newTag: 2.0.0" in text
        assert "name: ghcr.io/acme/api\n  newTag: 3.0.0" in text
        git(repo, "checkout", "-q", ".")


def _changed(repo: Path) -> set[str]:
    return {line[3:] for line in git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_a_multi_file_write_leaves_all_or_nothing(example_repo: Path, signum: int) -> None:
    overlay = example_repo / "overlays/production-canary"
    state = example_repo / ".git" / "gitshift"
    hits = 0
    for _ in range(12):
        if hits == 3:
            break
        proc = subprocess.Popen([*GITSHIFT, "-C", str(example_repo), "-q", *CANARY], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        # Wait until the write has begun (a file beside a target, or the journal), then signal at once.
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if (state / "journal.json").exists() or any(n.endswith(".tmp") for n in os.listdir(overlay)):
                proc.send_signal(signum)
                hits += 1
                break
            time.sleep(0.0002)
        _, err = proc.communicate(timeout=60)
        changed = _changed(example_repo)
        assert changed in (set(), set(CANARY_FILES)), (changed, err)
        assert stray(example_repo) == [], err
        if proc.returncode not in (0, None):
            # Deferred, not dropped: the signal still ends the command, after its set of writes.
            assert changed == set(CANARY_FILES), err
        r = run(example_repo, "status")
        assert r.exit_code == 0 and _changed(example_repo) == changed
        git(example_repo, "checkout", "-q", ".")
        git(example_repo, "clean", "-qfd")
    assert hits > 0


# -- the module in-process: a set of writes, replay and rollback, the lock --------------------------------------
def test_write_applies_a_set_and_leaves_nothing_beside(small_repo: Path) -> None:
    edits = {small_repo / "a.txt": b"A\n", small_repo / "run.sh": b"#!/bin/sh\necho new\n",
             small_repo / "dir/b.txt": None, small_repo / "new/deep/c.txt": b"c\n"}
    with journal.locked(small_repo):
        journal.write(small_repo, edits)
    assert (small_repo / "a.txt").read_bytes() == b"A\n"
    assert (small_repo / "new/deep/c.txt").read_bytes() == b"c\n"
    assert not (small_repo / "dir/b.txt").exists()
    assert (small_repo / "run.sh").stat().st_mode & 0o777 == 0o755  # the file's mode is kept
    assert stray(small_repo) == []


def test_write_that_fails_midway_changes_nothing_and_names_the_file(small_repo: Path) -> None:
    before = snapshot(small_repo)
    with pytest.raises(journal.JournalError) as info:
        journal.write(small_repo, {small_repo / "a.txt": b"A\n", small_repo / "new/c.txt": b"c\n",
                                   small_repo / "run.sh/under-a-file": b"x\n"})
    assert (info.value.exit_code, str(info.value)) == (3, "cannot write run.sh/under-a-file: Not a directory "
                                                          "(run.sh/under-a-file)")
    assert info.value.hint == "nothing of the shift was written; fix that and run it again"
    assert isinstance(info.value.__cause__, NotADirectoryError)
    assert snapshot(small_repo) == before
    assert stray(small_repo) == [] and not (small_repo / "new").exists()
    assert journal.recover(small_repo) is None


def test_a_rollback_that_cannot_remove_a_file_finishes_the_rest_and_frees_the_tree(small_repo: Path) -> None:
    crashed(small_repo, "prepared", {"a.txt": b"A\n", "new/c.txt": b"c\n"}, dirs=("new",))
    blocker = small_repo / ".a.txt.gitshift-dead0001.tmp"  # what was written beside a.txt is now a directory
    blocker.unlink()
    (blocker / "inside").mkdir(parents=True)
    with pytest.raises(journal.JournalError) as info:
        journal.recover(small_repo)
    assert (info.value.exit_code, str(info.value)) == (3, "cannot undo an interrupted write: .a.txt.gitshift-"
                                                          "dead0001.tmp: Is a directory (.a.txt.gitshift-dead0001.tmp)")
    assert info.value.hint == ("nothing of it was applied, and gitshift can run again; remove what it left beside "
                               "by hand: .a.txt.gitshift-dead0001.tmp")
    assert not (small_repo / "new").exists() and (small_repo / "a.txt").read_bytes() == b"a\n"
    assert stray(small_repo) == [".a.txt.gitshift-dead0001.tmp"]  # the one named; the journal is gone
    assert journal.recover(small_repo) is None
    r = run(small_repo, "history")
    assert r.exit_code == 0, r.output


def test_a_replay_that_cannot_finish_keeps_the_journal_and_says_what_to_do(small_repo: Path) -> None:
    crashed(small_repo, "committed", {"a.txt": b"A\n", "dir": b"was a directory\n", "new/c.txt": b"c\n"})
    with pytest.raises(journal.JournalError) as info:
        journal.recover(small_repo)
    assert (info.value.exit_code, str(info.value)) == (3, "cannot finish a write of 3 file(s): dir: Is a directory "
                                                          "(dir)")
    assert info.value.hint == ("fix that, then run any gitshift command here to finish the write; to drop it "
                               "instead, restore a.txt dir new/c.txt with git and delete .git/gitshift/journal.json")
    assert (small_repo / "a.txt").read_bytes() == b"A\n" and (small_repo / "new/c.txt").read_bytes() == b"c\n"
    r = run(small_repo, "history")  # every command says the same until it is fixed
    assert r.exit_code == 3
    assert r.stderr.splitlines()[0] == "gitshift: error: cannot finish a write of 3 file(s): dir: Is a directory (dir)"
    git(small_repo, "rm", "-rqf", "dir")
    r = run(small_repo, "history")
    assert r.exit_code == 0, r.output
    assert "gitshift: completed an interrupted write of 3 file(s): a.txt, dir, new/c.txt" in r.stderr
    assert (small_repo / "dir").read_bytes() == b"was a directory\n"
    assert stray(small_repo) == []


def test_a_write_whose_rename_fails_after_the_commit_point_is_finished_later(small_repo: Path) -> None:
    with pytest.raises(journal.JournalError) as info, journal.locked(small_repo):
        journal.write(small_repo, {small_repo / "a.txt": b"A\n", small_repo / "dir": b"x\n"})
    assert str(info.value) == "cannot finish a write of 2 file(s): dir: Is a directory (dir)"
    assert (small_repo / "a.txt").read_bytes() == b"A\n"
    assert [p.name for p in (small_repo / ".git/gitshift").glob("journal*")] == ["journal.json"]
    (small_repo / "dir/b.txt").unlink()
    (small_repo / "dir").rmdir()
    assert journal.recover(small_repo) == "completed an interrupted write of 2 file(s): a.txt, dir"
    assert (small_repo / "dir").read_bytes() == b"x\n" and stray(small_repo) == []


@pytest.mark.parametrize(("state", "message", "a_txt"), [
    ("prepared", "rolled back an interrupted write (nothing of it was applied): a.txt, new/c.txt", b"a\n"),
    ("committed", "completed an interrupted write of 2 file(s): a.txt, new/c.txt", b"A\n"),
])
def test_recover_rolls_back_or_replays_by_the_journals_state(small_repo: Path, state: str, message: str,
                                                             a_txt: bytes) -> None:
    crashed(small_repo, state, {"a.txt": b"A\n", "new/c.txt": b"c\n"}, renamed=("new/c.txt",), dirs=("new",))
    if state == "prepared":
        (small_repo / "new/c.txt").unlink()  # before the commit point nothing is renamed into place
    assert journal.recover(small_repo) == message
    assert (small_repo / "a.txt").read_bytes() == a_txt
    assert (small_repo / "new").exists() is (state == "committed")
    assert stray(small_repo) == []
    assert journal.recover(small_repo) is None


def test_an_unreadable_journal_is_bad_input(small_repo: Path) -> None:
    (small_repo / ".git/gitshift").mkdir()
    (small_repo / ".git/gitshift/journal.json").write_text("{not json")
    with pytest.raises(InputError) as info:
        journal.recover(small_repo)
    assert info.value.what.startswith("cannot read the working-tree journal: ")
    assert info.value.where == ".git/gitshift/journal.json"


def test_the_lock_names_its_holder_and_leaves_a_live_journal_alone(small_repo: Path) -> None:
    with journal.locked(small_repo, command="gitshift canary scale web --weight 50"):
        crashed(small_repo, "prepared", {"a.txt": b"A\n"})
        assert journal.recover(small_repo) is None  # its writer is alive
        with pytest.raises(journal.LockedError) as info, journal.locked(small_repo, wait=0.1):
            pass
    assert str(info.value) == (f"the working tree is locked by pid {os.getpid()}: gitshift canary scale web "
                               "--weight 50 (.git/gitshift/worktree.lock)")
    assert (info.value.exit_code, info.value.hint) == (3, "waited 0.1s; run the command again when the other one "
                                                          "is done")
    with journal.locked(small_repo, wait=0):  # released with its holder
        pass
    assert journal.recover(small_repo) is not None


def test_a_linked_worktree_keeps_its_own_journal_and_lock(small_repo: Path, tmp_path: Path) -> None:
    linked = tmp_path / "linked"
    git(small_repo, "worktree", "add", "-q", "-b", "side", str(linked))
    own = Path(git(linked, "rev-parse", "--absolute-git-dir").strip())
    assert journal.state_dir(linked) == own / "gitshift" != journal.state_dir(small_repo)
    with journal.locked(small_repo), journal.locked(linked, wait=0):
        journal.write(linked, {linked / "a.txt": b"linked\n"})
    assert (linked / "a.txt").read_bytes() == b"linked\n" and (small_repo / "a.txt").read_bytes() == b"a\n"


def test_signals_wait_until_the_set_is_written() -> None:
    got: list[int] = []
    previous = signal.signal(signal.SIGHUP, lambda num, frame: got.append(num))
    try:
        with journal.deferred_signals():
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.01)
            assert got == []
        assert got == [signal.SIGHUP]
    finally:
        signal.signal(signal.SIGHUP, previous)
