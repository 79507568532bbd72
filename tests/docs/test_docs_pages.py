"""The generated reference pages match their sources; the config key table is what the loader accepts."""

from __future__ import annotations

import ast
import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import PROJECT

from gitshift import config
from gitshift.cli import docs
from gitshift.cli.app import cli
from gitshift.errors import ConfigError

DOCS = PROJECT / "docs"
ROOT = Path("/repo")


def test_generated_pages_are_current() -> None:
    stale = docs.stale(DOCS)
    assert stale == [], f"regenerate with `make docs`: {[str(p.relative_to(PROJECT)) for p in stale]}"


def test_check_mode_reports_a_stale_page(tmp_path: Path) -> None:
    copy_of = tmp_path / "docs"
    subprocess.run(["cp", "-r", str(DOCS), str(copy_of)], check=True)
    check = [sys.executable, "-m", "gitshift.cli.docs", "--check", str(copy_of)]
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0
    page = copy_of / "configuration.md"
    page.write_text(page.read_text().replace("| `forge.retries` |", "| `forge.retry` |"))
    proc = subprocess.run(check, capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and "configuration.md" in proc.stderr
    assert subprocess.run([*check[:3], str(copy_of)], capture_output=True, check=False).returncode == 0
    assert subprocess.run(check, capture_output=True, check=False).returncode == 0  # rewritten


def test_every_key_is_documented_with_type_default_and_meaning() -> None:
    page = (DOCS / "configuration.md").read_text()
    paths = [k.path for k in config.KEYS]
    assert len(paths) == len(set(paths))
    for key in config.KEYS:
        assert key.type and key.default and key.doc, key
        assert f"| `{key.path}` |" in page, key.path
        parent = key.path.rsplit(".", 1)[0] if "." in key.path else ""
        assert parent == "" or parent in paths or parent.removesuffix("[]") in paths, f"{key.path}: no parent"


def _placed(path: str, value: Any) -> dict[str, Any]:
    """A minimal valid config with ``value`` at ``path`` (``<app>``, ``<env>``, ``[]`` filled in)."""
    doc: dict[str, Any] = {"apps": {"web": {"envs": {"prod": {"overlay": "o"}}}}}
    env = doc["apps"]["web"]["envs"]["prod"]
    if ".bluegreen." in path:
        env["strategy"] = "bluegreen"
    if ".canary." in path:
        env["strategy"] = "canary"
    node: Any = doc
    parts = path.replace("<app>", "web").replace("<env>", "prod").split(".")
    sections = [".".join(path.split(".")[:i]) for i in range(1, len(parts))]
    for part, section in zip(parts[:-1], sections, strict=True):
        node = node.setdefault(part[:-2], [{}])[0] if part.endswith("[]") else node.setdefault(part, {})
        for key in config.KEYS:  # the section's required keys, from their examples
            leaf = key.path.rsplit(".", 1)[-1]
            if key.path == f"{section}.{leaf}" and key.default.startswith("required") and key.example is not None:
                node.setdefault(leaf, copy.deepcopy(key.example))
        if section.endswith("checks[]") and not {"max", "min"} & set(node):
            node["max"] = 1  # a check needs a bound, and a Prometheus to ask
            doc["gates"] = {"prometheus": {"url": "http://prometheus:9090"}}
    node[parts[-1]] = copy.deepcopy(value)
    return doc


@pytest.mark.parametrize("key", [k for k in config.KEYS if k.example is not None], ids=lambda k: k.path)
def test_each_example_loads(key: config.Key) -> None:
    text = yaml.safe_dump(_placed(key.path, key.example))
    loaded = config.parse(text, ROOT / "gitshift.yaml", ROOT)
    assert "prod" in loaded.apps["web"].envs


SECTIONS = sorted({k.path.rsplit(".", 1)[0] for k in config.KEYS if "." in k.path} - {"apps", "apps.<app>.envs"})


@pytest.mark.parametrize("section", ["", *SECTIONS])
def test_an_undeclared_key_is_refused_in_every_section(section: str) -> None:
    path = f"{section}.colour" if section else "colour"
    with pytest.raises(ConfigError, match="colour: unknown key") as exc:
        config.parse(yaml.safe_dump(_placed(path, "red")), ROOT / "gitshift.yaml", ROOT)
    assert exc.value.exit_code == 2 and "known keys: " in exc.value.hint


def _read_keys() -> set[str]:
    """String keys the config package reads from a mapping: ``m.get("k")`` and the ``_Reader`` helpers' key argument."""
    found = set()
    nodes = [n for f in sorted(Path(config.__file__).parent.glob("*.py")) for n in ast.walk(ast.parse(f.read_text()))]
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        index = {"get": 0, "string": 1, "choice": 1, "strings": 1}.get(node.func.attr)
        if index is not None and len(node.args) > index:
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def test_every_key_the_loader_reads_is_declared() -> None:
    leaves = {k.path.rsplit(".", 1)[-1].removesuffix("[]") for k in config.KEYS}
    undeclared = _read_keys() - leaves
    assert undeclared == set(), f"declare these in config.KEYS: {sorted(undeclared)}"
    assert {"overlay", "retries", "steps", "min_permission"} <= _read_keys()  # the scan sees the reads


def test_commands_page_lists_every_command_and_option() -> None:
    import click

    page = (DOCS / "commands.md").read_text()

    def walk(cmd: click.Command, path: str) -> None:
        assert f"## `{path}`" in page or cmd is cli, path
        for param in cmd.params:
            if isinstance(param, click.Option) and param.name not in (*docs.GLOBAL_OPTIONS, "help"):
                assert any(opt in page for opt in param.opts), (path, param.opts)
        if isinstance(cmd, click.Group):
            for name, sub in cmd.commands.items():
                walk(sub, f"{path} {name}")

    walk(cli, "gitshift")


def test_readme_links_the_docs() -> None:
    readme = (PROJECT / "README.md").read_text()
    for page in ("configuration", "json-output", "preparing", "commands", "troubleshooting"):
        assert f"(docs/{page}.md)" in readme, page


def test_readme_explains_the_options_make_test_gives_pytest() -> None:
    recipe = (PROJECT / "Makefile").read_text().split("\ntest:", 1)[1].split("\n\n", 1)[0]
    options = [w.split("=", 1)[0] for w in recipe.split() if w.startswith("--")]
    assert "--cpu-durations" in options
    readme = (PROJECT / "README.md").read_text()
    assert [o for o in options if f"`{o}" not in readme and f" {o}" not in readme] == []
    assert "--cpu-durations=N" in readme
