"""The label set: names, hotkeys and colours. Projects override it in ``labels.toml``.

Format (one table per label, in hotkey order)::

    [salary]
    key = "1"
    color = "#2e7d32"
    description = "An amount of pay"
"""
from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.color import Color, ColorParseError

from reader.errors import LabelsError

if TYPE_CHECKING:  # the amount tables load on the first value, not with the labels (issue 22)
    from reader.amounts import JSONValue

LABELS_FILE = "labels.toml"
#: Labels a labels.toml may define. Past 9 the hotkeys run out and the label picker
#: (type to filter) takes over; past this limit a label set is no longer something a
#: person picks from, and the file is refused with a clear message.
MAX_LABELS = 1000
#: labels.toml is read whole and parsed at once (tomllib): a larger file is refused before it is parsed
MAX_LABELS_BYTES = 8 * 1024 * 1024
# exact names: fullmatch (a regex ``$`` would also match before a trailing newline),
# no leading or trailing space
_NAME = re.compile(r"\w(?:[\w\- ]{0,38}[\w\-])?")
_RESERVED_KEYS = set("qxyvnNaArLce/?[]T") | set("swphtSfF") | set("gGkKB") | {"space", "enter", "escape", "tab", "delete"}  # s w p h t S f F: reading-screen keys; g G k K B: compare and RTL visual order
# Unicode categories a hotkey may not be: controls, format (bidi) characters, surrogates,
# private use, unassigned, combining marks, separators
_UNBINDABLE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Mc", "Me", "Zs", "Zl", "Zp"}
_TABLE_HEADER = re.compile(r"""^\s*\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*\]""")


def key_problem(key: object) -> str | None:
    """Why ``key`` cannot be a label hotkey, or None: one printable character Textual can bind."""
    if not isinstance(key, str) or len(key) != 1:
        return f"key must be a single character, got {key!r}"
    if key.isspace() or not key.isprintable() or unicodedata.category(key) in _UNBINDABLE_CATEGORIES:
        return f"key must be a printable character (a letter, digit or symbol), got {key!r}"
    if key == ",":
        return "key ',' cannot be bound (it separates keys in a binding)"
    return None


