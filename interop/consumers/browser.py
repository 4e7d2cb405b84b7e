"""Headless Chromium for the consumers' own pages: Debian's /usr/bin/chromium driven by Playwright.

Playwright's own browser download is never used (`make interop` installs the
`chromium` package with apt, as `make test` does for the reader serve test).
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]


class NoBrowser(RuntimeError):
    """Chromium or Playwright is missing; the message says how to get it."""


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise NoBrowser("chromium is not installed (make chromium, or apt-get install chromium); "
                    "it opens Label Studio's and doccano's own pages")


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright Browser on the system's Chromium."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise NoBrowser("playwright is not installed (the project's 'browser' extra)") from None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# Run in the page: the text of each highlight element set, rebuilt with the line breaks the page
# draws as separate line elements. `lineSelector` names the elements that hold one line of the
# source text each (Label Studio) or null when the text is one element with its line breaks in it.
# Returns {page_text, regions: {key: {shown, pieces, drawn}}}; offsets are the page's own (UTF-16).
HIGHLIGHT_TEXT_JS = r"""
([root, lineSelector, groups]) => {
  const rootEl = document.querySelector(root);
  if (!rootEl) return {error: `no element ${root} on the page`};
  const lines = lineSelector ? Array.from(rootEl.querySelectorAll(lineSelector)) : [rootEl];
  const starts = [];
  let pos = 0;
  for (const line of lines) { starts.push(pos); pos += line.textContent.length + 1; }
  const pageText = lines.map(l => l.textContent).join("\n");
  const offsetOf = (el, atEnd) => {
    const i = lines.findIndex(l => l.contains(el));
    if (i < 0) return null;
    const r = document.createRange();
    r.setStart(lines[i], 0);
    if (atEnd) r.setEndAfter(el); else r.setEndBefore(el);
    return starts[i] + r.toString().length;
  };
  const regions = {};
  for (const [key, selector] of Object.entries(groups)) {
    const els = Array.from(rootEl.querySelectorAll(selector));
    if (!els.length) { regions[key] = {drawn: false, shown: "", pieces: ""}; continue; }
    const a = Math.min(...els.map(e => offsetOf(e, false)));
    const b = Math.max(...els.map(e => offsetOf(e, true)));
    regions[key] = {drawn: true, shown: pageText.slice(a, b), pieces: els.map(e => e.textContent).join("")};
  }
  return {page_text: pageText, regions};
}
"""
