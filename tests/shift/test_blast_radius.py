"""Blast radius: a shift names every env whose render it changes, and refuses to change another by surprise.

The tree is shaped like argoproj/argocd-example-apps, where the env ``pre-post-sync``
builds on the folder of the env ``kustomize-guestbook``: an ``images:`` entry added to
that folder changes both renders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import find, git, render, run, snapshot

from gitshift.files import FileView
from gitshift.render import Layout, get_renderer, render_reading

IMG = "gcr.io/google-samples/gb-frontend"
JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  annotations:
    argocd.argoproj.io/hook: {hook}
spec:
  template:
    spec:
      containers:
      - name: sleep
        image: alpine:latest
        command: ["sleep", "10"]
      restartPolicy: Never
  backoffLimit: 0
"""
GUESTBOOK = {
    "kustomize-guestbook/kustomization.yaml": "namePrefix: kustomize-\n\nresources:\n- guestbook-ui-deployment.yaml\n"
                                              "- guestbook-ui-svc.yaml\napiVersion: kustomize.config.k8s.io/v1beta1\n"
                                              "kind: Kustomization\n",
    "kustomize-guestbook/guestbook-ui-deployment.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guestbook-ui
spec:
  replicas: 1
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app: guestbook-ui
  template:
    metadata:
      labels:
        app: guestbook-ui
    spec:
      containers:
        - image: {IMG}:v5
          name: guestbook-ui
          ports:
            - containerPort: 80
""",
    # The original carries trailing tabs after every line.
    "kustomize-guestbook/guestbook-ui-svc.yaml": "\t\n".join([
        "apiVersion: v1", "kind: Service", "metadata:", "  name: guestbook-ui", "spec:", "  ports:", "  - port: 80",
        "    targetPort: 80", "  selector:", "    app: guestbook-ui\n"]),
    "pre-post-sync/kustomization.yaml": "namePrefix: pre-post-sync-\n\nbases:\n- ../kustomize-guestbook\n\n"
                                        "resources:\n- pre-sync-job.yaml\n- post-sync-job.yaml\n",
    "pre-post-sync/pre-sync-job.yaml": JOB.format(name="before", hook="PreSync"),
    "pre-post-sync/post-sync-job.yaml": JOB.format(name="after", hook="PostSync"),
    "helm-guestbook/kustomization.yaml": "resources:\n- deployment.yaml\n",
    "helm-guestbook/deployment.yaml": f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: helm-guestbook
spec:
  selector:
    matchLabels: {{app: helm-guestbook}}
  template:
    metadata:
      labels: {{app: helm-guestbook}}
    spec:
      containers:
      - name: guestbook
        image: {IMG}:v5
""",
    "gitshift.yaml": f"""\
apps:
  guestbook:
    image: {IMG}
    envs:
      kustomize-guestbook: {{overlay: kustomize-guestbook}}
      pre-post-sync: {{overlay: pre-post-sync}}
      plain: {{overlay: helm-guestbook}}
""",
}


@pytest.fixture
def guestbook(repo_factory: Callable[..., Path]) -> Path:
    return repo_factory(GUESTBOOK)


def image(objs: list[dict[str, object]], name: str) -> str:
    dep = find(objs, "Deployment", name)
    return str(dep["spec"]["template"]["spec"]["containers"][0]["image"])  # type: ignore[index]


def test_a_shift_that_changes_another_env_is_refused(guestbook: Path) -> None:
    before = snapshot(guestbook)
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "kustomize-guestbook")
    assert r.exit_code == 1, r.output
    assert "also changes the render of guestbook/pre-post-sync" in r.stderr
    assert "plain" not in r.stderr
    assert "--allow-other-envs" in r.stderr
    assert snapshot(guestbook) == before
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "kustomize-guestbook", "--commit")
    assert r.exit_code == 1, r.output  # the same on a commit built from git's objects
    assert snapshot(guestbook) == before


def test_allowed_shift_lists_every_changed_env_target_first(guestbook: Path) -> None:
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "kustomize-guestbook", "--allow-other-envs",
            "-o", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["affected"] == [
        {"app": "guestbook", "env": "kustomize-guestbook", "overlay": "kustomize-guestbook"},
        {"app": "guestbook", "env": "pre-post-sync", "overlay": "pre-post-sync"},
    ]
    # The oracle agrees: both renders changed, the independent one did not.
    assert image(render(guestbook / "pre-post-sync"), "pre-post-sync-kustomize-guestbook-ui") == f"{IMG}:v6"
    assert image(render(guestbook / "helm-guestbook"), "helm-guestbook") == f"{IMG}:v5"


