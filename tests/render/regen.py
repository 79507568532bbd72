"""Regenerate the expectation of every corpus case from ``kubectl kustomize`` (the oracle).

The corpus is organised by Kustomize feature: ``corpus/<feature>/<case>/``. A case
builds ``overlay/`` when present, else itself. It holds ``expected.yaml`` (kubectl's
output), or ``expected-error.txt`` when kustomize refuses the case: one line that
kubectl's error and the builtin engine's error must both contain. Error cases are
checked, not rewritten.

Usage: python tests/render/regen.py [FEATURE/CASE ...]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"


def cases() -> list[Path]:
    """Every case folder, sorted by feature then name."""
    return sorted(p for p in CORPUS.glob("*/*") if p.is_dir())


def _root(case: Path) -> Path:
    return case / "overlay" if (case / "overlay").is_dir() else case


def regen(case: Path) -> str:
    done = subprocess.run(
        ["kubectl", "kustomize", str(_root(case))], capture_output=True, text=True, check=False
    )
    name = f"{case.parent.name}/{case.name}"
    error_file = case / "expected-error.txt"
    if error_file.exists():
        want = error_file.read_text().strip()
        if done.returncode == 0:
            return f"{name}: FAILED kubectl succeeded but an error is expected"
        if want not in done.stderr:
            return f"{name}: FAILED kubectl's error lacks {want!r}: {done.stderr.strip()}"
        return f"{name}: ok (refused)"
    if done.returncode != 0:
        return f"{name}: FAILED {done.stderr.strip()}"
    (case / "expected.yaml").write_text(done.stdout)
    return f"{name}: ok"


def main(argv: list[str]) -> int:
    if not shutil.which("kubectl"):
        print("kubectl is not on PATH", file=sys.stderr)
        return 1
    chosen = [CORPUS / n for n in argv] if argv else cases()
    with ThreadPoolExecutor(max_workers=2) as pool:
        lines = list(pool.map(regen, chosen))
    print("\n".join(lines))
    return 1 if any("FAILED" in line for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
