"""`reader serve`: the app in a real browser (headless Chromium driven by
Playwright with the system browser), plus the server's own rules.

The browser test starts `reader serve` as a real process on a free loopback
port, opens the address it printed (with its token), waits for the library,
opens a document, searches and tags a span with keys pressed in the page, then
checks the store on disk. It keeps a screenshot in `.artifacts/serve-chromium.png`.
The terminal is drawn on a canvas, so the test reads what xterm.js itself holds:
its screen buffer (``terminal.buffer.active``), caught when textual-serve's page
creates the terminal. A page whose xterm draws nothing, or draws garbage, fails
(`test_a_blank_or_garbled_page_fails_the_screen_check`).
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


def test_a_database_url_never_reaches_a_command_line_or_the_output(monkeypatch):
    """issue 19 #3: the password was printed and on every visitor's command line (ps)."""
    url = "postgresql://postgres:S3CRETpw@127.0.0.1:5432/ann"
    assert app_command("seeds", url, "bo", python="py") == "py -m reader seeds --annotator bo"
    monkeypatch.setattr(ReaderServer, "serve", lambda self, debug=False: None)
    monkeypatch.delenv("READER_STORE", raising=False)
    out = io.StringIO()
    serve("seeds", url, host="127.0.0.1", port=8000, out=out)
    assert "S3CRETpw" not in out.getvalue() and "postgresql://postgres@127.0.0.1:5432/ann" in out.getvalue()
    assert os.environ["READER_STORE"] == url  # what each visitor's app inherits (textual-serve copies os.environ)


def test_loopback_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1") and not is_loopback("example.org")


def test_serve_says_where_it_binds_and_warns_off_loopback(monkeypatch):
    monkeypatch.setattr(ReaderServer, "serve", lambda self, debug=False: None)
    out = io.StringIO()
    serve("seeds", "annotations", host="127.0.0.1", port=8000, out=out)
    text = out.getvalue()
    assert re.search(r"http://127\.0\.0\.1:8000/\?token=[\w-]{40,}\n", text)
    assert "this machine only" in text and "WARNING" not in text
    out = io.StringIO()
    serve("seeds", "annotations", host="0.0.0.0", port=8000, out=out)
    assert "WARNING: bound to 0.0.0.0" in out.getvalue() and "not encrypted" in out.getvalue()
    tokens = {ReaderServer("seeds", "annotations").token for _ in range(3)}
    assert len(tokens) == 3  # a new one per start


async def test_page_carries_the_annotator_into_the_websocket_and_postgres_asks_for_one():
    from aiohttp.test_utils import TestClient, TestServer

    server = ReaderServer("seeds", "annotations", host="127.0.0.1", port=8000, token="T0K")
    hdr = {"Host": "127.0.0.1:8000"}
    async with TestClient(TestServer(await server._make_app())) as client:
        page = await (await client.get("/?token=T0K&annotator=alice", headers=hdr)).text()
        assert 'data-session-websocket-url="ws://127.0.0.1:8000/ws/T0K/alice"' in page
        page = await (await client.get("/?token=T0K", headers=hdr)).text()
        assert 'data-session-websocket-url="ws://127.0.0.1:8000/ws/T0K"' in page
        assert "googleapis" not in page and "fonts/RobotoMono-VariableFont_wght.ttf" in page  # issue 19 #10
        page = await (await client.get("/?token=T0K&annotator=a%20b", headers=hdr)).text()  # not a name: served without one
        assert 'ws://127.0.0.1:8000/ws/T0K"' in page
        font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf", headers=hdr)
        assert font.status == 200 and len(await font.read()) > 10_000

    server = ReaderServer("seeds", "postgresql://u@127.0.0.1/db", host="127.0.0.1", port=8000, token="T0K")
    async with TestClient(TestServer(await server._make_app())) as client:
        page = await (await client.get("/?token=T0K", headers=hdr)).text()
        assert "Annotator name" in page and "data-session-websocket-url" not in page
        assert 'name="token" value="T0K"' in page  # the form keeps the token
        page = await (await client.get("/?token=T0K&annotator=%3Cscript%3E", headers=hdr)).text()
        assert "&lt;script&gt;" in page and "<script>" not in page  # echoed, escaped
        page = await (await client.get("/?token=T0K&annotator=bo", headers=hdr)).text()
        assert "ws://127.0.0.1:8000/ws/T0K/bo" in page


