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


def test_demo_helm_walks_the_seed_pattern() -> None:
    proc = subprocess.run([sys.executable, "-m", "gitshift", "demo", "--helm"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    out = proc.stdout
    # set-image on a Flux HelmRelease env: one changed line, its comment kept
    diff = out.split("$ git --no-pager diff\n", 1)[1].split("\n## ", 1)[0]
    assert [ln for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")] == [
        '-        tag: "1.0.0"   # set by gitshift set-image', '+        tag: "1.1.0"   # set by gitshift set-image']
    for needle in ("bluegreen web/prod: preview blue → green, green none → 1.1.0",
                   "bluegreen web/prod: active blue → green", "bluegreen web/prod: active green → blue",
                   "canary web/prod-canary: weight 0 → 10, canary none → 1.1.0",
                   "canary web/prod-canary: weight 10 → 50",
                   "canary web/prod-canary: weight 50 → 0, stable 1.0.0 → 1.1.0",
                   "Done. Every step above was a commit"):
        assert needle in out, needle
    final = out.split("$ gitshift status\n")[-1]
    assert "prod-canary   canary      ghcr.io/acme/web:1.1.0" in final
