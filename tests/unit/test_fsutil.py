"""reader.fsutil: atomic writes give files the mode a plain open()/mkdir() would (issue 9, defect 5)."""
import errno
import os
import stat
from pathlib import Path

import pytest

from reader import fsutil
from reader.corpus import load_corpus
from reader.formats import export_corpus
from reader.store import AnnotationStore


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def plain_modes(tmp_path: Path) -> tuple[int, int]:
    """What open() and mkdir() give here (with the current umask)."""
    f, d = tmp_path / "plain.txt", tmp_path / "plain-dir"
    f.write_text("x")
    d.mkdir()
    return mode(f), mode(d)


def test_atomic_writes_respect_the_umask(tmp_path, umask_022):
    file_mode, dir_mode = plain_modes(tmp_path)
    assert (file_mode, dir_mode) == (0o644, 0o755)
    fsutil.atomic_write(tmp_path / "a.bin", b"data", backup=True)
    fsutil.atomic_write(tmp_path / "a.bin", b"data2", backup=True)
    with fsutil.atomic_text_file(tmp_path / "b.txt") as fh:
        fh.write("text\n")
    tmp = fsutil.make_temp_dir(tmp_path / "folder")
    (tmp / "inner.txt").write_text("x")
    fsutil.replace_dir(tmp, tmp_path / "folder")
    assert mode(tmp_path / "a.bin") == file_mode and mode(tmp_path / "a.bin.bak") == file_mode
    assert mode(tmp_path / "b.txt") == file_mode
    assert mode(tmp_path / "folder") == dir_mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "a.bin.bak", "b.txt", "folder", "plain-dir", "plain.txt"]


def test_a_failed_text_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with fsutil.atomic_text_file(target) as fh:
            fh.write("half")
            raise RuntimeError("the exporter failed")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_exports_and_store_files_have_plain_modes(tmp_path, seeds_copy, umask_022):
    corpus = load_corpus(seeds_copy, detect=False)
    doc = corpus.documents[0]
    with AnnotationStore(tmp_path / "store", corpus=corpus) as store:
        store.add(doc.id, 0, 5, "quote")
        outputs = {}
        for fmt, name in (("jsonl", "out.jsonl"), ("labelstudio", "out.json"), ("doccano", "doccano.jsonl"),
                          ("brat", "brat"), ("spacy", "out.spacy")):
            if fmt == "spacy":
                pytest.importorskip("spacy")
            outputs[fmt] = tmp_path / name
            export_corpus(fmt, corpus, store, outputs[fmt])
    for fmt, out in outputs.items():
        if out.is_dir():
            assert mode(out) == 0o755, fmt
            assert {mode(p) for p in out.rglob("*") if p.is_file()} == {0o644}, fmt
        else:
            assert mode(out) == 0o644, fmt
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file() and not p.name.startswith(".lock")]
    assert files and {mode(p) for p in files} == {0o644}
    assert mode(tmp_path / "store" / "docs") == 0o755


@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV])
def test_a_backup_copied_where_hard_links_are_missing_is_durable_before_the_file_is_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Without hard links the .bak is a copy: its bytes and its name must be on disk (the copy fsynced, then
    the folder) before the live file is replaced, or a crash leaves a torn .bak that recover would trust."""
    path = tmp_path / "shard.json"
    fsutil.atomic_write(path, b"generation 1")
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def no_link(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: object, dst: object, *args: object, **kwargs: object) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", no_link)
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    fsutil.atomic_write(path, b"generation 2", backup=True)
    monkeypatch.undo()
    bak = path.with_name("shard.json.bak")
    assert bak.read_bytes() == b"generation 1" and path.read_bytes() == b"generation 2"
    assert os.stat(bak).st_nlink == 1  # a copy indeed
    bak_named = events.index(("replace", str(bak)))
    live_replaced = events.index(("replace", str(path)))
    copy_synced = [i for i, (kind, what) in enumerate(events)
                   if kind == "fsync" and Path(what).name.startswith(fsutil.TMP_PREFIX + "shard.json.bak")]
    assert copy_synced and copy_synced[0] < bak_named, events  # the copy's bytes before its name
    assert ("fsync", str(tmp_path)) in events[bak_named:live_replaced], events  # its name before the live file goes
