"""Hostile repository content: gitshift renders pull requests for anyone who may comment, on CI
runners that hold a forge token. The builtin renderer must not read the process environment or
anything outside the repository (in the working tree and in commit views alike), must bound its
work, and must refuse what it cannot render safely with exit 2 naming the file.
"""

from __future__ import annotations

import base64
import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from click.testing import Result
from tests.conftest import PROJECT, git, run

from gitshift.errors import GitshiftError
from gitshift.files import OUTSIDE
from gitshift.gitops.treeview import GitTreeView
from gitshift.render.builtin import BuiltinRenderer, limits, regex

SECRET = "TOPSECRET-7f3a9c"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: b\n"
OUTSIDE_FILES = {
    "secret.txt": f"{SECRET}\n",
    "app.env": f"TOKEN={SECRET}\n",
    "cm.yaml": CM.replace("name: cm", "name: leaked").replace("a: b", f"a: {SECRET}"),
    "patch.yaml": CM.replace("a: b", f"a: {SECRET}"),
    "replacements.yaml": f"- source: {{kind: ConfigMap, name: cm, fieldPath: data.a}}\n"
                         f"  targets: [{{select: {{kind: ConfigMap}}, fieldPaths: [data.{SECRET}]}}]\n",
    "base/kustomization.yaml": "resources:\n- cm.yaml\n",
    "base/cm.yaml": CM.replace("name: cm", "name: leaked").replace("a: b", f"a: {SECRET}"),
    "comp/kustomization.yaml": f"apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                               f"commonLabels:\n  leak: {SECRET}\n",
}


