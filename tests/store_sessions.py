"""Sessions of the app on a folder store, for the tests of missing files and kept journals: three
documents of one text, one annotation per session, then close (a compaction)."""
from __future__ import annotations

from pathlib import Path

from memory_corpus import MemoryCorpus, doc
from reader.store import AnnotationStore

TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."


def corpus() -> MemoryCorpus:
    return MemoryCorpus([doc(d, TEXT) for d in ("a", "b", "c")])


def session(path: Path, doc_id: str, n: int, state: str | None = None) -> None:
    """One session of the app: one annotation (and the reading position), then close (a compaction)."""
    store = AnnotationStore(path, corpus=corpus(), annotator="x")
    store.add(doc_id, n, n + 1, "claim")
    if state is not None:
        store.set_state("last", state)
    store.close()


def content(path: Path) -> tuple[list[tuple[str, int, int]], object]:
    """The spans and the reading position a read-only open sees."""
    store = AnnotationStore(path, corpus=corpus(), readonly=True)
    try:
        return sorted((a.doc_id, a.start, a.end) for a in store.all()), store.get_state("last")
    finally:
        store.close()


def recovered_or_refused(path: Path, shard: str, span: tuple[str, int, int]) -> None:
    """``reader store recover`` either refuses, naming ``shard`` as one it cannot rebuild, or brings
    ``span`` back: never "recovered" without it."""
    from reader.errors import StoreError
    from reader.store import recover_store

    try:
        summary = recover_store(path)
    except StoreError as exc:
        assert "cannot be rebuilt" in str(exc) and shard in str(exc)
    else:
        assert span in content(path)[0], f"reported {summary!r} and lost the span {span}"


def downgrade_to_schema_2(path: Path) -> None:
    """Make the closed folder store ``path`` look as schema 2 wrote it: the imported documents' texts in
    meta.json's table "documents" (no texts/ folder; the kept lists name meta.json for them), so that
    the next open upgrades it."""
    import json
    import shutil

    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["_meta"]["1"]["schema_version"] = 2
    rows: dict[str, object] = {}
    texts = path / "texts"
    if texts.is_dir():
        for file in sorted(texts.glob("*.json")):
            for record in json.loads(file.read_text(encoding="utf-8")).get("documents", {}).values():
                rows[str(len(rows) + 1)] = record
        shutil.rmtree(texts)
    tables = list(meta.items())
    at = [name for name, _ in tables].index("done") + 1
    meta = dict(tables[:at] + [("documents", rows)] + [t for t in tables[at:] if t[0] != "documents"])
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for shard in (path / "docs").glob("*.json"):
        data = json.loads(shard.read_text(encoding="utf-8"))
        data["_shard"]["1"]["schema_version"] = 2
        shard.write_text(json.dumps(data), encoding="utf-8")
    for listing in (path / "journals").glob("*.files.json"):
        data = json.loads(listing.read_text(encoding="utf-8"))
        for key in ("files", "new"):
            if isinstance(data, dict) and key in data:
                names = {"meta.json" if n.startswith("texts/") else n for n in data[key]}
                if key == "new":  # meta.json is new only where it was before
                    names = {n for n in data[key] if not n.startswith("texts/")}
                data[key] = sorted(names)
        listing.write_text(json.dumps(data), encoding="utf-8")


def downgrade_to_schema_1(path: Path) -> None:
    """Make the closed folder store ``path`` look as schema 1 wrote it (no links table, the texts in
    meta.json), so that the next open upgrades it."""
    import json

    downgrade_to_schema_2(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["_meta"]["1"]["schema_version"] = 1
    meta.pop("links")
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    for shard in (path / "docs").glob("*.json"):
        data = json.loads(shard.read_text(encoding="utf-8"))
        data["_shard"]["1"]["schema_version"] = 1
        shard.write_text(json.dumps(data), encoding="utf-8")
