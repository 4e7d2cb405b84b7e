"""Links between annotations in the store: schema 2, undo, groups, the upgrade from schema 1."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.errors import StoreVersionError
from reader.store import SCHEMA_VERSION, AnnotationStore
from reader.store.links import LinkError
from store_sessions import downgrade_to_schema_1


def _two_docs(store):
    a = store.add("it", 0, 5, "salary", text="300mi")
    b = store.add("en", 3, 9, "salary", text="$300,0")
    c = store.add("fr", 1, 4, "salary", text="300")
    return a, b, c


def test_link_groups_undo_redo_and_annotator(store_location):
    # on both engines: a JSON folder, then a PostgreSQL database
    with AnnotationStore(store_location, annotator="ana") as store:
        a, b, c = _two_docs(store)
        ab = store.link(a.id, b.id)
        assert ab.annotator == "ana" and ab.status == "accepted"
        store.link(c.id, b.id, annotator="bob")
        [group] = store.link_groups()
        assert [x.doc_id for x in group] == ["en", "fr", "it"]
        with pytest.raises(LinkError):
            store.link(b.id, a.id)
        with pytest.raises(LinkError):
            store.link(a.id, a.id)
        assert store.undo().kind == "link"
        assert len(store.links()) == 1
        assert store.redo().kind == "link"
        assert len(store.links()) == 2
        store.unlink(ab.id)
        assert [ln.a for ln in store.links()] == [c.id]
        store.undo()
        assert len(store.links()) == 2
    # durable: the links come back, with their annotators
    with AnnotationStore(store_location) as store:
        assert sorted(ln.annotator for ln in store.links()) == ["ana", "bob"]
        assert len(store.link_groups()[0]) == 3


def test_deleting_a_span_hides_its_links_and_undo_brings_them_back(store_location):
    with AnnotationStore(store_location) as store:
        a, b, _ = _two_docs(store)
        store.link(a.id, b.id)
        store.delete(a.id)
        assert store.links() == [] and store.link_groups() == []
        store.undo()
        assert len(store.links()) == 1


def test_suggested_links_accept_and_reject(store_location):
    with AnnotationStore(store_location) as store:
        a, b, c = _two_docs(store)
        made = store.link_many([(a.id, b.id), (b.id, c.id), (b.id, a.id)], status="suggested", source="suggest:links")
        assert len(made) == 2  # the reversed pair is the same link
        assert store.links() == [] and len(store.links(statuses=("suggested",))) == 2
        store.link(a.id, b.id)  # linking a suggested pair accepts it
        assert [ln.status for ln in store.links()] == ["accepted"]
        bc = store.link_between(b.id, c.id)
        store.unlink(bc.id)  # rejecting a suggestion keeps it as rejected
        assert store.get_link(bc.id).status == "rejected"
        assert store.link_many([(c.id, b.id)], status="suggested") == []  # never offered again
        store.undo()
        assert store.get_link(bc.id).status == "suggested"
        # one undo step for a batch
        store.undo()
        store.undo()
        assert store.links(statuses=("accepted", "suggested")) == []


def _make_v1_store(path: Path) -> None:
    with AnnotationStore(path) as store:
        store.add("d", 0, 1, "quote", text="x")
    downgrade_to_schema_1(path)


def test_a_version_1_store_is_upgraded_in_place_with_a_backup(tmp_path):
    path = tmp_path / "s"
    _make_v1_store(path)
    v1_meta = (path / "meta.json").read_bytes()
    # read-only: read as it is, nothing written
    with AnnotationStore(path, readonly=True) as store:
        assert store.schema_version == 1 and len(store.all()) == 1 and store.links() == []
    assert (path / "meta.json").read_bytes() == v1_meta and not (path / "backup-schema-1").exists()
    with AnnotationStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        assert store.upgraded is not None and store.upgraded[0] == 1
        [ann] = store.all()
        other = store.add("e", 0, 1, "quote", text="y")
        store.link(ann.id, other.id)
    backup = path / "backup-schema-1"
    assert (backup / "meta.json").read_bytes() == v1_meta
    assert list((backup / "docs").glob("*.json"))
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["_meta"]["1"]["schema_version"] == SCHEMA_VERSION and len(meta["links"]) == 1
    for shard in (path / "docs").glob("*.json"):
        assert json.loads(shard.read_text(encoding="utf-8"))["_shard"]["1"]["schema_version"] == SCHEMA_VERSION
    with AnnotationStore(path) as store:
        assert store.upgraded is None and len(store.links()) == 1


def test_a_newer_store_is_still_refused(tmp_path):
    path = tmp_path / "s"
    AnnotationStore(path).close()
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["_meta"]["1"]["schema_version"] = SCHEMA_VERSION + 1
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StoreVersionError):
        AnnotationStore(path)


# --------------------------------------------------------------------------- export / import

def _seed_group(seeds, store_location):
    from reader.workspace import Workspace

    ws = Workspace.open(seeds, store_location, detect=False)
    figures = {"000_9d99caadc18c77c5": ("300mila ai 900mila dollari", "it"),
               "001_228d26dd8dd40e62": ("$300,000 to $900,000", "en"),
               "002_26ccd676af571225": ("300 000 et 900 000 $", "fr"),
               "003_744b85a45d014b40": ("300 و900 ألف دولار", "ar")}
    anns = []
    for doc_id, (needle, lang) in figures.items():
        doc = ws.corpus.get(doc_id)
        doc.lang = lang
        i = doc.text.index(needle)
        anns.append(ws.store.add(doc_id, i, i + len(needle), "salary"))
    for other in anns[1:]:
        ws.store.link(anns[0].id, other.id)
    return ws, anns


def test_parallel_export_writes_the_group_with_four_languages(tmp_path, seeds_copy, store_location):
    from reader.formats import export_corpus

    ws, anns = _seed_group(seeds_copy, store_location)
    ws.store.add("001_228d26dd8dd40e62", 0, 5, "claim")  # not linked: not in the parallel file
    out = tmp_path / "parallel.jsonl"
    export_corpus("parallel", ws.corpus, ws.store, out)
    [line] = out.read_text(encoding="utf-8").splitlines()
    group = json.loads(line)
    assert group["label"] == "salary"
    assert group["value"]["min"] == 300000 and group["value"]["max"] == 900000 and group["value"]["currency"] == "USD"
    assert [s["lang"] for s in group["spans"]] == ["it", "en", "fr", "ar"]
    for s in group["spans"]:
        assert ws.corpus.get(s["doc_id"]).text[s["start"]:s["end"]] == s["text"]
    ws.close()


def test_jsonl_round_trip_keeps_links(tmp_path, seeds_copy, store_location, another_store_location):
    from reader.formats import export_corpus, import_file
    from reader.workspace import Workspace

    ws, anns = _seed_group(seeds_copy, store_location)
    bc = ws.store.link_many([(anns[1].id, anns[2].id)], status="suggested", source="suggest:links")
    out = tmp_path / "all.jsonl"
    export_corpus("jsonl", ws.corpus, ws.store, out, include_suggested=True)
    before = sorted((ln.id, ln.a, ln.b, ln.annotator, ln.created, ln.status, ln.source)
                    for ln in ws.store.links(statuses=("accepted", "suggested")))
    assert len(before) == 4 and bc
    ws.close()
    fresh = Workspace.open(seeds_copy, another_store_location, detect=False)
    report = import_file("jsonl", out, fresh.corpus, fresh.store)
    assert report.links == 4 and "4 link(s)" in report.summary()
    after = sorted((ln.id, ln.a, ln.b, ln.annotator, ln.created, ln.status, ln.source)
                   for ln in fresh.store.links(statuses=("accepted", "suggested")))
    assert [tuple(sorted(x[1:3])) + x[3:] for x in after] == [tuple(sorted(x[1:3])) + x[3:] for x in before]
    assert [x[0] for x in after] == [x[0] for x in before]
    # importing again adds nothing
    assert import_file("jsonl", out, fresh.corpus, fresh.store).links == 0
    fresh.close()


def test_cli_suggest_links_proposes_the_salary_group(seeds_copy, store_location, capsys):
    from reader.cli import main

    seeds = seeds_copy
    store = str(store_location)
    assert main(["suggest", str(seeds), "--store", store, "--labels", "salary"]) == 0
    capsys.readouterr()
    assert main(["suggest", str(seeds), "--store", store, "--links"]) == 0
    out = capsys.readouterr().out
    assert "suggested" in out and "link(s)" in out
    with AnnotationStore(store) as s:
        suggested = s.links(statuses=("suggested",))
        assert suggested and all(ln.source == "suggest:links" for ln in suggested)
        groups = s.link_groups(statuses=("suggested",))
        texts = {a.doc_id[:3]: a.text for g in groups for a in g if "900" in a.text and "300" in a.text}
        assert set(texts) == {"000", "001", "002", "003"}, groups  # the range, in all four seeds
        # rejecting one keeps it from coming back
        s.unlink(suggested[0].id)
    assert main(["suggest", str(seeds), "--store", store, "--links"]) == 0
    with AnnotationStore(store) as s:
        assert s.get_link(suggested[0].id).status == "rejected"
        assert len(s.links(statuses=("suggested",))) == len(suggested) - 1


def test_tmx_export_writes_one_unit_per_group_with_a_variant_per_language(tmp_path, seeds_copy, store_location):
    import xml.etree.ElementTree as ET

    from reader.formats import export_corpus

    ws, anns = _seed_group(seeds_copy, store_location)
    out = tmp_path / "links.tmx"
    export_corpus("tmx", ws.corpus, ws.store, out)
    root = ET.parse(out).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    [tu] = root.iter("tu")
    assert tu.find("prop").text == "salary"
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    tuvs = tu.findall("tuv")
    assert len(tuvs) == 4
    for tuv in tuvs:
        props = {p.get("type"): p.text for p in tuv.findall("prop")}
        doc = ws.corpus.get(props["x-doc"])
        assert tuv.get(lang) == (doc.known_lang or "und")
        assert doc.text[int(props["x-start"]):int(props["x-end"])] == tuv.find("seg").text
    ws.close()
