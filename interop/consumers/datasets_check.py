"""Hugging Face ``datasets.load_dataset("json", ...)`` on every JSON Lines export. Runs inside .interop/datasets.

usage: python datasets_check.py EXPECTED.json CACHE_DIR NAME=FILE [NAME=FILE ...]

Each file is loaded by datasets' own JSON builder (pyarrow underneath), then
every row is checked against the spans we meant: text, offsets (code points,
or UTF-16 units where the row says so) and labels. ``labelstudio`` is one JSON
array of tasks (datasets reads a top-level array too); ``parallel`` has one
row per linked group, checked against ``expected-links.json`` beside
EXPECTED.json. Prints one JSON line.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le", "surrogatepass")[2 * start:2 * end].decode("utf-16-le", "replace")


def main() -> int:
    expected = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    cache = sys.argv[2]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import datasets

    datasets.disable_progress_bars()
    by_id = {doc_id: doc for doc_id, doc in expected.items()}
    wanted = {(d, s["start"], s["end"], s["label"]) for d, doc in expected.items() for s in doc["spans"]}
    span_by_id = {s["id"]: (d, s) for d, doc in expected.items() for s in doc["spans"]}
    link_groups = json.loads((Path(sys.argv[1]).parent / "expected-links.json").read_text(encoding="utf-8"))
    result: dict = {"version": datasets.__version__, "files": {}, "problems": []}
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        try:
            ds = datasets.load_dataset("json", data_files=path, split="train", cache_dir=cache)
        except Exception as exc:  # noqa: BLE001  (report what datasets said, per file)
            result["problems"].append(f"{name}: load_dataset failed: {type(exc).__name__}: {str(exc)[:300]}")
            continue
        got: set = set()
        if name == "parallel":  # one row per linked group
            want_groups = {frozenset((span_by_id[i][0], span_by_id[i][1]["start"], span_by_id[i][1]["end"], span_by_id[i][1]["label"])
                                     for i in g) for g in link_groups}
            rows = set()
            for row in ds:
                members = frozenset((sp["doc_id"], sp["start"], sp["end"], row["label"]) for sp in row["spans"])
                for sp in row["spans"]:
                    doc = by_id.get(sp["doc_id"])
                    if doc is None or doc["text"][sp["start"]:sp["end"]] != sp["text"]:
                        result["problems"].append(f"parallel: {sp['doc_id']} {sp['start']}-{sp['end']} is not in its document")
                rows.add(members)
            if rows != want_groups:
                result["problems"].append(f"parallel: {len(rows & want_groups)} of {len(want_groups)} linked groups came back, "
                                          f"{len(rows - want_groups)} that are not ours")
            spans_in = sum(len(g) for g in rows & want_groups)
            result["files"][name] = {"rows": ds.num_rows, "spans": spans_in, "groups": len(rows & want_groups),
                                     "columns": len(ds.column_names)}
            continue
        for row in ds:
            if name == "labelstudio":  # one task per row: annotations and predictions of regions in code points
                data = row["data"]
                doc = by_id.get(data["doc_id"])
                if doc is None or data["text"] != doc["text"]:
                    result["problems"].append(f"labelstudio: task for {data['doc_id']!r} has not our text")
                    continue
                for group in (row["annotations"] or []) + (row["predictions"] or []):
                    for r in group["result"]:
                        v = r["value"]
                        if doc["text"][v["start"]:v["end"]] != v["text"]:
                            result["problems"].append(f"labelstudio: {data['doc_id']} region {r['id']}: text differs")
                        got.add((data["doc_id"], v["start"], v["end"], v["labels"][0]))
                continue
            if name == "spans":  # one row per annotation
                doc = by_id.get(row["doc_id"])
                if doc is None or doc["text"][row["start"]:row["end"]] != row["text"]:
                    result["problems"].append(f"spans: row {row['id']} does not match its document")
                got.add((row["doc_id"], row["start"], row["end"], row["label"]))
                continue
            doc_id = row.get("id") if name != "prodigy" else (row.get("meta") or {}).get("id")
            doc = by_id.get(doc_id)
            if doc is None or row["text"] != doc["text"]:
                result["problems"].append(f"{name}: row for {doc_id!r} has not our text")
                continue
            if name == "doccano":
                u16 = row.get("offset_unit") == "utf16"
                for s, e, label in row["label"]:
                    s, e = int(s), int(e)
                    span_text = utf16_slice(doc["text"], s, e) if u16 else doc["text"][s:e]
                    match = [x for x in doc["spans"] if (x["start16" if u16 else "start"], x["end16" if u16 else "end"], x["label"]) == (s, e, label)]
                    if not match or match[0]["text"] != span_text:
                        result["problems"].append(f"doccano: {doc_id} {s}-{e} {label} is not one of our spans")
                    else:
                        got.add((doc_id, match[0]["start"], match[0]["end"], label))
            else:
                for sp in row["spans"]:
                    if doc["text"][sp["start"]:sp["end"]] != sp.get("text", doc["text"][sp["start"]:sp["end"]]):
                        result["problems"].append(f"{name}: {doc_id} {sp['start']}-{sp['end']}: text differs")
                    got.add((doc_id, sp["start"], sp["end"], sp["label"]))
        missing = len(wanted - got)
        if missing:
            result["problems"].append(f"{name}: {missing} of our spans are not in the loaded rows")
        result["files"][name] = {"rows": ds.num_rows, "spans": len(got & wanted), "columns": len(ds.column_names)}
    print(json.dumps(result, ensure_ascii=False))
    return 0 if not result["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
