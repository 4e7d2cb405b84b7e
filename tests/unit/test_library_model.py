"""The library's pure logic (Filter, set_token, LibraryModel): plain unit tests, no app launch (issue 21)."""
from __future__ import annotations

from collections import Counter

from reader.labels import LabelSet
from reader.model import Document
from reader.tui.screens.library_model import SORTS, Filter, LibraryModel, human_size, plural, set_token

LABELS = ("salary", "quote", "claim")


def _doc(doc_id: str, lang: str, title: str, size: int, date: str | None = None) -> Document:
    return Document(doc_id, "text", f"sha-{doc_id}", title=title, lang=lang, size=size, date=date)


DOCS = [
    _doc("news/001", "it", "Netflix cerca un manager", 3000, "2023-07-26"),
    _doc("news/002", "en", "Netflix is hiring an AI manager", 1000, "2023-07-25"),
    _doc("news/003", "fr", "Grève des acteurs", 2000),
]


def _model() -> LibraryModel:
    m = LibraryModel()
    m.counts = {"news/001": Counter(salary=2), "news/002": Counter(quote=1, salary=1)}
    m.suggested = {"news/003": Counter(salary=4)}
    m.statuses = {"news/001": "done", "news/002": "in progress"}
    return m


def test_filter_parses_every_kind_of_token():
    f = Filter.parse("Lang:IT,en label:SALARY sugg:quote is:done marked netflix", LABELS)
    assert f.langs == ["it", "en"] and f.label == "salary" and f.suggested == "quote"
    assert f.status == "done" and f.marked and f.text == ["netflix"] and f.active and not f.problems


def test_filter_names_unknown_labels_and_statuses():
    f = Filter.parse("label:pay status:later", LABELS)
    assert f.label is None and f.status is None
    assert any("unknown label 'pay'" in p for p in f.problems)
    assert any("unknown status 'later'" in p for p in f.problems)
    assert not Filter.parse("", LABELS).active


def test_set_token_replaces_or_removes_one_key():
    assert set_token("netflix lang:it label:quote", "lang", "fr") == "netflix label:quote lang:fr"
    assert set_token("netflix lang:it", "lang", None) == "netflix"


def test_model_filters_by_language_label_suggestion_status_text_and_marks():
    m, labels = _model(), LabelSet()
    ids = lambda: [d.id for d in m.visible(DOCS)]  # noqa: E731
    m.set_filter("lang:it,en", labels)
    assert ids() == ["news/001", "news/002"]
    m.set_filter("label:quote", labels)
    assert ids() == ["news/002"]
    assert m.hidden_suggestions(ids()) == 0
    m.set_filter("sugg:salary", labels)
    assert ids() == ["news/003"]
    m.set_filter("is:progress", labels)
    assert ids() == ["news/002"]
    m.set_filter("netflix hiring", labels)
    assert ids() == ["news/002"]
    m.marked = ["news/003"]
    m.set_filter("marked", labels)
    assert ids() == ["news/003"]


def test_model_sorts_by_each_column_with_path_order_breaking_ties():
    m = _model()
    order = {}
    for i, (name, _) in enumerate(SORTS):
        m.sort_index = i
        order[name] = [d.id for d in m.visible(DOCS)]
    assert order["path"] == ["news/001", "news/002", "news/003"]
    assert order["lang"] == ["news/002", "news/003", "news/001"]
    assert order["size"] == ["news/002", "news/003", "news/001"]
    assert order["annotations"] == ["news/003", "news/001", "news/002"]  # 0, 2, 2: path order between equals
    assert order["status"] == ["news/003", "news/002", "news/001"]
    m.sort_index, m.sort_reverse = 0, True
    assert [d.id for d in m.visible(DOCS)] == ["news/003", "news/002", "news/001"]


def test_known_labels_add_the_stores_own():
    m = _model()
    m.counts["news/003"] = Counter(person=1)
    assert m.known_labels(LabelSet())[-1] == "person"
    assert m.total("news/002") == 2 and m.total_suggested("news/003") == 4


def test_small_helpers():
    assert plural(1, "document") == "1 document" and plural(2, "document") == "2 documents"
    assert human_size(512) == "512 B" and human_size(2048) == "2.0 KB"
