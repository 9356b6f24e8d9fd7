"""The command line starts without loading the analysis wings: a command imports the core it calls."""

from __future__ import annotations

import json
import subprocess
import sys

#: Modules only some commands need; loading them at start-up cost every command ~1.5 s.
HEAVY = ("networkx", "scipy", "owlready2", "conflictkg.graph.networks", "conflictkg.graph.reports", "fastapi")


def test_importing_the_cli_loads_no_analysis_wing() -> None:
    probe = (
        "import json, sys; import conflictkg.api.commands; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_importing_the_app_and_a_reader_loads_no_network_analysis() -> None:
    # Every process of `serve --readers` imports these; networkx and scipy come with the first analysis asked for.
    probe = (
        "import json, sys; import conflictkg.api.app, conflictkg.api.reader; "
        "print(json.dumps(sorted(m for m in ('networkx', 'scipy', 'numpy', 'conflictkg.graph.networks') if m in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_the_export_route_documents_every_export_format_media_type() -> None:
    from conflictkg.api.routes.network import EXPORT_MEDIA_TYPES
    from conflictkg.graph.networks.exports import EXPORT_FORMATS

    assert sorted(EXPORT_MEDIA_TYPES) == sorted({media for _, media in EXPORT_FORMATS.values()})
