"""Rescue files: unsaved changes written somewhere else when the store cannot take them.

When the app must end while changes are still unsaved (disk full, the store
folder deleted), they go to a rescue file instead of being lost:

    {"reader_rescue": 1, "store": "/abs/annotations", "created": "...", "transactions": 3}
    {"ops": [["put", {...annotation...}]]}
    {"ops": [["del", "doc", "id"]]}

one JSON line per transaction, the same operations the journal holds.
``reader import RESCUE_FILE`` replays them into a store (:func:`restore_rescue`),
reporting bad lines by number and applying the rest.

:func:`write_rescue` tries several folders in turn (beside the store, the
current folder, the home folder, the temporary folder), because the reason the
store failed (a full disk) may stop the first ones too.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from reader import fsutil
from reader.errors import ReaderError
from reader.model import now_iso
from reader.store.base import Op

MAGIC = "reader_rescue"
VERSION = 1


class RescueError(ReaderError):
    pass


def _candidates(store_path: Path) -> list[Path]:
    folders = [store_path.parent, Path.cwd(), Path.home(), Path(tempfile.gettempdir())]
    out: list[Path] = []
    for folder in folders:
        try:
            folder = folder.resolve()
        except OSError:
            continue
        if folder not in out:
            out.append(folder)
    return out


def rescue_bytes(store_path: Path, transactions: list[list[Op]]) -> bytes:
    header = {MAGIC: VERSION, "store": str(store_path), "created": now_iso(), "transactions": len(transactions)}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps({"ops": ops}, ensure_ascii=False) for ops in transactions]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def write_rescue(store_path: Path | str, transactions: list[list[Op]], folders: list[Path] | None = None) -> Path:
    """Write ``transactions`` to a new rescue file; returns its path. Raises RescueError
    naming every folder tried when none would take it."""
    store_path = Path(store_path).absolute()
    data = rescue_bytes(store_path, transactions)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    tried: list[str] = []
    for folder in folders if folders is not None else _candidates(store_path):
        path = folder / f"{store_path.name or 'store'}.rescue-{stamp}-{os.getpid()}.jsonl"
        try:
            fsutil.atomic_write(path, data)
            return path
        except OSError as exc:
            tried.append(f"{folder} ({fsutil.os_reason(exc)})")
    raise RescueError(f"could not write a rescue file anywhere: {'; '.join(tried)}")


def is_rescue_file(path: Path | str) -> bool:
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096)
        head = json.loads(first.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(head, dict) and head.get(MAGIC) is not None


@dataclass
class RestoreReport:
    path: Path
    applied: int = 0
    problems: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        msg = f"{self.path.name}: restored {self.applied} of {self.total} unsaved change(s) from a rescue file"
        if self.problems:
            msg += f", {len(self.problems)} problem(s)"
        return msg


def restore_rescue(store: Any, path: Path | str) -> RestoreReport:
    """Replay a rescue file into ``store`` (an open, writable AnnotationStore)."""
    path = Path(path)
    report = RestoreReport(path)
    try:
        lines = path.read_bytes().split(b"\n")
    except OSError as exc:
        raise RescueError(f"{path}: cannot read ({fsutil.os_reason(exc)})") from None
    for n, raw in enumerate(lines[1:], 2):
        if not raw.strip():
            continue
        report.total += 1
        try:
            record = json.loads(raw.decode("utf-8"))
            ops = record["ops"] if isinstance(record, dict) else None
            if not isinstance(ops, list):
                raise ValueError("no list of operations")
            store.apply_changes(ops)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            report.problems.append(f"{path.name}, line {n}: {exc}")
            continue
        report.applied += 1
    return report
