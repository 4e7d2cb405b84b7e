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
