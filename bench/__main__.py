"""Run the benchmarks: ``python -m bench [NAME [ARGS…]]`` (``make bench`` runs them all).

Each benchmark is a script of its own in this folder that runs the thing
measured side by side with its baseline and prints the ratios; this only
finds them and runs them one after another, each in its own process so one
benchmark's memory never counts against the next. ``python -m bench --list``
names them with the first line of their docstring.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def benchmarks() -> dict[str, str]:
    """Map each benchmark's name to the first line of its docstring."""
    found = {}
    for path in sorted(HERE.glob("*.py")):
        if path.name.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        found[path.stem] = doc.splitlines()[0] if doc else ""
    return found


def main(argv: list[str]) -> int:
    known = benchmarks()
    if argv[:1] in (["--list"], ["-h"], ["--help"]):
        for name, summary in known.items():
            print(f"{name:12} {summary}")
        print("\nusage: python -m bench [NAME [ARGS…]]   (ARGS go to the benchmark; NAME --help lists them)")
        return 0
    if argv:
        name, args = argv[0], argv[1:]
        if name not in known:
            print(f"bench: no benchmark {name!r}; there are: {', '.join(known)}", file=sys.stderr)
            return 2
        return subprocess.call([sys.executable, str(HERE / f"{name}.py"), *args])
    failed = []
    for name in known:
        print(f"\n=== bench/{name}.py ===", flush=True)
        if subprocess.call([sys.executable, str(HERE / f"{name}.py")]) != 0:
            failed.append(name)
    if failed:
        print(f"bench: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