async def test_without_the_token_or_from_another_origin_or_host_it_is_403():
    """issue 19 #1: any web page could open the websocket and run an app as anyone."""
    import aiohttp
    from aiohttp.test_utils import TestServer

    server = ReaderServer("seeds", "annotations", host="127.0.0.1", port=8000, token="right-token")
    async with TestServer(await server._make_app(), host="127.0.0.1", port=_free_port()) as ts:
        base = f"127.0.0.1:{ts.port}"
        server.port = ts.port  # the served address the Host check compares with
        async with aiohttp.ClientSession() as http:
            cases = [
                ("/ws/mallory", {}),  # the attack as filed: no token (the name taken for one)
                ("/ws/wrong-token/mallory", {}),
                ("/ws/right-token/mallory", {"Origin": "http://evil.example"}),
                ("/ws/right-token/mallory", {"Origin": f"http://{base}", "Host": "evil.example"}),  # DNS rebinding
                ("/ws/right-token", {"Origin": "null"}),
            ]
            for path, headers in cases:
                with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
                    await http.ws_connect(f"ws://{base}{path}", headers=headers)
                assert exc.value.status == 403, (path, headers)
            for query, headers in [("", {}), ("?token=nope", {}), ("?token=right-token", {"Host": "attacker.example"})]:
                resp = await http.get(f"http://{base}/{query}", headers=headers)
                assert resp.status == 403, (query, headers)
            resp = await http.get(f"http://{base}/?token=right-token")
            assert resp.status == 200 and f"ws://{base}/ws/right-token" in await resp.text()


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


# textual-serve's page keeps its xterm Terminal in a closure; the one public thing we can catch
# is the assignment ``this.terminal = new Terminal(...)``: a setter on Object.prototype sees it,
# then gets out of the way. The screen is then read with xterm's public buffer API.
CATCH_XTERM = """
(() => {
  window.__xterms = [];
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
      if (value && value.buffer && typeof value.write === "function") {
        window.__xterms.push(value);
        const mode = window.__READER_TEST_WRITE;  // "blank" / "garble": a broken page, for the check's own test
        if (mode === "blank") value.write = () => {};
        if (mode === "garble") {
          const write = value.write.bind(value);
          value.write = (data, cb) => write(Uint8Array.from(data, b => (b >= 0x61 && b <= 0x7a) ? ((b - 0x61 + 13) % 26) + 0x61 : b), cb);
        }
      }
    },
  });
  window.__readerScreen = () => {
    const t = window.__xterms[window.__xterms.length - 1];
    if (!t) return "";
    const buf = t.buffer.active, rows = [];
    for (let y = 0; y < t.rows; y++) {
      const line = buf.getLine(buf.viewportY + y);
      rows.push(line ? line.translateToString(true) : "");
    }
    return rows.join("\\n");
  };
})();
"""


