"""Loading: one file as a :class:`Document`, and the walk of a corpus folder (no Corpus).

A file that cannot be read as text is a :class:`Problem` (its path and a
specific reason), never an exception for the caller that loads a folder; see
:mod:`reader.corpus` for the rules.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from reader.corpus.metadata import derive_metadata
from reader.errors import NotTextError
from reader.fsutil import os_reason
from reader.model import Document
from reader.text import decode, display_path, sha256_bytes

MAX_FILE_BYTES = 64 * 1024 * 1024
SUFFIXES = (".txt", ".md")

Progress = Callable[[int, int], object]


@dataclass(frozen=True)
class Problem:
    """A file that was not loaded: its path (as found under the root) and why."""

    path: str
    reason: str

    def __post_init__(self) -> None:
        # a name that is not UTF-8 arrives with lone surrogates (os.fsdecode); no UTF-8 output
        # (textual-serve's web driver, JSON) can carry them: shown as \xff escapes instead
        object.__setattr__(self, "path", display_path(self.path))

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


# --- reading one file ------------------------------------------------------------

def _read_bytes(path: Path, limit: int) -> bytes:
    """Read at most ``limit`` bytes (tests monkeypatch this to inject faults)."""
    with open(path, "rb") as fh:
        return fh.read(limit)


def _size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def _too_large(size: int) -> str:
    return (
        f"file too large: {_size_text(size)} (the limit is {_size_text(MAX_FILE_BYTES)}); "
        "split it into smaller documents"
    )


def _doc_id(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root)
    except ValueError:
        rel = Path(path.name)
    return rel.with_suffix("").as_posix() if rel.suffix else rel.as_posix()


def load_document(path: Path | str, root: Path | str | None = None, *, doc_id: str | None = None) -> Document:
    """Read one file into a :class:`Document` (language pending).

    Raises :class:`NotTextError` naming ``path`` and a specific reason:
    unreadable, not a regular file, too large, binary or not UTF-8/UTF-16.
    """
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    if doc_id is None:
        doc_id = _doc_id(path, root)
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        raise NotTextError(display_path(path), "the file name is not valid UTF-8; rename the file") from None
    try:
        st = os.stat(path)
    except OSError as exc:
        raise NotTextError(path, os_reason(exc, "file")) from None
    if stat.S_ISDIR(st.st_mode):
        raise NotTextError(path, "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise NotTextError(path, f"not a regular file ({kind}); it was not opened")
    if st.st_size > MAX_FILE_BYTES:
        raise NotTextError(path, _too_large(st.st_size))
    try:
        raw = _read_bytes(path, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise NotTextError(path, os_reason(exc, "file")) from None
    if len(raw) > MAX_FILE_BYTES:  # grew while we read it
        raise NotTextError(path, _too_large(len(raw)))
    text, encoding = decode(raw, path)
    title, date = derive_metadata(text)
    return Document(
        id=doc_id,
        text=text,
        sha256=sha256_bytes(raw),
        path=path,
        title=title,
        date=date,
        size=len(raw),
        encoding=encoding,
    )


# --- walking the folder ---------------------------------------------------------

def _walk(root: Path) -> tuple[list[tuple[tuple[str, ...], Path]], list[Problem]]:
    """Candidate files (sorted by relative parts) and folder-level problems."""
    files: list[tuple[tuple[str, ...], Path]] = []
    problems: list[Problem] = []
    try:
        rst = os.stat(root)
        visited = {(rst.st_dev, rst.st_ino)}
    except OSError:
        visited = set()
    # stack of (folder path, relative parts, ancestor identities)
    stack: list[tuple[Path, tuple[str, ...], frozenset[tuple[int, int]]]] = [(root, (), frozenset(visited))]
    while stack:
        folder, rel, ancestors = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(str(folder), os_reason(exc, "folder")))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            path = folder / name
            parts = rel + (name,)
            matches = Path(name).suffix.lower() in SUFFIXES
            try:
                st = os.stat(path)
            except OSError as exc:
                # a loop is always reported; a broken link or unreadable entry
                # only when it would have been a document
                if matches or exc.errno == errno.ELOOP:
                    problems.append(Problem(str(path), os_reason(exc, "file")))
                continue
            if stat.S_ISDIR(st.st_mode):
                ident = (st.st_dev, st.st_ino)
                if ident in ancestors:
                    problems.append(Problem(
                        str(path),
                        "symlink loop: this link points to a folder that contains it; not followed",
                    ))
                    continue
                if ident in visited:
                    problems.append(Problem(
                        str(path),
                        "folder already read through another path (a symlink); not read twice",
                    ))
                    continue
                visited.add(ident)
                stack.append((path, parts, ancestors | {ident}))
            elif matches:
                files.append((parts, path))
    files.sort(key=lambda item: item[0])
    return files, problems


__all__ = ["MAX_FILE_BYTES", "SUFFIXES", "Problem", "Progress", "load_document"]