def make_repo(tmp_path: Path, files: Mapping[str, str], links: Mapping[str, str] | None = None) -> Path:
    """A committed git repository at ``tmp_path/repo`` beside ``tmp_path/outside`` (secrets)."""
    for rel, text in OUTSIDE_FILES.items():
        (tmp_path / "outside" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "outside" / rel).write_text(text)
    root = tmp_path / "repo"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.replace("@OUTSIDE@", str(tmp_path / "outside")))
    for rel, target in (links or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target.replace("@OUTSIDE@", str(tmp_path / "outside")))
    root.mkdir(exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", "content")
    return root


def render_cli(path: Path) -> Result:
    """``gitshift render PATH`` in-process: the working tree view."""
    return run(None, "--engine", "builtin", "render", str(path))


def render_commit(root: Path, path: Path) -> tuple[int, str]:
    """The builtin engine over the committed tree (as ``--commit`` and ``comment`` read it)."""
    view = GitTreeView.at(root, root / ".git", "HEAD")
    try:
        return 0, BuiltinRenderer().render_text(path, view)
    except GitshiftError as exc:
        return exc.exit_code, f"gitshift: error: {exc}"
    finally:
        view.close()


def refused(result: Result) -> str:
    """The one error line of a refused command (exit 2)."""
    assert result.exit_code == 2, result.output
    return result.output.splitlines()[0]


# -- 1. the process environment never reaches a render ------------------------------------------


@pytest.mark.parametrize("field", ["configMapGenerator", "secretGenerator"])
def test_env_file_key_without_value_is_empty_not_the_environment(
    tmp_path: Path, field: str, monkeypatch: pytest.MonkeyPatch, oracle: Callable[[Path], str]
) -> None:
    monkeypatch.setenv("LEAK_PROBE_TOKEN", SECRET)
    root = make_repo(tmp_path, {
        "app/kustomization.yaml": f"{field}:\n- name: settings\n  envs:\n  - app.env\n",
        "app/app.env": "LEAK_PROBE_TOKEN\nHOME\nMODE=prod\n",
    })
    r = render_cli(root / "app")
    assert r.exit_code == 0, r.output
    assert SECRET not in r.stdout and base64.b64encode(SECRET.encode()).decode() not in r.stdout
    assert r.stdout == oracle(root / "app")  # kubectl kustomize (v5.5) renders the key as ""
    assert render_commit(root, root / "app") == (0, r.stdout)


def test_renderer_source_never_reads_the_environment() -> None:
    pattern = re.compile(r"os\.environ|getenv|expandvars|expanduser|environ\[")
    hits = [f"{p}:{n}" for p in sorted((PROJECT / "src" / "gitshift" / "render").rglob("*.py"))
            for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert hits == []


# -- 2. nothing outside the repository is read, in the working tree and in commits --------------

LEAKS = {
    "resource file": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n"},
        {"app/cm.yaml": "../../outside/cm.yaml"}, "app/cm.yaml"),
    "patch file": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: patch.yaml\n", "app/cm.yaml": CM},
        {"app/patch.yaml": "@OUTSIDE@/patch.yaml"}, "app/patch.yaml"),
    "strategic merge patch file": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatchesStrategicMerge:\n- patch.yaml\n",
         "app/cm.yaml": CM},
        {"app/patch.yaml": "../../outside/patch.yaml"}, "app/patch.yaml"),
    "generator file (/etc/passwd)": (
        {"app/kustomization.yaml": "configMapGenerator:\n- name: x\n  files:\n  - passwd\n"},
        {"app/passwd": "/etc/passwd"}, "app/passwd"),
    "generator file": (
        {"app/kustomization.yaml": "secretGenerator:\n- name: x\n  files:\n  - token=secret.txt\n"},
        {"app/secret.txt": "../../outside/secret.txt"}, "app/secret.txt"),
    "generator env file": (
        {"app/kustomization.yaml": "configMapGenerator:\n- name: x\n  envs:\n  - app.env\n"},
        {"app/app.env": "@OUTSIDE@/app.env"}, "app/app.env"),
    "replacements file": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\nreplacements:\n- path: r.yaml\n", "app/cm.yaml": CM},
        {"app/r.yaml": "../../outside/replacements.yaml"}, "app/r.yaml"),
    "folder on the way to a file": (
        {"app/kustomization.yaml": "resources:\n- sub/cm.yaml\n"},
        {"app/sub": "../../outside"}, "app/sub/cm.yaml"),
    "resources folder symlink": (
        {"app/kustomization.yaml": "resources:\n- base\n"},
        {"app/base": "@OUTSIDE@/base"}, "app/base"),
    "components folder symlink": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\ncomponents:\n- comp\n", "app/cm.yaml": CM},
        {"app/comp": "../../outside/comp"}, "app/comp"),
    "absolute resources folder": (
        {"app/kustomization.yaml": "resources:\n- @OUTSIDE@/base\n"}, {}, "../outside/base"),
    "relative resources folder above the repository": (
        {"app/kustomization.yaml": "resources:\n- ../../outside/base\n"}, {}, "../outside/base"),
    "the overlay itself": (
        {"app/kustomization.yaml": "resources:\n- ../link\n"}, {"link": "../outside/base"}, "link"),
}


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_outside_content_is_refused_in_both_views(tmp_path: Path, case: str) -> None:
    files, links, entry = LEAKS[case]
    root = make_repo(tmp_path, files, links)
    line = refused(render_cli(root / "app"))
    assert line.startswith(f"gitshift: error: {OUTSIDE} (")
    named = Path(line[line.rindex("(") + 1:-1])
    assert named == Path(os.path.normpath(root / entry)), line
    code, message = render_commit(root, root / "app")
    assert (code, message) == (2, line)  # the commit view agrees, word for word


def test_rendering_a_symlink_to_outside_is_refused(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {}, {"app": "../outside/base"})
    assert refused(render_cli(root / "app")).startswith(f"gitshift: error: {OUTSIDE}")
    assert render_commit(root, root / "app")[0] == 2


