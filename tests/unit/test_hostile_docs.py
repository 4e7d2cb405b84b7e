"""Hostile documents and file systems: the corpus loader never crashes.

Every bad file becomes a Problem naming the file and a specific reason; every
good file loads with canonical text (only ``\\n`` as line ending, every other
separator kept as a character so offsets never shift).
"""
from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader import corpus as corpus_mod
from reader.corpus import loading as corpus_loading
from reader.model import Paragraph
from reader.corpus import MAX_FILE_BYTES, load_corpus, load_document
from reader.errors import NotTextError, ReaderError


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def problems_by_name(c) -> dict[str, str]:
    return {Path(p.path).name: p.reason for p in c.problems}


# --- files that are not text ----------------------------------------------------------

def test_not_text_files_become_problems(tmp_path):
    write(tmp_path / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "onebad.txt", "Perfectly good UTF-8 line\nsecond ".encode() + b"\xff" + b" line\n")
    write(tmp_path / "latin1.txt", "Café crème à la française, déjà vu.\n".encode("latin-1"))
    write(tmp_path / "cp1252.txt", "“Smart quotes” – and an en dash… €5\n".encode("cp1252"))
    write(tmp_path / "good.txt", "fine")
    c = load_corpus(tmp_path, detect=False)
    assert [d.id for d in c] == ["good"]
    reasons = problems_by_name(c)
    assert set(reasons) == {"binary.txt", "onebad.txt", "latin1.txt", "cp1252.txt"}
    assert "NUL byte" in reasons["binary.txt"]
    assert "not valid UTF-8: byte 0xff" in reasons["onebad.txt"] and "line 2" in reasons["onebad.txt"]
    assert "Latin-1/Windows-1252" in reasons["latin1.txt"]
    assert "Latin-1/Windows-1252" in reasons["cp1252.txt"]
    for p in c.problems:
        assert p.path.startswith(str(tmp_path))
        assert str(p).startswith(p.path + ": ")


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)])
def test_utf16_with_bom_loads(tmp_path, codec, bom):
    text = "Ciao mondo, questo è un testo.\r\nSeconda riga 😀\r\n"
    write(tmp_path / "u16.txt", bom + text.encode(codec))
    c = load_corpus(tmp_path)
    doc = c.get("u16")
    assert doc.text == "Ciao mondo, questo è un testo.\nSeconda riga 😀\n"
    assert doc.encoding == "utf-16"
    assert doc.size == len(bom) + len(text.encode(codec))
    assert doc.title == "Ciao mondo, questo è un testo."


def test_utf16_without_bom_is_a_problem(tmp_path):
    write(tmp_path / "u16.txt", "hello".encode("utf-16-le"))
    c = load_corpus(tmp_path)
    assert len(c) == 0 and "NUL" in c.problems[0].reason


def test_utf8_bom_removed(tmp_path):
    write(tmp_path / "bom.txt", codecs.BOM_UTF8 + "Hello there".encode())
    doc = load_corpus(tmp_path, detect=False).get("bom")
    assert doc.text == "Hello there" and doc.encoding == "utf-8-sig"


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\r\n\t \x0c \n", "\u00a0\u2003\u3000".encode()])
def test_empty_and_whitespace_files_are_unknown_documents(tmp_path, data):
    write(tmp_path / "e.txt", data)
    c = load_corpus(tmp_path)
    doc = c.get("e")
    assert c.problems == []
    assert doc.lang == "unknown" and doc.lang_confidence == 0.0 and doc.lang_source == "detected"
    assert doc.title == "" and doc.paragraphs == []
    assert "\r" not in doc.text


# --- line endings and separators --------------------------------------------------------

def test_crlf_lone_cr_and_mixed_endings(tmp_path):
    write(tmp_path / "crlf.txt", b"one\r\ntwo\r\nthree")
    write(tmp_path / "cr.txt", b"one\rtwo\rthree")
    write(tmp_path / "mixed.txt", b"one\r\ntwo\rthree\nfour\r\r\nfive")
    c = load_corpus(tmp_path, detect=False)
    assert c.get("crlf").text == "one\ntwo\nthree"
    assert c.get("cr").text == "one\ntwo\nthree"
    mixed = c.get("mixed").text
    assert mixed == "one\ntwo\nthree\nfour\n\nfive"
    assert len(mixed) == 24 and mixed.index("five") == 20


