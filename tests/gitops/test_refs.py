"""gitops.refs: branch, revision and remote values checked before git sees them (pure; git is the oracle)."""

from __future__ import annotations

import re
import subprocess

import pytest
from tests.conftest import PROJECT

from gitshift.errors import InputError
from gitshift.gitops import refs

# Names git itself accepts or refuses; ours must agree.
AGREED = ["main", "gitshift/web/staging/set-image", "feat-x", "v1.2.3", "a.b", "x@y", "UPPER", "ünïcode",
          "", "-x", "a..b", "a b", "a~1", "a^", "a:b", "a?", "a*", "a[b", "a\\b", "a\x7fb", "a\tb", "/a", "a/",
          "a//b", "a.", ".a", "a/.b", "a.lock", "a/b.lock/c", "a@{1}", "HEAD"]
# Names git accepts that gitshift refuses on purpose: invisible characters, refs spelled out, and ``@``
# (which ``--branch`` reads as the current branch).
STRICTER = {"@": "'@' is not a branch",
            "zero\u200bwidth": "it contains the control character U+200B",
            "line\u2028break": "it contains the control character U+2028",
            "refs/heads/main": "give the branch name without refs/"}


def git_accepts(name: str) -> bool:
    proc = subprocess.run(["git", "check-ref-format", "--branch", name], capture_output=True, check=False)
    return proc.returncode == 0


def test_branch_rules_agree_with_git() -> None:
    ours = {name: refs.ref_problem(name) is None for name in AGREED}
    assert ours == {name: git_accepts(name) for name in AGREED}
    assert {name: refs.ref_problem(name) for name in STRICTER} == STRICTER
    assert all(git_accepts(name) for name in STRICTER)


def test_check_branch_names_the_option_and_the_rule() -> None:
    assert refs.check_branch("gitshift/web/staging") == "gitshift/web/staging"
    with pytest.raises(InputError) as info:
        refs.check_branch("a..b", "--base")
    assert str(info.value) == "invalid branch name 'a..b': it contains '..' (--base)"
    assert info.value.hint == "use a name git accepts, such as gitshift/web/staging (see git check-ref-format)"


@pytest.mark.parametrize("value", ["HEAD", "HEAD~1", "main^", "origin/main", "v1.0", "0123abc", "@{u}", "a-b_c"])
def test_revisions_accepted(value: str) -> None:
    assert refs.check_revision(value, "--against") == value


@pytest.mark.parametrize("value", ["", "-n1", "--output=/tmp/x", "main..HEAD", "a b", "a;b", "a\nb"])
def test_revisions_refused(value: str) -> None:
    with pytest.raises(InputError) as info:
        refs.check_revision(value, "COMMIT")
    assert str(info.value) == f"invalid revision {value!r} (COMMIT)"


@pytest.mark.parametrize("value", ["origin", "up-stream", "team/fork", "https://github.com/acme/gitops.git",
                                   "ssh://git@host:22/acme/gitops", "git@github.com:acme/gitops.git",
                                   "file:///srv/gitops.git", "git://host/x"])
def test_remotes_accepted(value: str) -> None:
    assert refs.check_remote_syntax(value) == value


@pytest.mark.parametrize("value", ["--upload-pack=touch x", "-o", "ext::sh -c touch% x", "fd::3", "a..b",
                                   "https://host/x y", "git@host:-oProxyCommand=x", "https://hóst/x", "ori gin", ""])
def test_remotes_refused(value: str) -> None:
    with pytest.raises(InputError) as info:
        refs.check_remote_syntax(value)
    assert (info.value.what, info.value.where) == (f"invalid remote {value!r}", "--remote")


def test_a_remote_name_must_be_configured_a_url_need_not() -> None:
    assert refs.check_remote("origin", ["origin", "fork"]) == "origin"
    assert refs.check_remote("https://host/x.git", []) == "https://host/x.git"
    with pytest.raises(InputError) as info:
        refs.check_remote("upstream", [])
    assert info.value.hint == "configured remotes: none; add one with: git remote add upstream <url>"


# One example for each form a remote URL may take; the hint, README and docs/troubleshooting.md name these.
FORMS = {"http(s)://": ["http://host/x.git", "https://host/x.git"], "ssh://": ["ssh://git@host/x"],
         "git://": ["git://host/x"], "file://": ["file:///srv/x.git"], "user@host:path": ["deploy@host:x.git"]}


def _forms(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+(?:\(s\))?://|user@host:path", text))


def test_the_remote_hint_names_every_form_the_validator_accepts() -> None:
    for examples in FORMS.values():
        for url in examples:
            assert refs.check_remote_syntax(url) == url
    with pytest.raises(InputError) as info:
        refs.check_remote_syntax("-o")
    assert _forms(info.value.hint) == set(FORMS)


def test_readme_and_troubleshooting_name_the_same_remote_forms() -> None:
    readme = " ".join((PROJECT / "README.md").read_text().split())
    said = re.search(r"`--remote` is the name of a configured remote \(`git remote -v`\) or an (.*?) URL;", readme)
    assert said is not None
    assert _forms(said.group(1)) == set(FORMS)
    page = " ".join((PROJECT / "docs" / "troubleshooting.md").read_text().split())
    said = re.search(r"or a URL \((.*)\)\. Add the remote", page)
    assert said is not None
    words = {w.strip(" `") for w in said.group(1).replace(" or ", ",").split(",")} - {""}
    assert {w if w == "user@host:path" else w + "://" for w in words} == set(FORMS)


def test_a_url_is_told_from_a_remote_name() -> None:
    assert [refs.is_url(v) for v in ("origin", "team/fork", "git@host:x.git", "https://host/x.git", "file:///x")] == [
        False, False, True, True, True]
