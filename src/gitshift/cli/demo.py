"""``gitshift demo``: the walkthrough, on the example tree copied into a throwaway repository with a bare origin."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from gitshift.cli.options import command_options, settings
from gitshift.cli.output import examples
from gitshift.errors import InputError
from gitshift.process import no_git_env

# What the wheel carries (setup.py copies the same): the Kustomize example at the root, and the Helm one.
EXAMPLE = ("base", "overlays", "deploy", "gitshift.yaml", "examples/helm")
KUSTOMIZE_EXAMPLE = EXAMPLE[:4]
HELM_EXAMPLE = "examples/helm"


@dataclass(frozen=True)
class Step:
    """One step: what it shows, and the gitshift arguments (or a git command) that show it."""

    title: str
    args: tuple[str, ...]
    git: bool = False
    may_fail: bool = False


STEPS = (
    Step("What is deployed where, read from the rendered overlays", ("status",)),
    Step("Safety checks on every overlay (a PR check in CI)", ("check",)),
    Step("Rolling update of staging, written to the working tree", ("set-image", "web", ":1.1.0", "--env", "staging")),
    Step("What changed in the overlay's own files: one line, comments and layout kept",
         ("--no-pager", "diff"), git=True),
    Step("Throw that away, and make the same change as a commit on a branch instead",
         ("checkout", "--", "."), git=True),
    Step("The shift as a commit on its own branch; your checkout stays as it was",
         ("set-image", "web", ":1.1.0", "--env", "staging", "--commit", "-m", "Release 1.1.0 to staging")),
    Step("The same for dev, pushed to the (local, bare) origin, with the pull request --pr would open",
         ("set-image", "web", ":1.1.0", "--env", "dev", "--push", "--pr-preview", "-m", "Release 1.1.0 to dev")),
    Step("Merge it, as a reviewer would",
         ("merge", "--quiet", "--ff-only", "gitshift/web/staging/set-image"), git=True),
    Step("Promotion: staging's image enters production through its blue/green strategy "
         "(deploy to the idle color, green; the preview Service points at it)",
         ("promote", "web", "--from", "staging", "--to", "production", "--commit", "--branch", "demo")),
    Step("Blue/green: promote (the active Service switches to green)",
         ("bluegreen", "promote", "web", "--env", "production", "--commit", "--branch", "demo")),
    Step("Blue/green: roll back (the active Service switches back to blue)",
         ("bluegreen", "rollback", "web", "--env", "production", "--commit", "--branch", "demo")),
    Step("Blue/green: promote again, then finish (the old color is scaled to 0, kept for rollback)",
         ("bluegreen", "promote", "web", "--env", "production", "--commit", "--branch", "demo", "-q")),
    Step("", ("bluegreen", "finish", "web", "--env", "production", "--commit", "--branch", "demo")),
    Step("Canary with Istio: deploy 1.2.0 at the first step (VirtualService route weights 90/10)",
         ("canary", "deploy", "web", ":1.2.0", "--env", "production-istio", "--commit", "--branch", "demo")),
    Step("Istio: promote (stable gets 1.2.0, weights back to 100/0, canary to 0 replicas)",
         ("canary", "promote", "web", "--env", "production-istio", "--commit", "--branch", "demo")),
    Step("Canary with the Gateway API, as A/B: only requests with the header X-Beta reach 1.2.0",
         ("canary", "deploy", "web", ":1.2.0", "--env", "production-gateway", "--weight", "0", "--header", "X-Beta",
          "--commit", "--branch", "demo")),
    Step("Gateway API: roll back (the header rule goes, the canary goes to 0 replicas, stable untouched)",
         ("canary", "rollback", "web", "--env", "production-gateway", "--commit", "--branch", "demo")),
    Step("Canary by replica counts: 4 pods can carry 25% or 50%, so 30% is rounded",
         ("canary", "deploy", "web", ":1.2.0", "--env", "production-replicas", "--weight", "30",
          "--commit", "--branch", "demo")),
    Step("Replicas: promote (stable gets 1.2.0 and its 4 pods back)",
         ("canary", "promote", "web", "--env", "production-replicas", "--commit", "--branch", "demo")),
    Step("Canary with ingress-nginx: deploy 1.2.0 at the first step (10%)",
         ("canary", "deploy", "web", ":1.2.0", "--env", "production-canary", "--commit", "--branch", "demo")),
    Step("Canary: next step (25%)",
         ("canary", "scale", "web", "--env", "production-canary", "--next", "--commit", "--branch", "demo")),
    Step("A/B: only requests with header X-Canary: always reach the canary",
         ("canary", "deploy", "web", ":1.2.0", "--env", "production-canary", "--weight", "0",
          "--header", "X-Canary=always", "--commit", "--branch", "demo")),
    Step("Canary: promote (stable gets 1.2.0, canary back to 0)",
         ("canary", "promote", "web", "--env", "production-canary", "--commit", "--branch", "demo")),
    Step("Merge the release branch", ("merge", "--quiet", "--ff-only", "demo"), git=True),
    Step("Revert one shift from history: the canary's step to 25% (a new shift restoring the fields it changed; "
         "a field changed again later is a conflict, so this one is refused)",
         ("revert", "@canary.scale", "--dry-run"), may_fail=True),
    Step("Revert the last shift, the canary promotion: stable goes back to 1.0.0",
         ("revert", "@canary.promote", "--commit", "--branch", "demo")),
    Step("Merge the release branch again", ("merge", "--quiet", "--ff-only", "demo"), git=True),
    Step("Where everything stands now: all seven envs", ("status",)),
    Step("The history of the branch the walkthrough built, read from commit trailers",
         ("history", "--branch", "demo", "-n", "30")),
)


# README.md, "Example: examples/helm": a router chart and an app chart, their values in a Flux HelmRelease,
# an Argo CD Application and a values file; blue/green deploy → confirm → rollback, canary deploy → scale → confirm.
HELM_STEPS = (
    Step("What is deployed where, read from the Helm values (a values file, HelmReleases, an Application, "
         "a helmCharts entry)", ("status",)),
    Step("Safety checks on every env's values", ("check",)),
    Step("Rolling update of staging: the tag in its Flux HelmRelease, written to the working tree",
         ("set-image", "web", ":1.1.0", "--env", "staging")),
    Step("One changed line in the HelmRelease, its comment kept", ("--no-pager", "diff"), git=True),
    Step("Throw that away; every next step is a commit on the branch demo", ("checkout", "--", "."), git=True),
    Step("Blue/green: deploy 1.1.0 to the idle color (green gets the tag and blue's 3 replicas; "
         "the router's preview color → green)",
         ("bluegreen", "deploy", "web", "--env", "prod", "--image", ":1.1.0", "--commit", "--branch", "demo")),
    Step("Blue/green: confirm (the router's active color → green)",
         ("bluegreen", "confirm", "web", "--env", "prod", "--commit", "--branch", "demo")),
    Step("Blue/green: roll back (the active color → blue again)",
         ("bluegreen", "rollback", "web", "--env", "prod", "--commit", "--branch", "demo")),
    Step("Canary in an Argo CD Application: deploy 1.1.0 (canary tag, 1 replica, router weight 10)",
         ("canary", "deploy", "web", "--env", "prod-canary", "--image", ":1.1.0", "--commit", "--branch", "demo")),
    Step("Canary: scale to the next step (weight 50)",
         ("canary", "scale", "web", "--env", "prod-canary", "--next", "--commit", "--branch", "demo")),
    Step("Canary: confirm (stable gets 1.1.0, weight 0, canary 0 replicas)",
         ("canary", "confirm", "web", "--env", "prod-canary", "--commit", "--branch", "demo")),
    Step("Merge the release branch", ("merge", "--quiet", "--ff-only", "demo"), git=True),
    Step("Where everything stands now", ("status",)),
    Step("The history of the branch, read from commit trailers", ("history", "--branch", "demo", "-n", "10")),
)


def resolve_args(work: Path, args: tuple[str, ...]) -> tuple[str, ...]:
    """``@canary.scale`` becomes the newest commit with that Gitshift-Action trailer."""
    from gitshift.gitops import runner

    out = []
    for arg in args:
        if arg.startswith("@"):
            arg = runner.text(["log", "-1", "--format=%h", f"--grep=^Gitshift-Action: {arg[1:]}$", "demo"], work)
        out.append(arg)
    return tuple(out)


def example_tree() -> Path:
    """The example tree: the copy inside an installed wheel (setup.py puts it there), else a source checkout's."""
    import gitshift

    here = Path(gitshift.__file__).resolve().parent
    for root in (here / "example", here.parents[1]):
        if all((root / name).exists() for name in EXAMPLE):
            return root
    raise InputError("the example tree is not installed", str(here / "example"),
                     "reinstall gitshift from its wheel, or run `make demo` in a clone of its repository")


