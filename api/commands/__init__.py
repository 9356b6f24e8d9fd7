"""The ``conflictkg`` command line: one module per command group, each calling the core."""

from __future__ import annotations

import sys

from rich.console import Console

# Importing a command module registers its commands on the root app.
from conflictkg.api.commands import data, query, serve  # noqa: F401
from conflictkg.api.commands import store  # noqa: F401
from conflictkg.api.commands import check  # noqa: F401
from conflictkg.api.commands import imports  # noqa: F401
from conflictkg.api.commands import network  # noqa: F401
from conflictkg.api.commands import reports  # noqa: F401
from conflictkg.api.commands import search  # noqa: F401
from conflictkg.api.commands.root import app
from conflictkg.graph.errors import KGError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the console script: core errors become a message and exit status 2."""
    try:
        app(standalone_mode=True)
    except KGError as err:
        # Not wrapped: a path or URL in the message stays whole, to copy.
        Console(stderr=True).print(f"[bold red]error:[/] {err}", highlight=False, soft_wrap=True)
        sys.exit(2)
