"""Replies: the table, the folded diff cut to the forge's limit, quoting of what the commenter wrote."""

from __future__ import annotations

from gitshift.comments.parse import Command
from gitshift.comments.replies import help_text, quote, refusal, success
from gitshift.config import CommandsConfig, Rule
from gitshift.forge import fit_body
from gitshift.result import Change, Result

COMMAND = Command("canary.scale", "/gitshift canary scale 50", weight=50)


def result(diff_lines: int) -> Result:
    diff = "--- a\n+++ b\n" + "".join(f"@@ -{i} +{i} @@\n-  replicas: {i}\n+  replicas: {i + 1}\n"
                                      for i in range(diff_lines))
    changes = (Change("Ingress/web-canary", "metadata.annotations['w']", "10", "50"),
               Change("Deployment/web-canary", "spec.replicas", 1, 2),
               Change("Deployment/web-canary", "spec.template.spec.containers[0].image", "a:1", "a:2"))
    return Result("web", "production-canary", "canary.scale", True, "canary web/production-canary: weight 10 → 50",
                  changes, commit="a" * 40, branch="gitshift/web/production-canary/canary-deploy", diff=diff,
                  checks=("weights valid",))


def test_small_diff_is_whole() -> None:
    text = success("carol", COMMAND, result(3), "overlays/production-canary", None, "/gitshift", 65536, True)
    assert "| `Ingress/web-canary` | `metadata.annotations['w']` | 10 | 50 |" in text
    assert "- `Ingress/web-canary`: 1 field\n- `Deployment/web-canary`: 2 fields" in text
    assert "Pushed `aaaaaaaaaaaa`" in text and "cut to fit" not in text and text.count("@@ -") == 3


def test_long_diff_is_cut_with_a_note_and_fits_the_limit() -> None:
    text = success("carol", COMMAND, result(5000), "overlays/production-canary", None, "/gitshift", 20000, True)
    assert len(text) <= 20000 and fit_body(text, 20000) == text
    assert "diff lines cut to fit the forge's comment limit" in text
    assert text.count("```") == 2 and "</details>" in text  # the fold is closed
    assert "| 10 | 50 |" in text and "**Next**" in text  # the table and next commands survive the cut


def test_unchanged_is_one_line() -> None:
    unchanged = Result("web", "staging", "set-image", False, "set-image web/staging: already in place, nothing to do")
    assert success("carol", COMMAND, unchanged, "o", None, "/gitshift", 65536, True).count("\n") == 0


def test_what_the_commenter_wrote_cannot_break_out() -> None:
    assert quote("/gitshift `@everyone` \x07") == "`/gitshift '@everyone' ?`"
    assert quote("x" * 200).endswith("…`")
    text = refusal("mallory", None, "/gitshift frob `@acme/admins`", "unknown command")
    assert "`/gitshift frob '@acme/admins'`" in text and text.endswith("Nothing was changed.")


def test_help_lists_commands_and_policy() -> None:
    config = CommandsConfig(prefix="!shift", allow_users=("alice", "bob"),
                            rules=(Rule(envs=("production",), verbs=("promote",), allow_users=("alice",)),))
    text = help_text("carol", Command("help", "!shift help"), config)
    assert "`!shift canary scale N`" in text and "at least **write** permission and one of @alice, @bob" in text
    assert "- promote in production: @alice" in text
    assert "add `--allow-other-envs` to a shift whose edit also changes other envs' renders" in text
    assert "add `--all-kustomizations` to a shift to list every other kustomization whose render it changes" in text
