"""The forge factory and the body limit helper."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitshift.config import ForgeConfig
from gitshift.errors import ConfigError
from gitshift.forge import fit_body, make_forge
from gitshift.forge.github import GitHub
from gitshift.forge.gitlab import GitLab


def test_make_forge_picks_the_kind() -> None:
    github = make_forge(ForgeConfig("github", "acme/gitops", "https://api.github.com", "main", "T"), "t")
    gitlab = make_forge(ForgeConfig("gitlab", "a/b/c", "https://gitlab.com/api/v4", "main", "T"), None)
    assert isinstance(github, GitHub) and isinstance(gitlab, GitLab)
    github.close()
    gitlab.close()


def test_make_forge_refuses_an_unknown_kind() -> None:
    with pytest.raises(ConfigError, match="github, gitlab or gitea"):
        make_forge(ForgeConfig("bitbucket", "a/b", "https://x", "main", "T"), "t")


def test_fit_body_keeps_what_fits() -> None:
    assert fit_body("short", 10) == "short"


def test_fit_body_cuts_on_a_line_and_closes_what_it_opened() -> None:
    text = "## Shift\n<details><summary>diff</summary>\n\n```diff\n" + "+ line\n" * 20_000 + "```\n</details>\n"
    out = fit_body(text, 65536)

    assert len(out) <= 65536
    assert out.count("```") % 2 == 0 and out.count("<details>") == out.count("</details>")
    assert f"of {len(text):,} characters shown (limit 65,536)" in out
    assert "\n+ line\n```" in out  # cut after a whole line


@given(st.text(), st.integers(min_value=0, max_value=500))
def test_fit_body_never_exceeds_the_limit(text: str, limit: int) -> None:
    out = fit_body(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
