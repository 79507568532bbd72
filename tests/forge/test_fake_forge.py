"""The fake forge itself: it must catch a client that breaks the contract, or tests prove nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from tests.support.forge_server import ForgeServer

GITHUB_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def _send(
    server: ForgeServer, method: str, path: str, headers: dict[str, str], json: Any = None
) -> tuple[int, list[str]]:
    """Send one raw request; return its status and the violations it caused (then forget them)."""
    resp = requests.request(method, server.url + path, headers=headers, json=json, timeout=5)
    found, server.violations[:] = list(server.violations), []
    return resp.status_code, found


def _github(server: ForgeServer, **extra: str) -> dict[str, str]:
    return {**GITHUB_HEADERS, "Authorization": f"Bearer {server.token}", **extra}


def _gitlab(server: ForgeServer) -> dict[str, str]:
    return {"PRIVATE-TOKEN": server.token}


def test_github_request_body_is_validated(forge_server: ForgeServer) -> None:
    status, found = _send(
        forge_server, "POST", "/repos/acme/gitops/pulls", _github(forge_server), {"title": "no head, no base"}
    )
    assert status == 400 and "'head' is a required property" in "\n".join(found)


def test_github_operation_outside_the_contract(forge_server: ForgeServer) -> None:
    status, found = _send(forge_server, "GET", "/repos/acme/gitops/pulls/1/commits", _github(forge_server))
    assert status == 400 and "PathNotFound" in "\n".join(found)


@pytest.mark.parametrize("header", ["Accept", "X-GitHub-Api-Version"])
def test_github_version_headers_are_required(forge_server: ForgeServer, header: str) -> None:
    headers = _github(forge_server)
    headers[header] = "*/*" if header == "Accept" else "2020-01-01"
    _, found = _send(forge_server, "GET", "/user", headers)
    assert any(f"header {header}" in v for v in found)


def test_github_answers_are_validated(forge_server: ForgeServer) -> None:
    _send(
        forge_server,
        "POST",
        "/repos/acme/gitops/pulls",
        _github(forge_server),
        {"title": "t", "head": "x", "base": "main"},
    )
    forge_server.github.repos["acme/gitops"].pulls[1].title = None  # type: ignore[assignment]

    status, found = _send(forge_server, "GET", "/repos/acme/gitops/pulls/1", _github(forge_server))
    assert status == 500 and "github answer to GET" in "\n".join(found)


def test_github_without_token(forge_server: ForgeServer) -> None:
    status, found = _send(forge_server, "GET", "/user", GITHUB_HEADERS)
    assert status == 401 and not found


@pytest.mark.parametrize(
    ("path", "body", "problem"),
    [
        (
            "/projects/acme/platform/gitops/merge_requests",
            {"source_branch": "a", "target_branch": "b", "title": "t"},
            "URL-encoded",
        ),
        (
            "/projects/acme%2Fplatform%2Fgitops/merge_requests",
            {"source_branch": "a", "target_branch": "b"},
            "missing required parameter 'title'",
        ),
        (
            "/projects/acme%2Fplatform%2Fgitops/merge_requests",
            {"source_branch": "a", "target_branch": "b", "title": "t", "labels": ["x"]},
            "comma-separated",
        ),
        (
            "/projects/acme%2Fplatform%2Fgitops/merge_requests",
            {"source_branch": "a", "target_branch": "b", "title": "t", "body": "wrong key"},
            "unknown parameter 'body'",
        ),
    ],
)
def test_gitlab_calls_are_checked_against_the_table(
    forge_server: ForgeServer, path: str, body: dict[str, Any], problem: str
) -> None:
    status, found = _send(forge_server, "POST", "/api/v4" + path, _gitlab(forge_server), body)
    assert status == 400 and problem in "\n".join(found)


COMMITS = "/api/v4/projects/acme%2Fplatform%2Fgitops/repository/commits"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"branch": "b", "commit_message": "m"}, "missing required parameter 'actions'"),
        ({"branch": "b", "commit_message": "m", "actions": []}, "actions must be a non-empty list"),
        ({"branch": "b", "commit_message": "m", "actions": [{"action": "rename", "file_path": "a"}]},
         "action 'rename' is not one of"),
        ({"branch": "b", "commit_message": "m", "actions": [{"action": "update", "file_path": "a"}]},
         "content is required for update"),
        ({"branch": "b", "commit_message": "m",
          "actions": [{"action": "delete", "file_path": "a", "last_commit_id": "HEAD"}]},
         "last_commit_id must be a full commit id"),
        ({"branch": "b", "commit_message": "m", "start_sha": "main",
          "actions": [{"action": "create", "file_path": "a", "content": "x", "mode": "100644"}]},
         "unknown key 'mode'"),
        ({"branch": "b", "commit_message": "m", "force": "false", "start_sha": SHA,
          "actions": [{"action": "create", "file_path": "a", "content": "x"}]},
         "force must be a boolean"),
    ],
)
def test_gitlab_commits_are_checked_against_the_table(
    forge_server: ForgeServer, body: dict[str, Any], problem: str
) -> None:
    status, found = _send(forge_server, "POST", COMMITS, _gitlab(forge_server), body)
    assert status == 400 and problem in "\n".join(found)


def test_gitlab_file_lookups_need_a_ref(forge_server: ForgeServer) -> None:
    path = "/api/v4/projects/acme%2Fplatform%2Fgitops/repository/files/base%2Fkustomization.yaml"
    status, found = _send(forge_server, "GET", path, _gitlab(forge_server))
    assert status == 400 and "missing required parameter 'ref'" in "\n".join(found)


def test_gitea_change_files_is_checked_against_gitea_description(forge_server: ForgeServer) -> None:
    headers = {"Authorization": f"token {forge_server.token}", "Accept": "application/json"}
    body = {"branch": "main", "files": [{"operation": "update", "path": "a", "content": "eA==", "last_commit": SHA}]}
    status, found = _send(forge_server, "POST", "/api/v1/repos/acme/gitops/contents", headers, body)
    assert status == 422 and "body.files[0].last_commit: not declared" in "\n".join(found)
    body = {"files": [{"operation": "rename", "path": "a"}]}
    status, found = _send(forge_server, "POST", "/api/v1/repos/acme/gitops/contents", headers, body)
    assert status == 422 and "'rename' is not one of" in "\n".join(found)


def test_gitlab_list_parameters(forge_server: ForgeServer) -> None:
    path = "/api/v4/projects/acme%2Fplatform%2Fgitops/merge_requests?state=open&per_page=500"
    _, found = _send(forge_server, "GET", path, _gitlab(forge_server))
    assert any("state 'open'" in v for v in found) and any("per_page" in v for v in found)


def test_gitlab_without_token(forge_server: ForgeServer) -> None:
    status, _ = _send(forge_server, "GET", "/api/v4/user", {})
    assert status == 401


def test_violations_are_kept_for_the_fixture_teardown(forge_server: ForgeServer) -> None:
    server = type(forge_server)().start()
    try:
        _send(server, "GET", "/repos/acme/gitops/pulls/1/commits", _github(server))
        requests.get(server.url + "/repos/acme/gitops/pulls/1/commits", headers=_github(server), timeout=5)
    finally:
        server.stop()
    assert len(server.violations) == 1  # kept for the fixture's teardown to report