@pytest.mark.parametrize("case", ["file in the kustomization folder", "base folder elsewhere in the repository"])
def test_symlinks_inside_the_repository_render_as_kubectl_does(
    tmp_path: Path, case: str, oracle: Callable[[Path], str]
) -> None:
    if case.startswith("file"):
        files = {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/real/cm.yaml": CM}
        links = {"app/cm.yaml": "real/cm.yaml"}
    else:
        files = {"app/kustomization.yaml": "resources:\n- base\n", "shared/base/kustomization.yaml":
                 "resources:\n- cm.yaml\n", "shared/base/cm.yaml": CM}
        links = {"app/base": "../shared/base"}
    root = make_repo(tmp_path, files, links)
    r = render_cli(root / "app")
    assert r.exit_code == 0, r.output
    assert r.stdout == oracle(root / "app")
    assert render_commit(root, root / "app") == (0, r.stdout)


def test_an_external_engine_gets_a_commit_s_symlinks_as_a_checkout_has_them(
    tmp_path: Path, oracle: Callable[[Path], str]
) -> None:
    """A commit copied out for kubectl (``--engine auto`` falling back): a symlink elsewhere in the
    repository pointing outside is no concern of the overlay's, and one inside still works."""
    from gitshift.render.external import ExternalRenderer

    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/real/cm.yaml": CM},
                     {"app/cm.yaml": "real/cm.yaml", "docs/passwd": "/etc/passwd", "docs/up": "../../outside"})
    view = GitTreeView.at(root, root / ".git", "HEAD")
    try:
        assert ExternalRenderer("kubectl").render_text(root / "app", view) == oracle(root / "app")
    finally:
        view.close()


def test_symlink_loop_is_refused_in_both_views(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- a.yaml\n"},
                     {"app/a.yaml": "b.yaml", "app/b.yaml": "a.yaml"})
    refused(render_cli(root / "app"))
    assert render_commit(root, root / "app")[0] == 2


def test_render_outside_git_is_confined_to_the_path(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    (tmp_path / "base" / "cm.yaml").write_text(CM)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text("resources:\n- ../base\n")
    assert refused(render_cli(tmp_path / "app")).startswith(f"gitshift: error: {OUTSIDE}")
    assert render_cli(tmp_path / "base").exit_code == 0


# -- 3. bounded work ---------------------------------------------------------------------------


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))


HANG = 600
"""Seconds after which a gitshift process is stopped: a guard against a hang, never a measure.

No assertion here reads a clock. Work is bounded by counts (limits), which the tests
reach; the inputs that test linear-time matching are sized so that a backtracking or
quadratic matcher would run for hours, far past this guard even on a loaded machine.
"""


def gitshift_process(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """gitshift in its own process, its memory bounded (a runaway fails) and a hang guard (HANG)."""
    try:
        return subprocess.run([sys.executable, "-m", "gitshift", "--engine", "builtin", *args], cwd=root,
                              capture_output=True, text=True, timeout=HANG, preexec_fn=_limit_memory,
                              check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"gitshift {' '.join(args)} still ran after {HANG} s: its work is not bounded")


LAUGHS = "".join(
    f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10)
)
BOMB = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n  annotations:\n    l0: &l0 lol\ndata:\n" + LAUGHS
COPIES = "".join(f"- op: copy\n  from: /data\n  path: /data/c{i}\n" for i in range(30))
REPLACEMENTS = "replacements:\n" + "".join(
    "- source: {kind: ConfigMap, name: cm, fieldPath: data}\n"
    f"  targets: [{{select: {{kind: ConfigMap}}, fieldPaths: [data.r{i}], options: {{create: true}}}}]\n"
    for i in range(30))


def _diamond(levels: int) -> dict[str, str]:
    files = {f"d{levels}/kustomization.yaml": "resources:\n- cm.yaml\n", f"d{levels}/cm.yaml": CM}
    for i in range(levels):
        files[f"d{i}/kustomization.yaml"] = f"resources:\n- ../d{i + 1}\n- ../p{i}\n"
        files[f"p{i}/kustomization.yaml"] = f"namePrefix: p{i}-\nresources:\n- ../d{i + 1}\n"
    files["app/kustomization.yaml"] = "resources:\n- ../d0\n"
    return files


