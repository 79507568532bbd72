"""``gitshift demo`` runs the whole walkthrough on a throwaway repository."""

from __future__ import annotations

import subprocess
import sys


def test_demo_walks_every_step() -> None:
    proc = subprocess.run([sys.executable, "-m", "gitshift", "demo"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    out = proc.stdout
    for needle in ("$ gitshift status", "bluegreen web/production: active blue → green",
                   "canary web/production-canary: weight 10 → 25", "The pull request --pr would open:",
                   "Gitshift-Action: set-image", "Done. Every step above was a commit"):
        assert needle in out, needle
    envs = ("dev", "staging", "production", "production-canary", "production-istio", "production-gateway",
            "production-replicas")
    commands = [line for line in out.splitlines() if line.startswith("$ gitshift ")]
    for env in envs:
        assert any(f"--env {env}" in c or f"--to {env}" in c for c in commands), env
    assert commands[-2:] == ["$ gitshift status", "$ gitshift history --branch demo -n 30"]
    assert "(--weight 30 rounded to 25: 1 of 4 pods)" in out
