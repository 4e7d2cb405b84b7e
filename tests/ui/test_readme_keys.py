"""The key tables of docs/keys.md match the app's bindings, screen by screen.

Both ways: every key a table names is bound on its screen (by our widgets,
Textual's, or the app), and every enabled binding of ours on a screen is in
its table (or in "Everywhere"). The app is run with the Pilot and the
library, reading and compare screens are opened, so the bindings checked are
those of the widgets really on each screen.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.actions import parse
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

from reader.tui import ReaderApp

from tui_helpers import SIZE, copy_seeds, run_test, settle

README = Path(__file__).resolve().parents[2] / "docs" / "keys.md"

#: README table heading -> the screens it covers
TABLES = {
    "Everywhere": ("app",),
    "Library (the start screen)": ("library",),
    "Reading and compare screens": ("reading", "compare"),
}

SYMBOLS = {
    "↑": "up", "↓": "down", "←": "left", "→": "right", "/": "slash", "?": "question_mark",
    "[": "left_square_bracket", "]": "right_square_bracket", "pgup": "pageup", "pgdn": "pagedown",
    "esc": "escape", "del": "delete", "⏎": "enter", "^": "ctrl+",
}
MODIFIERS = ("ctrl", "shift", "alt", "meta", "super")
ARROWS = ("up", "down", "left", "right")

Key = tuple[frozenset[str], str]


def key_of(text: str) -> Key:
    """A key name (``ctrl+shift+left``, ``ctrl+←``) as (modifiers, key)."""
    parts = text.split("+")
    base = parts[-1]
    base = SYMBOLS.get(base, base)
    mods = frozenset(p for p in parts[:-1] if p)
    return mods, base


def _tokens(cell: str) -> list[str]:
    out: list[str] = []
    for token in re.findall(r"`([^`]+)`", cell):
        token = token.strip()
        match = re.fullmatch(r"(.*?)([←↑])/([→↓])", token)
        if match:  # ctrl+shift+←/→
            out += [match.group(1) + match.group(2), match.group(1) + match.group(3)]
        else:
            out += [t for t in token.split() if t]
    return out


def readme_tables() -> dict[str, set[Key]]:
    """Heading -> the keys in the first column of its table."""
    tables: dict[str, set[Key]] = {}
    heading = None
    previous: set[Key] = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            continue
        if heading not in TABLES or not line.startswith("|") or set(line) <= set("|- "):
            continue
        first = line.split("|")[1]
        if first.strip() == "key":
            continue
        keys: set[Key] = set()
        if "arrows" in first:
            keys |= {(frozenset(), a) for a in ARROWS}
        tokens = _tokens(first)
        if "shift" in tokens and "any of those" in first:  # `shift` + any of those (the row above)
            keys |= {(mods | {"shift"}, base) for mods, base in previous}
        keys |= {key_of(t) for t in tokens if t not in MODIFIERS}
        tables.setdefault(heading, set()).update(keys)
        previous = keys
    return tables


def _bindings(node: DOMNode, ours_only: bool) -> list[tuple[DOMNode, Binding]]:
    """The bindings of ``node``'s class and its bases (ours only, or Textual's too)."""
    out: list[tuple[DOMNode, Binding]] = []
    for cls in type(node).__mro__:
        if ours_only and not cls.__module__.startswith("reader."):
            continue
        for item in vars(cls).get("BINDINGS", ()):
            if isinstance(item, Binding):
                out += [(node, b) for b in Binding.make_bindings([item])]
            else:
                out += [(node, b) for b in Binding.make_bindings([item])]
    return out


def _enabled(node: DOMNode, binding: Binding) -> bool:
    namespace, action, params = parse(binding.action)
    target = node.app if namespace == "app" else node
    try:
        return bool(target.check_action(action, params))
    except Exception:
        return True


def screen_bindings(app: App, ours_only: bool) -> list[tuple[DOMNode, Binding]]:
    screen = app.screen
    nodes: list[DOMNode] = [screen, *screen.walk_children()]
    found: list[tuple[DOMNode, Binding]] = []
    for node in nodes:
        found += _bindings(node, ours_only)
    return found


def _key(binding: Binding) -> Key:
    return key_of(binding.key)


@pytest.fixture(scope="module")
def seen(tmp_path_factory) -> dict[str, tuple[set[Key], set[Key]]]:
    """Screen -> (keys bound by our classes, enabled; every key bound there)."""
    import asyncio

    tmp = tmp_path_factory.mktemp("readme-keys")
    corpus = copy_seeds(tmp)
    app = ReaderApp(corpus, tmp / "annotations", detect=False, signals=False)
    result: dict[str, tuple[set[Key], set[Key]]] = {}

    def take(name: str) -> None:
        ours = {_key(b) for node, b in screen_bindings(app, True) if not b.system and _enabled(node, b)}
        every = {_key(b) for _, b in screen_bindings(app, False)}
        result[name] = (ours, every)

    async def run() -> None:
        async with run_test(app, size=SIZE) as pilot:
            await settle(app, pilot)
            take("library")
            ids = [d.id for d in app.corpus.documents]
            app.open_document(ids[1])
            await pilot.pause()
            take("reading")
            await pilot.press("q")
            await pilot.pause()
            app.open_compare(ids[:2])
            await pilot.pause()
            take("compare")
            app_ours = {_key(b) for b in Binding.make_bindings(ReaderApp.BINDINGS)}
            app_every = app_ours | {_key(b) for cls in type(app).__mro__ for b in Binding.make_bindings(vars(cls).get("BINDINGS", ()))}
            app_every |= {key_of(app.COMMAND_PALETTE_BINDING)}
            result["app"] = (app_ours, app_every)

    asyncio.run(run())
    return result


def _show(keys: set[Key]) -> list[str]:
    return sorted("+".join([*sorted(m), k]) for m, k in keys)


def test_the_readme_has_the_key_tables():
    tables = readme_tables()
    assert set(TABLES) <= set(tables), f"missing key tables: {set(TABLES) - set(tables)}"


@pytest.mark.parametrize("heading", list(TABLES))
def test_every_key_in_the_table_is_bound(seen, heading):
    tables = readme_tables()
    bound = set().union(*(seen[s][1] for s in TABLES[heading])) | seen["app"][1]
    missing = tables[heading] - bound
    assert not missing, f"README '{heading}' lists keys no binding has: {_show(missing)}"


@pytest.mark.parametrize("screen", ["library", "reading", "compare", "app"])
def test_every_binding_is_in_the_readme(seen, screen):
    tables = readme_tables()
    documented = set(tables.get("Everywhere", set()))
    for heading, screens in TABLES.items():
        if screen in screens:
            documented |= tables[heading]
    absent = seen[screen][0] - documented
    assert not absent, f"keys of the {screen} screen missing from the README: {_show(absent)}"
