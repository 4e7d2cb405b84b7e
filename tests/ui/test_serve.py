"""`reader serve`: the app in a real browser (headless Chromium driven by
Playwright with the system browser), plus the server's own rules.

The browser test starts `reader serve` as a real process on a free loopback
port, opens the page, waits for the library, opens a document, searches and
tags a span with keys pressed in the page, then checks the store on disk. It
keeps a screenshot in `.artifacts/serve-chromium.png`. The terminal is drawn on
a canvas, so the test reads the screen from the websocket frames the page
receives (escape sequences removed).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui.serve import ReaderServer, app_command, is_loopback, serve, valid_annotator

from conftest import SEEDS, copy_seeds

ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
ITALIAN = "000_9d99caadc18c77c5"


def test_annotator_names_that_reach_the_command_line_are_plain():
    assert valid_annotator("alice") == "alice"
    assert valid_annotator("a.b-c_d@lab") == "a.b-c_d@lab"
    for bad in ("", None, "a b", "x;rm -rf /", "$(id)", "-rf", "é" * 3, "a" * 65, "alice\n"):
        assert valid_annotator(bad) is None


def test_each_visitor_command_names_the_annotator():
    assert app_command("seeds", "annotations", None, python="py") == "py -m reader seeds --store annotations"
    assert app_command("my seeds", "st", "bo", python="py") == "py -m reader 'my seeds' --store st --annotator bo"


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1") and not is_loopback("example.org")


def test_serve_says_where_it_binds_and_warns_off_loopback(monkeypatch):
    monkeypatch.setattr(ReaderServer, "serve", lambda self, debug=False: None)
    out = io.StringIO()
    serve("seeds", "annotations", host="127.0.0.1", port=8000, out=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text and "this machine only" in text and "WARNING" not in text
    out = io.StringIO()
    serve("seeds", "annotations", host="0.0.0.0", port=8000, out=out)
    assert "WARNING: bound to 0.0.0.0" in out.getvalue() and "no authentication" in out.getvalue()


async def test_page_carries_the_annotator_into_the_websocket_and_postgres_asks_for_one():
    from aiohttp.test_utils import TestClient, TestServer

    server = ReaderServer("seeds", "annotations", host="127.0.0.1", port=8000)
    async with TestClient(TestServer(await server._make_app())) as client:
        page = await (await client.get("/?annotator=alice")).text()
        assert 'data-session-websocket-url="ws://127.0.0.1:8000/ws/alice"' in page
        page = await (await client.get("/")).text()
        assert 'data-session-websocket-url="ws://127.0.0.1:8000/ws"' in page
        page = await (await client.get("/?annotator=a%20b")).text()  # not a name: served without one
        assert 'ws://127.0.0.1:8000/ws"' in page

    server = ReaderServer("seeds", "postgresql://u@127.0.0.1/db", host="127.0.0.1", port=8000)
    async with TestClient(TestServer(await server._make_app())) as client:
        page = await (await client.get("/")).text()
        assert "Annotator name" in page and "data-session-websocket-url" not in page
        page = await (await client.get("/?annotator=%3Cscript%3E")).text()
        assert "&lt;script&gt;" in page and "<script>" not in page  # echoed, escaped
        page = await (await client.get("/?annotator=bo")).text()
        assert "ws://127.0.0.1:8000/ws/bo" in page


def test_cli_serve_refuses_a_missing_corpus_and_a_bad_port(tmp_path, capsys):
    from reader.entry import main

    assert main(["serve", str(tmp_path / "nope"), "--store", str(tmp_path / "st")]) == 1
    assert "no such corpus folder" in capsys.readouterr().err
    assert main(["serve", str(SEEDS), "--store", str(tmp_path / "st"), "--port", "70000"]) == 2


# --- the real browser ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Screen:
    """What the page has been sent, as text: the websocket frames without escape sequences."""

    def __init__(self, page) -> None:
        self.page = page
        self.frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.frames.append(payload if isinstance(payload, str) else payload.decode("utf-8", "replace"))

    @property
    def text(self) -> str:
        return ANSI.sub("", "".join(self.frames))

    def wait_for(self, needle: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.text:
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never reached the page; last text: {self.text[-400:]!r}")
            self.page.wait_for_timeout(200)  # lets Playwright deliver events (time.sleep would not)


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"reader serve exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("reader serve did not listen")


def _serve(tmp_path, store: str):
    copy_seeds(tmp_path)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reader", "serve", "seeds", "--store", store, "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
    )
    try:
        _wait_for_port(port, proc)
        yield tmp_path, f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def served(tmp_path):
    yield from _serve(tmp_path, "annotations")


@pytest.fixture
def served_pg(tmp_path, pg_url):
    for served in _serve(tmp_path, pg_url):
        yield (*served, pg_url)


def browser_required(env=os.environ) -> bool:
    """CI (``CI`` set, as CI services do; .ci/run also sets READER_REQUIRE_BROWSER=1) must run
    the browser test: there a missing browser fails it instead of skipping it silently."""
    return env.get("CI", "").strip().lower() not in ("", "0", "false", "no") or env.get("READER_REQUIRE_BROWSER") == "1"


def _no_browser(reason: str) -> None:
    if browser_required():
        pytest.fail(f"{reason}; the browser test is required here (CI / READER_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def test_the_browser_is_required_in_ci_only():
    assert browser_required({"CI": "true"}) and browser_required({"READER_REQUIRE_BROWSER": "1"})
    assert not browser_required({}) and not browser_required({"CI": "false"}) and not browser_required({"CI": ""})


@pytest.fixture
def chromium():
    if CHROMIUM is None:
        _no_browser("no Chromium: `make test` installs Debian's chromium package (apt-get, as root)")
    try:
        from playwright import sync_api
    except ImportError:
        _no_browser("playwright is in the 'browser' extra that make test installs")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            yield browser
        finally:
            browser.close()


def _claims(workdir: Path) -> list[tuple[str, str]]:
    corpus = load_corpus(workdir / "seeds", detect=False)
    with AnnotationStore(workdir / "annotations", readonly=True) as store:
        store.attach_corpus(corpus)
        return [(a.text, a.annotator) for a in store.for_document(ITALIAN) if a.label == "claim"]


@pytest.mark.browser
def test_a_visitor_opens_searches_and_tags_in_chromium_and_the_store_has_it(served, chromium):
    workdir, url = served
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    screen = Screen(page)
    page.goto(url + "?annotator=alice")
    screen.wait_for("sorted by path")  # the library's status line
    screen.wait_for("annotator: alice")  # the header names the visitor's annotator
    page.click("#terminal")
    page.keyboard.press("Enter")  # the first document (sorted by path): 000, Italian
    screen.wait_for("A cura di Ilaria Costabile")
    page.keyboard.press("/")
    page.keyboard.type("Netflix")
    page.keyboard.press("Enter")
    page.keyboard.press("3")  # claim
    deadline = time.monotonic() + 60
    while not _claims(workdir) and time.monotonic() < deadline:
        page.wait_for_timeout(300)
    assert _claims(workdir) == [("Netflix", "alice")]  # saved under the name in the page's URL
    screen.wait_for("claim 1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-chromium.png"))
    assert (ARTIFACTS / "serve-chromium.png").stat().st_size > 10_000

    # a second visitor on the JSON store reads only, and is told who holds the lock
    second = chromium.new_page(viewport={"width": 1400, "height": 900})
    other = Screen(second)
    second.goto(url)
    other.wait_for("READ-ONLY")
    other.wait_for("another writer holds the lock")
    other.wait_for("alice")  # the lock holder is named (this visitor has no annotator in its URL)
    second.screenshot(path=str(ARTIFACTS / "serve-chromium-second-visitor.png"))


def _open_and_tag(page, screen: Screen, needle: str, key: str, annotator: str) -> None:
    screen.wait_for("sorted by path")
    screen.wait_for(f"annotator: {annotator}")
    page.click("#terminal")
    page.keyboard.press("Enter")  # 000, Italian
    screen.wait_for("A cura di Ilaria Costabile")
    page.keyboard.press("/")
    page.keyboard.type(needle)
    page.keyboard.press("Enter")
    page.keyboard.press(key)


@pytest.mark.browser
def test_on_postgresql_every_visitor_writes_under_their_own_name(served_pg, chromium):
    workdir, url, pg_url = served_pg
    alice = chromium.new_page(viewport={"width": 1400, "height": 900})
    a_screen = Screen(alice)
    alice.goto(url + "?annotator=alice")
    _open_and_tag(alice, a_screen, "Netflix", "3", "alice")  # claim

    # bo comes without a name: the page asks for one first
    bo = chromium.new_page(viewport={"width": 1400, "height": 900})
    b_screen = Screen(bo)
    bo.goto(url)
    bo.fill("#annotator", "bo")
    bo.click("button[type=submit]")
    _open_and_tag(bo, b_screen, "Hollywood", "2", "bo")  # quote

    def saved() -> set[tuple[str, str, str]]:
        with AnnotationStore(pg_url, readonly=True) as store:
            return {(a.annotator, a.label, a.text) for a in store.for_document(ITALIAN)}

    want = {("alice", "claim", "Netflix"), ("bo", "quote", "Hollywood")}
    deadline = time.monotonic() + 60
    while not want <= saved() and time.monotonic() < deadline:
        alice.wait_for_timeout(300)
    assert want <= saved()
    assert "READ-ONLY" not in b_screen.text  # nobody is locked out on PostgreSQL
    ARTIFACTS.mkdir(exist_ok=True)
    bo.screenshot(path=str(ARTIFACTS / "serve-chromium-postgresql.png"))
