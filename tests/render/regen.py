"""Regenerate ``expected.yaml`` of every corpus case from ``kubectl kustomize`` (the oracle).

Usage: python tests/render/regen.py [CASE ...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def _root(case: Path) -> Path:
    return case / "overlay" if (case / "overlay").is_dir() else case


def regen(case: Path) -> str:
    done = subprocess.run(
        ["kubectl", "kustomize", str(_root(case))], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return f"{case.name}: FAILED {done.stderr.strip()}"
    (case / "expected.yaml").write_text(done.stdout)
    return f"{case.name}: ok"


def main(argv: list[str]) -> int:
    if not shutil.which("kubectl"):
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    cases = (
        [CORPUS / n for n in argv] if argv else sorted(p for p in CORPUS.iterdir() if p.is_dir())
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        lines = list(pool.map(regen, cases))
    print("\n".join(lines))
    return 1 if any("FAILED" in line for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
