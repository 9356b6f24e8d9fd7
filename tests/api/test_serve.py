"""``conflictkg serve``: what it refuses before it binds a port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


@pytest.mark.parametrize("store", [":memory:", "sparql+http://127.0.0.1:9"])
def test_readers_need_the_embedded_on_disk_store(store: str) -> None:
    done = subprocess.run([CONFLICTKG, "--store", store, "serve", "--readers", "2", "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--readers needs the embedded on-disk store" in done.stderr
