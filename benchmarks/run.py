"""``make bench``: every benchmark, one after the other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script, args in (("bench_cli.py", ["--engine", "builtin"]), ("bench_cli.py", ["--engine", "kubectl",
                     "--apps", "200", "--runs", "3"]), ("bench_render.py", [])):
    if (HERE / script).exists():
        print(f"$ python benchmarks/{script} {' '.join(args)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *args], check=True)
