"""The forge an origin remote names, read from its URL alone."""

from __future__ import annotations

import pytest

from gitshift.init.remote import forge_of


@pytest.mark.parametrize(("url", "forge"), [
    ("git@github.com:acme/gitops.git", {"kind": "github", "project": "acme/gitops"}),
    ("https://github.com/acme/gitops", {"kind": "github", "project": "acme/gitops"}),
    ("https://x-access-token:s3cr3t@github.com/acme/gitops.git\n", {"kind": "github", "project": "acme/gitops"}),
    ("ssh://git@gitlab.com/group/sub/gitops.git", {"kind": "gitlab", "project": "group/sub/gitops"}),
    ("git@GitHub.com:acme/gitops", {"kind": "github", "project": "acme/gitops"}),
    ("https://github.com/acme/gitops/extra", None),
    ("https://github.com/acme", None),
    ("https://git.example.com/acme/gitops.git", None),
    ("/srv/git/gitops.git", None),
    ("git@github.com:acme/../gitops.git", None),
    ("git@github.com:acme/git ops.git", None),
])
def test_forge_of(url: str, forge: dict[str, str] | None) -> None:
    assert forge_of(url) == forge
