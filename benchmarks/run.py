"""``make bench``: every benchmark, one after the other (figures in README.md, "Benchmarks")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

for script, args in (("bench_cli.py", []), ("bench_render.py", [])):
    print(f"$ python benchmarks/{script} {' '.join(args)}".rstrip(), flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)
