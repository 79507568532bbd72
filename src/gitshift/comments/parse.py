"""Parsing a pull request comment command and deciding who may run it (README.md, "Pull request comment commands").

Pure: no HTTP, no git. ``shlex`` only splits the line into words; nothing is
ever handed to a shell. The grammar is strict: anything not understood is
refused with a message meant to be posted back as the reply.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace

from gitshift import images
from gitshift.config import PERMISSIONS, CommandsConfig
from gitshift.errors import GitshiftError, InputError

MAX_BODY = 8192  # characters of a whole comment that starts with the prefix
MAX_LINE = 400  # characters of its first line
READ_ONLY = ("status", "help")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_WEIGHT = re.compile(r"0|[1-9][0-9]?|100")
_REPLICAS = re.compile(r"[1-9][0-9]{0,3}")
_HEADER = re.compile(r"([A-Za-z0-9][A-Za-z0-9_-]{0,63})(?:=([\x21-\x7e]{1,128}))?")
_COOKIE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_COMMIT = re.compile(r"[0-9a-f]{7,40}")
_OPTIONS = ("app", "env", "image", "weight", "next", "header", "cookie", "replicas", "max-surge", "max-unavailable",
            "allow-other-envs", "all-kustomizations")
_FLAGS = ("next", "allow-other-envs", "all-kustomizations")
_SURGE = re.compile(r"(0|[1-9][0-9]{0,3})%?")
# Letters that look like Latin ones; with NFKC (fullwidth forms) they reveal a look-alike prefix.
_HOMOGLYPHS = str.maketrans("аеорсхуіјѕһԁɡκνοτυχαεт", "aeopcxyijshdgkvotuxaet")


class CommandError(InputError):
    """A malformed command (exit 2); ``what`` is the reply."""


class RefusedError(GitshiftError):
    """The commenter may not run the command (exit 1); ``what`` is the reply."""

    exit_code = 1


@dataclass(frozen=True)
class Command:
    """One parsed command. ``verb`` is the action's name (``canary.scale``), or ``status``/``help``."""

    verb: str
    line: str
    app: str | None = None
    env: str | None = None
    image: str | None = None
    replicas: int | None = None
    weight: int | None = None
    next_step: bool = False
    header: tuple[str, str | None] | None = None
    cookie: str | None = None
    max_surge: str | None = None
    max_unavailable: str | None = None
    source: str | None = None
    commit: str | None = None
    allow_other_envs: bool = False  # the CLI's --allow-other-envs: the edit may change other envs' renders
    all_kustomizations: bool = False  # the CLI's --all-kustomizations: list every kustomization whose render changes

    @property
    def writes(self) -> bool:
        """Whether the command shifts anything."""
        return self.verb not in READ_ONLY


