"""`reader serve`: the app in a browser, through textual-serve.

Each browser visitor gets an app process of its own (textual-serve runs one
command per websocket). The visitor's annotator comes from the page's URL
(`/?annotator=NAME`), which we carry into the websocket's path (`/ws/NAME`) and
pass to the app as ``--annotator NAME``. On a PostgreSQL store every visitor
writes, so a visitor with no name in the URL is asked for one first (a small
form that reloads the page with it). On the JSON store the first visitor holds
the single-writer lock; later ones get the app's read-only banner naming the
holder.

Who may connect (see docs/reliability.md, "Security of reader serve"):

* every server start makes an unguessable token (``secrets.token_urlsafe``),
  printed in the URL it shows (``http://127.0.0.1:8000/?token=...``, as Jupyter
  does); the page needs it (``?token=``), and so does the websocket (its path,
  ``/ws/TOKEN[/NAME]``, which the page is given); without it, 403;
* the ``Host`` header must name the served address (a DNS-rebinding page has
  its own host name), and a browser's ``Origin`` must be that same address
  (another site's page cannot open the websocket), else 403;
* the server binds to 127.0.0.1 unless told otherwise, and warns when told otherwise.

A PostgreSQL URL reaches each visitor's app process through its environment
(``READER_STORE``), never its command line (``ps`` shows command lines); every
message shows it without its password (:func:`reader.redact.redact`). The page
loads its font from this server, not from a third party.
"""
from __future__ import annotations

import asyncio
import hmac
import html
import ipaddress
import logging
import os
import re
import secrets
import shlex
import sys
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from reader.redact import redact

TEMPLATES = Path(__file__).resolve().parent / "serve_templates"
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
    """The shell command that runs one visitor's app. A database URL (it may hold a
    password) is not on it: the app reads it from ``READER_STORE`` (see :func:`app_environment`)."""
    argv = [python, "-m", "reader", corpus]
    if not is_postgres(store):
        argv += ["--store", store]
    if annotator:
        argv += ["--annotator", annotator]
    return shlex.join(argv)


_ASK_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reader: who is annotating?</title></head>
<body style="font-family: sans-serif; margin: 3em">
<h1>reader</h1>
<p>Every annotation you make is saved under your name. {problem}</p>
<form method="get" action="/">
<input type="hidden" name="token" value="{token}">
<label>Annotator name <input name="annotator" id="annotator" autofocus
  pattern="[A-Za-z0-9][A-Za-z0-9._@\\-]{{0,63}}" required></label>
<button type="submit">Start</button>
</form>
</body></html>
"""


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class ReaderServer(Server):
    """textual-serve's server, with one app command per visitor's annotator, a token
    per start and Host/Origin checks (see the module docstring)."""

    def __init__(self, corpus: str, store: str, *, host: str = "127.0.0.1", port: int = 8000,
                 token: str | None = None) -> None:
        self.corpus = corpus
        self.store = store
        self.ask_annotator = is_postgres(store)
        self.token = token or secrets.token_urlsafe(32)
        if is_postgres(store):
            # each visitor's app process inherits it (textual-serve copies os.environ); never argv
            os.environ["READER_STORE"] = store
        super().__init__(app_command(corpus, store, None), host=host, port=port, title="reader",
                         templates_path=TEMPLATES)

    @property
    def url(self) -> str:
        """The address to open, with the token."""
        return f"http://{_host_port(self.host, self.port)}/?token={self.token}"

    def allowed_hosts(self) -> set[str] | None:
        """``Host`` header values that name this server; None: any (bound to every address)."""
        if self.host in ("0.0.0.0", "::", ""):
            return None
        names = {self.host}
        if is_loopback(self.host):
            names |= {"localhost", "127.0.0.1", "::1"}
        return {_host_port(n, self.port) for n in names}

    def refusal(self, request: web.Request, token: str | None) -> str | None:
        """Why ``request`` is refused (403), or None."""
        allowed = self.allowed_hosts()
        host = request.headers.get("Host", "")
        if allowed is not None and host not in allowed:
            return "wrong Host"
        origin = request.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            return "cross-origin request"
        if not token or not hmac.compare_digest(token.encode("utf-8", "surrogatepass"), self.token.encode()):
            return "missing or wrong token"
        return None

    def _forbidden(self, request: web.Request, reason: str) -> web.Response:
        log.warning("refused %s %s: %s", request.method, request.path.split("/ws/")[0] + ("/ws/…" if "/ws/" in request.path else ""), reason)
        return web.Response(status=403, text=f"403 Forbidden: {reason}. Open the address `reader serve` printed "
                                             "(it carries the token).\n")

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints its command here; ours prints in :func:`serve`."""

    async def _make_app(self) -> web.Application:
        """textual-serve's routes, with the websocket's path carrying the token (and the annotator)."""
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{token}", self.handle_websocket, name="websocket"),
            web.get("/ws/{token}/{annotator}", self.handle_websocket, name="annotator-websocket"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        refused = self.refusal(request, request.query.get("token"))
        if refused:
            return self._forbidden(request, refused)
        raw = request.query.get("annotator")
        annotator = valid_annotator(raw)
        if self.ask_annotator and annotator is None:
            problem = ""
            if raw:
                problem = f"“{html.escape(raw[:80])}” is not a usable name: use letters, digits and . _ @ - (at most 64)."
            return web.Response(text=_ASK_PAGE.format(problem=problem, token=html.escape(self.token)),
                                content_type="text/html")
        font_size = request.query.get("fontsize", "16")
        route = "annotator-websocket" if annotator else "websocket"
        path = request.app.router[route].url_for(token=self.token, **({"annotator": annotator} if annotator else {}))
        host = request.headers.get("Host") or self.public_url.split("://", 1)[1]
        context: dict[str, Any] = {
            "font_size": int(font_size) if font_size.isdigit() else 16,
            "app_websocket_url": f"ws://{host}{path}",
            "config": {"static": {"url": f"http://{host}/static/"}},
            "application": {"name": f"reader — {annotator}" if annotator else "reader"},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        """One visitor: start their app process and relay the browser's input to it."""
        refused = self.refusal(request, request.match_info.get("token"))
        if refused:
            return self._forbidden(request, refused)
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
            log.error("visitor session ended: %s", redact(str(exc)))
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
    out.write(redact(f"reader: serving {corpus} (store {store}) — one app per browser visitor; open\n"))
    out.write(f"    {server.url}\n")
    out.write("reader: the token in that address is the only key: whoever has the address can read and annotate\n")
    if is_loopback(host):
        out.write("reader: bound to this machine only (use --host to serve others)\n")
    else:
        out.write(f"reader: WARNING: bound to {host}: anyone who can reach it and has the address can read and annotate; "
                  "the connection is not encrypted (no HTTPS)\n")
    if server.ask_annotator:
        out.write("reader: each visitor is asked for an annotator name (or give it in the URL: ?annotator=NAME)\n")
    else:
        out.write("reader: JSON store: the first visitor writes; later visitors get a read-only view until it closes\n")
    out.flush()
    server.serve()
