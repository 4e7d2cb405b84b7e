"""Label Studio's own labelling page in headless Chromium: does each region highlight the text we meant?

Runs in the project's Python (Playwright on Debian's chromium). Logs in through
Label Studio's login form, opens every task in its labelling view
(``/projects/<id>/data?task=<id>``), selects each annotation and prediction in
turn, and reads back, for every region, the text its highlight elements cover
on the page (line breaks included: the page draws each line of the text as an
element of its own). That text must be our span's text, ``text[start:end]``,
less any line breaks at its very edges, which have no glyph to highlight (a
span that ends on its line break ends at the end of its line on the page).
"""
from __future__ import annotations

from typing import Any

from interop.consumers.browser import HIGHLIGHT_TEXT_JS, chromium

# Label Studio's frontend (LSF) keeps its annotation store in window.Htx; its Text tag draws each line
# of the text as an .lsf-richtext__line element and each region as .htx-highlight-<region identifier> spans
ENTRIES_JS = """() => { const s = window.Htx && window.Htx.annotationStore;
  if (!s) return null;
  return [...s.annotations.map(a => ["annotation", a.id]), ...s.predictions.map(p => ["prediction", p.id])]; }"""
SELECT_JS = """([kind, id]) => { const s = window.Htx.annotationStore;
  if (kind === "prediction") s.selectPrediction(id); else s.selectAnnotation(id);
  return Object.fromEntries(s.selected.regionStore.regions.map(
    r => [r.cleanId || r.id, "." + CSS.escape("htx-highlight-" + r.identifier)])); }"""
LOADED_JS = """([annotations, predictions]) => { const s = window.Htx && window.Htx.annotationStore;
  return !!(s && s.selected && s.annotations.length >= annotations && s.predictions.length >= predictions); }"""
DRAWN_JS = """(selectors) => selectors.every(sel => document.querySelector(sel))"""
LINES = ".lsf-richtext__line"


def check_page(base: str, email: str, password: str, project: int, tasks: list[dict], expected: dict) -> dict[str, Any]:
    """Every region of every task as Label Studio's page draws it, compared with our span texts.

    ``tasks``: Label Studio's task list (``id``, ``data.doc_id``, ``total_annotations``, ``total_predictions``).
    Returns counts and ``problems``.
    """
    by_id = {s["id"]: (doc_id, s) for doc_id, doc in expected.items() for s in doc["spans"]}
    out: dict[str, Any] = {"regions": 0, "right": 0, "not_drawn": 0, "line_breaks_only": 0, "problems": [], "seen": []}
    with chromium() as browser:
        out["browser"] = browser.version
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/user/login/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        with page.expect_navigation():
            page.click("button[type=submit], input[type=submit]")
        if "/user/login" in page.url:
            raise RuntimeError(f"Label Studio's login form refused {email}")
        def read_task(task: dict) -> dict[str, Any]:
            part: dict[str, Any] = {"regions": 0, "right": 0, "not_drawn": 0, "line_breaks_only": 0, "problems": [], "seen": []}
            doc_id = task["data"].get("doc_id")
            text = expected[doc_id]["text"]
            page.goto(f"{base}/projects/{project}/data?task={task['id']}")
            # the store fills in its annotations and predictions one by one after the page loads
            page.wait_for_function(LOADED_JS, arg=[task.get("total_annotations", 0), task.get("total_predictions", 0)])
            page.wait_for_selector(LINES)
            entries = page.evaluate(ENTRIES_JS) or []
            for kind, entry_id in entries:
                selectors = page.evaluate(SELECT_JS, [kind, entry_id])
                # wait for every region that has something to draw (the page draws them one by one)
                drawable = [sel for rid, sel in selectors.items() if rid not in by_id or by_id[rid][1]["text"].strip("\n")]
                try:
                    page.wait_for_function(DRAWN_JS, arg=drawable, timeout=30_000)
                except Exception:  # noqa: BLE001  (a region never drawn: counted below, region by region)
                    pass
                got = page.evaluate(HIGHLIGHT_TEXT_JS, ["body", LINES, selectors])
                if "error" in got:
                    raise RuntimeError(got["error"])
                if got["page_text"] != text:
                    part["problems"].append(f"{doc_id}: the page shows a text that is not ours ({len(got['page_text'])} "
                                           f"characters, ours {len(text)})")
                for rid, shown in got["regions"].items():
                    part["regions"] += 1
                    doc_and_span = by_id.get(rid)
                    if doc_and_span is None:
                        part["problems"].append(f"{doc_id} {kind} {entry_id}: region {rid} is not one of our spans")
                        continue
                    span = doc_and_span[1]
                    part["seen"].append(rid)
                    want = span["text"]
                    where = f"{doc_id} {span['label']} {span['start']}-{span['end']} {want!r}"
                    if not want.strip("\n"):  # only line breaks: nothing on the page to highlight
                        part["line_breaks_only"] += 1
                    elif not shown["drawn"]:
                        part["not_drawn"] += 1
                        part["problems"].append(f"{where}: not drawn on the page")
                    elif shown["shown"] != want.strip("\n") or shown["pieces"] != shown["shown"].replace("\n", ""):
                        part["problems"].append(f"{where}: the page highlights {shown['shown']!r}")
                    else:
                        part["right"] += 1
            return part

        for task in tasks:
            # under load the page may list an annotation before its regions are drawn: read the task again
            want_regions = len(expected[task["data"].get("doc_id")]["spans"])
            for attempt in range(3):
                part = read_task(task)
                if not part["not_drawn"] and len(set(part["seen"])) >= want_regions:
                    break
            for key in ("regions", "right", "not_drawn", "line_breaks_only"):
                out[key] += part[key]
            out["problems"] += part["problems"]
            out["seen"] += part["seen"]
    return out