BOUNDED = {
    "alias bomb in a resource": (
        {"app/kustomization.yaml": "resources:\n- bomb.yaml\n", "app/bomb.yaml": BOMB},
        "YAML aliases repeat more than", "app/bomb.yaml"),
    "alias bomb in the kustomization": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\ncommonAnnotations:\n  l0: &l0 lol\n" + LAUGHS,
         "app/cm.yaml": CM},
        "YAML aliases repeat more than", "app/kustomization.yaml"),
    "alias bomb in a patch": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n", "app/cm.yaml": CM,
         "app/p.yaml": BOMB.replace("name: bomb", "name: cm")},
        "YAML aliases repeat more than", "app/p.yaml"),
    "JSON patch copies doubling an object": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: copy.yaml\n"
         "  target:\n    kind: ConfigMap\n", "app/cm.yaml": CM.replace("a: b", "a: " + "b" * 64),
         "app/copy.yaml": COPIES},
        "the render builds more than", "app/copy.yaml"),
    "replacements doubling an object": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n" + REPLACEMENTS,
         "app/cm.yaml": CM.replace("a: b", "a: " + "b" * 64)},
        "the render builds more than", "app/kustomization.yaml"),
    "a base included through 2^24 paths": (
        _diamond(24), f"the render builds more than {limits.MAX_KUSTOMIZATIONS} kustomizations", "d2[34]"),
    "a base with many objects included through 2^12 paths": (
        {**_diamond(12), "d12/cm.yaml": "---\n".join(CM.replace("name: cm", f"name: cm{i}") for i in range(20))},
        f"the render builds more than {limits.MAX_OBJECTS} objects", "d12/cm.yaml"),
    "too many objects in one file": (
        {"app/kustomization.yaml": "resources:\n- many.yaml\n", "app/many.yaml": "---\n".join(
            CM.replace("name: cm", f"name: cm{i}") for i in range(limits.MAX_OBJECTS + 1))},
        f"the render builds more than {limits.MAX_OBJECTS} objects", "app/many.yaml"),
}


@pytest.mark.parametrize("case", sorted(BOUNDED))
def test_runaway_work_is_refused(tmp_path: Path, case: str) -> None:
    files, message, where = BOUNDED[case]
    root = make_repo(tmp_path, files)
    done = gitshift_process(root, "render", "app")
    assert done.returncode == 2, done.stderr[-2000:]
    assert message in done.stderr, done.stderr
    assert re.search(re.escape(f"({root}{os.sep}") + where.replace(".", r"\.") + r"\)", done.stderr), done.stderr


def test_alias_bomb_in_an_overlay_fails_status(example_repo: Path) -> None:
    overlay = example_repo / "overlays" / "dev"
    (overlay / "bomb.yaml").write_text(BOMB)
    kust = overlay / "kustomization.yaml"
    kust.write_text(kust.read_text().replace("resources:\n", "resources:\n- bomb.yaml\n", 1))
    done = gitshift_process(example_repo, "status")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "YAML aliases repeat more than" in done.stderr and str(overlay / "bomb.yaml") in done.stderr


def test_alias_bomb_is_refused_where_ruamel_reads_an_overlay_file() -> None:
    from gitshift.rewrite import yamldoc

    with pytest.raises(limits.LimitError, match="YAML aliases repeat more than") as info:
        yamldoc.load(Path("/repo/overlay/bomb.yaml"), BOMB.encode())
    assert info.value.where == "/repo/overlay/bomb.yaml" and info.value.exit_code == 2


BACKTRACKING = "a" * 40 + "b"  # (a+)+$ tries 2^40 ways on it when it backtracks
SELECTOR_TERMS = 400_000  # splitting on commas outside parentheses with a lookahead is quadratic: about an hour
NUMERIC_RUN = 100_000  # a numeric-looking run this long: minutes per value for an ambiguous float pattern


@pytest.mark.parametrize("case", ["patch target name", "patch target namespace", "image name",
                                  "label selector", "long numeric-looking strings"])