def test_unicode_separators_are_kept_as_characters(tmp_path):
    seps = ["\u2028", "\u2029", "\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85"]
    body = "start" + "".join(f"{s}w{i}" for i, s in enumerate(seps)) + "\r\nend"
    write(tmp_path / "seps.txt", body)
    doc = load_corpus(tmp_path).get("seps")
    text = doc.text
    assert text == body.replace("\r\n", "\n")
    assert len(text) == 5 + 3 * len(seps) + 1 + 3
    for i, s in enumerate(seps):
        pos = 5 + 3 * i
        assert text[pos] == s and text[pos + 1: pos + 3] == f"w{i}"
    assert text.index("end") == len(text) - 3
    assert text.count("\n") == 1  # only the CRLF became a newline
    # offsets of paragraphs still index the canonical text
    for p in doc.paragraphs:
        assert 0 <= p.start < p.end <= len(text)


def test_hard_unicode_is_kept_exactly(tmp_path):
    samples = {
        "family": "👨\u200d👩\u200d👧\u200d👦 family",
        "flags": "🇮🇹🇫🇷🇸🇦 flags",
        "skin": "👍🏽👋🏿 skin",
        "vs16": "❤\ufe0f ☺\ufe0f",
        "combining": "e\u0301te\u0301 cafe\u0301 n\u0303",
        "arabic": "\u200fمَرْحَبًا بِكُمْ\u200e (LTR) \u200fعَرَبِيّ",
        "cjk": "日本語のテキスト、中文文本。",
        "tabs": "col1\tcol2\t\tcol3",
    }
    for name, text in samples.items():
        write(tmp_path / f"{name}.txt", text)
    c = load_corpus(tmp_path)
    for name, text in samples.items():
        assert c.get(name).text == text  # no normalisation: offsets match the file
    assert c.get("arabic").lang == "ar"


# --- size --------------------------------------------------------------------------

def test_one_megabyte_line_without_newline(tmp_path):
    line = ("parola " * 150_000)[:1_000_000]
    write(tmp_path / "long.txt", line)
    c = load_corpus(tmp_path)
    doc = c.get("long")
    assert doc.chars == 1_000_000 and "\n" not in doc.text
    assert len(doc.title) <= corpus_mod.TITLE_MAX and doc.title.endswith("…")
    assert doc.lang == "it"
    assert doc.paragraphs == [Paragraph(0, len(doc.text.rstrip()), "it", doc.paragraphs[0].confidence)]


def test_file_over_the_limit_is_refused_without_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # sparse: costs no disk
        fh.truncate(MAX_FILE_BYTES + 1)

    def no_read(*a, **k):
        raise AssertionError("a file over the limit was read")

    monkeypatch.setattr(corpus_loading, "_read_bytes", no_read)
    c = load_corpus(tmp_path)
    assert len(c) == 0
    reason = problems_by_name(c)["huge.txt"]
    assert reason.startswith("file too large: 64.0 MiB") and "the limit is 64.0 MiB" in reason


def test_file_that_grows_past_the_limit_while_read(tmp_path, monkeypatch):
    write(tmp_path / "grow.txt", "small")
    monkeypatch.setattr(corpus_loading, "_read_bytes", lambda path, limit: b"x" * limit)
    monkeypatch.setattr(corpus_loading, "MAX_FILE_BYTES", 1000)
    c = load_corpus(tmp_path)
    assert "file too large" in problems_by_name(c)["grow.txt"]


def test_fifty_megabyte_file_loads_and_is_tagged(tmp_path):
    seed = (Path(__file__).resolve().parents[2] / "seeds" / "002_26ccd676af571225.txt").read_bytes()
    path = tmp_path / "big.txt"
    chunk = (seed + b"\n\n") * 100
    with open(path, "wb") as fh:
        written = 0
        while written < 50_000_000:
            fh.write(chunk)
            written += len(chunk)
    c = load_corpus(tmp_path, detect=False)
    doc = c.get("big")
    assert doc.size == written and doc.lang_source == "pending"
    assert doc.title.startswith("Face à la grève")
    assert c.detect_languages() == 1
    assert doc.lang == "fr"
    from reader.lang import language
    assert len(doc.paragraphs) == language.MAX_PARAGRAPHS
    assert all(p.lang == "fr" for p in doc.paragraphs)


