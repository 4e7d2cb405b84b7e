"""Where an export may be written, and what ``--force`` may replace.

``--force`` replaces a previous export, nothing else. A folder format (brat)
replaces an existing folder only when a previous export of the same format
wrote it (it holds the :data:`MARKER` file listing what it wrote) and it holds
nothing more. An annotation store, a corpus folder, a folder that holds either,
and a folder with any other file are never removed: the refusal says why. A
file format never replaces a file of the store or a document of the corpus.
The app's overwrite confirmation asks the same question first
(:func:`destination_problem`), so it never offers what the export would refuse.

A character device or a pipe (``/dev/stdout``, ``/dev/null``, a FIFO, ``>(...)``:
:func:`is_stream`) holds nothing to overwrite: a file format writes into it in
place, without ``--force``; a regular file that exists still needs it.
"""
from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.formats.base import Format

#: written into every exported folder: which format wrote it, and which files
MARKER = ".reader-export.json"
#: files that say "this folder is an annotation store"
STORE_FILES = ("journal.jsonl", "meta.json", ".lock", ".lock.info")
_SHOWN = 3


def _resolved(path: Path | str | None) -> Path | None:
    if path is None:
        return None
    try:
        return Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return None


def _inside(child: Path, parent: Path) -> bool:
    return child == parent or parent in child.parents


def _is_store(folder: Path) -> bool:
    return any((folder / name).exists() for name in STORE_FILES[:2]) or (folder / "docs").is_dir() and (folder / ".lock").exists()


_STANDARD_NAMES = {"/dev/stdout": 1, "/dev/stderr": 2}
_DESCRIPTOR_NAME = re.compile(r"/(?:dev/fd|proc/self/fd)/([0-9]{1,9})")


def open_descriptor(path: Path | str) -> int | None:
    """The descriptor of this process that ``path`` names as written (``/dev/stdout`` 1, ``/dev/stderr`` 2,
    ``/dev/fd/N``, ``/proc/self/fd/N``), else None: an export there goes where that descriptor goes (a file
    the shell opened to append, a pipe, a terminal), through the descriptor itself, as ``-`` does."""
    name = os.fspath(path)
    if name in _STANDARD_NAMES:
        return _STANDARD_NAMES[name]
    m = _DESCRIPTOR_NAME.fullmatch(name)
    return int(m.group(1)) if m else None


def in_place(path: Path | str) -> bool:
    """Is an export to ``path`` written where it is (a descriptor's name, a device, a pipe), never replaced?"""
    return open_descriptor(path) is not None or is_stream(path)


def is_stream(path: Path | str | int) -> bool:
    """``path`` (its target, for a link such as ``/dev/stdout``; or an open file descriptor) is a character
    device or a pipe: written front to back where it is, never replaced by a file renamed over it."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_marker(folder: Path, fmt_name: str) -> None:
    """Record, inside a freshly exported ``folder``, the format and every file written."""
    files = sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MARKER
    )
    data = {"format": fmt_name, "files": files}
    with open(folder / MARKER, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())


def _folder_problem(path: Path, fmt_name: str) -> str | None:
    """Why the existing folder ``path`` may not be replaced by a ``fmt_name`` export, or None."""
    entries = [p for p in path.rglob("*") if not p.is_dir()]
    if not entries:
        return None  # an empty folder holds nothing to lose
    marker = path / MARKER
    if not marker.is_file():
        return (
            f"it was not written by a {fmt_name} export (it has no {MARKER}); --force only replaces a previous "
            "export. Choose a new folder, or remove this one yourself"
        )
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        written = set(data["files"]) if isinstance(data.get("files"), list) else None
        fmt = data.get("format")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        written, fmt = None, None
    if written is None:
        return f"its {MARKER} cannot be read, so what the folder holds is not known; it was left untouched"
    if fmt != fmt_name:
        return f"it holds a {fmt!s} export, not a {fmt_name} one; choose another folder"
    extra = sorted(
        p.relative_to(path).as_posix() for p in entries if p != marker and p.relative_to(path).as_posix() not in written
    )
    if extra:
        shown = ", ".join(extra[:_SHOWN]) + (f" and {len(extra) - _SHOWN} more" if len(extra) > _SHOWN else "")
        return f"it also holds files the export did not write ({shown}); they would be lost"
    return None


def destination_problem(
    path: Path | str, fmt: Format, *, force: bool, store_path: Path | str | None = None, corpus_root: Path | str | None = None
) -> str | None:
    """Why an export of ``fmt`` may not be written to ``path``, or None (a full sentence after "path: ")."""
    path = Path(path).expanduser()
    kind = fmt.kind
    name = fmt.name or "export"
    if kind != "dir" and open_descriptor(path) is not None:
        return None  # written through the descriptor, where it goes: nothing is replaced
    parent = path.parent
    if not parent.exists():
        return f"cannot export: the folder {parent} does not exist"
    if not parent.is_dir():
        return f"cannot export: {parent} is not a folder"
    exists = path.exists() or path.is_symlink()
    target = _resolved(path)
    store = _resolved(store_path)
    corpus = _resolved(corpus_root)
    if target is not None:
        if store is not None and (_inside(target, store) or (kind == "dir" and _inside(store, target))):
            return "cannot export there: it is (or holds) the annotation store, which an export must never replace"
        if corpus is not None and kind == "dir" and _inside(corpus, target):
            return "cannot export there: it is (or holds) the corpus folder, which an export must never replace"
        if corpus is not None and exists and _inside(target, corpus) and path.suffix.lower() in (".txt", ".md"):
            return "cannot export there: it is a document of the corpus"
    if not exists:
        return None
    if kind != "dir" and path.is_dir():
        return "cannot export: it is a folder; give a file name"
    if kind != "dir" and is_stream(path):
        return None  # written in place: nothing there is overwritten
    if kind == "dir" and not path.is_dir():
        return "cannot export: it exists and is not a folder"
    if kind == "dir" and path.is_dir():
        if _is_store(path):
            return "cannot export there: it is an annotation store, which an export must never replace"
        if force:
            problem = _folder_problem(path, name)
            if problem:
                return f"--force refused: {problem}"
    if not force:
        return "already exists; use --force to overwrite it"
    return None
