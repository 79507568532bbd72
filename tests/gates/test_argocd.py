"""The Argo CD client against the contract-checked fake: reads, filters, refusals, retries, secrecy."""

from __future__ import annotations

import socket

import pytest
from tests.support.argocd_fake import TOKEN, ArgoCDServer, FakeApp, ago
from tests.support.forge_clients import FAST

from gitshift.config import ArgoCDConfig
from gitshift.errors import GateError
from gitshift.gates.argocd import ArgoCD

SHA = "1" * 40


def test_reads_one_application_with_one_get(argocd_server: ArgoCDServer, argocd: ArgoCD) -> None:
    finished = ago(120)
    argocd_server.argocd.add(FakeApp("web-prod", [SHA], finished_at=finished, history=[([SHA], finished)]))
    app = argocd.application("web-prod")
    assert (app.name, app.sync, app.health, app.revisions) == ("web-prod", "Synced", "Healthy", (SHA,))
    assert app.operation is not None and app.operation.phase == "Succeeded"
    assert app.operation.finished_at == finished
    assert [d.deployed_at for d in app.history] == [finished]
    assert [c.target for c in argocd_server.requests] == ["/api/v1/applications/web-prod"]
    assert argocd_server.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_many_applications_are_one_list_call(argocd_server: ArgoCDServer) -> None:
    for i in range(30):
        argocd_server.argocd.add(FakeApp(f"app-{i:02d}", [SHA], project="shop", labels={"team": "web"}))
    argocd_server.argocd.add(FakeApp("other", [SHA], project="shop", labels={"team": "data"}))
    config = ArgoCDConfig(url=argocd_server.url, namespace="argocd", project="shop", selector="team=web")
    client = ArgoCD(config, TOKEN, FAST)
    apps = client.applications([f"app-{i:02d}" for i in reversed(range(30))])
    assert list(apps) == [f"app-{i:02d}" for i in reversed(range(30))]
    assert len(argocd_server.requests) == 1
    target = argocd_server.requests[0].target
    assert target.startswith("/api/v1/applications?")
    assert "appNamespace=argocd" in target and "projects=shop" in target and "selector=team%3Dweb" in target


def test_names_the_list_leaves_out_are_read_one_by_one(argocd_server: ArgoCDServer) -> None:
    argocd_server.argocd.add(FakeApp("web-a", [SHA], labels={"team": "web"}))
    argocd_server.argocd.add(FakeApp("web-b", [SHA], labels={"team": "other"}))
    client = ArgoCD(ArgoCDConfig(url=argocd_server.url, selector="team=web"), TOKEN, FAST)
    assert set(client.applications(["web-a", "web-b"])) == {"web-a", "web-b"}
    assert [r.target.split("?")[0] for r in argocd_server.requests] == [
        "/api/v1/applications", "/api/v1/applications/web-b"]


def test_multi_source_revisions(argocd_server: ArgoCDServer, argocd: ArgoCD) -> None:
    argocd_server.argocd.add(FakeApp("multi", [SHA, "1.4.2"]))
    app = argocd.application("multi")
    assert app.revisions == (SHA, "1.4.2")
    assert app.operation is not None and app.operation.revisions == (SHA, "1.4.2")


@pytest.mark.parametrize(
    ("token", "message"),
    [(None, "no session information"), ("not-a-jwt", "no session information"),
     ("a.b.c", "invalid session")],
)
def test_401_is_an_outside_error_without_the_token(argocd_server: ArgoCDServer, token: str | None,
                                                   message: str) -> None:
    argocd_server.argocd.add(FakeApp("web-prod", [SHA]))
    client = ArgoCD(ArgoCDConfig(url=argocd_server.url), token, FAST)
    with pytest.raises(GateError) as caught:
        client.application("web-prod")
    err = caught.value
    assert err.exit_code == 3
    assert "status 401" in err.what and message in err.what
    assert "token" in err.hint
    assert ("does not look like a JWT" in err.hint) == (token == "not-a-jwt")
    assert len(argocd_server.requests) == 1  # a refusal is not retried


