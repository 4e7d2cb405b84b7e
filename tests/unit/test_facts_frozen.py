"""Issue 19 item 9: fact extraction was made faster without changing any fact.

``tests/data/facts_frozen/facts.json.gz`` holds the facts (and amounts) that ``reader.align``
extracted *before* the speed-up, for varied text: the seeds, the held-out alignment stories,
the money, learning and annotator sets, the bench's generated paragraphs and scrambled text,
each in its language and with none (``tests/data/facts_frozen/build.py``). Every passage must
give exactly the same facts, in the same order, with the same offsets and groups.
"""
from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parents[1] / "data" / "facts_frozen"


def _build():
    spec = importlib.util.spec_from_file_location("facts_frozen_build", HERE / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build()
INPUTS = BUILD.inputs()


@pytest.fixture(scope="module")
def frozen():
    with gzip.open(HERE / "facts.json.gz", "rt", encoding="utf-8") as fh:
        return json.load(fh)


def test_the_frozen_inputs_are_all_there(frozen):
    assert sorted(frozen) == sorted(name for name, _, _ in INPUTS)
    assert sum(len(v["passages"]) for v in frozen.values()) > 3000


@pytest.mark.parametrize("case", range(len(INPUTS)), ids=[name for name, _, _ in INPUTS])
def test_same_facts_as_before(frozen, case):
    name, text, lang = INPUTS[case]
    got = json.loads(json.dumps(BUILD.extract(text, lang), ensure_ascii=False))
    want = frozen[name]
    assert got["passages"] == want["passages"]
    for what in ("raw", "kept", "numbers"):
        for i, (g, w) in enumerate(zip(got[what], want[what], strict=True)):
            assert g == w, f"{name}: passage {i} {text[got['passages'][i][0]:got['passages'][i][1]][:80]!r} ({what})"
    assert got["amounts"] == want["amounts"]


def test_the_calendar_trie_matches_as_the_list_of_names_did():
    """The month and weekday pattern is a trie; it finds what the longest-first list found:
    every name in every case, with a clitic, several spaces, glued to a longer word."""
    import regex

    from reader.align.lexicon import calendar, calendar_pattern

    months, days = calendar()
    names = sorted(set(months) | set(days), key=len, reverse=True)
    flat = "|".join(regex.escape(n).replace("\\ ", "[ \u00A0]+") for n in names)
    listed = regex.compile(r"(?<![\p{L}\p{M}])و?(?:" + flat + r")(?![\p{L}\p{M}])", regex.IGNORECASE)
    probes = [f"{n}, {n.upper()} {n.title()}x و{n} {n.replace(' ', '  ')}. {n[:-1]} {n}s {n}{n}" for n in names]
    for text in [t for _, t, _ in INPUTS] + probes:
        assert [(m.span(), m.group()) for m in calendar_pattern().finditer(text)] == \
            [(m.span(), m.group()) for m in listed.finditer(text)]
