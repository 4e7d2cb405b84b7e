"""`reader serve`: the app in a browser, through textual-serve.

Each browser visitor gets an app process of its own (textual-serve runs one
command per websocket). The visitor's annotator comes from the page's URL
(`/?annotator=NAME`), which we carry into the websocket's path (`/ws/NAME`) and
pass to the app as ``--annotator NAME``. On a PostgreSQL store every visitor
writes, so a visitor with no name in the URL is asked for one first (a small
form that reloads the page with it). On the JSON store the first visitor holds
the single-writer lock; later ones get the app's read-only banner naming the
holder.

Nothing here authenticates anybody: the server binds to 127.0.0.1 unless told
otherwise, and says so when told otherwise.
"""
from __future__ import annotations

import asyncio
import html
import ipaddress
import logging
import re
import shlex
import sys
from typing import Any

import aiohttp_jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("reader.serve")

ANNOTATOR_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def valid_annotator(name: str | None) -> str | None:
    """The name if it is a plain annotator name (letters, digits, ``._@-``, at
    most 64), else None. The name reaches a command line, so nothing else passes."""
    if name and ANNOTATOR_RE.fullmatch(name):
        return name
    return None


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_postgres(store: str) -> bool:
    return store.startswith(("postgresql://", "postgres://"))


def app_command(corpus: str, store: str, annotator: str | None, *, python: str = sys.executable) -> str:
    """The shell command that runs one visitor's app."""
    argv = [python, "-m", "reader", corpus, "--store", store]
    if annotator:
        argv += ["--annotator", annotator]
    return shlex.join(argv)


_ASK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reader: who is annotating?</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>reader</h1>
<p>Every annotation you make is saved under your name. {problem}</p>
<form method="get" action="/">
<label>Annotator name <input name="annotator" id="annotator" autofocus
  pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{{0,63}}" required></label>
<button type="submit">Start</button>
</form>
</body></html>
"""


class ReaderServer(Server):
    """textual-serve's server, with one app command per visitor's annotator."""

    def __init__(self, corpus: str, store: str, *, host: str = "127.0.0.1", port: int = 8000) -> None:
        self.corpus = corpus
        self.store = store
        self.ask_annotator = is_postgres(store)
        super().__init__(app_command(corpus, store, None), host=host, port=port, title="reader")

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.router.add_get("/ws/{annotator}", self.handle_websocket, name="annotator-websocket")
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        raw = request.query.get("annotator")
        annotator = valid_annotator(raw)
        if self.ask_annotator and annotator is None:
            problem = ""
            if raw:
                problem = f"“{html.escape(raw[:80])}” is not a usable name: use letters, digits and . _ @ - (at most 64)."
            return web.Response(text=_ASK_PAGE.format(problem=problem), content_type="text/html")
        font_size = request.query.get("fontsize", "16")
        route = "annotator-websocket" if annotator else "websocket"
        path = request.app.router[route].url_for(**({"annotator": annotator} if annotator else {}))
        scheme = "wss" if self.public_url.startswith("https") else "ws"
        base = self.public_url.split("://", 1)[1]
        context: dict[str, Any] = {
            "font_size": int(font_size) if font_size.isdigit() else 16,
            "app_websocket_url": f"{scheme}://{base}{path}",
            "config": {"static": {"url": f"{self.public_url}/static/"}},
            "application": {"name": f"reader — {annotator}" if annotator else "reader"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One visitor: start their app process and relay the browser's input to it."""
        annotator = valid_annotator(request.match_info.get("annotator"))
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        service: AppService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            service = AppService(
                app_command(self.corpus, self.store, annotator),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            async for message in websocket:
                if message.type == WSMsgType.TEXT:
                    await _relay(message.json(), service, websocket)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as exc:  # one visitor's failure must not stop the server
            log.error("visitor session ended: %s", exc)
        finally:
            if service is not None:
                await service.stop()
        return websocket


async def _relay(envelope: Any, service: AppService, websocket: web.WebSocketResponse) -> None:
    """One message from textual-serve's page: keys, a resize, a ping, focus."""
    if not isinstance(envelope, list) or not envelope:
        return
    kind = envelope[0]
    data = envelope[1] if len(envelope) > 1 else None
    if kind == "stdin" and isinstance(data, str):
        await service.send_bytes(data.encode("utf-8"))
    elif kind == "resize" and isinstance(data, dict):
        await service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
    elif kind == "ping":
        await websocket.send_json(["pong", data])
    elif kind == "blur":
        await service.blur()
    elif kind == "focus":
        await service.focus()


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def serve(corpus: str, store: str, *, host: str, port: int, out: Any = None) -> None:
    """Run the server until interrupted. Prints where it listens, and a warning
    when the address is not loopback (there is no authentication)."""
    out = out or sys.stderr
    server = ReaderServer(corpus, store, host=host, port=port)
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    out.write(f"reader: serving {corpus} (store {store}) at {where} — one app per browser visitor\n")
    if is_loopback(host):
        out.write("reader: bound to this machine only (use --host to serve others; there is no authentication)\n")
    else:
        out.write(f"reader: WARNING: bound to {host}: anyone who can reach it can read and annotate; there is no authentication\n")
    if server.ask_annotator:
        out.write("reader: each visitor is asked for an annotator name (or give it in the URL: ?annotator=NAME)\n")
    else:
        out.write("reader: JSON store: the first visitor writes; later visitors get a read-only view until it closes\n")
    out.flush()
    server.serve()