def test_missing_application_403_without_project_404_with(argocd_server: ArgoCDServer) -> None:
    without = ArgoCD(ArgoCDConfig(url=argocd_server.url), TOKEN, FAST)
    with pytest.raises(GateError, match="status 403: permission denied") as caught:
        without.application("ghost")
    assert "argocd_app" in caught.value.hint
    with_project = ArgoCD(ArgoCDConfig(url=argocd_server.url, project="shop"), TOKEN, FAST)
    with pytest.raises(GateError, match=r'status 404: applications\.argoproj\.io "ghost" not found') as caught:
        with_project.application("ghost")
    assert "argocd_app" in caught.value.hint


def test_app_namespace_is_sent(argocd_server: ArgoCDServer) -> None:
    argocd_server.argocd.add(FakeApp("web-prod", [SHA], namespace="team-a"))
    client = ArgoCD(ArgoCDConfig(url=argocd_server.url, namespace="team-a"), TOKEN, FAST)
    assert client.application("web-prod").name == "web-prod"
    assert argocd_server.requests[0].target == "/api/v1/applications/web-prod?appNamespace=team-a"


def test_5xx_is_retried(argocd_server: ArgoCDServer, argocd: ArgoCD) -> None:
    argocd_server.argocd.add(FakeApp("web-prod", [SHA]))
    argocd_server.fail("GET", "/api/v1/applications/web-prod", 503, times=2, body={"error": "upstream"})
    assert argocd.application("web-prod").sync == "Synced"
    assert [r.status for r in argocd_server.requests] == [503, 503, 200]


def test_5xx_after_every_retry_is_an_outside_error(argocd_server: ArgoCDServer, argocd: ArgoCD) -> None:
    argocd_server.fail("GET", "/api/v1/applications/web-prod", 502, times=10, body={"error": f"echo {TOKEN}"})
    with pytest.raises(GateError) as caught:
        argocd.application("web-prod")
    assert caught.value.exit_code == 3
    assert f"gave up after {FAST.attempts} attempt(s)" in caught.value.what
    assert "status 502" in caught.value.what
    assert TOKEN not in str(caught.value) + caught.value.hint and "***" in caught.value.what
    assert len(argocd_server.requests) == FAST.attempts


def test_unreachable_is_an_outside_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    client = ArgoCD(ArgoCDConfig(url=f"http://127.0.0.1:{port}"), TOKEN, FAST)
    with pytest.raises(GateError) as caught:
        client.application("web-prod")
    assert caught.value.exit_code == 3 and "ConnectionError" in caught.value.what
    assert "gates.argocd.url" in caught.value.hint


def test_an_answer_that_is_not_argocd_is_an_outside_error(argocd_server: ArgoCDServer, argocd: ArgoCD) -> None:
    argocd_server.fail("GET", "/api/v1/applications/web-prod", 200, body={"metadata": "not a mapping"})
    with pytest.raises(GateError, match="unexpected shape"):
        argocd.application("web-prod")


def test_the_fake_flags_requests_outside_the_contract(argocd_server: ArgoCDServer) -> None:
    import requests

    resp = requests.get(argocd_server.url + "/api/v1/applications/web?refresh=normal&refresh=hard&bogus=1",
                        headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert resp.status_code == 400
    assert any("'bogus' is not in the contract" in v and "'refresh' given 2 times" in v
               for v in argocd_server.violations)
    argocd_server.violations.clear()


def test_debug_logs_never_show_the_token(argocd_server: ArgoCDServer, argocd: ArgoCD,
                                         caplog: pytest.LogCaptureFixture) -> None:
    argocd_server.argocd.add(FakeApp("web-prod", [SHA]))
    argocd_server.fail("GET", "/api/v1/applications/web-prod", 503, times=1, body={"error": f"echo {TOKEN}"})
    with caplog.at_level("DEBUG", logger="gitshift"):
        argocd.application("web-prod")
    assert "GET" in caplog.text and "retry 1" in caplog.text
    assert TOKEN not in caplog.text
