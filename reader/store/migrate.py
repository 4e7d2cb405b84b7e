"""Upgrading a file store written with an older schema, in place, after a backup.

Version 1 -> 2 added the ``links`` table to ``meta.json`` (nothing else
changed); 2 -> 3 moved each imported document (the table "documents", its
text) out of ``meta.json`` into ``texts/<name>.json`` (the engine writes each
record to the journal first, so the kept journals rebuild those files; see
reader.store.engine). Opening an older store for writing first copies its files
(``meta.json``, ``docs/``, ``texts/``, the journals, ``labels.toml``) into
``backup-schema-<old>/`` inside the store folder, then the engine rewrites
every file with the new version. A read-only open reads the old store as it
is and changes nothing. A newer store is refused (``StoreVersionError``).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from reader import fsutil

BACKUP_PREFIX = "backup-schema-"
_FILES = ("meta.json", "meta.json.bak", "journal.jsonl", "journal.prev.jsonl", "labels.toml")


def backup_for_upgrade(path: Path, old_version: int) -> Path:
    """Copy the store's files to a new ``backup-schema-<old_version>[-n]/`` folder; return it.

    Raises ``OSError`` (the caller refuses to upgrade: nothing was changed).
    """
    target = path / f"{BACKUP_PREFIX}{old_version}"
    n = 1
    while target.exists():
        n += 1
        target = path / f"{BACKUP_PREFIX}{old_version}-{n}"
    tmp = path / f"{fsutil.TMP_PREFIX}{target.name}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    for name in _FILES:
        if (path / name).is_file():
            shutil.copy2(path / name, tmp / name)
    for folder in ("docs", "texts"):
        if (path / folder).is_dir():
            shutil.copytree(path / folder, tmp / folder)
    for f in tmp.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    tmp.rename(target)
    fsutil.fsync_dir(path)
    return target
