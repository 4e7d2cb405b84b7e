"""Format guessing: which import format a file is in, from its extension and first record.

A rescue file (``{"reader_rescue": 1, ...}``) is never guessed: it holds raw
store operations and is restored only by ``reader store restore FILE``.
"""
from __future__ import annotations

import json
from pathlib import Path

from reader.errors import FormatError
from reader.formats.base import FORMATS, is_pipe
from reader.text import not_utf8, wide_encoding


def guess_format(path: str | Path) -> str:
    """Guess the format of an import file from its extension and first record."""
    path = Path(path)
    if path.is_dir():
        dir_formats = [name for name, f in FORMATS.items() if f.kind == "dir" and f.can_import]
        if len(dir_formats) == 1:
            return dir_formats[0]
        raise FormatError(f"{path}: is a folder; say which format with --format")
    if is_pipe(path):  # read once, by the import itself
        raise FormatError(f"{path}: is a pipe or a device, which can be read only once, so its format is not guessed; "
                          f"say which with --format ({_importable()})")
    if not path.is_file():
        raise FormatError(f"{path}: no such file")
    suffix = path.suffix.lower()
    by_ext = [name for name, f in FORMATS.items() if f.can_import and f.extension.lower() == suffix and f.kind in ("binary", "json")]
    if len(by_ext) == 1:
        return by_ext[0]
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024 * 1024)
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    wide = wide_encoding(head)
    if wide is not None:
        raise FormatError(not_utf8(path, wide, "import it"))
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    first = head.lstrip()[:1]
    obj = None
    if first == b"{":
        line = head.lstrip().split(b"\n", 1)[0]
        try:
            obj = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):
            obj = None
    elif first == b"[" and "labelstudio" in FORMATS:
        return "labelstudio"
    if isinstance(obj, dict):
        if "reader_rescue" in obj:
            raise FormatError(f"{path}: this is a rescue file of unsaved changes, not an import; restore it with "
                              f"`reader store restore {path}` (it shows what it will change and asks first)")
        if "answer" in obj or "_input_hash" in obj or "_task_hash" in obj:
            return "prodigy"
        if "label" in obj or "labels" in obj or "entities" in obj or "span_info" in obj:
            return "doccano"
        if "spans" in obj and isinstance(obj.get("spans"), list):
            if "meta" in obj and "id" not in obj:
                return "prodigy"
            return "jsonl"
        if "data" in obj and "labelstudio" in FORMATS:
            return "labelstudio"
    raise FormatError(f"{path}: cannot tell its format; say which with --format ({_importable()})")


def _importable() -> str:
    return ", ".join(sorted(n for n, f in FORMATS.items() if f.can_import))
