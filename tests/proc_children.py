"""Processes as /proc shows them, for the tests of forked workers (``reader.align.split``):
what multiprocessing may not know of (a worker of a killed parent, another process's workers)."""
from __future__ import annotations

import os


def _state(pid: int) -> tuple[str, int] | None:
    """(state letter, parent pid) of ``pid``; None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def children(parent: int, live: bool = False) -> set[int]:
    """Pids of ``parent``'s children (``live``: not the zombies)."""
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            seen = _state(int(entry))
            if seen is not None and seen[1] == parent and not (live and seen[0] in ("Z", "X")):
                out.add(int(entry))
    return out


def alive(pid: int) -> bool:
    """Is ``pid`` running (not gone, not a zombie)?"""
    seen = _state(pid)
    return seen is not None and seen[0] not in ("Z", "X")
