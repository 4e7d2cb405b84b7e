"""AnnotationController without an app: the pane's actions against a real store and corpus."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from reader.controller import AnnotationController
from reader.errors import StoreWriteError
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED
from reader.workspace import Workspace

from conftest import copy_seeds

EN = "001_228d26dd8dd40e62"


@pytest.fixture
def ws(tmp_path: Path):
    workspace = Workspace.open(copy_seeds(tmp_path), tmp_path / "annotations", detect=True)
    yield workspace
    workspace.close()


@pytest.fixture
def ctl(ws) -> AnnotationController:
    c = AnnotationController(ws.store, ws.corpus, EN)
    c.reload()
    return c


def span(ctl: AnnotationController, needle: str) -> tuple[int, int]:
    i = ctl.document.text.index(needle)
    return i, i + len(needle)


def test_controller_module_does_not_import_textual():
    import reader.controller as mod

    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "textual" for name in names)


def test_tag_relabel_note_delete_undo_redo(ctl, ws):
    sel = span(ctl, "Midjourney")
    out = ctl.tag("quote", sel, None)
    assert out.ok and out.changed and out.message == f"saved quote {sel[0]}–{sel[1]}"
    [a] = ws.store.for_document(EN)
    assert (a.start, a.end, a.label, a.text) == (*sel, "quote", "Midjourney")
    assert ctl.at(sel[0] + 3) == a and ctl.at(sel[1]) == a  # inside, and just after the end
    assert ctl.tag("quote", None, a).message.startswith("already quote")
    out = ctl.tag("claim", None, a)
    assert "re-labelled quote" in out.message and "as claim (ctrl+z undoes it)" in out.message and ws.store.get(a.id).label == "claim"
    assert "note on claim" in ctl.act("note", ctl.get(a.id), note="check this").message
    assert ws.store.get(a.id).note == "check this"
    out = ctl.act("delete", ctl.get(a.id))
    assert out.message.startswith("deleted claim") and ws.store.for_document(EN) == []
    assert ctl.undo().message.startswith("undo: restored claim") and len(ws.store.for_document(EN)) == 1
    assert ctl.redo().message.startswith("redo: deleted claim") and ws.store.for_document(EN) == []
    assert ctl.undo().changed and ctl.counts().accepted == {"claim": 1}


def test_tag_without_selection_or_annotation_says_what_to_do(ctl):
    out = ctl.tag("salary", None, None)
    assert not out.ok and "select some text first" in out.error and not out.changed


def test_accept_reject_and_accept_all_with_counts_per_label(ctl, ws):
    items = []
    for needle, label in (("Midjourney", "quote"), ("Netflix", "claim"), ("Bruce Willis", "quote")):
        s, e = span(ctl, needle)
        items.append(ws.store.add(EN, s, e, label, status=STATUS_SUGGESTED, source="test"))
    ctl.reload()
    assert ctl.accept_all_summary() == (3, "2 quote, 1 claim")
    assert ctl.act("accept", items[0]).message.startswith("accepted quote")
    assert ctl.act("reject", ctl.get(items[1].id)).message.startswith("rejected claim")
    assert ctl.accept_all_summary() == (1, "1 quote")
    out = ctl.accept_all()
    assert out.message == "accepted 1 suggestion(s)"
    assert {a.status for a in ws.store.for_document(EN)} == {STATUS_ACCEPTED}
    assert not ctl.accept_all().ok  # nothing left


def test_write_failure_is_unsaved_then_retry_saves(ctl, ws, monkeypatch):
    import errno
    import os

    from reader import fsutil

    state = {"fail": True}
    real = fsutil.write_and_sync

    def faulty(fd, data):
        if state["fail"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(fsutil, "write_and_sync", faulty)
    out = ctl.tag("salary", span(ctl, "Midjourney"), None)
    assert out.unsaved and "UNSAVED" in out.message and out.changed
    assert ctl.retry().unsaved
    state["fail"] = False
    out = ctl.retry()
    assert not out.unsaved and out.message.startswith("saved 1 change")
    assert ws.store.unsaved == 0


def test_language_goes_through_the_corpus_path(ctl, ws):
    doc = ctl.document
    detected = doc.lang
    assert ctl.set_language("es").changed
    assert doc.lang == "es" and ws.store.language_overrides() == {EN: "es"}
    assert {p.lang for p in doc.paragraphs} <= {"es"} or all(p.lang != detected for p in doc.paragraphs if p.lang == "es")
    out = ctl.set_language(None)
    assert out.changed and doc.lang == detected and ws.store.language_overrides() == {}
    assert "cleared" in out.message


def test_store_write_error_is_an_outcome_never_an_exception(ctl, monkeypatch):
    def boom(*a, **k):
        raise StoreWriteError("store", "disk full", 1)

    monkeypatch.setattr(ctl.store, "add", boom)
    out = ctl.tag("salary", span(ctl, "Midjourney"), None)
    assert out.unsaved and "disk full" in out.error
