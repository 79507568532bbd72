"""``gitshift render --all`` against one ``kubectl kustomize`` process per overlay, whole processes, same output.

Usage: python benchmarks/bench_render.py [--apps 100] [--rounds 2]

The monorepo (``monorepo.py --shared``) has overlays that share bases: every app's base
includes ``platform/base``, and bases and overlays carry ``commonLabels``, a
``configMapGenerator`` and patches; four envs an app. gitshift renders every overlay in one
process (its start-up and config loading included); kubectl runs once per overlay from a
shell script, each writing the same file gitshift writes. The two alternate (gitshift three times
a round, its run being short), and every file gitshift wrote must equal kubectl's byte for byte.
"""

from __future__ import annotations

import argparse
import filecmp
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from monorepo import SHARED_ENVS, generate_shared  # noqa: E402
from timing import Case, bytecode, load, measure, ms, table, target  # noqa: E402

BIN = Path(sys.executable).parent


def kubectl_script(root: Path, out: Path, kubectl: str) -> Path:
    """A shell script running ``kubectl kustomize`` on every overlay into ``out/<app>/<env>.yaml``."""
    lines = ["set -e"]
    for overlay in sorted(root.glob("apps/*/overlays/*")):
        app, env = overlay.parts[-3], overlay.name
        lines += [f"mkdir -p {shlex.quote(str(out / app))}",
                  f"{shlex.quote(kubectl)} kustomize {shlex.quote(str(overlay))} "
                  f"> {shlex.quote(str(out / app / f'{env}.yaml'))} 2>/dev/null"]
    script = root.parent / "kubectl-all.sh"
    script.write_text("\n".join(lines) + "\n")
    return script


def same_files(ours: Path, theirs: Path) -> list[str]:
    """The files that differ (or exist on one side only)."""
    a = {p.relative_to(ours) for p in ours.rglob("*.yaml")}
    b = {p.relative_to(theirs) for p in theirs.rglob("*.yaml")}
    differ = sorted(str(p) for p in a ^ b)
    differ += sorted(str(p) for p in a & b if not filecmp.cmp(ours / p, theirs / p, shallow=False))
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    gitshift = BIN / "gitshift"
    kubectl = shutil.which("kubectl")
    if not gitshift.exists():
        raise SystemExit(f"no gitshift next to {sys.executable}: run `make bench` (it installs it)")
    if kubectl is None:
        raise SystemExit("kubectl is not on PATH: it is what gitshift is compared with")
    bytecode()
    print(f"before: {load()}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="gitshift-bench-"))
    try:
        root = tmp / "mono"
        root.mkdir()
        generate_shared(root, args.apps)
        subprocess.run(["git", "init", "-q", str(root)], check=True)  # render --all reads the files, not commits
        overlays = len(list(root.glob("apps/*/overlays/*")))
        script = kubectl_script(root, tmp / "kubectl-out", kubectl)
        ours = Case("gitshift render --all (one process)",
                    lambda n: [str(gitshift), "-q", "render", "--all", "--out", str(tmp / f"out-{n}")], root)
        theirs = Case(f"kubectl kustomize x {overlays} (one process each)", ["sh", str(script)], root)
        # gitshift's run is short, so a burst of load from elsewhere weighs on it most: it runs three
        # times a round (its best kept, as kubectl's), kubectl's 400 processes once.
        measure([ours, ours, ours, theirs], rounds=args.rounds, warmup=0)
        differ = same_files(tmp / f"out-{args.rounds - 1}", tmp / "kubectl-out")
        print(f"{args.apps} apps x {len(SHARED_ENVS)} envs = {overlays} overlays sharing bases, "
              f"best of {args.rounds} alternating rounds, gitshift 3 times a round (Python {sys.version.split()[0]}):")
        print(table([ours, theirs]))
        print(f"  per overlay: gitshift {ms(ours.best / overlays)}, kubectl {ms(theirs.best / overlays)}")
        print(f"  gitshift render --all is {theirs.best / ours.best:.0f}x faster "
              f"(cpu {theirs.cpu / ours.cpu:.0f}x), start-up included")
        print(target("render --all >= 40x faster than one kubectl kustomize per overlay",
                     theirs.best / ours.best >= 40, f"{theirs.best / ours.best:.0f}x"))
        print(f"after: {load()}")
        if differ:
            raise SystemExit(f"{len(differ)} file(s) differ from kubectl's, first: {differ[0]}")
        print(f"  all {overlays} files byte-identical to kubectl's")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