def test_patterns_from_content_match_in_linear_time_as_kubectl_does(
    tmp_path: Path, case: str, oracle: Callable[[Path], str]
) -> None:
    """Rendered as kubectl renders them, in a process the hang guard would stop (HANG): the inputs
    take a backtracking or quadratic matcher hours."""
    cm = CM.replace("name: cm", f"name: {BACKTRACKING}\n  namespace: {BACKTRACKING}")
    deploy = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {{app: web}}\nspec:\n"
              f"  template:\n    spec:\n      containers:\n      - name: c\n        image: {BACKTRACKING}\n")
    patch = "  patch: |-\n    - {op: add, path: /data/x, value: z}\n"
    kust = {
        "patch target name": f"patches:\n- target: {{kind: ConfigMap, name: '(a+)+$'}}\n{patch}",
        "patch target namespace": f"patches:\n- target: {{kind: ConfigMap, namespace: '(a+)+$'}}\n{patch}",
        "image name": "images:\n- name: (a+)+$\n  newTag: v2\n",
        "label selector": "patches:\n- target: {labelSelector: '" + ",".join(["app"] * SELECTOR_TERMS) + "'}\n"
                          "  patch: |-\n    - {op: add, path: /metadata/annotations, value: {x: z}}\n",
        "long numeric-looking strings": "",
    }[case]
    runs = ["1", "1.", "0x1", "1:", "1_", "-1", "2001-01-01 "]
    values = [f"  q{i}: '{v * NUMERIC_RUN}x'\n  p{i}: {v * NUMERIC_RUN}x" for i, v in enumerate(runs)]
    cm_long = CM.replace("name: cm", "name: long").replace("  a: b", "\n".join(values))
    long = "- long.yaml\n" if case.startswith("long") else ""
    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- cm.yaml\n- deploy.yaml\n" + long + kust,
                                "app/cm.yaml": cm, "app/deploy.yaml": deploy, "app/long.yaml": cm_long})
    done = gitshift_process(root, "render", "app")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == oracle(root / "app")


def test_patterns_from_content_are_compiled_by_re2() -> None:
    """A pattern with an operator is RE2's (no backtracking); a plain name, Python's (the same match)."""
    import re2  # type: ignore[import-untyped]

    for pattern in ("(a+)+$", "web-.*", "a|b", "(?i)WEB"):
        assert isinstance(regex.anchored(pattern, "target.name", "k.yaml"), re2._Regexp), pattern
    assert isinstance(regex.anchored("web-1.example", "target.name", "k.yaml"), re.Pattern)
    assert regex.anchored("web.1", "target.name", "k.yaml").search("webx1")
    assert not regex.anchored("web", "target.name", "k.yaml").search("web\n")  # $ is the end, as in Go


@pytest.mark.parametrize("pattern", ["(", "(a)\\1", "(?=a)a", "a++", "(?>a)", "a{1001}"])
def test_patterns_re2_lacks_are_refused_with_exit_2(tmp_path: Path, pattern: str) -> None:
    root = make_repo(tmp_path, {
        "app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n  target:\n"
                                  f"    name: '{pattern}'\n",
        "app/cm.yaml": CM, "app/p.yaml": "- {op: add, path: /data/x, value: y}\n"})
    line = refused(render_cli(root / "app"))
    assert f"invalid regular expression {pattern!r} in target.name: " in line
    assert line.endswith(f"({root / 'app' / 'p.yaml'})")
    assert render_commit(root, root / "app") == (2, line)


def test_file_past_the_size_limit_is_refused_in_both_views(tmp_path: Path) -> None:
    big = CM + "  pad: '" + "x" * limits.MAX_FILE_BYTES + "'\n"
    root = make_repo(tmp_path, {"app/kustomization.yaml": "resources:\n- big.yaml\n", "app/big.yaml": big})
    line = refused(render_cli(root / "app"))
    assert f"file is larger than {limits.MAX_FILE_BYTES} bytes ({root / 'app' / 'big.yaml'})" in line
    assert render_commit(root, root / "app") == (2, line)


# -- 4. malformed content is bad input (exit 2 naming the file), never a crash ------------------

