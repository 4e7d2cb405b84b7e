"""doccano's own import and export code on our doccano file. Runs inside .interop/doccano.

usage: python doccano_check.py OUR_EXPORT.jsonl EXPECTED.json WORKDIR [MIGRATED_DB_CACHE]

(MIGRATED_DB_CACHE: a copy of the database right after its migrations, kept
between runs, since migrating a new SQLite database is the slow part.)

1. doccano's import pipeline (data_import.datasets.load_dataset, as its Celery
   task calls it) loads our file into a sequence-labelling project on a fresh
   SQLite database; every stored span is checked, in UTF-16 units as doccano's
   web page counts them, against the spans we meant.
2. An annotator's edit is replayed in doccano's database: in one document one
   span is deleted and one added (issue 14's defect 1).
3. doccano's own export task (data_export.celery_tasks.export_dataset) writes
   JSONL, which the driver imports back into reader. The database stays for the
   driver's look at doccano's annotation page (doccano_page.py).
Prints one JSON line of counts.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le", "surrogatepass")[2 * start:2 * end].decode("utf-16-le", "replace")


def main() -> int:
    ours, expected_path, work = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    cache = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    work.mkdir(parents=True, exist_ok=True)
    import backend  # doccano's Django project, installed as a top-level package

    sys.path.insert(0, os.path.dirname(backend.__file__))
    db = work / "doccano.sqlite3"
    if db.exists():
        db.unlink()
    if cache is not None and cache.is_file():
        shutil.copyfile(cache, db)
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DATABASE_URL": f"sqlite:///{db}",
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "False",
    })
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)  # a no-op on the cached copy
    call_command("create_roles", verbosity=0)
    if cache is not None and not cache.is_file():
        from django.db import connection

        connection.close()
        shutil.copyfile(db, cache)
    from importlib.metadata import version

    from data_export.celery_tasks import export_dataset
    from data_import.datasets import load_dataset
    from data_import.pipeline.catalog import create_file_format
    from data_import.pipeline.parsers import detect_encoding
    from data_import.pipeline.readers import FileName
    from examples.models import Example
    from label_types.models import SpanType
    from labels.models import Span
    from projects.models import ProjectType, SequenceLabelingProject

    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    by_text = {doc["text"]: (doc_id, doc) for doc_id, doc in expected.items()}
    user = get_user_model().objects.create_superuser("interop", "interop@example.org", "interop-password")
    project = SequenceLabelingProject.objects.create(
        name="reader interop", description="our doccano export, checked by make interop",  # the web app requires one
        project_type=ProjectType.SEQUENCE_LABELING, created_by=user, allow_overlapping=True,
    )
    project.add_admin()

    # 1. doccano's import pipeline with its import form's default encoding, "Auto" (chardet 4 guesses it:
    # it takes UTF-8 with emoji and Arabic for Windows-1254, which is why our doccano files are ASCII)
    auto_guess = detect_encoding(str(ours))
    dataset = load_dataset(
        ProjectType.SEQUENCE_LABELING, create_file_format("JSONL"),
        [FileName(full_path=str(ours), generated_name=ours.name, upload_name=ours.name)], project,
        column_label="label",
    )
    dataset.save(user)
    errors = [e.dict() for e in dataset.errors]
    problems: list[str] = [f"doccano import error: {e}" for e in errors]
    examples = list(Example.objects.filter(project=project))
    spans = list(Span.objects.filter(example__project=project).select_related("example", "label"))
    at_expected = 0
    for example in examples:
        if example.text not in by_text:
            problems.append(f"example {example.id}: doccano stored a text that is not one of ours: {example.text[:40]!r}")
    for span in spans:
        doc_id, doc = by_text.get(span.example.text, (None, None))
        if doc is None:
            problems.append(f"example {span.example.id}: text is not one of our documents")
            continue
        shown = utf16_slice(span.example.text, span.start_offset, span.end_offset)
        match = [s for s in doc["spans"] if (s["start16"], s["end16"], s["label"]) == (span.start_offset, span.end_offset, span.label.text)]
        if match and match[0]["text"] == shown:
            at_expected += 1
        else:
            problems.append(f"{doc_id}: doccano span {span.start_offset}-{span.end_offset} {span.label.text} shows {shown!r}, not one of our spans")
    wanted = sum(len(d["spans"]) for d in expected.values())

    # 2. an annotator's edit in doccano: delete one span, add one; span_info stays as it was
    edited_doc = "it/emoji"
    example = next(e for e in examples if by_text.get(e.text, (None,))[0] == edited_doc)
    victim = Span.objects.filter(example=example, label__text="quote").order_by("start_offset").first()
    deleted = {"start16": victim.start_offset, "end16": victim.end_offset, "label": victim.label.text}
    victim.delete()
    claim = SpanType.objects.get(project=project, text="claim")
    Span.objects.create(example=example, user=user, label=claim, start_offset=0, end_offset=9)  # "Stipendio"

    # 3. doccano's export task
    archive = export_dataset(project.id, "JSONL", False)
    out = work / "doccano-export.jsonl"
    with zipfile.ZipFile(archive) as z:
        names = [n for n in z.namelist() if n.endswith(".jsonl")]
        out.write_bytes(z.read(names[0]))
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(json.dumps({
        "version": version("doccano"), "auto_encoding": auto_guess, "examples": len(examples), "spans": len(spans), "wanted": wanted,
        "at_expected_offsets": at_expected, "errors": len(errors), "problems": problems[:20],
        "edited": {"doc_id": edited_doc, "deleted": deleted, "added": {"start16": 0, "end16": 9, "label": "claim"}},
        "exported_records": len(exported), "exported_spans": sum(len(r.get("label") or []) for r in exported),
        "export": str(out), "project_id": project.id, "db": str(db), "backend": os.path.dirname(backend.__file__),
        "username": "interop", "password": "interop-password",
    }, ensure_ascii=False))
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