# --- file system ---------------------------------------------------------------------

def test_unreadable_file_via_injected_permission_error(tmp_path, monkeypatch):
    write(tmp_path / "secret.txt", "top secret")
    write(tmp_path / "open.txt", "public")
    real = corpus_loading._read_bytes

    def reader(path, limit):
        if Path(path).name == "secret.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, limit)

    monkeypatch.setattr(corpus_loading, "_read_bytes", reader)
    c = load_corpus(tmp_path, detect=False)
    assert [d.id for d in c] == ["open"]
    assert problems_by_name(c)["secret.txt"] == "permission denied: the file cannot be read"


@pytest.mark.parametrize("code,expected", [
    (errno.EIO, "cannot read the file: Input/output error"),
    (errno.ENOENT, "file not found: it was deleted, moved, or is a broken symlink"),
])
def test_other_read_errors(tmp_path, monkeypatch, code, expected):
    write(tmp_path / "a.txt", "text")

    def reader(path, limit):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(corpus_loading, "_read_bytes", reader)
    assert problems_by_name(load_corpus(tmp_path))["a.txt"] == expected


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_real_permissions(tmp_path):  # pragma: no cover - runs as non-root only
    f = write(tmp_path / "secret.txt", "top secret")
    f.chmod(0)
    try:
        c = load_corpus(tmp_path)
        assert "permission denied" in problems_by_name(c)["secret.txt"]
    finally:
        f.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_unreadable_folder_via_injected_error(tmp_path, monkeypatch):
    write(tmp_path / "locked" / "a.txt", "x")
    write(tmp_path / "b.txt", "y")
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(corpus_loading.os, "scandir", scandir)
    c = load_corpus(tmp_path, detect=False)
    assert [d.id for d in c] == ["b"]
    assert problems_by_name(c)["locked"] == "permission denied: the folder cannot be read"


def test_symlink_loops_and_broken_links(tmp_path):
    root = tmp_path / "c"
    write(root / "real.txt", "real text")
    os.symlink("self.txt", root / "self.txt")  # loops on itself
    os.symlink("pong.txt", root / "ping.txt")
    os.symlink("ping.txt", root / "pong.txt")
    os.symlink("missing.txt", root / "broken.txt")
    os.symlink("missing-dir", root / "broken-dir")  # not a document: ignored
    (root / "sub").mkdir()
    write(root / "sub" / "inner.txt", "inner text")
    os.symlink("..", root / "sub" / "up")  # a folder link back to an ancestor
    os.symlink("real.txt", root / "alias.txt")  # a good link loads
    c = load_corpus(root, detect=False)
    assert [d.id for d in c] == ["alias", "real", "sub/inner"]
    reasons = problems_by_name(c)
    assert set(reasons) == {"self.txt", "ping.txt", "pong.txt", "broken.txt", "up"}
    for name in ("self.txt", "ping.txt", "pong.txt"):
        assert reasons[name].startswith("symlink loop")
    assert reasons["up"].startswith("symlink loop")
    assert "broken symlink" in reasons["broken.txt"]


def test_folder_linked_twice_is_read_once(tmp_path):
    root = tmp_path / "c"
    write(root / "a" / "doc.txt", "text")
    os.symlink("a", root / "b")
    c = load_corpus(root, detect=False)
    assert [d.id for d in c] == ["a/doc"]
    assert "already read" in problems_by_name(c)["b"]


def test_folder_named_like_a_document(tmp_path):
    write(tmp_path / "x.txt" / "inside.md", "inside a folder called x.txt")
    write(tmp_path / "y.md" / ".keep", "")
    c = load_corpus(tmp_path, detect=False)
    assert [d.id for d in c] == ["x.txt/inside"]
    assert c.problems == []
    with pytest.raises(NotTextError, match="is a folder"):
        load_document(tmp_path / "y.md", tmp_path)


