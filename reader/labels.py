"""The label set: names, hotkeys and colours. Projects override it in ``labels.toml``.

Format (one table per label, in hotkey order)::

    [salary]
    key = "1"
    color = "#2e7d32"
    description = "An amount of pay"
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rich.color import Color, ColorParseError

from reader.errors import LabelsError

LABELS_FILE = "labels.toml"
_NAME = re.compile(r"^[\w][\w\- ]{0,39}$", re.UNICODE)
_RESERVED_KEYS = set("qxyvnNaArLce/?[]") | set("swphtS") | {"space", "enter", "escape", "tab", "delete"}  # s w p h t S: reading-screen keys


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    color: str
    description: str = ""


DEFAULT_LABELS: tuple[Label, ...] = (
    Label("salary", "1", "#2e9e44", "An amount of pay or a pay range"),
    Label("quote", "2", "#3b82f6", "Reported or quoted speech"),
    Label("claim", "3", "#e5a50a", "A factual claim that could be checked"),
    Label("opinion", "4", "#c061cb", "An opinion or judgement"),
)


class LabelSet:
    def __init__(self, labels: tuple[Label, ...] | list[Label] = DEFAULT_LABELS, source: str = "defaults"):
        self.labels: tuple[Label, ...] = tuple(labels)
        self.source = source
        self._by_name = {label.name: label for label in self.labels}
        self._by_key = {label.key: label for label in self.labels}

    def __iter__(self):
        return iter(self.labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> list[str]:
        return [label.name for label in self.labels]

    def get(self, name: str) -> Label | None:
        return self._by_name.get(name)

    def by_key(self, key: str) -> Label | None:
        return self._by_key.get(key)

    def color(self, name: str) -> str:
        label = self._by_name.get(name)
        return label.color if label else "#888888"

    @classmethod
    def load(cls, store_dir: Path | str) -> "LabelSet":
        """The set from ``<store_dir>/labels.toml``, or the defaults when it is absent."""
        path = Path(store_dir) / LABELS_FILE
        if not path.is_file():
            return cls()
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path | str) -> "LabelSet":
        path = Path(path)
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise LabelsError(path, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise LabelsError(path, f"cannot read: {exc.strerror or exc}") from None
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
            msg = getattr(exc, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(exc))
            raise LabelsError(path, f"invalid TOML: {msg}", line) from None
        lines = source.splitlines()
        labels: list[Label] = []
        keys: dict[str, str] = {}
        for name, spec in data.items():
            line = _find_line(lines, rf"^\s*\[\s*\"?{re.escape(name)}\"?\s*\]")
            if not isinstance(spec, dict):
                raise LabelsError(path, f"label {name!r} must be a table like [{name}] with key and color", line)
            if not _NAME.match(name):
                raise LabelsError(path, f"label name {name!r} must be 1-40 letters, digits, spaces, - or _", line)
            key = spec.get("key")
            color = spec.get("color", spec.get("colour"))
            if not isinstance(key, str) or len(key) != 1 or key.isspace():
                raise LabelsError(path, f"label {name!r}: key must be a single character, got {key!r}", _find_key_line(lines, line, "key") or line)
            if key in _RESERVED_KEYS:
                raise LabelsError(path, f"label {name!r}: key {key!r} is reserved for another command", _find_key_line(lines, line, "key") or line)
            if key in keys:
                raise LabelsError(path, f"label {name!r}: key {key!r} is already used by {keys[key]!r}", _find_key_line(lines, line, "key") or line)
            if not isinstance(color, str):
                raise LabelsError(path, f"label {name!r}: color is missing or not a string", line)
            try:
                Color.parse(color)
            except ColorParseError:
                raise LabelsError(path, f"label {name!r}: unknown colour {color!r}", _find_key_line(lines, line, "colou?r") or line) from None
            unknown = set(spec) - {"key", "color", "colour", "description"}
            if unknown:
                raise LabelsError(path, f"label {name!r}: unknown field(s) {', '.join(sorted(unknown))}", line)
            keys[key] = name
            labels.append(Label(name, key, color, str(spec.get("description", ""))))
        if not labels:
            raise LabelsError(path, "defines no labels")
        return cls(labels, source=str(path))


def _line_from_message(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def _find_line(lines: list[str], pattern: str) -> int | None:
    rx = re.compile(pattern)
    for i, text in enumerate(lines, 1):
        if rx.search(text):
            return i
    return None


def _find_key_line(lines: list[str], table_line: int | None, key: str) -> int | None:
    if table_line is None:
        return None
    rx = re.compile(rf"^\s*{key}\s*=")
    for i in range(table_line, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if rx.search(lines[i]):
            return i + 1
    return None
