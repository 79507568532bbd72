"""Whole-process timing on a shared, loaded machine: commands run interleaved, best run kept.

Every case runs once per round, one case after the other, so a burst of load from elsewhere
falls on all of them alike; the figures kept are the minimum wall time over the rounds (the run
least disturbed) and the minimum CPU time (user + system of the process and its children, from
``wait4``). Ratios between cases are taken within one measurement.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

Command = Sequence[str] | Callable[[int], Sequence[str]]


@dataclass
class Case:
    """One command to time: ``argv`` or a function of the round number giving it."""

    name: str
    command: Command
    cwd: Path | None = None
    after: Callable[[], None] | None = None  # run (untimed) after each run, e.g. to undo a shift
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        """The least disturbed wall time, in seconds."""
        return min(self.walls)

    @property
    def median(self) -> float:
        """The median wall time, in seconds."""
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        """The least CPU time of a run (user + system), in seconds."""
        return min(self.cpus)


def run_once(argv: Sequence[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``; a failure stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err.decode(errors='replace').strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(cases: Sequence[Case], rounds: int, warmup: int = 1) -> Sequence[Case]:
    """Run every case ``warmup`` + ``rounds`` times, interleaved; keep the timed rounds."""
    for n in range(warmup + rounds):
        for case in cases:
            argv = case.command(n) if callable(case.command) else case.command
            wall, cpu = run_once(argv, case.cwd)
            if case.after is not None:
                case.after()
            if n >= warmup:
                case.walls.append(wall)
                case.cpus.append(cpu)
    return cases


def ms(seconds: float) -> str:
    """Seconds shown in milliseconds, or seconds from 10 s up."""
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"


def table(cases: Sequence[Case]) -> str:
    """The cases as rows: best wall, median wall, best CPU."""
    width = max(len(c.name) for c in cases)
    lines = [f"  {'command':<{width}}  {'best':>9}  {'median':>9}  {'cpu':>9}"]
    for c in cases:
        lines.append(f"  {c.name:<{width}}  {ms(c.best):>9}  {ms(c.median):>9}  {ms(c.cpu):>9}")
    return "\n".join(lines)


def load() -> str:
    """The machine's load average (1, 5 and 15 minutes): above its core count, other work shared the cores."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def target(what: str, met: bool, figure: str) -> str:
    """One line saying whether a target is met, with the figure that says so."""
    return f"  target {what}: {'met' if met else 'MISSED'} ({figure})"


def bytecode() -> None:
    """Time gitshift as installed: with its bytecode cached (``pip install`` compiles; an editable one does not).

    ``PYTHONDONTWRITEBYTECODE`` would make every run compile every module again.
    """
    import compileall
    import importlib.util

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    spec = importlib.util.find_spec("gitshift")
    assert spec is not None and spec.submodule_search_locations
    for where in spec.submodule_search_locations:
        compileall.compile_dir(where, quiet=1)


def git_env() -> dict[str, str]:
    """An environment where git commits without a user's configuration."""
    env = dict(os.environ)
    env.update({"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
                "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def git_repo(root: Path) -> None:
    """Make ``root`` a git repository with everything in it committed on ``main``."""
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "monorepo"]):
        subprocess.run(["git", *cmd], cwd=root, check=True, env=git_env())
