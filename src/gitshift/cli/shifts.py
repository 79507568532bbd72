"""Shift commands: set-image, bluegreen, canary, promote, revert, and the delivery options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from gitshift.cli import output
from gitshift.cli.options import command_options, settings
from gitshift.cli.output import examples

F = TypeVar("F", bound=Callable[..., Any])


def _branch(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A ``--branch``/``--base`` value, checked before anything runs (it reaches git's command line)."""
    from gitshift.gitops import refs

    return None if value is None else refs.check_branch(value, f"--{param.name}")


def _remote(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from gitshift.gitops import refs

    return refs.check_remote_syntax(value)


def _line(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Free text that reaches a commit message: one line of printable text, so no trailer can be forged."""
    from gitshift.errors import InputError

    if value is None:
        return None
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise InputError(f"--{param.name} must be one line of printable text; it contains U+{ord(bad):04X}",
                         f"--{param.name}", "give the text on one line")
    if len(value) > 1000:
        raise InputError(f"--{param.name} is longer than 1000 characters", f"--{param.name}")
    return value


INT32 = 2**31 - 1  # Kubernetes' replicas and rollout knobs are int32


def _knob(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--max-surge``/``--max-unavailable``: a count (int32) or a percentage 0-100%, in ASCII digits."""
    from gitshift.errors import InputError

    if value is None:
        return None
    digits = value[:-1] if value.endswith("%") else value
    ok = digits.isascii() and digits.isdigit() and (digits == "0" or not digits.startswith("0"))
    if not ok or int(digits) > (100 if value.endswith("%") else INT32):
        raise InputError(f"invalid --{param.name.replace('_', '-') if param.name else 'value'} {value!r}",
                         f"--{(param.name or '').replace('_', '-')}",
                         f"give an integer 0-{INT32} or a percentage such as 25%")
    return value


def delivery_options(f: F, env: bool = True) -> F:
    """The delivery options, shared by every shift."""
    opts = [
        click.option("--env", "env_name", required=True, help="Environment of the app."),
    ] if env else []
    opts += [
        click.option("--dry-run", is_flag=True, help="Compute, render, verify and print the diff; write nothing."),
        click.option("--commit", "commit_", is_flag=True, help="Commit on a new branch, away from your checkout."),
        click.option("--push", is_flag=True, help="Also push the branch (implies --commit)."),
        click.option("--pr", is_flag=True, help="Also open or update the pull request (implies --push)."),
        click.option("--pr-preview", is_flag=True, help="With --commit or --push: show the PR --pr would open."),
        click.option("--branch", callback=_branch, help="Branch name (default gitshift/<app>/<env>/<action>)."),
        click.option("--base", callback=_branch, help="Branch to start from and target (default: HEAD / forge.base)."),
        click.option("--remote", default="origin", show_default=True, callback=_remote, help="Remote to push to."),
        click.option("-m", "--message", callback=_line, help="Extra text for the commit and PR."),
        click.option("--label", "labels", multiple=True, help="PR label (repeatable)."),
        click.option("--reviewer", "reviewers", multiple=True, help="PR reviewer (repeatable)."),
        click.option("--sign/--no-sign", default=None,
                     help="Sign the commit, or not (default: as git's commit.gpgSign says)."),
        click.option("--allow-other-envs", is_flag=True,
                     help="Accept an edit that also changes other envs' renders (refused otherwise)."),
        click.option("--all-kustomizations", is_flag=True,
                     help="Look for changed renders in every kustomization of the repository, not only the envs."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return command_options(f)


def _mode(dry_run: bool, commit_: bool, push: bool, pr: bool) -> str:
    if dry_run and (commit_ or push or pr):
        raise click.UsageError("--dry-run cannot be combined with --commit, --push or --pr")
    return "dry-run" if dry_run else "pr" if pr else "push" if push else "commit" if commit_ else "working-tree"


def _token(config: Any, mode: str) -> str | None:
    """The forge token: the variable the config names, or a GitHub App's installation token.

    Only ``cli/`` reads the environment; the token is passed on, never printed.
    """
    import os

    from gitshift.forge import credentials

    if mode not in ("push", "pr"):
        return None
    return credentials.resolve(config.forge, os.environ, config.root).token


def _delivery(kw: dict[str, Any], config: Any) -> Any:
    from gitshift import shift

    mode = _mode(kw.pop("dry_run"), kw.pop("commit_"), kw.pop("push"), kw.pop("pr"))
    if kw["pr_preview"] and mode not in ("commit", "push"):
        raise click.UsageError("--pr-preview needs --commit or --push (it shows the pull request --pr would open)")
    return shift.Delivery(
        mode=mode, token=_token(config, mode), pr_preview=kw.pop("pr_preview"),
        branch=kw.pop("branch"), base=kw.pop("base"), remote=kw.pop("remote"), message=kw.pop("message"),
        labels=tuple(kw.pop("labels")), reviewers=tuple(kw.pop("reviewers")), sign=kw.pop("sign"),
        allow_other_envs=kw.pop("allow_other_envs"), all_kustomizations=kw.pop("all_kustomizations"),
    )


def run_shift(app: str, action: str, kw: dict[str, Any], **request: Any) -> int:
    """Build the request and delivery from the options, run the shift, print the result."""
    from gitshift import shift
    from gitshift.shift import ShiftRequest

    s = settings()
    config = s.load_config()
    delivery = _delivery(kw, config)
    req = ShiftRequest(app=app, env=kw.pop("env_name"), action=action, **request)
    output.shift(shift.run(config, s.renderer(), req, delivery), s)
    return 0


def _header(value: str | None) -> tuple[str, str | None] | None:
    """``--header NAME[=VALUE]``: a token name and one word of visible ASCII (it reaches an annotation and a commit)."""
    import re

    from gitshift.errors import InputError

    if value is None:
        return None
    m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_-]{0,63})(?:=([\x21-\x7e]{1,128}))?", value)
    if m is None:
        name, _, val = value.partition("=")
        what = f"invalid header name {name!r}" if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", name) \
            else f"invalid header value {val!r}"
        raise InputError(what, "--header", "give NAME or NAME=VALUE: letters, digits, '-' and '_' in the name, "
                         "visible ASCII without spaces in the value")
    return (m.group(1), m.group(2) if "=" in value else None)


def _cookie(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import re

    from gitshift.errors import InputError

    if value is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        raise InputError(f"invalid cookie name {value!r}", "--cookie", "letters, digits, '.', '-' and '_'")
    return value


def _image(argument: str | None, option: str | None) -> str:
    """IMAGE, given as the argument or as ``--image`` (kept for scripts written before the argument)."""
    if argument is not None and option is not None and argument != option:
        raise click.UsageError(f"two images: {argument!r} and --image {option!r}; give one")
    image = argument or option
    if image is None:
        raise click.UsageError("missing the IMAGE argument (name:tag, name@sha256:<64 hex> or :tag)")
    return image


@click.command("set-image", epilog=examples(
    "gitshift set-image web :1.1.0 --env staging",
    "gitshift set-image web :1.1.0 --env staging --max-surge 1 --max-unavailable 0 --pr",
    "gitshift set-image web=:1.4.0 api=:2.1.0 --env staging --pr",
))
@click.argument("targets", nargs=-1, required=True, metavar="APP IMAGE | APP=IMAGE...")
@click.option("--max-surge", callback=_knob, help="Rolling update maxSurge (integer or percentage).")
@click.option("--max-unavailable", callback=_knob, help="Rolling update maxUnavailable (integer or percentage).")
@click.option("--skip-refused", is_flag=True, help="With several APP=IMAGE: leave refused ones out, not all.")
@delivery_options
def set_image(targets: tuple[str, ...], max_surge: str | None, max_unavailable: str | None, skip_refused: bool,
              **kw: Any) -> int:
    """Recreate or rolling update: give APP's workloads IMAGE (name:tag, name@sha256:..., :tag).

    With several APP=IMAGE pairs, every app gets its image in one commit and one pull request.
    """
    if len(targets) == 2 and "=" not in targets[0]:
        return run_shift(targets[0], "set-image", kw, image=targets[1], max_surge=max_surge,
                         max_unavailable=max_unavailable)
    pairs = [t.partition("=") for t in targets]
    if any(not app or not sep or not image for app, sep, image in pairs):
        raise click.UsageError("give APP IMAGE, or one or more APP=IMAGE pairs")
    if len({app for app, _, _ in pairs}) < len(pairs):
        raise click.UsageError("an app is named twice; give each app one IMAGE")
    from gitshift.shift import ShiftRequest

    return run_batch("set-image", kw, skip_refused, lambda config, delivery, env: [
        ShiftRequest(app=app, env=env, action="set-image", image=image, max_surge=max_surge,
                     max_unavailable=max_unavailable) for app, _, image in pairs])


def run_batch(action: str, kw: dict[str, Any], skip_refused: bool, requests: Any) -> int:
    """Several shifts as one commit: ``requests(config, delivery, env)`` lists them; print the batch result."""
    from gitshift.shift import batch

    s = settings()
    config = s.load_config()
    delivery = _delivery(kw, config)
    env = kw.pop("env_name", None)
    items = [batch.Item(config.env(r.app, r.env), r) for r in requests(config, delivery, env)]
    output.batch(batch.run(config, s.renderer(), action, items, delivery, skip_refused), s)
    return 0


@click.group(epilog=examples(
    "gitshift bluegreen deploy web :1.1.0 --env production --pr",
    "gitshift bluegreen promote web --env production --pr",
    "gitshift bluegreen rollback web --env production --pr",
))
def bluegreen() -> None:
    """Blue/green: deploy to the idle color, promote, roll back, finish."""


@bluegreen.command("deploy", epilog=examples(
    "gitshift bluegreen deploy web :1.1.0 --env production",
    "gitshift bluegreen deploy web :1.1.0 --env production --replicas 5 --pr",
))
@click.argument("app")
@click.argument("image", required=False)
@click.option("--image", "image_opt", metavar="IMAGE", help="The same as the IMAGE argument.")
@click.option("--replicas", type=click.IntRange(1, INT32), help="Replicas for the idle color (default: the active's).")
@delivery_options
def bg_deploy(app: str, image: str | None, image_opt: str | None, replicas: int | None, **kw: Any) -> int:
    """The idle color gets IMAGE; the preview Service points at it."""
    return run_shift(app, "bluegreen.deploy", kw, image=_image(image, image_opt), replicas=replicas)


def _simple(group: click.Group, name: str, action: str, doc: str, aliases: tuple[str, ...] = ()) -> None:
    family, env = action.split(".")[0], "production" if action.startswith("bluegreen") else "production-canary"
    epilog = examples(f"gitshift {family} {name} web --env {env} --dry-run",
                      f"gitshift {family} {name} web --env {env} --pr")
    @delivery_options
    @click.argument("app")
    def command(app: str, **kw: Any) -> int:
        return run_shift(app, action, kw)

    cmd = click.Command(name, callback=command, params=list(reversed(command.__click_params__)),  # type: ignore[attr-defined]
                        help=doc, epilog=epilog)
    group.add_command(cmd)
    for alias in aliases:
        group.add_command(click.Command(alias, callback=command, params=cmd.params, help=f"Alias of {name}.",
                                        epilog=epilog))


_simple(bluegreen, "promote", "bluegreen.promote", "Switch the active Service to the idle color.", ("confirm",))
_simple(bluegreen, "rollback", "bluegreen.rollback", "Switch the active Service back to the previous color.")
_simple(bluegreen, "finish", "bluegreen.finish", "Scale the color that is no longer active to 0.")


@click.group(epilog=examples(
    "gitshift canary deploy web :2.0.0 --env production-canary --pr",
    "gitshift canary scale web --env production-canary --next --pr",
    "gitshift canary promote web --env production-canary --pr",
))
def canary() -> None:
    """Canary and A/B: deploy, scale, promote, roll back."""


@canary.command("deploy", epilog=examples(
    "gitshift canary deploy web :2.0.0 --env production-canary",
    "gitshift canary deploy web :2.0.0 --env production-canary --weight 5 --pr",
    "gitshift canary deploy web :2.0.0 --env production-istio --weight 0 --header X-Canary=always",
))
@click.argument("app")
@click.argument("image", required=False)
@click.option("--image", "image_opt", metavar="IMAGE", help="The same as the IMAGE argument.")
@click.option("--weight", type=click.IntRange(0, 100), help="First weight (default: the first of steps).")
@click.option("--header", help="A/B: only requests with header NAME[=VALUE] reach the canary.")
@click.option("--cookie", callback=_cookie, help="A/B: only requests with cookie NAME reach the canary.")
@delivery_options
def canary_deploy(app: str, image: str | None, image_opt: str | None, weight: int | None, header: str | None,
                  cookie: str | None, **kw: Any) -> int:
    """The canary gets IMAGE, at least one replica and its first weight."""
    return run_shift(app, "canary.deploy", kw, image=_image(image, image_opt), weight=weight,
                     header=_header(header), cookie=cookie)


@canary.command("scale", epilog=examples(
    "gitshift canary scale web --env production-canary --next",
    "gitshift canary scale web --env production-canary --weight 50 --pr",
))
@click.argument("app")
@click.option("--weight", type=click.IntRange(0, 100), help="New weight, 0-100.")
@click.option("--next", "next_step", is_flag=True, help="The next entry of steps.")
@delivery_options
def canary_scale(app: str, weight: int | None, next_step: bool, **kw: Any) -> int:
    """Set the canary's weight."""
    if (weight is None) == (not next_step):
        raise click.UsageError("give exactly one of --weight N and --next")
    return run_shift(app, "canary.scale", kw, weight=weight, next_step=next_step)


_simple(canary, "promote", "canary.promote", "Stable gets the canary image; the canary goes to 0.", ("confirm",))
_simple(canary, "rollback", "canary.rollback", "Weight 0, A/B rule removed, canary scaled to 0.")


@click.command("promote", epilog=examples(
    "gitshift promote web --from staging --to production --pr",
    "gitshift promote --from staging --to production --dry-run",
    "gitshift promote --from staging --to production --app web --app api --skip-refused --pr",
))
@click.argument("app", required=False)
@click.option("--from", "source", required=True, help="Env whose live image moves on.")
@click.option("--to", "target", required=True, help="Env it enters, through that env's strategy.")
@click.option("--app", "apps", multiple=True, help="Promote this app too (repeatable): one commit for all.")
@click.option("--all", "every", is_flag=True, help="Promote every app that has both envs (the default without APP).")
@click.option("--skip-refused", is_flag=True, help="With several apps: leave refused ones out, not all.")
@lambda f: delivery_options(f, env=False)
def promote(app: str | None, source: str, target: str, apps: tuple[str, ...], every: bool, skip_refused: bool,
            **kw: Any) -> int:
    """The live image of --from enters --to (rolling: set-image; blue/green: deploy; canary: deploy).

    Without APP (or with --all, or --app repeated) every named app is promoted in one commit and one PR.
    """
    from gitshift import shift
    from gitshift.shift import promote as promotion

    if app is not None and not apps and not every:
        s = settings()
        config, renderer = s.load_config(), s.renderer()
        delivery = _delivery(kw, config)
        committed = delivery.mode in ("commit", "push", "pr")
        ref = (delivery.base or "HEAD") if committed else None
        req = promotion.request(config, renderer, app, source, target, ref)
        why = promotion.already_live(config, renderer, req, ref)
        if why is not None:
            from gitshift.result import Result

            output.shift(Result(app=app, env=target, action="promote", changed=False, summary=why,
                                delivery=delivery.mode), s)
            return 0
        output.shift(shift.run(config, renderer, req, delivery), s)
        return 0
    if every and (app or apps):
        raise click.UsageError("--all promotes every app; do not name apps with it")
    named = ((app,) if app else ()) + apps

    def requests(config: Any, delivery: Any, _env: str | None) -> list[Any]:
        chosen = named or tuple(a for a, cfg in config.apps.items() if source in cfg.envs and target in cfg.envs)
        ref = (delivery.base or "HEAD") if delivery.mode in ("commit", "push", "pr") else None
        renderer = settings().renderer()
        return [promotion.request(config, renderer, a, source, target, ref) for a in chosen]

    return run_batch("promote", kw, skip_refused, requests)


@click.command("revert", epilog=examples(
    "gitshift history --env production-canary",
    "gitshift revert 1a2b3c4d --pr",
    "gitshift revert 1a2b3c4d --force --dry-run",
))
@click.argument("commit")
@click.option("--force", is_flag=True, help="Restore fields a later shift changed again, too.")
@lambda f: delivery_options(f, env=False)
def revert(commit: str, force: bool, **kw: Any) -> int:
    """A new shift restoring every field COMMIT's shift changed to its value before it."""
    from gitshift import shift
    from gitshift.gitops import refs
    from gitshift.shift import revert as reverting

    refs.check_revision(commit, "COMMIT")
    s = settings()
    config, renderer = s.load_config(), s.renderer()
    prepared = reverting.prepare_all(config, renderer, commit, force)
    if len(prepared) == 1:
        req, planner = prepared[0]
        output.shift(shift.run(config, renderer, req, _delivery(kw, config), planner), s)
        return 0
    from gitshift.shift import batch  # a batch commit: its shifts are reverted together, as one batch

    items = [batch.Item(config.env(r.app, r.env), r, p) for r, p in prepared]
    output.batch(batch.run(config, renderer, "revert", items, _delivery(kw, config)), s)
    return 0

COMMANDS = (set_image, bluegreen, canary, promote, revert)
