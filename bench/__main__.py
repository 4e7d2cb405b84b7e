"""`make bench`: run every bench/bench_*.py and print one table.

Each module exposes ``run(quick: bool = False) -> list[dict]`` with the keys
``section``, ``metric``, ``value`` and ``goal``. ``--quick`` shrinks the sizes;
``--only NAME`` runs one module; ``--write-readme`` refreshes bench/README.md.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARK = "<!-- figures -->"


def _modules(only: str | None) -> list[str]:
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    if only:
        names = [n for n in names if n == only or n == f"bench_{only}"]
    return names


def _table(rows: list[dict]) -> str:
    head = ("section", "metric", "value", "goal")
    cells = [head] + [tuple(str(r.get(k, "")) for k in head) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    line = lambda c: "| " + " | ".join(c[i].ljust(widths[i]) for i in range(4)) + " |"  # noqa: E731
    out = [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(c) for c in cells[1:]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    ap.add_argument("--only", help="run one module, e.g. store or bench_store")
    ap.add_argument("--write-readme", action="store_true", help="write the table into bench/README.md")
    args = ap.parse_args(argv)
    rows: list[dict] = []
    failed = 0
    for name in _modules(args.only):
        t0 = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            mod = importlib.import_module(f"bench.{name}")
            rows.extend(mod.run(quick=args.quick))
        except Exception:  # a broken benchmark is reported, the others still run
            failed += 1
            traceback.print_exc()
            rows.append({"section": name, "metric": "ERROR", "value": "failed (see stderr)", "goal": ""})
        print(f"  {name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    table = _table(rows)
    print(table)
    if args.write_readme:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        # the interpreter's own path: the venv's python is a link to it (the Makefile picks the distribution's)
        info = (f"Last run: {stamp}, Python {platform.python_version()} ({os.path.realpath(sys.executable)}), "
                f"{platform.machine()}, {'quick' if args.quick else 'full'} sizes.")
        readme = HERE / "README.md"
        text = readme.read_text(encoding="utf-8") if readme.exists() else ""
        head = text.split(MARK)[0].rstrip() + "\n\n" if MARK in text else text.rstrip() + "\n\n"
        readme.write_text(f"{head}{MARK}\n{info}\n\n{table}\n", encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