def test_fifo_is_not_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path / "ok.txt", "fine")
    c = load_corpus(tmp_path, detect=False)  # would block forever if opened
    assert [d.id for d in c] == ["ok"]
    assert "not a regular file (a FIFO" in problems_by_name(c)["pipe.txt"]


def test_names_with_spaces_and_non_ascii(tmp_path):
    names = ["my notes.txt", "café crème.md", "日本語 ファイル.txt", "مقال عربي.txt", "emoji 😀.txt", "tab\tname.txt"]
    for n in names:
        write(tmp_path / "dir with space" / n, f"text of {n}")
    c = load_corpus(tmp_path, detect=False)
    ids = [d.id for d in c]
    assert sorted(ids) == sorted(f"dir with space/{Path(n).stem}" for n in names)
    assert c.problems == []
    for d in c:
        assert d.text == f"text of {d.path.name}"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_file_name_that_is_not_utf8(tmp_path):
    raw_dir = os.fsencode(tmp_path)
    try:
        with open(os.path.join(raw_dir, b"bad\xff name.txt"), "wb") as fh:
            fh.write(b"content")
    except OSError:  # pragma: no cover - file system refuses it
        pytest.skip("file system refuses non-UTF-8 names")
    c = load_corpus(tmp_path, detect=False)
    assert len(c) == 0
    assert c.problems[0].reason == "the file name is not valid UTF-8; rename the file"


def test_markup_and_escape_sequences_in_text_and_title(tmp_path):
    body = "[bold red]Headline[/] [@click=app.quit]x[/] \x1b[2J\x1b]52;c;SGVsbG8=\x07 more\nbody"
    write(tmp_path / "evil.txt", body)
    doc = load_corpus(tmp_path).get("evil")
    assert doc.text == body  # text is never altered
    assert "\x1b" not in doc.title and "\x07" not in doc.title
    assert doc.title.startswith("[bold red]Headline[/]")  # literal; the UI shows it as Text


def test_deleted_between_listing_and_reading(tmp_path, monkeypatch):
    write(tmp_path / "gone.txt", "soon gone")
    real = corpus_loading.load_document

    def vanish(path, root=None, **kw):
        Path(path).unlink()
        return real(path, root, **kw)

    monkeypatch.setattr(corpus_loading, "load_document", vanish)
    c = load_corpus(tmp_path)
    assert problems_by_name(c)["gone.txt"].startswith("file not found")


# --- fuzz ----------------------------------------------------------------------------

_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1, max_size=12,
).filter(lambda n: n not in (".", "..") and not n.startswith("."))

_contents = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
    st.text(max_size=100).map(lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le")),
    st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"a", b"\xe2\x80\xa8", b"\x85", b"\xc3", b" "]), max_size=40).map(b"".join),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(_names, _contents, min_size=1, max_size=6))
def test_fuzz_random_files_never_crash_the_loader(tmp_path_factory, files):
    root = tmp_path_factory.mktemp("fuzz")
    expected_ok: dict[str, str] = {}
    expected_bad: set[str] = set()
    for name, data in files.items():
        fname = f"{name}.txt"
        try:
            (root / fname).write_bytes(data)
        except OSError:  # name too long for the file system, etc.
            continue
        try:
            from reader.text import decode
            text, _ = decode(data, fname)
            expected_ok[name] = text
        except NotTextError:
            expected_bad.add(fname)
    try:
        c = load_corpus(root)
    except ReaderError as exc:  # pragma: no cover - only for a bad root
        pytest.fail(f"load_corpus raised for a good root: {exc}")
    got = {d.id: d for d in c}
    assert set(got) == set(expected_ok)
    assert {Path(p.path).name for p in c.problems} == expected_bad
    for doc_id, doc in got.items():
        assert "\r" not in doc.text
        assert doc.text == expected_ok[doc_id]
        assert isinstance(doc.lang, str) and 0.0 <= doc.lang_confidence <= 1.0
        for p in doc.paragraphs:
            assert 0 <= p.start < p.end <= len(doc.text)
    for p in c.problems:
        assert p.reason and p.path.startswith(str(root))


def test_bad_root_is_the_only_error(tmp_path):
    with pytest.raises(ReaderError):
        load_corpus(tmp_path / "missing")
    with pytest.raises(ReaderError):
        load_corpus(write(tmp_path / "file", "x"))
