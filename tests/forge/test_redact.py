"""No token in any URL, header, log line or error the forge layer produces."""

from __future__ import annotations

import logging
import string
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gitshift.errors import ForgeError
from gitshift.net.redact import redact, redact_headers

if TYPE_CHECKING:
    from tests.support.forge_clients import ForgeFactory
    from tests.support.forge_server import ForgeServer

SECRET = "glpat-Sup3rSecretValue0987"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://x-access-token:ghs_abc123@github.com/acme/gitops.git",
            "https://x-access-token:***@github.com/acme/gitops.git",
        ),
        (
            "push to https://oauth2:glpat-xyz@gitlab.com/a/b.git failed",
            "push to https://oauth2:***@gitlab.com/a/b.git failed",
        ),
        ("https://ghp_bareToken@github.com/a/b", "https://***@github.com/a/b"),
        ("Authorization: Bearer ghp_abc", "Authorization: ***"),
        ("{'PRIVATE-TOKEN': 'glpat-abc', 'Accept': 'x'}", "{'PRIVATE-TOKEN': '***', 'Accept': 'x'}"),
        ('"authorization": "token abc"', '"authorization": "***"'),
        ("GET /api?private_token=abc&page=2", "GET /api?private_token=***&page=2"),
        ("https://github.com/acme/gitops.git", "https://github.com/acme/gitops.git"),
        ("mail me at bob@example.com", "mail me at bob@example.com"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_known_secret_anywhere() -> None:
    assert redact(f"odd place {SECRET}!", [SECRET, None]) == "odd place ***!"
    assert redact("short abc", ["abc"]) == "short abc"  # too short to mask everywhere


def test_redact_headers() -> None:
    headers = {
        "Authorization": "Bearer x",
        "PRIVATE-TOKEN": "y",
        "Accept": "application/json",
        "X-Note": f"has {SECRET}",
    }
    assert redact_headers(headers, [SECRET]) == {
        "Authorization": "***",
        "PRIVATE-TOKEN": "***",
        "Accept": "application/json",
        "X-Note": "has ***",
    }


TOKEN_CHARS = string.ascii_letters + string.digits + "_-"


@given(before=st.text(), after=st.text(), token=st.text(TOKEN_CHARS, min_size=4, max_size=40))
def test_a_known_token_never_survives(before: str, after: str, token: str) -> None:
    assert token not in redact(before + token + after, [token])


def _everything(exc: BaseException) -> str:
    """An exception, its hint, and every exception chained to it, as text."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None:
        parts += [str(seen), repr(seen), getattr(seen, "hint", ""), getattr(seen, "where", "")]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(parts)


@pytest.mark.parametrize("kind", ["github", "gitlab"])
def test_token_never_in_errors_or_logs(
    kind: str,
    forge_server: ForgeServer,
    forge_client: ForgeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="gitshift.forge")
    forge = forge_client(kind)
    pr = forge.open_or_update_pr("gitshift/a", "main", f"title {SECRET[:3]}", "body", labels=["l"], reviewers=["alice"])
    forge_server.fail("*", "*", 503, times=4, body={"message": f"echo {forge_server.token}"})
    forge_server.drop("*", "*", times=4)
    forge_server.fail("*", "*", 401, times=1, body={"message": f"bad {forge_server.token}"})
    errors = []
    for action in (
        lambda: forge.get_pr(pr.number),
        lambda: forge.comment(pr.number, "x"),
        lambda: forge.permission("bob"),
    ):
        with pytest.raises(ForgeError) as caught:
            action()
        errors.append(_everything(caught.value))
    forge.comment(pr.number, "works again")

    output = "\n".join(errors) + "\n" + caplog.text
    assert forge_server.token not in output
    assert "Authorization': '***'" in caplog.text or "PRIVATE-TOKEN': '***'" in caplog.text
    assert forge_server.token in forge_server.transcript()  # it was sent, in a header only
    assert all(forge_server.token not in r.target + r.body.decode() for r in forge_server.requests)


def test_token_with_surrounding_whitespace_is_trimmed(
    forge_client: ForgeFactory, forge_server: ForgeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="gitshift.forge")
    github = forge_client("github", token=f"  {forge_server.token}\n")

    assert github.current_user().login == "gitshift-bot"
    assert forge_server.token not in caplog.text
