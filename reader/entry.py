"""The ``reader`` console script (and ``python -m reader``): the top of the layers.

The terminal UI and ``reader serve`` are the UI's; every other command is
:mod:`reader.cli`'s. This module joins them, so the CLI never imports the UI.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from reader.cli import output
from reader.cli.commands import cmd_ui_unavailable, resolve_annotator
from reader.cli.commands import main as cli_main
from reader.errors import ReaderError
from reader.teams.adjudication import GOLD


def run_ui(args: argparse.Namespace) -> int:
    """No sub-command: the terminal UI; ``serve``: the UI in a browser."""
    return cmd_serve(args) if args.command == "serve" else cmd_ui(args)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from reader.tui.serve import serve
    except ImportError as exc:
        raise ReaderError(f"reader serve needs textual-serve ({exc}): pip install 'reader[serve]' (make install does)") from None
    if not Path(args.corpus).is_dir():
        raise ReaderError(f"{args.corpus}: no such corpus folder")
    if not 0 < args.port < 65536:
        raise output.UsageError(f"reader serve: --port {args.port}: not a port number (1-65535)")
    serve(str(args.corpus), str(args.store), host=args.host, port=args.port)
    return output.EXIT_OK


def cmd_ui(args: argparse.Namespace) -> int:
    try:
        from reader.tui import ReaderApp
    except ImportError as exc:
        output.info(f"the terminal UI is not available ({exc}); listing the documents instead")
        args.json = False
        args.no_detect = False
        return cmd_ui_unavailable(args)
    if not Path(args.corpus).is_dir():
        raise ReaderError(f"{args.corpus}: no such corpus folder")
    gold = resolve_annotator(args.gold) if args.gold is not None else GOLD
    app = ReaderApp(args.corpus, args.store, readonly=args.readonly, annotator=args.annotator, gold=gold)
    result = app.run()
    if isinstance(result, int):
        return result
    # 143 after SIGTERM, 129 after SIGHUP (the store was closed cleanly first);
    # 1 when unsaved changes went to a rescue file or were discarded
    return app.return_code or (output.EXIT_ERROR if app.work_not_in_store else output.EXIT_OK)


# --- parsing ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    return cli_main(argv, ui=run_ui)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
