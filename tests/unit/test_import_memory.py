"""Memory of every import path (issue 19: "no import uses more than about 5x its input plus a fixed
amount, measured in a test with ``resource``").

Each case runs the real command (``python -m reader ...``) in a child of a fresh wrapper and reads the
child's peak resident size from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``. The same command on a
tiny input is the baseline (the interpreter, the libraries, the fixed cost); the big input's peak may
exceed it by at most 5x the input's size on disk. The figures measured are in docs/reliability.md.
"""
from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Iterator

import pytest

from reader.model import Annotation, Document

from peak_memory import MIB, corpus, reader_peak  # noqa: F401 (corpus: a fixture)

FACTOR = 5
WORDS = ("the council approved a plan for the northern district salary claim report river "
         "il consiglio ha approvato piano quartiere é ü ß").split()


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def assert_bounded(big: int, base: int, size: int) -> None:
    print(f"peak {big / MIB:.0f} MiB, baseline {base / MIB:.0f} MiB: {(big - base) / size:.2f}x {size / MIB:.1f} MiB")
    assert big - base <= FACTOR * size, (f"peak {big // MIB} MiB, baseline {base // MIB} MiB: "
                                         f"{(big - base) / size:.2f}x an input of {size / MIB:.1f} MiB")


def items(n_docs: int, chars: int, spans: int, wide: str = "") -> Iterator[tuple[Document, list[Annotation]]]:
    """Documents of ``chars`` characters (some of them 2-byte), each with ``spans`` annotated words;
    ``wide``, when given, is put once in the middle of every text (a `€` makes Python keep the whole
    text at 2 bytes a character, an emoji at 4)."""
    rng = random.Random(7)
    for i in range(n_docs):
        text = " ".join(rng.choice(WORDS) for _ in range(chars // 5))[:chars].strip()
        if wide:
            text = f"{text[:len(text) // 2]} {wide} {text[len(text) // 2:]}"[:chars]
        anns, pos, step = [], 0, max(1, len(text) // spans - 12)  # a word is at most 11 characters
        for k in range(spans):
            s = text.find(" ", pos) + 1
            e = text.find(" ", s)
            if s <= 0 or e < 0:
                break
            anns.append(Annotation(f"a{i}-{k}", f"d{i}", s, e, "claim", text[s:e], annotator="tester"))
            pos = s + step
        yield Document(f"d{i}", text, "", title=f"d{i}", lang="en"), anns




def write(fmt_name: str, out: Path, n_docs: int, chars: int, spans: int, wide: str = "") -> None:
    from reader.formats import get_format

    fmt = get_format(fmt_name)
    if fmt.kind in ("jsonl", "json"):
        with open(out, "w", encoding="utf-8") as fh:
            fmt.write(items(n_docs, chars, spans, wide), fh)
    else:
        fmt.write(items(n_docs, chars, spans, wide), out)


# (format, file name, documents, characters each, spans each): about 20-30 MB on disk; spaCy's DocBin is
# zlib-compressed (about 20x), so its big input is smaller on disk and far larger once inflated
# (plain jsonl is test_a_guessed_import_uses_at_most_five_times_its_input's file, read the same way)
CASES = [
    ("doccano", "x.jsonl", 2000, 10_000, 20),
    ("prodigy", "x.jsonl", 2000, 10_000, 20),
    ("labelstudio", "x.json", 2000, 10_000, 20),
    ("brat", "x", 2000, 10_000, 20),
    ("spacy", "x.spacy", 150, 10_000, 20),
]


def check_import(tmp_path: Path, corpus: Path, fmt_name: str, name: str, n_docs: int, chars: int, spans: int,
                 wide: str = "") -> None:
    """``reader import`` of a big file of the format against the same of one tiny document: within the bound."""
    if fmt_name == "spacy":
        pytest.importorskip("spacy")
    (tmp_path / "small").mkdir()
    (tmp_path / "big").mkdir()
    small, big = tmp_path / "small" / name, tmp_path / "big" / name
    write(fmt_name, small, 1, 200, 2)
    write(fmt_name, big, n_docs, chars, spans, wide)
    size = size_of(big)
    if fmt_name == "spacy":  # a DocBin is zlib-compressed: its input is what it inflates to (capped, MAX_INFLATED_BYTES)
        import zlib

        size = max(size, len(zlib.decompress(big.read_bytes())))
    base, base_peak = reader_peak("import", corpus, small, "--format", fmt_name, "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("import", corpus, big, "--format", fmt_name, "--store", tmp_path / "s2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"imported {n_docs * spans} annotation(s)" in proc.stdout, proc.stdout[-500:]
    assert_bounded(peak, base_peak, size)


@pytest.mark.parametrize("fmt_name, name, n_docs, chars, spans", CASES, ids=[c[0] for c in CASES])
def test_an_import_uses_at_most_five_times_its_input(tmp_path, corpus, fmt_name, name, n_docs, chars, spans):
    check_import(tmp_path, corpus, fmt_name, name, n_docs, chars, spans)


# very many short spans: 10 on every 500 characters (about 190 bytes of JSON each), so the input is
# mostly spans and the store holds one annotation for every ~240 bytes of it. doccano and prodigy
# (JSONL read by the same importer; 3.55x and 3.66x, docs/reliability.md) are left out of this and
# the next test for the suite's time: each case takes about 6 s
DENSE = [("jsonl", "x.jsonl"), ("labelstudio", "x.json"), ("brat", "x")]


@pytest.mark.parametrize("fmt_name, name", DENSE, ids=[c[0] for c in DENSE])
def test_an_import_of_very_many_short_spans_uses_at_most_five_times_its_input(tmp_path, corpus, fmt_name, name):
    check_import(tmp_path, corpus, fmt_name, name, 1000, 5_000, 100)


# text wider than Latin-1: one `€` (2 bytes a character in Python) or one emoji (4 bytes) in every
# document of an otherwise Latin text, the UTF-8 file barely larger; "text-only" has one span a
# document, so the input is nearly all text: its floor is the texts alone, about 3.9x the file
EMOJI = "\U0001F600"
# (one `€` a document, 2 bytes a character, measured 2.74x: docs/reliability.md; left out for the suite's
# time, as the emoji's 4 bytes a character is the harder case)
WIDE = [("jsonl", "x.jsonl", EMOJI, 20), ("jsonl", "x.jsonl", EMOJI, 1),
        ("labelstudio", "x.json", EMOJI, 20), ("brat", "x", EMOJI, 20)]
WIDE_IDS = ["jsonl-emoji", "jsonl-emoji-text-only", "labelstudio-emoji", "brat-emoji"]


@pytest.mark.parametrize("fmt_name, name, wide, spans", WIDE, ids=WIDE_IDS)
def test_an_import_of_text_wider_than_latin1_uses_at_most_five_times_its_input(tmp_path, corpus, fmt_name, name,
                                                                                wide, spans):
    check_import(tmp_path, corpus, fmt_name, name, 2000, 10_000, spans, wide)


def test_a_guessed_import_uses_at_most_five_times_its_input(tmp_path, corpus):
    """Without --format: the guess reads the first megabyte, not the file."""
    (tmp_path / "small").mkdir()
    (tmp_path / "big").mkdir()
    write("jsonl", tmp_path / "small" / "x.jsonl", 1, 200, 2)
    write("jsonl", tmp_path / "big" / "x.jsonl", 2000, 10_000, 20)
    base, base_peak = reader_peak("import", corpus, tmp_path / "small" / "x.jsonl", "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("import", corpus, tmp_path / "big" / "x.jsonl", "--store", tmp_path / "s2", cwd=tmp_path)
    assert proc.returncode == 0 and "imported 40000 annotation(s)" in proc.stdout, proc.stderr
    assert_bounded(peak, base_peak, size_of(tmp_path / "big" / "x.jsonl"))


def _text(chars: int) -> str:
    rng = random.Random(3)
    line = " ".join(rng.choice(WORDS) for _ in range(14))
    para = "\n".join([line] * 5) + "\n\n"
    return para * (chars // len(para) + 1)


@pytest.mark.parametrize("detect", [False, True], ids=["no-detect", "detect"])
def test_loading_a_large_text_document_uses_at_most_five_times_its_size(tmp_path, detect):
    """The corpus loader on one large plain-text document (under the 64 MiB per-file limit)."""
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    (small / "a.txt").write_text(_text(2_000), encoding="utf-8")
    (big / "a.txt").write_text(_text(30 * MIB), encoding="utf-8")
    flags = () if detect else ("--no-detect",)
    base, base_peak = reader_peak("docs", small, *flags, "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("docs", big, *flags, "--store", tmp_path / "s2", cwd=tmp_path)
    assert proc.returncode == 0 and "a" in proc.stdout, proc.stderr
    assert_bounded(peak, base_peak, size_of(big / "a.txt"))


def _labels_toml(labels: int, description: int) -> str:
    colours = ("red", "blue", "green", "yellow", "magenta", "cyan")
    return "".join(f'[label_{i}]\ncolor = "{colours[i % 6]}"\ndescription = "{"x" * description}"\n\n'
                   for i in range(labels))


@pytest.mark.parametrize("labels, description, ok", [(900, 7_000, True), (400_000, 20, False), (900, 30_000, False)],
                         ids=["long-descriptions", "too-many-labels", "too-large"])
def test_a_large_labels_toml_uses_at_most_five_times_its_size(tmp_path, corpus, labels, description, ok):
    """``labels.toml`` is parsed whole (tomllib holds about 20x a file in objects): a file past
    MAX_LABELS_BYTES is refused before it is parsed, one of up to that size stays within the bound."""
    from reader.labels import MAX_LABELS_BYTES

    for name, text in (("s1", _labels_toml(2, 20)), ("s2", _labels_toml(labels, description))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "labels.toml").write_text(text, encoding="utf-8")
    size = size_of(tmp_path / "s2" / "labels.toml")
    assert size > 6 * MIB and (size <= MAX_LABELS_BYTES) == ok
    base, base_peak = reader_peak("labels", corpus, "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("labels", corpus, "--store", tmp_path / "s2", cwd=tmp_path)
    if ok:
        assert proc.returncode == 0 and "label_899" in proc.stdout, proc.stderr
    else:
        assert proc.returncode not in (0, 70) and "Traceback" not in proc.stderr
        assert "labels.toml" in proc.stderr and "larger than 8 MiB" in proc.stderr, proc.stderr
    assert_bounded(peak, base_peak, size)


def test_count_words_is_len_of_split_across_chunk_edges(monkeypatch):
    """The corpus' word count (``Document.words``) counts a megabyte at a time, exactly as ``str.split``."""
    import reader.model as model

    rng = random.Random(5)
    for chunk in (1, 2, 3, 7, 64):
        monkeypatch.setattr(model, "_WORDS_CHUNK", chunk)
        for _ in range(200):
            text = "".join(rng.choice("ab \n\u3000\u00a0xé") for _ in range(rng.randint(0, 300)))
            assert model.count_words(text) == len(text.split()), (chunk, text)
