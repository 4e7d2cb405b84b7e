"""Search field edge cases found by hand in a real terminal (tmux)."""
from textual import events

from tests.tui_helpers import SIZE, copy_seeds, settle
from reader.tui import ReaderApp

EN = "001_228d26dd8dd40e62"


async def _open_english(tmp_path):
    app = ReaderApp(copy_seeds(tmp_path), tmp_path / "store")
    return app


async def _until(pilot, condition, seconds: float = 10.0) -> bool:
    """Poll (the machine may be loaded): the tests are about order, not speed."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def test_empty_search_does_not_crash(tmp_path):
    app = await _open_english(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(EN)
        assert await _until(pilot, lambda: type(app.screen.focused).__name__ == "AnnotatedTextView")
        await pilot.press("slash", "enter")
        await pilot.pause()
        assert app.is_running
        assert type(app.screen).__name__ == "ReadingScreen"


async def test_keys_typed_at_once_after_slash_reach_the_field(tmp_path):
    """A paste or a fast typist: every key is queued before the field could take focus."""
    app = await _open_english(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(EN)
        assert await _until(pilot, lambda: type(app.screen.focused).__name__ == "AnnotatedTextView")
        keys = ["slash", *"$300,000 to $900,000", "enter", "1"]
        names = {"$": "dollar_sign", ",": "comma", " ": "space"}
        for key in keys:
            name = names.get(key, key)
            char = key if len(key) == 1 else ("/" if key == "slash" else None)
            app.post_message(events.Key(name, char if key != "enter" else "\r"))
        await _until(pilot, lambda: app.store.for_document(EN))
        anns = app.store.for_document(EN)
        assert [(a.label, a.text) for a in anns] == [("salary", "$300,000 to $900,000")]