def test_text_commit_message_and_pr_body_name_the_other_env(guestbook: Path) -> None:
    args = ("set-image", "guestbook", ":v6", "--env", "kustomize-guestbook", "--allow-other-envs")
    r = run(guestbook, *args, "--dry-run")
    assert "also changes the render of guestbook/pre-post-sync (pre-post-sync)" in r.stdout
    r = run(guestbook, *args, "--commit", "-o", "json")
    assert r.exit_code == 0, r.output
    message = git(guestbook, "log", "-1", "--format=%B", json.loads(r.stdout)["commit"])
    assert "Also changes the render of:\n- guestbook/pre-post-sync (pre-post-sync)\n" in message
    r = run(guestbook, *args, "--push", "--pr-preview", "--branch", "preview")
    assert r.exit_code == 0, r.output
    assert "**Also changes the render of**: `guestbook/pre-post-sync` (`pre-post-sync`)" in r.stdout


def test_a_shift_of_the_derived_env_leaves_the_base_env_alone(guestbook: Path) -> None:
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "pre-post-sync", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [a["env"] for a in json.loads(r.stdout)["affected"]] == ["pre-post-sync"]


def test_all_kustomizations_finds_renders_no_env_names(guestbook: Path) -> None:
    (guestbook / "clusters/prod").mkdir(parents=True)
    (guestbook / "clusters/prod/kustomization.yaml").write_text("resources:\n- ../../helm-guestbook\n")
    (guestbook / "components/labels").mkdir(parents=True)
    (guestbook / "components/labels/kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n- ../../helm-guestbook\n")
    git(guestbook, "add", "-A")
    git(guestbook, "commit", "-qm", "cluster")
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "plain", "-o", "json")
    assert [a["overlay"] for a in json.loads(r.stdout)["affected"]] == ["helm-guestbook"]
    git(guestbook, "checkout", "-q", ".")
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "plain", "--all-kustomizations", "-o", "json")
    assert r.exit_code == 0, r.output  # a kustomization no env names is listed, not refused
    assert json.loads(r.stdout)["affected"] == [
        {"app": "guestbook", "env": "plain", "overlay": "helm-guestbook"},
        {"app": None, "env": None, "overlay": "clusters/prod"},
    ]


