"""Hypothesis-generated overlays: the builtin engine and kubectl kustomize must agree."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.render.conftest import git_init

from gitshift.render.builtin import BuiltinRenderer

BASE = {
    "base/kustomization.yaml": (
        "resources:\n- app.yaml\n"
        "configMapGenerator:\n- name: settings\n  literals:\n  - MODE=base\n"
    ),
    "base/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      initContainers:
      - name: init
        image: busybox:1.36
      containers:
      - name: app
        image: registry.example.com/web:1.0
        envFrom:
        - configMapRef:
            name: settings
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
""",
}

_word = st.from_regex(r"[a-z][a-z0-9]{2,7}", fullmatch=True).filter(
    lambda w: w not in {"yes", "off", "true", "null"}
)
_label_key = st.one_of(_word, st.builds(lambda a, b: f"{a}.example.com/{b}", _word, _word))
_labels = st.dictionaries(_label_key, _word, max_size=3)
_image = st.fixed_dictionaries(
    {"name": st.sampled_from(["registry.example.com/web", "busybox"])},
    optional={
        "newTag": st.from_regex(r"[0-9]\.[0-9]{1,2}(-rc[0-9])?", fullmatch=True),
        "newName": st.builds(lambda w: f"mirror.example.com/{w}", _word),
        "digest": st.just("sha256:" + "ab" * 32),
    },
)
_patch = st.fixed_dictionaries(
    {},
    optional={
        "replicas": st.integers(0, 20),
        "env": st.dictionaries(
            st.from_regex(r"[A-Z][A-Z_]{1,6}", fullmatch=True), _word, max_size=3
        ),
        "annotations": _labels,
    },
)
_overlay = st.fixed_dictionaries(
    {},
    optional={
        "namespace": _word,
        "namePrefix": st.builds(lambda w: f"{w}-", _word),
        "nameSuffix": st.builds(lambda w: f"-{w}", _word),
        "commonLabels": _labels,
        "labels": st.lists(
            st.fixed_dictionaries(
                {"pairs": _labels},
                optional={"includeSelectors": st.booleans(), "includeTemplates": st.booleans()},
            ),
            max_size=2,
        ),
        "commonAnnotations": _labels,
        "images": st.lists(_image, max_size=3),
        "replicas": st.lists(
            st.builds(lambda c: {"name": "web", "count": c}, st.integers(0, 9)), max_size=1
        ),
        "patch": _patch,
        "configMapGenerator": st.lists(
            st.builds(
                lambda v: {"name": "settings", "behavior": "merge", "literals": [f"EXTRA={v}"]},
                _word,
            ),
            max_size=1,
        ),
    },
)


def _patch_doc(patch: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
    }
    if patch.get("annotations"):
        doc["metadata"]["annotations"] = patch["annotations"]
    spec: dict[str, Any] = {}
    if "replicas" in patch:
        spec["replicas"] = patch["replicas"]
    if patch.get("env"):
        env = [{"name": k, "value": v} for k, v in patch["env"].items()]
        spec["template"] = {"spec": {"containers": [{"name": "app", "env": env}]}}
    if spec:
        doc["spec"] = spec
    return doc


def _kustomization(overlay: dict[str, Any]) -> str:
    fields: dict[str, Any] = {"resources": ["../base"]}
    for key, value in overlay.items():
        if key == "patch":
            fields["patches"] = [{"patch": json.dumps(_patch_doc(value))}]
        elif key == "labels":
            fields[key] = [entry for entry in value if entry["pairs"]]
        elif value or key in ("namespace", "namePrefix", "nameSuffix"):
            fields[key] = value
    # JSON is YAML; quoting every string keeps both parsers in agreement.
    return json.dumps(fields, indent=1)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overlay=_overlay)
def test_random_overlays_match_kubectl(
    overlay: dict[str, Any], oracle: Callable[[Path], str]
) -> None:
    tmp = git_init(Path(tempfile.mkdtemp(prefix="gitshift-prop-")))
    try:
        for rel, text in {**BASE, "overlay/kustomization.yaml": _kustomization(overlay)}.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(text)
        want = oracle(tmp / "overlay")
        assert BuiltinRenderer().render_text(tmp / "overlay") == want
    finally:
        shutil.rmtree(tmp)
