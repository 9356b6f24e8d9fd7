"""What a wheel of conflictkg holds: every package of the source tree, under its import name."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_every_package_in_the_tree_is_listed_in_pyproject() -> None:
    # An editable install finds an unlisted package anyway; a built wheel would leave it out.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = set()
    for name, folder in config["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            if "node_modules" in init.parts:
                continue
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join([name, *relative]))
    assert found and sorted(found) == sorted(config["packages"])
