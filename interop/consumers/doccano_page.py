"""doccano's own annotation page in headless Chromium: does each span underline the text we meant?

Runs in the project's Python. doccano's server (its Django app under gunicorn,
as ``doccano webserver`` runs it, but bound to 127.0.0.1) serves the database
that doccano_check.py left behind; Chromium logs in through doccano's login
form and opens each example on the sequence-labelling page. That page (the
v-annotator component) draws every line of the text as an SVG ``<text>`` and
every span as coloured ``<line>`` segments under it, its label at the span's
first line. The characters under each span's segments (their glyph boxes,
``getExtentOfChar``) are the text the page shows for it, line by line; each
must be our span's text on that line (a span of only line breaks has none).
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from interop.consumers.browser import chromium
from reader.formats.offsets import Utf16Map

STARTUP_SECONDS = 180
EMPTY_LINE = "\u2b90"  # ⮐, what v-annotator draws for an empty line

# each line: its range in the text (the <text> id, "start:end" in UTF-16 units), and per span group
# the label drawn (only at a span's first line) and the characters whose glyph centre lies on its segments
READ_JS = r"""
() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg[id^="svg"]')) {
    const t = svg.querySelector('text[id]');
    if (!t || !/^\d+:\d+$/.test(t.id)) continue;
    const n = t.getNumberOfChars();
    const ext = [];
    for (let i = 0; i < n; i++) { const r = t.getExtentOfChar(i); ext.push([r.x, r.width]); }
    const groups = [];
    for (const g of svg.querySelectorAll('g')) {
      const segs = Array.from(g.children).filter(c => c.tagName === 'line').map(l => [+l.getAttribute('x1'), +l.getAttribute('x2')]);
      if (!segs.length) continue;
      const labelEl = Array.from(g.querySelectorAll('g > text')).pop();
      const hit = [];
      for (let i = 0; i < n; i++) {
        const c = ext[i][0] + ext[i][1] / 2;
        if (ext[i][1] > 0 && segs.some(([a, b]) => c >= Math.min(a, b) - 3 && c <= Math.max(a, b) + 3)) hit.push(i);
      }
      groups.push({label: labelEl ? labelEl.textContent : null,
                   shown: hit.length ? t.textContent.slice(Math.min(...hit), Math.max(...hit) + 1) : ""});
    }
    out.push({range: t.id, text: t.textContent, groups});
  }
  return out;
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(python: Path, backend: Path, db: Path, media: Path, log: Path) -> Iterator[str]:
    """doccano's web app (gunicorn, production settings, its built frontend) on 127.0.0.1; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "STANDALONE": "True",
           "DATABASE_URL": f"sqlite:///{db}", "MEDIA_ROOT": str(media), "CSRF_TRUSTED_ORIGINS": base}
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([str(python), "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                 "--chdir", str(backend), "config.wsgi"],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        began = time.monotonic()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"doccano's server exited with {proc.returncode}; see {log}")
            try:
                with urllib.request.urlopen(f"{base}/auth", timeout=5) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() - began > STARTUP_SECONDS:
                raise RuntimeError(f"doccano's server did not answer within {STARTUP_SECONDS} s; see {log}")
            time.sleep(1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def expected_lines(text: str, spans: list[tuple[int, int, str]], line_range: tuple[int, int]) -> Counter:
    """What the page should show on the line ``line_range`` (code points): (label at a span's first line, else None;
    the span's text on this line, stripped), for every span with visible text there."""
    ls, le = line_range
    want: Counter = Counter()
    for s, e, label in spans:
        piece = text[max(s, ls):min(e, le)]
        if s < le and e > ls and piece.strip():
            want[(label if s >= ls else None, piece.strip())] += 1
    return want


def check_page(base: str, username: str, password: str, project: int, examples: int,
               docs: dict[str, tuple[str, list[tuple[int, int, str]]]]) -> dict[str, Any]:
    """Every example's spans as doccano's page draws them. ``docs``: doc_id -> (text, [(start, end, label)] in code points)."""
    out: dict[str, Any] = {"spans_on_lines": 0, "right": 0, "problems": [], "documents": []}
    with chromium() as browser:
        out["browser"] = browser.version
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/auth")
        page.fill("input[type=text]", username)
        page.fill("input[type=password]", password)
        page.keyboard.press("Enter")
        page.wait_for_url("**/projects**")
        for number in range(1, examples + 1):
            # the app's own router, as a click on "Start annotation" and the pager do (a typed URL of a
            # dynamic route is answered with the app's root page)
            for attempt in range(3):  # under load the app may still be starting when the route is pushed
                page.goto(f"{base}/projects")
                page.wait_for_function("() => window.$nuxt && window.$nuxt.$router")
                page.wait_for_timeout(1000)
                page.evaluate("(r) => window.$nuxt.$router.push(r)",
                              f"/projects/{project}/sequence-labeling?page={number}&q=&isChecked=&ordering=")
                try:
                    page.wait_for_selector('svg[id^="svg"] text[id]', timeout=30_000)
                    break
                except Exception:  # noqa: BLE001
                    if attempt == 2:
                        raise
            page.wait_for_timeout(2000)  # every line drawn
            lines = page.evaluate(READ_JS)
            first = lines[0]["text"] if lines else ""
            found = [(d, t, s) for d, (t, s) in docs.items() if t.split("\n", 1)[0] == first]
            if len(found) != 1:
                out["problems"].append(f"example {number}: the page shows {first[:40]!r}, not one of our documents")
                continue
            doc_id, text, spans = found[0]
            out["documents"].append(doc_id)
            u16 = Utf16Map(text)
            for line in lines:
                a, b = (int(x) for x in line["range"].split(":"))
                ls, le = u16.to_cp(a), u16.to_cp(b)
                want = expected_lines(text, spans, (ls, le))
                # an empty line is drawn as the glyph ⮐, which a span over the line break underlines
                shown = [(g["label"], g["shown"].replace(EMPTY_LINE, "").strip()) for g in line["groups"]]
                got = Counter(x for x in shown if x[1])
                out["spans_on_lines"] += sum(want.values())
                out["right"] += sum((want & got).values())
                if want != got:
                    out["problems"].append(f"{doc_id} line {text[ls:le][:30]!r}: the page underlines "
                                           f"{sorted((got - want).elements(), key=str)}, ours {sorted((want - got).elements(), key=str)}")
    return out