def text_problem(value: str) -> str | None:
    """Control and bidi characters in a label's description would reach the terminal."""
    for i, ch in enumerate(value):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            return f"holds the control character {ch!r} at position {i}"
    return None


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
        self._by_key = {label.key: label for label in self.labels if label.key}
        self._position = {label.name: i for i, label in enumerate(self.labels)}

    def __iter__(self) -> Iterator[Label]:
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

    def position(self, name: str) -> int:
        """Index of the label ``name`` in the set (unknown names sort after every label)."""
        return self._position.get(name, len(self._position))

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
            with open(path, "rb") as fh:
                raw = fh.read(MAX_LABELS_BYTES + 1)  # never more: tomllib holds ~20x a file in objects
            if len(raw) > MAX_LABELS_BYTES:
                raise LabelsError(path, f"larger than {MAX_LABELS_BYTES // (1024 * 1024)} MiB; a label set of at most "
                                        f"{MAX_LABELS:,} labels is far smaller (is this the right file?)")
            source = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text did
        except UnicodeDecodeError as exc:
            raise LabelsError(path, f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        except OSError as exc:
            raise LabelsError(path, f"cannot read: {exc.strerror or exc}") from None
        import tomllib  # only when a label file is read: not on every start (issue 22)

        depth = _nesting_depth(source)
        if depth > MAX_NESTING:
            raise LabelsError(path, f"invalid TOML: arrays or tables nested more than {MAX_NESTING} deep "
                                    "(a label set needs one level)")
        try:
            data = tomllib.loads(source)
        except RecursionError:  # a nesting the scan above missed (e.g. inline tables in strings' stead)
            raise LabelsError(path, "invalid TOML: nested too deeply") from None
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
            msg = getattr(exc, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(exc))
            raise LabelsError(path, f"invalid TOML: {msg}", line) from None
        lines = source.splitlines()
        if len(data) > MAX_LABELS:
            raise LabelsError(
                path,
                f"defines {len(data):,} labels; at most {MAX_LABELS:,} are supported (a label set "
                "is picked from by a person; split the work into projects with their own store)",
            )
        headers = _table_lines(lines)  # one pass: table name -> line (loading stays linear)
        labels: list[Label] = []
        keys: dict[str, str] = {}
        for name, spec in data.items():
            line = headers.get(name)
            if not isinstance(spec, dict):
                raise LabelsError(path, f"label {name!r} must be a table like [{name}] with key and color", line)
            if not _NAME.fullmatch(name):
                raise LabelsError(path, f"label name {name!r} must be 1-40 letters, digits, spaces, - or _ (no space at either end)", line)
            key = spec.get("key", "")
            color = spec.get("color", spec.get("colour"))
            if key != "":  # a label without a key is tagged with the label picker
                problem = key_problem(key)
                if problem:
                    raise LabelsError(path, f"label {name!r}: {problem}", _find_key_line(lines, line, "key") or line)
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
            description = spec.get("description", "")
            if not isinstance(description, str):
                raise LabelsError(path, f"label {name!r}: description must be a string", _find_key_line(lines, line, "description") or line)
            problem = text_problem(description)
            if problem:
                raise LabelsError(path, f"label {name!r}: the description {problem}", _find_key_line(lines, line, "description") or line)
            if key:
                keys[key] = name
            labels.append(Label(name, key, color, description))
        if not labels:
            raise LabelsError(path, "defines no labels")
        return cls(labels, source=str(path))


#: brackets/braces nested deeper than this are refused before parsing (tomllib recurses per level:
#: ``a = [[[...`` 100k deep raised RecursionError); a label set has tables one level deep
MAX_NESTING = 32


_NESTING_CHARS = re.compile(r"[\[\]{}\"'#\\\n]")


def _nesting_depth(source: str) -> int:
    """The deepest nesting of ``[`` and ``{`` outside strings and comments (an upper bound
    of what tomllib will recurse into; a table header ``[a]`` counts 1). Stops counting
    past MAX_NESTING."""
    depth = deepest = 0
    quote = ""  # the open string's quote, or "#" inside a comment
    for m in _NESTING_CHARS.finditer(source):
        ch = m.group()
        if quote:
            if ch == "\n" or (ch == quote and not (quote == '"' and _escaped(source, m.start()))):
                quote = ""
            continue
        if ch in "\"'#":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_NESTING:
                    break
        elif ch in "]}":
            depth = max(0, depth - 1)
    return deepest


def _escaped(source: str, i: int) -> bool:
    """Whether the quote at ``i`` of a basic string is escaped (an odd run of backslashes before it)."""
    n = 0
    while i - n - 1 >= 0 and source[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _line_from_message(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def _table_lines(lines: list[str]) -> dict[str, int]:
    """``{table name: 1-based line}`` for every ``[name]`` header, in one pass."""
    found: dict[str, int] = {}
    for i, text in enumerate(lines, 1):
        m = _TABLE_HEADER.match(text)
        if m is None:
            continue
        quoted, literal, bare = m.groups()
        name = bare if bare is not None else literal if literal is not None else _unescape_basic(quoted)
        found.setdefault(name, i)
    return found


def _unescape_basic(value: str) -> str:
    import tomllib

    try:
        return str(tomllib.loads(f'k = "{value}"')["k"])
    except tomllib.TOMLDecodeError:
        return value


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


# --- label values ------------------------------------------------------------------

VALUE_LABELS = ("salary",)  # labels whose annotations carry a normalised amount (reader.amounts)


def annotation_value(label: str, text: str, given: object = None, lang: str | None = None) -> JSONValue | None:
    """The value an annotation of ``label`` over ``text`` carries: ``given`` when it is
    a valid value, else what ``text`` parses to; None for labels other than salary."""
    if label not in VALUE_LABELS:
        return None
    from reader.amounts import check_value, parse_amount

    checked = check_value(given) if given is not None else None
    return dict(checked) if checked is not None else parse_amount(text, lang)
