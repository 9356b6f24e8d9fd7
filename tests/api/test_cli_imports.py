"""``conflictkg import …`` as a user runs it: the real console script on an on-disk store."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "fixtures"
CONFLICTKG = str(Path(sys.executable).parent / "conflictkg")


def run(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CONFLICTKG, "--store", str(store), *args], capture_output=True, text=True, timeout=120)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_import_list_and_drop(tmp_path: Path) -> None:
    store = tmp_path / "store"
    out = run(store, "import", "acled", str(FIXTURES / "acled" / "valid.csv"), "--deletions", str(FIXTURES / "acled" / "deletions.csv"))
    assert out.returncode == 0, out.stderr
    assert "imported 6 rows" in flat(out.stderr)
    assert "'Civilians (Syria)' (2)" in flat(out.stderr)
    assert "2 deletion(s) read, 1 event(s) removed" in flat(out.stderr)
    out = run(store, "import", "ucdp", str(FIXTURES / "ucdp" / "valid.csv"))
    assert out.returncode == 0 and "imported 3 rows" in flat(out.stderr), out.stderr
    listed = run(store, "import", "list")
    assert listed.returncode == 0
    ids = [word for word in listed.stdout.split() if word.startswith(("acled/", "ucdp/"))]
    assert len(ids) == 2, listed.stdout
    dropped = run(store, "import", "drop", ids[0])
    assert dropped.returncode == 0, dropped.stderr
    again = run(store, "import", "drop", ids[0])
    assert again.returncode == 2 and "no import" in again.stderr


def test_a_bad_row_exits_2_naming_file_row_and_column(tmp_path: Path) -> None:
    rows = list(csv.reader((FIXTURES / "acled" / "valid.csv").open(encoding="utf-8", newline="")))
    rows[2][22] = "200"  # latitude
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    out = run(tmp_path / "store", "import", "acled", str(bad))
    assert out.returncode == 2
    assert f"{bad}:4: row 2, column latitude = '200': must be between -90 and 90" in flat(out.stderr)
    assert "Traceback" not in out.stderr
    rejects = tmp_path / "rejects.csv"
    out = run(tmp_path / "store", "import", "acled", str(bad), "--skip-bad-rows", "--rejects", str(rejects))
    assert out.returncode == 0, out.stderr
    assert "imported 5 rows" in flat(out.stderr) and "1 rejected row(s) written" in flat(out.stderr)
    assert len(list(csv.reader(rejects.open(encoding="utf-8")))) == 2


def test_an_import_leaves_the_explorers_network_index_in_step(tmp_path: Path) -> None:
    import sqlite3

    store = tmp_path / "store"
    out = run(store, "import", "acled", str(FIXTURES / "acled" / "valid.csv"))
    assert out.returncode == 0, out.stderr
    # what the explorer reads next: nothing waits to be re-read, and the import's events are there
    db = sqlite3.connect(store / "network.sqlite3")
    assert db.execute("SELECT value FROM meta WHERE key = 'full'").fetchone() == ("0",)
    assert db.execute("SELECT COUNT(*) FROM dirty").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] > 0