def _git(cwd: Path, *args: str) -> None:
    from gitshift.gitops import runner

    runner.run(args, cwd)


def prepare(dest: Path | None = None, helm: bool = False) -> Path:
    """Copy the example tree (``helm``: examples/helm) into a new git repository with a bare ``origin``."""
    parent = dest or Path(tempfile.mkdtemp(prefix="gitshift-demo-"))
    work = parent / "gitops"
    src = example_tree()
    if helm:
        shutil.copytree(src / HELM_EXAMPLE, work)
    else:
        work.mkdir(parents=True)
        for name in KUSTOMIZE_EXAMPLE:
            if (src / name).is_dir():
                shutil.copytree(src / name, work / name)
            else:
                shutil.copy2(src / name, work / name)
    ident = ["-c", "user.name=gitshift demo", "-c", "user.email=demo@gitshift.invalid"]
    _git(work, "init", "-q", "-b", "main")
    _git(work, "config", "user.name", "gitshift demo")
    _git(work, "config", "user.email", "demo@gitshift.invalid")
    _git(work, "add", "-A")
    _git(work, *ident, "commit", "-q", "-m", "The web app on Helm" if helm else "The hello app's GitOps tree")
    _git(parent, "clone", "-q", "--bare", str(work), str(parent / "origin.git"))
    _git(work, "remote", "add", "origin", str(parent / "origin.git"))
    return work


