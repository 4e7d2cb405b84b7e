"""Issue 9, wording: each command's --help is its own; usage errors exit 2."""
from __future__ import annotations

import pytest

from reader.cli import main

from conftest import SEEDS


@pytest.mark.parametrize("command", ["suggest", "export", "docs", "stats", "import", "agree"])
def test_a_commands_help_is_its_own_usage(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: reader {command} ")
    # not the top-level usage (every command's line) run into it
    assert "reader docs [CORPUS]" not in out and "open the terminal UI" not in out


def test_unknown_label_in_suggest_is_a_usage_error(tmp_path, seeds_copy, capsys):
    corpus = seeds_copy
    code = main(["suggest", str(corpus), "--store", str(tmp_path / "s"), "--labels", "salary,bogus"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--labels" in err and "bogus" in err and "salary, quote" in err
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())  # nothing was run


def test_min_score_out_of_range_is_a_usage_error(tmp_path, capsys):
    code = main(["suggest", str(SEEDS), "--store", str(tmp_path / "s"), "--min-score", "3"])
    assert code == 2
    assert "--min-score" in capsys.readouterr().err


def test_a_save_that_fails_in_a_command_does_not_promise_a_retry(tmp_path, seeds_copy, capsys, monkeypatch):
    """The store's message ("kept in memory as unsaved and will be retried") is the app's, which
    retries and offers a rescue file; a command that cannot save ends, so it says what was not
    written and to run it again (found by an adversarial round: a full disk under `reader lang`)."""
    import errno
    import os

    import reader.fsutil as fsutil

    store = tmp_path / "s"
    doc_id = sorted(p.stem for p in seeds_copy.glob("*.txt"))[0]
    assert main(["lang", str(seeds_copy), doc_id, "fr", "--store", str(store)]) == 0
    capsys.readouterr()

    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil, "write_and_sync", full)
    assert main(["lang", str(seeds_copy), doc_id, "it", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "disk full" in err and "will be retried" not in err and "run it again" in err
    monkeypatch.undo()
    import subprocess
    import sys

    # run again (a new process: this one still holds the store its failed command could not close)
    again = subprocess.run([sys.executable, "-m", "reader", "lang", str(seeds_copy), doc_id, "it", "--store", str(store)],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
