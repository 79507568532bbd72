"""Build hook: the example GitOps tree at the repository root ships inside the wheel as gitshift/example.

The tree stays in one place (the repository root, where README and `make demo` use it); `gitshift demo`
run from an installed wheel finds the copy, and tests/docs/test_packaging.py checks the copy equals it.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLE = ("base", "overlays", "deploy", "gitshift.yaml", "examples/helm")  # as gitshift.cli.demo.EXAMPLE


class BuildWithExample(build_py):
    """``build_py`` that also copies the example tree into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout, where the tree already is
        root = Path(__file__).resolve().parent
        dest = Path(self.build_lib) / "gitshift" / "example"
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for name in EXAMPLE:
            if (root / name).is_dir():
                shutil.copytree(root / name, dest / name)
            else:
                shutil.copy2(root / name, dest / name)


setup(cmdclass={"build_py": BuildWithExample})