MALFORMED = {
    "duplicate key in the kustomization": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\nnamePrefix: a-\nnamePrefix: b-\n", "app/cm.yaml": CM},
        "duplicate key 'namePrefix' (first at line 3)", "app/kustomization.yaml:4"),
    "duplicate key in a resource": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/cm.yaml": CM + "  a: c\n"},
        "duplicate key 'a' (first at line 6)", "app/cm.yaml:7"),
    "duplicate key in a flow mapping": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n",
         "app/cm.yaml": CM.replace("data:\n  a: b\n", "data: {a: b, a: c}\n")},
        "duplicate key 'a' (first at line 5)", "app/cm.yaml:5"),
    "duplicate key in a patch": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n", "app/cm.yaml": CM,
         "app/p.yaml": CM + "  a: c\n"},
        "duplicate key 'a' (first at line 6)", "app/p.yaml:7"),
    "duplicate key beside a merge key": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n",
         "app/cm.yaml": CM.replace("data:\n  a: b\n", "data:\n  <<: {x: y}\n  a: b\n  a: c\n")},
        "duplicate key 'a' (first at line 7)", "app/cm.yaml:8"),
    "nesting 500 deep": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n",
         "app/cm.yaml": CM.replace("a: b", "a: " + "[" * 500 + "]" * 500)},
        f"YAML nests deeper than {limits.MAX_DEPTH} levels", "app/cm.yaml"),
    "patch target name that is not a regular expression": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- target: {name: '('}\n"
         "  patch: '[{op: add, path: /data/x, value: y}]'\n", "app/cm.yaml": CM},
        "invalid regular expression '(' in target.name: missing )", "app/kustomization.yaml"),
    "namePrefix as a list": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\nnamePrefix: [a, b]\n", "app/cm.yaml": CM},
        "cannot unmarshal array into Go struct field Kustomization.namePrefix of type string",
        "app/kustomization.yaml"),
    "namespace as a map": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\nnamespace: {x: 1}\n", "app/cm.yaml": CM},
        "cannot unmarshal object into Go struct field Kustomization.namespace of type string",
        "app/kustomization.yaml"),
    "metadata.name as a map": (
        {"app/kustomization.yaml": "resources:\n- cm.yaml\n", "app/cm.yaml": CM.replace("name: cm", "name: {x: 1}")},
        "`metadata.name` must be a string, not a map", "app/cm.yaml"),
    "generator name as a list": (
        {"app/kustomization.yaml": "configMapGenerator:\n- name: [a]\n  literals: [a=b]\n"},
        "cannot unmarshal array into Go struct field ConfigMapArgs.configMapGenerator.name of type string",
        "app/kustomization.yaml"),
    "env file that is not UTF-8": (
        {"app/kustomization.yaml": "configMapGenerator:\n- name: x\n  envs: [bad.env]\n",
         "app/bad.env": "A=1\n"}, "is not UTF-8 (line 2)", "app/bad.env"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_content_is_bad_input_naming_the_file(tmp_path: Path, case: str) -> None:
    files, message, where = MALFORMED[case]
    root = make_repo(tmp_path, files)
    if case.startswith("env file"):
        (root / "app" / "bad.env").write_bytes(b"A=1\nB=\xff\xfe\n")
        git(root, "commit", "-qam", "binary")
    line = refused(render_cli(root / "app"))
    assert line.startswith("gitshift: error: ") and message in line and line.endswith(f"({root / where})"), line
    assert render_commit(root, root / "app") == (2, line)


@pytest.mark.parametrize("case", ["duplicate key in a resource", "namePrefix as a list", "metadata.name as a map",
                                  "patch target name that is not a regular expression"])
def test_kubectl_refuses_the_same_content(tmp_path: Path, case: str, oracle: Callable[[Path], str]) -> None:
    root = make_repo(tmp_path, MALFORMED[case][0])
    with pytest.raises(RuntimeError):
        oracle(root / "app")


def test_utf16_kustomization_renders_as_kubectl_and_an_edit_is_bad_input(
    example_repo: Path, oracle: Callable[[Path], str]
) -> None:
    from tests.conftest import snapshot

    kust = example_repo / "overlays" / "dev" / "kustomization.yaml"
    kust.write_bytes(kust.read_text().encode("utf-16"))
    git(example_repo, "commit", "-qam", "utf-16")
    r = render_cli(example_repo / "overlays" / "dev")
    assert r.exit_code == 0, r.output
    assert r.stdout == oracle(example_repo / "overlays" / "dev")
    before = snapshot(example_repo)
    for args in (["set-image", "web", ":2.0.0", "--env", "dev"],
                 ["set-image", "web", ":2.0.0", "--env", "dev", "--commit"]):
        line = refused(run(example_repo, "--engine", "builtin", *args))
        assert line == f"gitshift: error: the file is not UTF-8; gitshift edits UTF-8 files only ({kust})"
        assert snapshot(example_repo) == before
