"""Reading input files as streams of raw lines, whatever their compression.

Lines are yielded as bytes with their 1-based line number: decoding is the caller's job,
so that a line in a wrong encoding can be quarantined instead of crashing the run.
Memory stays flat: nothing but the current line and a read buffer is held.

A file that cannot be read to its end (truncated or corrupt compressed data, a read
error) raises `InputProblem` naming the file, but only after every byte that could be
decoded before the problem was delivered: the caller keeps the lines it got and reports
the file. A UTF-8 byte-order mark at the start is not content and is dropped.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from curate.sources.base import InputProblem

COMPRESSED_SUFFIXES = (".zst", ".zstd", ".gz", ".bz2", ".xz")
_MAGIC = {
    b"\x28\xb5\x2f\xfd": "zst",
    b"\x1f\x8b": "gz",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
}
BOM = b"\xef\xbb\xbf"
READ_SIZE = 1 << 16
# Compressed bytes fed to zstd at a time: its output for one call is held in memory, so
# this bounds what a highly compressed input can make us hold (zstd is as fast with it).
ZST_READ_SIZE = 1 << 13


def head_bytes(path: Path, size: int) -> bytes:
    """The first `size` bytes of the file as stored (`InputProblem` if unreadable)."""
    with _open_raw(path) as fh:
        try:
            return fh.read(size)
        except OSError as exc:
            raise InputProblem(path, unreadable(exc)) from None


def compression_of(path: Path) -> str | None:
    """Compression by magic bytes (file names lie), or None for plain files."""
    head = head_bytes(path, 6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def _open_raw(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputProblem(path, unreadable(exc)) from None


def unreadable(exc: OSError) -> str:
    """'unreadable (Permission denied)': the system's words for the error, never a path
    or content (the caller names the file)."""
    why = os.strerror(exc.errno) if exc.errno else type(exc).__name__
    return f"unreadable ({why})"


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """Open `path` decompressed, without a leading byte-order mark. Returns (decompressed
    stream, underlying raw file); the raw file's position tells how far into the file we
    are, for progress bars. Reading the stream raises `InputProblem` where the data
    ends early or is corrupt, after everything before it was returned."""
    kind = compression_of(path)
    raw = _open_raw(path)
    chunks = _strip_bom(_decompressed(raw, kind))
    stream = io.BufferedReader(_Decoded(chunks, path, kind), buffer_size=READ_SIZE)
    return stream, raw  # type: ignore[return-value]


def _decompressed(raw: BinaryIO, kind: str | None) -> Iterator[bytes]:
    if kind == "zst":
        return _zst_chunks(raw)
    if kind is None:
        return iter(lambda: raw.read(READ_SIZE), b"")
    opener = {"gz": gzip.GzipFile, "bz2": bz2.BZ2File, "xz": lzma.LZMAFile}[kind]
    stream = opener(fileobj=raw) if kind == "gz" else opener(raw)  # type: ignore[operator]
    return iter(lambda: stream.read1(READ_SIZE), b"")


def _zst_chunks(raw: BinaryIO) -> Iterator[bytes]:
    """Decompress zstd frame by frame with `decompressobj`, whose `eof` says a frame was
    complete: the stream reader returns EOF quietly on a file cut on a block boundary
    (and then drops some of the decodable data). Raises EOFError when the last frame is
    incomplete, after yielding all it decoded."""
    import zstandard

    # Pushshift/Arctic Shift dumps use a 2 GiB window: allow it.
    dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
    frame, started = dctx.decompressobj(), False
    while data := raw.read(ZST_READ_SIZE):
        while data:
            out = frame.decompress(data)
            started = True
            if out:
                yield out
            data = b""
            if frame.eof:  # a frame ended: what follows is the next frame
                data, frame, started = frame.unused_data, dctx.decompressobj(), False
    if started:
        raise EOFError("zstd frame incomplete")


def _strip_bom(chunks: Iterator[bytes]) -> Iterator[bytes]:
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= len(BOM):
            break
    yield head.removeprefix(BOM)
    yield from chunks


def describe(exc: BaseException, kind: str | None) -> str:
    """What went wrong reading a file, in words that hold no content."""
    what = f"{kind} data" if kind else "data"
    if isinstance(exc, EOFError):
        return f"truncated ({what} ends before its end marker)"
    if isinstance(exc, OSError) and exc.errno:
        return unreadable(exc)
    return f"corrupt {what} ({type(exc).__name__})"


def _read_errors(kind: str | None) -> tuple[type[BaseException], ...]:
    """The exceptions that mean "this file cannot be read further" (not a bug of ours)."""
    errors: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError)
    if kind == "zst":
        import zstandard

        errors += (zstandard.ZstdError,)
    return errors


class _Decoded(io.RawIOBase):
    """The decompressed bytes of a file as a raw stream. A decompression or read error
    becomes `InputProblem` (naming the file) once the data before it is consumed."""

    def __init__(self, chunks: Iterator[bytes], path: Path, kind: str | None) -> None:
        self._chunks, self._path, self._kind = chunks, path, kind
        self._errors = _read_errors(kind)
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if not self._pending:
            self._pending = memoryview(self._next())
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _next(self) -> bytes:
        try:
            return next(self._chunks, b"")
        except self._errors as exc:
            raise InputProblem(self._path, describe(exc, self._kind)) from None


def iter_lines(
    path: Path, on_progress: Callable[[int], None] | None = None, every: int = 2000
) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line without newline) for each non-blank line of `path`.

    `on_progress` gets the number of (compressed) bytes read so far every `every` lines.
    Raises `InputProblem` after the last line that could be read of a file that ends
    early, is corrupt or cannot be read.
    """
    stream, raw = open_binary(path)
    try:
        for number, line in enumerate(stream, start=1):
            if on_progress is not None and number % every == 0:
                on_progress(raw.tell())
            stripped = line.rstrip(b"\r\n")
            if stripped.strip():
                yield number, stripped
        if on_progress is not None:
            on_progress(raw.tell())
    finally:
        stream.close()
        raw.close()


def peek_text(path: Path, max_bytes: int = 65536) -> str:
    """The first bytes of the decompressed file, decoded leniently (format detection).
    A file that ends early gives what could be read: reading it reports the problem."""
    stream, raw = open_binary(path)
    head = b""
    try:
        while len(head) < max_bytes and (chunk := stream.read1(max_bytes - len(head))):
            head += chunk
    except InputProblem:
        if not head:
            raise
    finally:
        stream.close()
        raw.close()
    return head.decode("utf-8", errors="replace")