class Screen:
    """What xterm.js shows in the page: its own screen buffer, row by row."""

    def __init__(self, page, write_mode: str = "") -> None:
        self.page = page
        if write_mode:
            page.add_init_script(f"window.__READER_TEST_WRITE = {write_mode!r};")
        page.add_init_script(CATCH_XTERM)

    @property
    def text(self) -> str:
        return str(self.page.evaluate("window.__readerScreen ? window.__readerScreen() : ''"))

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
            raise AssertionError(f"reader serve exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("reader serve did not listen")


def _served_url(log: Path, timeout: float = 30.0) -> str:
    """The address `reader serve` printed (with its token)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = re.search(r"(http://127\.0\.0\.1:\d+/)\?token=([\w-]+)", log.read_text(encoding="utf-8", errors="replace"))
        if m:
            return f"{m.group(1)}?token={m.group(2)}"
        time.sleep(0.1)
    raise AssertionError(f"reader serve printed no address: {log.read_text(errors='replace')!r}")


def _serve(tmp_path, store: str, corpus: str = "seeds"):
    if corpus == "seeds":
        copy_seeds(tmp_path)
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reader", "serve", corpus, "--store", store, "--port", str(port)],
            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=err, text=True,
            env={**os.environ, "TEXTUAL_ANIMATIONS": "none"},
        )
    try:
        _wait_for_port(port, proc)
        yield tmp_path, _served_url(log)
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
    page.goto(url + "&annotator=alice")
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
    alice.goto(url + "&annotator=alice")
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


@pytest.mark.browser
def test_in_chromium_no_token_a_wrong_token_or_another_origin_is_refused(served, chromium):
    """issue 19 #1 in the browser: the page needs the token, and a page of another site
    cannot open the websocket even when it knows the token."""
    _, url = served
    base, token = url.split("?token=")
    page = chromium.new_page()
    assert page.goto(base).status == 403
    assert page.goto(base + "?token=not-the-token").status == 403
    assert page.goto(url).status == 200
    # another site's page (its origin http://evil.example), served by Playwright's router
    page.route("http://evil.example/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<html><body>hello</body></html>"))
    page.goto("http://evil.example/")
    ws = base.replace("http://", "ws://") + f"ws/{token}/mallory"
    outcome = page.evaluate("""url => new Promise(done => {
        const s = new WebSocket(url + "?width=80&height=24");
        s.onopen = () => done("open"); s.onerror = () => done("refused");
        setTimeout(() => done("timeout"), 10000);
    })""", ws)
    assert outcome == "refused"


@pytest.mark.browser
def test_a_blank_or_garbled_page_fails_the_screen_check(served, chromium):
    """issue 23 #3: with xterm's write made a no-op (or garbling), the screen check must fail."""
    _, url = served
    for mode in ("blank", "garble"):
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        screen = Screen(page, write_mode=mode)
        page.goto(url)
        with pytest.raises(AssertionError, match="never reached the page"):
            screen.wait_for("sorted by path", timeout=20)
        page.close()
    page = chromium.new_page(viewport={"width": 1400, "height": 900})
    screen = Screen(page)
    page.goto(url)
    screen.wait_for("sorted by path")  # the same server, an unbroken page: the check passes
    assert "sorted by path" in screen.text.splitlines()[-1] or "sorted by path" in screen.text


@pytest.fixture
def served_bad_name(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("Good text here.\n", encoding="utf-8")
    with open(os.fsencode(corpus) + b"/bad\xff.txt", "wb") as fh:
        fh.write(b"A file whose name is not UTF-8.\n")
    yield from _serve(tmp_path, "annotations", corpus="corpus")


def test_a_file_name_that_is_not_utf8_does_not_kill_the_served_app(served_bad_name):
    """issue 19 #2: every visitor's app died with UnicodeEncodeError '\\udcff' in Textual's web driver.
    Through `reader serve` for real: the app keeps running and shows the name with a \\xff escape."""
    import asyncio

    import aiohttp

    _, url = served_bad_name
    base, token = url.split("?token=")

    async def visit() -> tuple[bytes, bool]:
        got = b""
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(base.replace("http://", "ws://") + f"ws/{token}?width=120&height=40") as ws:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not (b"bad\\xff" in got and b"Good text here" in got):
                    try:
                        msg = await ws.receive(timeout=5)
                    except asyncio.TimeoutError:
                        continue
                    if msg.type == aiohttp.WSMsgType.BINARY:
                        got += msg.data
                    elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        return got, False
                await ws.send_str('["ping", "1"]')  # still alive after drawing the library
                alive = False
                for _ in range(20):
                    msg = await ws.receive(timeout=5)
                    if msg.type == aiohttp.WSMsgType.TEXT and "pong" in msg.data:
                        alive = True
                        break
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
                return got, alive

    got, alive = asyncio.run(visit())
    assert b"bad\\xff" in got and b"Good text here" in got, got[-500:]
    assert alive