@click.command(epilog=examples(
    "gitshift demo",
    "gitshift demo --helm --keep",
    "gitshift demo --engine kubectl",
))
@click.option("--keep", is_flag=True, help="Keep the throwaway repository and print its path.")
@click.option("--helm", is_flag=True,
              help="Walk through the Helm example instead: releases whose image, colors and weights live in "
                   "Helm values (a Flux HelmRelease, an Argo CD Application, a values file).")
@command_options
def demo(keep: bool, helm: bool) -> int:
    """Walk through gitshift on a throwaway copy of the example GitOps tree."""
    from gitshift.gitops import runner

    s = settings()
    work = prepare(helm=helm)
    click.secho(f"A throwaway GitOps repository: {work}", bold=True)
    engine = ["--engine", s.engine] if s.engine != "auto" else []
    try:
        for step in HELM_STEPS if helm else STEPS:
            if step.title:
                click.echo()
                click.secho(f"## {step.title}", fg="yellow", bold=True)
            args = resolve_args(work, step.args)
            cmd = runner.argv(args) if step.git else [sys.executable, "-m", "gitshift", *engine, *args]
            shown = ["git", *args] if step.git else ["gitshift", *args]
            click.secho(f"$ {shlex.join(shown)}", fg="cyan")
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, env=no_git_env(), check=False)
            click.echo(proc.stdout, nl=False)
            if proc.returncode != 0:
                click.echo(proc.stderr, err=not step.may_fail, nl=False)
                if not step.may_fail:
                    return proc.returncode
    finally:
        if not keep:
            shutil.rmtree(work.parent, ignore_errors=True)
    click.echo()
    click.secho("Done. Every step above was a commit a reviewer could read, merge or revert.", bold=True)
    if keep:
        click.echo(f"The repository is kept at {work}")
    return 0

COMMANDS = (demo,)
