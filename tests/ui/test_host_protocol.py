"""ReaderApp and the tests' HostApp both implement ReaderAppProtocol, with the same signatures."""
from __future__ import annotations

import inspect

from reader.tui.app import ReaderApp
from reader.tui.host import ReaderAppProtocol, protocol_members

from tests.reading_harness import HostApp, copy_seeds


def _signature(cls: type, name: str) -> str | None:
    member = inspect.getattr_static(cls, name, None)
    if callable(member) and not isinstance(member, property):
        params = inspect.signature(member).parameters.values()
        return ", ".join(f"{p.name}={p.default!r}" if p.default is not p.empty else p.name for p in params)
    return None


def test_both_apps_have_every_member(tmp_path):
    reader = ReaderApp(copy_seeds(tmp_path), tmp_path / "a", detect=False, signals=False)
    host = HostApp(tmp_path / "seeds", tmp_path / "b")
    try:
        for app in (reader, host):
            missing = sorted(n for n in protocol_members() if not hasattr(app, n))
            assert not missing, f"{type(app).__name__} lacks {missing}"
            assert isinstance(app, ReaderAppProtocol)
    finally:
        host.workspace.close()
        reader.close_workspace()


def test_method_signatures_match_the_protocol():
    for name in sorted(protocol_members()):
        expected = _signature(ReaderAppProtocol, name)
        if expected is None:
            continue
        for cls in (ReaderApp, HostApp):
            assert _signature(cls, name) == expected, f"{cls.__name__}.{name}"
