"""Time the CLI on a synthetic monorepo: start-up, status, and one set-image shift.

Usage: python benchmarks/bench_cli.py [--apps 1000] [--engine builtin] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from monorepo import generate  # noqa: E402

GITSHIFT = [sys.executable, "-m", "gitshift"]


def timed(cmd: list[str], cwd: Path, runs: int) -> float:
    """Median wall time of ``cmd`` in milliseconds; a failure stops the benchmark."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
        times.append((time.perf_counter() - start) * 1000)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
        subprocess.run(["git", "checkout", "-q", "."], cwd=cwd, check=True)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--engine", default="auto")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env_git = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b",
               "GIT_COMMITTER_EMAIL": "b@b"}
    os.environ.update(env_git)
    tmp = Path(tempfile.mkdtemp(prefix="gitshift-bench-"))
    try:
        repo = tmp / "mono"
        repo.mkdir()
        generate(repo, args.apps)
        for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "mono"]):
            subprocess.run(["git", *cmd], cwd=repo, check=True)
        engine = ["--engine", args.engine]
        rows = [
            ("gitshift --version", timed([*GITSHIFT, "--version"], repo, args.runs)),
            (f"status (all {args.apps * 2} overlays)", timed([*GITSHIFT, *engine, "status", "-q"], repo,
                                                              max(1, args.runs // 2))),
            ("status app-0001", timed([*GITSHIFT, *engine, "status", "app-0001"], repo, args.runs)),
            ("set-image (working tree)", timed([*GITSHIFT, *engine, "set-image", "app-0001", ":9.9.9",
                                               "--env", "production", "-q"], repo, args.runs)),
            ("set-image --commit", timed([*GITSHIFT, *engine, "set-image", "app-0002", ":9.9.9", "--env",
                                         "production", "--commit", "--branch", "bench", "-q"], repo, 1)),
        ]
        print(f"{args.apps} apps, engine {args.engine}, median of {args.runs} runs")
        for name, ms in rows:
            print(f"  {name:<32} {ms:8.0f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
