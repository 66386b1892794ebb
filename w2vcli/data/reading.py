"""Bytes in, bounded: one corpus source (a file, a FIFO or /dev/stdin) opened, decompressed by its content, and
read as blocks of whole lines of at most about CHUNK_BYTES each.

Every input is bounded before it is believed: a line is cut while it is read (at whitespace, never inside a
word), a run of more than CHUNK_BYTES bytes without whitespace keeps only its first MAX_WORD_CHARS characters,
a NUL byte marks the file as binary as soon as its block is read (a 2 GB file of NULs is refused after its
first megabyte), and a compressed source that inflates more than MAX_INFLATION-fold is refused while it
inflates. Memory holds a few blocks whatever the file holds. Not here: tokens and sentences (corpus.py).
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from typing import BinaryIO, Iterator

from ..errors import CorpusError

CHUNK_BYTES = 1 << 20  # bytes read at a time; also the longest piece of a line handed on at once
MAX_WORD_CHARS = 1_000  # longer words are truncated (word2vec keeps 100)
MAX_INFLATION = 2_048  # a compressed source may inflate this many times its compressed size (gzip's limit: 1,032)
ASCII_SPACE = b" \t\r\x0b\x0c"  # whitespace bytes that can end a piece of a line (never inside UTF-8 sequences)
_NOT_SPACE = bytes(b for b in range(256) if b not in ASCII_SPACE + b"\n")
_MAGIC = {b"\x1f\x8b": lambda raw: gzip.GzipFile(fileobj=raw), b"BZh": bz2.BZ2File, b"\xfd7zXZ\x00": lzma.LZMAFile}
_DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


class _Source(io.RawIOBase):
    """The bytes of a stream after its first few were taken to recognise its format, counted as they are read
    (to bound the inflation of a compressed source)."""

    def __init__(self, head: bytes, stream: BinaryIO):
        self.head, self.stream, self.count = head, stream, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.head[:len(buffer)] or self.stream.read(len(buffer))
        self.head = self.head[len(data):]
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)


def open_source(name: str) -> tuple[BinaryIO, BinaryIO, _Source | None]:
    """(the source's uncompressed bytes, the stream to close, the counter of compressed bytes or None)."""
    stream = open(name, "rb")  # noqa: SIM115 (closed by read_blocks)
    try:
        head = stream.read(6)
    except OSError:
        stream.close()
        raise
    source = _Source(head, stream)
    for magic, opener in _MAGIC.items():
        if head.startswith(magic):
            return opener(io.BufferedReader(source, CHUNK_BYTES)), stream, source
    if head.startswith(b"PK\x03\x04"):
        stream.close()
        raise CorpusError(f"{name} is a zip archive (a .npz model?); w2v reads plain text, .gz, .bz2 or .xz")
    return io.BufferedReader(source, CHUNK_BYTES), stream, None


def read_blocks(name: str) -> Iterator[tuple[bytes, bool]]:
    """(block, complete) pairs: a block of whole lines when complete, else the start of a line longer than
    CHUNK_BYTES, cut after whitespace (the line goes on in the next block). Raises CorpusError for binary or
    unreadable input."""
    try:
        text, stream, counter = open_source(name)
    except OSError as error:
        raise CorpusError(f"cannot read {name}: {error.strerror or error}") from None
    try:
        yield from _blocks(text, counter, name)
    except _DECOMPRESS_ERRORS as error:
        raise CorpusError(f"cannot read {name}: {error}") from None
    finally:
        stream.close()


def _blocks(stream: BinaryIO, counter: _Source | None, name: str) -> Iterator[tuple[bytes, bool]]:
    carry, skipping, inflated = b"", False, 0
    while chunk := stream.read(CHUNK_BYTES):
        _check_text(chunk, name, inflated)
        inflated += len(chunk)
        if counter is not None and inflated > MAX_INFLATION * counter.count + CHUNK_BYTES:
            raise CorpusError(f"{name} inflates more than {MAX_INFLATION:,}-fold; refused as a likely "
                              "decompression bomb (decompress it yourself if it is a real corpus)")
        if skipping:  # drop the rest of an over-long word
            chunk, skipping = _after_word(chunk)
        data = carry + chunk
        end = data.rfind(b"\n") + 1
        if end:
            yield data[:end], True
        carry = data[end:]
        if len(carry) > CHUNK_BYTES:
            cut = _last_space(carry) + 1
            if cut:  # a long line: hand on all but its last, perhaps unfinished, word
                yield carry[:cut], False
                carry = carry[cut:]
            else:  # one run of CHUNK_BYTES bytes without whitespace: keep its head, skip the rest
                yield _utf8_head(carry, MAX_WORD_CHARS * 4), False
                carry, skipping = b"", True
    if carry:
        yield carry, True


def _after_word(chunk: bytes) -> tuple[bytes, bool]:
    """(what follows the first whitespace of chunk, whether the word still goes on past chunk)."""
    stripped = chunk.lstrip(_NOT_SPACE)
    return stripped, not stripped


def _last_space(data: bytes, near: int = 1 << 16) -> int:
    """The index of data's last ASCII whitespace byte, or −1; looks at the last `near` bytes first."""
    start = max(len(data) - near, 0)
    found = max(data.rfind(space, start) for space in ASCII_SPACE)
    if found < 0 and start:
        found = max(data.rfind(space, 0, start + 1) for space in ASCII_SPACE)
    return found


def _utf8_head(data: bytes, size: int) -> bytes:
    """data's first size bytes at most, never ending inside a UTF-8 sequence."""
    while size < len(data) and size > 0 and data[size] & 0xC0 == 0x80:
        size -= 1
    return data[:size]


def _check_text(chunk: bytes, name: str, offset: int) -> None:
    nul = chunk.find(b"\0")
    if nul >= 0:
        raise CorpusError(f"{name} looks like a binary file (a NUL byte at byte {offset + nul:,}); "
                          "w2v reads plain text")