def _skeleton(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().translate(_HOMOGLYPHS)


def first_line(body: str) -> str:
    """The first line of a comment, without its line ending and surrounding blanks."""
    return body.lstrip(" \t\r\n").split("\n", 1)[0].rstrip("\r").strip(" \t")


def _first_word(line: str) -> str:
    """The first word of ``line``: up to a blank, or an invisible or control character (``/gitshift\u200b``)."""
    for i, c in enumerate(line):
        if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp"):
            return line[:i]
    return line


def addressed(body: str, prefix: str) -> bool:
    """Whether the comment is meant as a command: its first word is the prefix or looks like it."""
    line = first_line(body[:MAX_LINE * 4])
    line = line.lstrip("".join(c for c in line[:8] if unicodedata.category(c) in ("Cf", "Zs")))
    word = _first_word(line)
    return bool(word) and _skeleton(word) == _skeleton(prefix)


def parse(body: str, prefix: str = "/gitshift") -> Command | None:
    """The command in ``body``, or None when its first line is not addressed to gitshift.

    Raises:
        CommandError: the comment is addressed to gitshift but is not a valid command.
    """
    if not addressed(body, prefix):
        return None
    if len(body) > MAX_BODY:
        raise CommandError(f"the comment is longer than {MAX_BODY} characters; put the command alone in a comment")
    line = first_line(body)
    bad = next((c for c in line if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\t"), None)
    if bad is not None:
        raise CommandError(f"the command contains the control character U+{ord(bad):04X}")
    if len(line) > MAX_LINE:
        raise CommandError(f"the command is longer than {MAX_LINE} characters")
    if not line.isascii():
        raise CommandError("the command contains characters outside ASCII; type it again by hand "
                           f"(`{prefix}` itself must be plain ASCII)")
    try:
        words = shlex.split(line, comments=False, posix=True)
    except ValueError as exc:
        raise CommandError(f"cannot split the command: {exc}") from exc
    if words[0] != prefix:
        raise CommandError(f"commands start with `{prefix}` exactly, not `{words[0]}`")
    return _grammar(words[1:], line)


class _Args:
    """The words after the prefix: options taken out by name, positionals left in order."""

    def __init__(self, words: list[str]) -> None:
        self.options: dict[str, str | bool] = {}
        self.positional: list[str] = []
        it = iter(words)
        for word in it:
            if not word.startswith("--"):
                self.positional.append(word)
                continue
            name, eq, value = word[2:].partition("=")
            if name not in _OPTIONS:
                raise CommandError(f"unknown option --{name}")
            if name in self.options:
                raise CommandError(f"--{name} is given twice")
            if name in _FLAGS:
                if eq:
                    raise CommandError(f"--{name} takes no value")
                self.options[name] = True
                continue
            if not eq:
                value = next(it, "")
                if not value or value.startswith("--"):
                    raise CommandError(f"--{name} needs a value")
            self.options[name] = value

    def take(self, name: str) -> str | None:
        value = self.options.pop(name, None)
        return value if isinstance(value, str) else None

    def done(self, verb: str, positional: int = 0) -> list[str]:
        if self.options:
            raise CommandError(f"`{verb}` takes no option --{next(iter(self.options))}")
        if len(self.positional) != positional:
            extra = self.positional[positional:] if len(self.positional) > positional else None
            raise CommandError(f"`{verb}` does not take {extra[0]!r}" if extra else f"`{verb}` needs more arguments")
        return self.positional


def _match(pattern: re.Pattern[str], value: str | None, what: str) -> str | None:
    if value is not None and not pattern.fullmatch(value):
        raise CommandError(f"invalid {what} {value!r}")
    return value


def _int(pattern: re.Pattern[str], value: str | None, what: str) -> int | None:
    text = _match(pattern, value, what)
    return int(text) if text is not None else None


def _image(a: _Args, verb: str) -> str:
    given = a.take("image")
    if given is None:
        if not a.positional:
            raise CommandError(f"`{verb}` needs an image")
        given = a.positional.pop(0)
    try:
        images.parse(given, allow_bare_tag=True)
    except InputError as exc:
        raise CommandError(exc.what, hint=exc.hint) from exc
    return given


def _grammar(words: list[str], line: str) -> Command:
    a = _Args(words)
    app, env = _match(_NAME, a.take("app"), "app"), _match(_NAME, a.take("env"), "env")
    if not a.positional:
        raise CommandError("no command given; try `help`")
    head = a.positional.pop(0)
    sub = a.positional.pop(0) if head in ("bluegreen", "canary") and a.positional else ""
    verb = f"{head}.{'promote' if sub == 'confirm' else sub}" if head in ("bluegreen", "canary") else head
    # Every shift takes them, as on the command line; status and help refuse them as any other option.
    allow = verb not in READ_ONLY and bool(a.options.pop("allow-other-envs", False))
    every = verb not in READ_ONLY and bool(a.options.pop("all-kustomizations", False))
    base = Command(verb, line, app, env, allow_other_envs=allow, all_kustomizations=every)
    if verb in ("status", "help", "bluegreen.promote", "bluegreen.rollback", "bluegreen.finish",
                "canary.promote", "canary.rollback"):
        a.done(verb)
        return base
    if verb == "set-image":
        image = _image(a, verb)
        surge, unavailable = a.take("max-surge"), a.take("max-unavailable")
        a.done(verb)
        return replace(base, image=image, max_surge=_match(_SURGE, surge, "--max-surge"),
                       max_unavailable=_match(_SURGE, unavailable, "--max-unavailable"))
    if verb == "bluegreen.deploy":
        image, replicas = _image(a, verb), _int(_REPLICAS, a.take("replicas"), "replica count")
        a.done(verb)
        return replace(base, image=image, replicas=replicas)
    if verb == "canary.deploy":
        return _deploy(a, base)
    if verb == "canary.scale":
        return _scale(a, base)
    if verb == "promote":
        if env is not None:
            raise CommandError("`promote` takes FROM and TO envs, not --env")
        names = [_match(_NAME, x, "name") for x in a.done(verb, 3 if len(a.positional) == 3 else 2)]
        return replace(base, app=names[0] if len(names) == 3 else app, source=names[-2], env=names[-1])
    if verb == "revert":
        commit = _match(_COMMIT, a.done(verb, 1)[0].lower(), "commit (7 to 40 hex digits)")
        return replace(base, commit=commit)
    what = f"{head} {sub}".strip()
    raise CommandError(f"unknown command `{what}`; try `help`")


def _deploy(a: _Args, base: Command) -> Command:
    image, weight = _image(a, base.verb), _int(_WEIGHT, a.take("weight"), "weight (an integer 0-100)")
    header = _match(_HEADER, a.take("header"), "header (NAME or NAME=VALUE)")
    cookie = _match(_COOKIE, a.take("cookie"), "cookie name")
    a.done(base.verb)
    name, eq, value = (header or "").partition("=")
    return replace(base, image=image, weight=weight, header=(name, value if eq else None) if header else None,
                   cookie=cookie)


def _scale(a: _Args, base: Command) -> Command:
    weight = a.take("weight")
    next_step = bool(a.options.pop("next", False))
    if weight is None and not next_step and len(a.positional) == 1:
        weight = a.positional.pop(0)
    a.done("canary scale")
    if (weight is None) == (not next_step):
        raise CommandError("`canary scale` needs exactly one of N, --weight N or --next")
    return replace(base, weight=_int(_WEIGHT, weight, "weight (an integer 0-100)"), next_step=next_step)


def _rank(permission: str) -> int:
    return PERMISSIONS.index(permission) if permission in PERMISSIONS else 0


def _verb_matches(rule_verb: str, verb: str) -> bool:
    """``canary.scale`` matches itself; a family name (``canary``) matches its verbs; ``promote`` only promote."""
    return rule_verb == verb or ("." not in rule_verb and verb.split(".")[0] == rule_verb and "." in verb)


def authorize(command: Command, permission: str, login: str, env: str | None, config: CommandsConfig) -> None:
    """Allow the command, or raise why not (docs/configuration.md, ``commands:``).

    ``status`` and ``help`` need ``read`` and a listed login when ``allow_users`` is set.
    A shift needs ``min_permission`` and a listed login; then the first rule matching
    ``env`` and the verb narrows further (its own ``allow_users`` and ``min_permission``).

    Raises:
        RefusedError: with the reason, to be posted back.
    """
    who = login.casefold()
    if config.allow_users and who not in {u.casefold() for u in config.allow_users}:
        raise RefusedError(f"@{login} is not in commands.allow_users")
    least = "read" if not command.writes else config.min_permission
    if _rank(permission) < _rank(least):
        raise RefusedError(f"@{login} has {permission} permission; `{command.verb}` needs at least {least}")
    if not command.writes:
        return
    for rule in config.rules:
        if rule.envs and env not in rule.envs:
            continue
        if rule.verbs and not any(_verb_matches(v, command.verb) for v in rule.verbs):
            continue
        where = f"{command.verb} in {env}"
        if rule.allow_users and who not in {u.casefold() for u in rule.allow_users}:
            raise RefusedError(f"{where} is limited to {', '.join('@' + u for u in rule.allow_users)}")
        if rule.min_permission and _rank(permission) < _rank(rule.min_permission):
            raise RefusedError(f"{where} needs at least {rule.min_permission} permission; @{login} has {permission}")
        return


def barred_envs(command: Command, permission: str, login: str, envs: Iterable[tuple[str, str]],
                config: CommandsConfig) -> tuple[tuple[str, str, str], ...]:
    """The envs ``(app, env, why)`` that ``--allow-other-envs`` does not open to the commenter.

    The edit of one env may change another env's render only when the policy
    would let the commenter run the same command in that env (README.md, "Pull
    request comment commands"); ``why`` is the refusal it would give.
    """
    barred = []
    for app, env in envs:
        try:
            authorize(command, permission, login, env, config)
        except RefusedError as exc:
            barred.append((app, env, exc.what))
    return tuple(barred)
