"""Reading input files as streams of raw lines, whatever their compression.

Lines are yielded as bytes with their 1-based line number: decoding is the caller's job,
so that a line in a wrong encoding can be quarantined instead of crashing the run.
Memory stays flat: nothing but the current line and a read buffer is held.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

COMPRESSED_SUFFIXES = (".zst", ".zstd", ".gz", ".bz2", ".xz")
_MAGIC = {
    b"\x28\xb5\x2f\xfd": "zst",
    b"\x1f\x8b": "gz",
    b"BZh": "bz2",
    b"\xfd7zXZ\x00": "xz",
}


def compression_of(path: Path) -> str | None:
    """Compression by magic bytes (file names lie), or None for plain files."""
    with path.open("rb") as fh:
        head = fh.read(6)
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def open_binary(path: Path) -> tuple[BinaryIO, BinaryIO]:
    """Open `path` decompressed. Returns (decompressed stream, underlying raw file); the
    raw file's position tells how far into the file we are, for progress bars."""
    raw = path.open("rb")
    kind = compression_of(path)
    if kind == "zst":
        import zstandard

        # Pushshift/Arctic Shift dumps use a 2 GiB window: allow it.
        dctx = zstandard.ZstdDecompressor(max_window_size=2**31)
        stream: BinaryIO = io.BufferedReader(dctx.stream_reader(raw, read_across_frames=True))
    elif kind == "gz":
        stream = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif kind == "bz2":
        stream = bz2.BZ2File(raw)  # type: ignore[assignment]
    elif kind == "xz":
        stream = lzma.LZMAFile(raw)  # type: ignore[assignment]
    else:
        stream = raw
    return stream, raw


def iter_lines(
    path: Path, on_progress: Callable[[int], None] | None = None, every: int = 2000
) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line without newline) for each non-blank line of `path`.

    `on_progress` gets the number of (compressed) bytes read so far every `every` lines.
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
    """The first bytes of the decompressed file, decoded leniently (format detection)."""
    stream, raw = open_binary(path)
    try:
        return stream.read(max_bytes).decode("utf-8", errors="replace")
    finally:
        stream.close()
        raw.close()
