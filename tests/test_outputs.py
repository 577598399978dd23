"""harness.outputs: where an output goes, and how (CLI-level cases: tests/test_bad_inputs.py)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import StoreError, UsageError
from harness.outputs import (
    check_output,
    current_umask,
    new_file_mode,
    new_folder_mode,
    output_in_pieces,
    sweep_abandoned,
    write_atomic,
    write_output,
    write_together,
)


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002, 0o027])
def test_current_umask_reads_without_changing(mask: int) -> None:
    previous = os.umask(mask)
    try:
        assert current_umask() == mask
        assert current_umask() == mask  # unchanged by reading
        assert new_file_mode() == 0o666 & ~mask
        assert new_folder_mode() == 0o777 & ~mask
    finally:
        os.umask(previous)


def test_kinds_of_output(tmp_path: Path) -> None:
    (tmp_path / "file.json").write_text("x", encoding="utf-8")
    (tmp_path / "link.json").symlink_to("file.json")
    os.mkfifo(tmp_path / "fifo")
    assert check_output(tmp_path / "new" / "deeper" / "a.json").kind == "new"
    file_target = check_output(tmp_path / "link.json")
    assert (file_target.kind, file_target.path) == ("file", tmp_path / "file.json")
    assert file_target.staging_dir == tmp_path
    fifo = check_output(tmp_path / "fifo")
    assert fifo.kind == "through" and fifo.fd is None
    if os.path.exists("/proc/self/fd/2"):
        (tmp_path / "stderr").symlink_to("/proc/self/fd/2")
        own = check_output(tmp_path / "stderr")
        assert (own.kind, own.fd) == ("through", 2)
        assert own.staging_dir != tmp_path  # never a temporary file in /proc or /dev


def test_link_loops_and_closed_descriptors_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(UsageError, match="too many levels of symbolic links"):
        check_output(tmp_path / "a")
    if os.path.exists("/proc/self/fd"):
        unused = max(int(n) for n in os.listdir("/proc/self/fd")) + 100
        with pytest.raises(UsageError, match="names a descriptor that is not open"):
            check_output(Path(f"/proc/self/fd/{unused}"))


def test_inputs_are_compared_by_identity(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_text("keep me", encoding="utf-8")
    other = tmp_path / "elsewhere" / "in.txt"  # same name, another file
    other.parent.mkdir()
    other.write_text("other", encoding="utf-8")
    check_output(other, [source])
    with pytest.raises(UsageError, match="the output is the input file"):
        write_output(source, b"gone", inputs=[tmp_path / "missing.txt", source])
    assert source.read_text(encoding="utf-8") == "keep me"
    with pytest.raises(UsageError, match="inside the input folder"):
        check_output(tmp_path / "new" / "out.json", [tmp_path])
    check_output(tmp_path.parent / f"{tmp_path.name}-sibling.json", [tmp_path])  # a prefix, not inside


def test_new_and_replaced_file_modes(tmp_path: Path, umask_022: None) -> None:
    output = tmp_path / "out.json"
    write_output(output, b"1")
    assert stat.S_IMODE(output.stat().st_mode) == 0o644
    os.chmod(output, 0o600)
    write_output(output, b"2")  # an -o file keeps its mode
    assert (output.read_bytes(), stat.S_IMODE(output.stat().st_mode)) == (b"2", 0o600)
    write_atomic(output, b"3")  # a file the harness owns follows the umask
    assert (output.read_bytes(), stat.S_IMODE(output.stat().st_mode)) == (b"3", 0o644)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_output_in_pieces_appears_whole_at_the_end(tmp_path: Path, umask_022: None) -> None:
    output = tmp_path / "out.jsonl"
    output.write_bytes(b"old")
    os.chmod(output, 0o600)
    with output_in_pieces(output) as write:
        write(b"one\n")
        assert output.read_bytes() == b"old"  # the old file stays whole meanwhile
        write(b"")
        write(b"two\n")
    assert (output.read_bytes(), stat.S_IMODE(output.stat().st_mode)) == (b"one\ntwo\n", 0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.parametrize("failure", [RuntimeError("a worker died"), KeyboardInterrupt()])
def test_output_in_pieces_leaves_nothing_when_the_work_fails(tmp_path: Path, failure: BaseException) -> None:
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    old.write_bytes(b"keep")
    for output in (old, new):
        with pytest.raises(type(failure)):
            with output_in_pieces(output) as write:
                write(b"part of it\n")
                raise failure
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.jsonl"]
    assert old.read_bytes() == b"keep"


def test_output_in_pieces_refuses_an_input_first_and_writes_a_fifo_at_the_end(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"{}\n")
    with pytest.raises(UsageError, match="the output is the input file"):
        with output_in_pieces(corpus, inputs=[corpus]):
            raise AssertionError("the block must not run")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c", f"import sys; sys.stdout.write(open({str(fifo)!r}).read())"], stdout=subprocess.PIPE)
    with output_in_pieces(fifo) as write:
        write(b"a\n")
        write(b"b\n")  # a FIFO cannot take back what it got: it gets the pieces after the block
    assert reader.communicate(timeout=30)[0] == b"a\nb\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.jsonl", "fifo"]


def test_read_only_output_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "out.json"
    output.write_text("keep", encoding="utf-8")
    os.chmod(output, 0o444)
    if os.geteuid() == 0:
        # root may write any file: answer as the kernel would for anyone else.
        real_access = os.access

        def access(path: object, mode: int, **kwargs: object) -> bool:
            if Path(str(path)) == output and mode & os.W_OK:
                return False
            return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    with pytest.raises(UsageError, match="read-only"):
        write_output(output, b"x")
    assert output.read_text(encoding="utf-8") == "keep"


def failing_replace(monkeypatch: pytest.MonkeyPatch, failing_name: str) -> None:
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == failing_name:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize("failing", ["b.txt", "c.txt"])
def test_write_together_restores_every_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    (tmp_path / "a.txt").write_text("old a", encoding="utf-8")
    (tmp_path / "b.txt").write_text("old b", encoding="utf-8")  # c.txt is new
    files = [(tmp_path / name, f"new {name}".encode()) for name in ("a.txt", "b.txt", "c.txt")]
    with monkeypatch.context() as patch:
        failing_replace(patch, failing)
        with pytest.raises(StoreError, match=f"{failing}: could not write the file: Input/output error"):
            write_together(files)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert on_disk == {"a.txt": "old a", "b.txt": "old b"}  # no c.txt, no backups, no temporary files
    write_together(files)
    assert {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()} == {
        "a.txt": "new a.txt",
        "b.txt": "new b.txt",
        "c.txt": "new c.txt",
    }


def test_write_together_refuses_devices(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.html")
    with pytest.raises(UsageError, match="is not a regular file"):
        write_together([(tmp_path / "x.md", b"m"), (tmp_path / "x.html", b"h")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.html"]


def test_sweep_removes_only_ours_of_dead_processes(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead, alive = child.pid, os.getpid()
    names = {
        f".tmp-{dead}-abcd_123": True,  # a dead run's temporary file
        f".tmp-{dead}-efgh4567/": True,  # a dead run's staging folder
        f".tmp-{alive}-abcd1234": False,  # this process: still writing
        f".tmp-{dead}-notmine.txt": False,  # not a name we make
        f".tmp-score-{dead}-abcd1234/": False,  # another prefix
        f"tmp-{dead}-abcd1234": False,
        ".tmp-0-abcd1234": False,
    }
    for name in names:
        path = tmp_path / name.rstrip("/")
        if name.endswith("/"):
            path.mkdir()
            (path / "part").write_bytes(b"x")
        else:
            path.write_bytes(b"x")
    removed = sweep_abandoned(tmp_path)
    assert sorted(p.name for p in removed) == sorted(n.rstrip("/") for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n.rstrip("/") for n, gone in names.items() if not gone)
    assert sweep_abandoned(tmp_path / "missing") == []