def test_a_broken_unrelated_overlay_does_not_stop_the_shift(guestbook: Path) -> None:
    config = guestbook / "gitshift.yaml"
    config.write_text(config.read_text() + "      broken: {overlay: broken}\n")
    (guestbook / "broken").mkdir()
    (guestbook / "broken/kustomization.yaml").write_text("resources: [../helm-guestbook, missing.yaml\n")
    r = run(guestbook, "set-image", "guestbook", ":v6", "--env", "plain", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [a["env"] for a in json.loads(r.stdout)["affected"]] == ["plain"]


def test_layout_tells_which_overlays_can_reach_a_file(tmp_path: Path) -> None:
    files = {
        "apps/web/base/kustomization.yaml": "resources:\n- deployment.yaml\n",
        "apps/web/overlays/prod/kustomization.yaml": "resources:\n- ../../base\n",
        "apps/web/overlays/prod/eu/kustomization.yaml": "resources: [..]\n",
        "apps/web/overlays/staging/kustomization.yaml": "resources:\n- ../../base\ncomponents:\n- ../../feature\n",
        "apps/web/feature/kustomization.yaml": "kind: Component\n",
        "apps/api/overlays/prod/kustomization.yaml": "resources:\n- https://github.com/acme/api//base\n",
        "apps/odd/kustomization.yaml": "resources: [\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    layout = Layout(FileView(root=tmp_path))

    def reaches(overlay: str, changed: str) -> bool:
        return layout.may_read(tmp_path / overlay, frozenset({(tmp_path / changed).resolve()}))

    prod = "apps/web/overlays/prod/kustomization.yaml"
    assert reaches("apps/web/overlays/prod", prod)
    assert reaches("apps/web/overlays/prod/eu", prod)  # `..` names its parent without naming it
    assert not reaches("apps/web/overlays/staging", prod)
    assert reaches("apps/web/overlays/staging", "apps/web/feature/kustomization.yaml")
    assert reaches("apps/web/overlays/staging", "apps/web/base/deployment.yaml")
    assert not reaches("apps/api/overlays/prod", prod)
    assert reaches("apps/odd", prod)  # a kustomization that does not parse: cannot be ruled out


def test_the_builtin_engine_reports_the_files_it_read(example_repo: Path) -> None:
    view = FileView(root=example_repo)
    objects, read = render_reading(get_renderer("builtin"), example_repo / "overlays/production", view)
    assert objects and read is not None
    names = {p.relative_to(example_repo).as_posix() for p in read}
    assert {"overlays/production/kustomization.yaml", "overlays/production/service-active.yaml",
            "base/common/kustomization.yaml", "base/common/service.yaml"} <= names
    assert "base/deployment.yaml" not in names  # production builds on base/common only
    assert not any(n.startswith("overlays/staging/") for n in names)
    # Parsed files come from a cache on the second render: they are still reported.
    _, again = render_reading(get_renderer("builtin"), example_repo / "overlays/production", view)
    assert again == read


def test_other_apps_on_the_same_overlay_count_only_when_their_state_moves(
        repo_factory: Callable[..., Path]) -> None:
    """microservices-demo shape: one overlay, one app per service; a shared image name is a real surprise."""
    def deployment(name: str, image: str) -> str:
        return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  selector:\n"
                f"    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n"
                f"    spec:\n      containers:\n      - name: server\n        image: {image}:v0.10.1\n")
    reg = "us-central1-docker.pkg.dev/google-samples/microservices-demo"
    repo = repo_factory({
        "kustomize/kustomization.yaml": "resources:\n- frontend.yaml\n- cart.yaml\n- debug.yaml\n",
        "kustomize/frontend.yaml": deployment("frontend", f"{reg}/frontend"),
        "kustomize/cart.yaml": deployment("cartservice", f"{reg}/cartservice"),
        "kustomize/debug.yaml": deployment("frontend-debug", f"{reg}/frontend"),
        "gitshift.yaml": "apps:\n" + "".join(
            f"  {app}:\n    image: {reg}/{image}\n    envs:\n      demo: {{overlay: kustomize}}\n"
            for app, image in (("frontend", "frontend"), ("cartservice", "cartservice"))),
    })
    r = run(repo, "set-image", "cartservice", ":v0.10.2", "--env", "demo", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [a["app"] for a in json.loads(r.stdout)["affected"]] == ["cartservice"]
    config = repo / "gitshift.yaml"
    config.write_text(config.read_text() + f"  debug:\n    image: {reg}/frontend\n    envs:\n"
                                           "      demo: {overlay: kustomize}\n")
    r = run(repo, "set-image", "frontend", ":v0.10.2", "--env", "demo")
    assert r.exit_code == 1  # the debug app runs the same image: its state moves too
    assert "also changes the render of debug/demo" in r.stderr


def test_layout_reads_the_directory_entries_as_yaml_does() -> None:
    """Every kustomization of the render corpus: the entries Layout reads line by line are YAML's."""
    import yaml

    corpus = Path(__file__).resolve().parents[1] / "render/corpus"
    layout = Layout(FileView(root=corpus))
    checked = 0
    for file in sorted(corpus.rglob("kustomization.yaml")):
        try:
            data = yaml.safe_load(file.read_text())
        except yaml.YAMLError:
            continue
        if not isinstance(data, dict):
            continue
        want = [str(e) for f in ("resources", "bases", "components", "generators", "transformers", "validators")
                for e in (data.get(f) if isinstance(data.get(f), list) else [])
                if not isinstance(e, dict | list)]
        assert layout.entries(str(file.parent)) == want, file
        checked += 1
    assert checked > 100


def test_a_batch_may_change_its_own_envs_but_not_others(guestbook: Path) -> None:
    config = guestbook / "gitshift.yaml"
    config.write_text(config.read_text().replace("      plain: {overlay: helm-guestbook}\n", "")
                      + f"  frontend:\n    image: {IMG}\n    envs:\n"
                      + "      kustomize-guestbook: {overlay: helm-guestbook}\n")
    # guestbook/kustomize-guestbook changes pre-post-sync, which is not in the batch: refused.
    r = run(guestbook, "set-image", "guestbook=:v6", "frontend=:v6", "--env", "kustomize-guestbook")
    assert r.exit_code == 1, r.output
    assert "also changes the render of guestbook/pre-post-sync" in r.stderr
    r = run(guestbook, "set-image", "guestbook=:v6", "frontend=:v6", "--env", "kustomize-guestbook",
            "--allow-other-envs", "-o", "json")
    assert r.exit_code == 0, r.output
    assert [[a["env"] for a in s["affected"]] for s in json.loads(r.stdout)["shifts"]] == [
        ["kustomize-guestbook", "pre-post-sync"], ["kustomize-guestbook"]]
