"""Rendering speed: the builtin engine in one process versus one ``kubectl kustomize`` per overlay.

Usage: python benchmarks/bench_render.py [--apps 1000] [--sample 50]

Every overlay of a synthetic monorepo (``benchmarks/monorepo.py``, two envs per
app) is rendered by the builtin engine in one process. kubectl is run on a
sample of overlays and its per-overlay time extrapolated to all of them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from monorepo import generate  # noqa: E402

from gitshift.render.builtin import BuiltinRenderer  # noqa: E402


def _overlays(root: Path) -> list[Path]:
    return sorted(root.glob("apps/*/overlays/*"))


def _time(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=50, help="overlays rendered by kubectl")
    args = parser.parse_args()
    kubectl = shutil.which("kubectl")
    with tempfile.TemporaryDirectory(prefix="gitshift-bench-") as tmp:
        root = Path(tmp)
        generate(root, args.apps)
        overlays = _overlays(root)

        cold = BuiltinRenderer()
        one_cold = _time(lambda: cold.render_text(overlays[0]))
        warm_runs = [_time(lambda: cold.render_text(overlays[0])) for _ in range(20)]
        one_warm = statistics.median(warm_runs)

        renderer = BuiltinRenderer()
        total = _time(lambda: [renderer.render_text(o) for o in overlays])

        rows = [
            ("builtin, all overlays, one process", total, len(overlays)),
            ("builtin, one overlay, cold", one_cold, 1),
            ("builtin, one overlay, warm (median of 20)", one_warm, 1),
        ]
        kube_total = None
        if kubectl:
            step = max(1, len(overlays) // args.sample)
            sample = overlays[::step][: args.sample]
            per = [
                _time(
                    lambda o=o: subprocess.run(
                        [kubectl, "kustomize", str(o)], check=True, capture_output=True
                    )
                )
                for o in sample
            ]
            kube_one = statistics.median(per)
            kube_total = statistics.mean(per) * len(overlays)
            rows += [
                (
                    f"kubectl kustomize, all overlays (mean of {len(sample)} x {len(overlays)})",
                    kube_total,
                    len(overlays),
                ),
                ("kubectl kustomize, one overlay (median)", kube_one, 1),
            ]
    print(f"{args.apps} apps, {len(overlays)} overlays, Python {sys.version.split()[0]}")
    print(f"{'what':<62} {'total':>10} {'per overlay':>12}")
    for what, seconds, count in rows:
        shown = f"{seconds:.2f}s" if seconds >= 1 else f"{seconds * 1000:.1f}ms"
        print(f"{what:<62} {shown:>10} {seconds / count * 1000:>10.1f}ms")
    if kube_total:
        print(f"speed-up, all overlays: {kube_total / total:.0f}x")


if __name__ == "__main__":
    main()
