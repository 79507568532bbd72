"""The CLI as a user runs it, whole processes: start-up, one render against kubectl, status, shifts.

Usage: python benchmarks/bench_cli.py [--apps 1000] [--rounds 5] [--engine builtin]

Cases run interleaved (``timing.py``); ratios compare cases of the same run. The targets
(README.md, "Benchmarks") are checked on the best runs: ``gitshift --version`` at most 3x
``python -c pass``; ``gitshift render`` of the overlay with a patch at least 3x faster than
``kubectl kustomize`` of it; ``set-image --commit`` at most 0.5 s; ``status`` of every env at
most 5 s.
- ``python -c pass`` against ``gitshift --version`` and ``--help``;
- ``gitshift render`` of a one-Deployment overlay (namespace, images, replicas and a
  strategic-merge patch; and the same without the patch) against ``kubectl kustomize`` of it;
- on a monorepo of ``--apps`` apps with two envs each (``monorepo.py``): ``status`` of every
  env, of one app, ``set-image`` in the working tree and ``set-image --commit``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from monorepo import generate  # noqa: E402
from timing import Case, bytecode, git_env, git_repo, load, measure, ms, table, target  # noqa: E402

BIN = Path(sys.executable).parent
GITSHIFT = str(BIN / "gitshift") if (BIN / "gitshift").exists() else None

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: registry.example.com/web:1.0.0
        ports:
        - containerPort: 8080
"""
_OVERLAY = """\
resources:
- ../base
namespace: production
images:
- name: registry.example.com/web
  newTag: 1.1.0
replicas:
- name: web
  count: 3
"""
_PATCH = """\
patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      template:
        spec:
          containers:
          - name: web
            env:
            - name: ENVIRONMENT
              value: production
"""


def one_deployment(root: Path) -> tuple[Path, Path]:
    """A repository with a base of one Deployment; overlays with and without a strategic-merge patch."""
    (root / "base").mkdir(parents=True)
    (root / "base" / "deployment.yaml").write_text(_DEPLOYMENT)
    (root / "base" / "kustomization.yaml").write_text("resources:\n- deployment.yaml\n")
    patched, plain = root / "overlay-patch", root / "overlay"
    patched.mkdir()
    plain.mkdir()
    (patched / "kustomization.yaml").write_text(_OVERLAY + _PATCH)
    (plain / "kustomization.yaml").write_text(_OVERLAY)
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # gitshift reads inside the repository only
    return patched, plain


def ratio(slow: Case, fast: Case) -> str:
    """How many times ``fast`` beats ``slow`` (best runs), and how ``fast`` compares by CPU."""
    return f"{slow.best / fast.best:.1f}x (cpu {slow.cpu / fast.cpu:.1f}x)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engine", default="builtin")
    args = parser.parse_args()
    if GITSHIFT is None:
        raise SystemExit(f"no gitshift next to {sys.executable}: run `make bench` (it installs it)")
    kubectl = shutil.which("kubectl")
    os.environ.update(git_env())
    bytecode()
    print(f"before: {load()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="gitshift-bench-"))
    try:
        patched, plain = one_deployment(tmp / "one")
        start = [Case("python -c pass", [sys.executable, "-c", "pass"]),
                 Case("gitshift --version", [GITSHIFT, "--version"]),
                 Case("gitshift --help", [GITSHIFT, "--help"]),
                 Case("gitshift render (1 Deployment, patch)", [GITSHIFT, "render", str(patched)]),
                 Case("gitshift render (1 Deployment)", [GITSHIFT, "render", str(plain)])]
        if kubectl:
            start += [Case("kubectl kustomize (1 Deployment, patch)", [kubectl, "kustomize", str(patched)]),
                      Case("kubectl kustomize (1 Deployment)", [kubectl, "kustomize", str(plain)])]
        measure(start, rounds=args.rounds * 4, warmup=2)
        print(f"start-up and one render, best of {args.rounds * 4} interleaved rounds "
              f"(Python {sys.version.split()[0]}):")
        print(table(start))
        named = {c.name: c for c in start}
        version = named["gitshift --version"].best / named["python -c pass"].best
        print(f"  gitshift --version / python -c pass: {version:.2f} "
              f"(cpu {named['gitshift --version'].cpu / named['python -c pass'].cpu:.2f})")
        print(target("gitshift --version <= 3x python -c pass", version <= 3, f"{version:.2f}x"))
        if kubectl:
            for what in ("1 Deployment, patch", "1 Deployment"):
                kube, ours = named[f"kubectl kustomize ({what})"], named[f"gitshift render ({what})"]
                print(f"  render ({what}): gitshift {ratio(kube, ours)} faster than kubectl kustomize")
            what = "1 Deployment, patch"
            kube, ours = named[f"kubectl kustomize ({what})"], named[f"gitshift render ({what})"]
            print(target("render >= 3x faster than kubectl kustomize", kube.best / ours.best >= 3,
                         f"{kube.best / ours.best:.1f}x"))

        repo = tmp / "mono"
        repo.mkdir()
        generate(repo, args.apps)
        git_repo(repo)
        engine = ["--engine", args.engine]

        def undo() -> None:
            subprocess.run(["git", "checkout", "-q", "."], cwd=repo, check=True)

        mono = [
            Case(f"status (all {args.apps * 2} envs)", [GITSHIFT, *engine, "status", "-q"], repo),
            Case("status app-0001", [GITSHIFT, *engine, "status", "app-0001"], repo),
            Case("set-image (working tree)", lambda n: [GITSHIFT, *engine, "set-image", "app-0001", f":9.9.{n}",
                                                        "--env", "production", "-q"], repo, after=undo),
            Case("set-image --commit", lambda n: [GITSHIFT, *engine, "set-image", "app-0002", f":9.9.{n}", "--env",
                                                  "production", "--commit", "--branch", f"bench-{n}", "-q"], repo),
        ]
        measure(mono, rounds=args.rounds)
        print(f"\nmonorepo of {args.apps} apps x 2 envs, engine {args.engine}, best of {args.rounds} rounds:")
        print(table(mono))
        if args.apps == 1000 and args.engine == "builtin":
            print(target("set-image --commit <= 0.5 s", mono[3].best <= 0.5, ms(mono[3].best)))
            print(target("status of 2,000 envs <= 5 s", mono[0].best <= 5, ms(mono[0].best)))
        print(f"after: {load()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
