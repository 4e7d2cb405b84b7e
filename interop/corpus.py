"""The interop test corpus: hostile text for offsets, spans that nest, cross and cross lines, with notes.

Built fresh for every run (never the seeds): three documents (Italian with
emoji, ZWJ sequences, flags and CRLF line endings; Arabic with vowel marks;
English with a span that ends on a line break), and a store with accepted
and suggested spans by three annotators, two groups of spans linked across
the three languages (``expected-links.json``: span ids per group). ``expected.json`` lists every span
with its code point and UTF-16 offsets, so that each consumer is checked
against what we meant, not against our own reading of its output.
"""
from __future__ import annotations

import json
from pathlib import Path

from reader.formats.offsets import Utf16Map
from reader.workspace import Workspace

DOCS: dict[str, str] = {
    # CRLF on disk; canonical text has \n
    "it/emoji": (
        "Stipendio 👩‍👩‍👧‍👦 famiglia: 300.000 € 🇮🇹🇫🇷 all'anno, dice «il capo 👨🏽‍💻».\r\n"
        "Seconda riga: 5 € 🙂 al giorno.\r\n\r\nFine 🏳️‍🌈 qui.\r\n"
    ),
    "ar/marks": (
        "قَالَ المُدِيرُ: الرَّاتِبُ ٣٠٠ أَلْفِ دُولَارٍ 💵 سَنَوِيًّا.\n"
        "وَهَذَا «كَثِيرٌ جِدًّا» 🤷🏽‍♀️ حَسَبَ النَّقَابَةِ.\n"
    ),
    "en/plain": "The CEO earns $900,000 a year.\nWorkers say \"it's too much\" 😤 — the union agrees.\n",
}

# (doc, needle, occurrence-free: first match, label, note, annotator, status)
SPANS: list[tuple[str, str, str, str, str, str]] = [
    ("it/emoji", "300.000 €", "salary", "lordo,\tnon netto", "alice", "accepted"),
    ("it/emoji", "300.000 €", "opinion", "", "bob", "accepted"),  # equal span, other label
    ("it/emoji", "famiglia: 300.000 € 🇮🇹🇫🇷", "claim", "nests the salary", "alice", "accepted"),
    ("it/emoji", "🇮🇹🇫🇷 all'anno, dice", "opinion", "crosses the claim", "bob", "accepted"),
    ("it/emoji", "«il capo 👨🏽‍💻»", "quote", "two\nlines of note", "alice", "accepted"),
    ("it/emoji", "all'anno, dice «il capo 👨🏽‍💻».\nSeconda riga", "quote", "crosses a line break", "os-user", "accepted"),
    ("it/emoji", "5 €", "salary", "", "alice", "accepted"),
    ("it/emoji", "5 € 🙂 al giorno", "salary", "", "suggest", "suggested"),
    ("it/emoji", "\n\n", "opinion", "only line breaks", "bob", "accepted"),
    ("it/emoji", "Fine 🏳️‍🌈 qui", "claim", "", "alice", "accepted"),
    ("ar/marks", "٣٠٠ أَلْفِ دُولَارٍ", "salary", "٣٠٠ ألف", "alice", "accepted"),
    ("ar/marks", "الرَّاتِبُ ٣٠٠ أَلْفِ دُولَارٍ 💵 سَنَوِيًّا", "claim", "", "bob", "accepted"),
    ("ar/marks", "💵 سَنَوِيًّا.\nوَهَذَا", "opinion", "crosses the claim and a line", "alice", "accepted"),
    ("ar/marks", "«كَثِيرٌ جِدًّا»", "quote", "", "os-user", "accepted"),
    ("en/plain", "$900,000", "salary", "", "alice", "accepted"),
    ("en/plain", "The CEO earns $900,000 a year.\n", "claim", "ends on its line break", "bob", "accepted"),
    ("en/plain", "\"it's too much\"", "quote", "", "alice", "accepted"),
    ("en/plain", "😤 — the union agrees.", "opinion", "", "alice", "accepted"),
]


# linked groups: the same fact in several languages (the `parallel` export); each member is (doc, needle, label)
LINKS: list[list[tuple[str, str, str]]] = [
    [("it/emoji", "300.000 €", "salary"), ("ar/marks", "٣٠٠ أَلْفِ دُولَارٍ", "salary"), ("en/plain", "$900,000", "salary")],
    [("it/emoji", "«il capo 👨🏽‍💻»", "quote"), ("ar/marks", "«كَثِيرٌ جِدًّا»", "quote"), ("en/plain", "\"it's too much\"", "quote")],
]


def build(root: Path) -> tuple[Path, Path, Path]:
    """Write the corpus and the store under ``root``; return (corpus, store, expected.json)."""
    corpus, store = root / "corpus", root / "store"
    for doc_id, text in DOCS.items():
        path = corpus / f"{doc_id}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    expected: dict[str, dict] = {}
    groups: list[list[str]] = []
    with Workspace.open(corpus, store, detect=False) as ws:
        ids: dict[tuple[str, str, str], str] = {}
        for doc_id, needle, label, note, annotator, status in SPANS:
            text = ws.corpus.get(doc_id).text
            start = text.index(needle)
            a = ws.store.add(doc_id, start, start + len(needle), label, note=note, annotator=annotator, status=status,
                             source="suggest:salary" if status == "suggested" else "")
            ids.setdefault((doc_id, needle, label), a.id)
        for members in LINKS:
            group = [ids[m] for m in members]
            for a_id, b_id in zip(group, group[1:]):
                ws.store.link(a_id, b_id)
            groups.append(group)
        for doc in ws.corpus:
            u16 = Utf16Map(doc.text)
            spans = [
                {"id": a.id, "start": a.start, "end": a.end, "start16": u16.to_utf16(a.start), "end16": u16.to_utf16(a.end),
                 "label": a.label, "text": a.text, "note": a.note, "annotator": a.annotator, "status": a.status}
                for a in ws.store.for_document(doc.id, statuses=("accepted", "suggested"))
            ]
            expected[doc.id] = {"text": doc.text, "sha256": doc.sha256, "spans": spans}
    out = root / "expected.json"
    out.write_text(json.dumps(expected, ensure_ascii=False, indent=1), encoding="utf-8")
    (root / "expected-links.json").write_text(json.dumps(groups), encoding="utf-8")
    return corpus, store, out


def load_expected(path: Path) -> dict[str, dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
