"""The rows of a word2vec binary file: each word found by bytes.find, words and vectors taken by array operations.

A binary row is "word ", then d little-endian float32 (4d bytes), then an optional "\\n" (the C tool writes it,
gensim does not). Rows form a chain (row i+1 starts where row i's vector ends), followed by one bytes.find per row
over the word's bytes; the words are then decoded in one call and the vectors copied as whole records.
Not here: reading the file and its header, and their bounds (word2vec_reader.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelFileError

SPACE, NEWLINE = 0x20, 0x0A
WHITESPACE = b" \t\n\r\v\f"


def binary_words_and_vectors(path: Path, raw: bytes | bytearray, count: int, dim: int) -> tuple[list[str], np.ndarray]:
    """(words, vectors (V, d) float32) of the rows in raw, the bytes after the header."""
    body = np.frombuffer(raw, dtype=np.uint8)  # (n,) no copy
    if count == 0:
        if body.tobytes().strip(WHITESPACE):
            raise ModelFileError(f"{path}: the header says 0 words but the file holds rows")
        return [], np.zeros((0, dim), dtype=np.float32)
    starts, ends = _binary_rows(path, raw, count, dim)
    lengths = ends - starts  # (V,)
    word_bytes = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    joined = np.full(len(word_bytes) + count, SPACE, dtype=np.uint8)  # words separated by the spaces ending them
    keep = np.ones(len(joined), dtype=bool)
    keep[np.cumsum(lengths + 1) - 1] = False
    joined[keep] = body[word_bytes]
    try:
        words = joined.tobytes().decode("utf-8").split(" ")[:-1]
    except UnicodeDecodeError as error:
        raise ModelFileError(f"{path}: a word is not valid UTF-8 (byte {error.start} of the words)") from None
    return words, _binary_vectors(body, starts, ends, dim).reshape(count, dim)


def _binary_rows(path: Path, raw, count: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Start of each row's word (V,) and the position of the space that ends it (V,), row after row: one
    bytes.find from where the previous vector ends finds a word's end, scanning the word's bytes only (measured
    7x faster than chaining every space of the file by pointer doubling: the vectors' bytes are never read)."""
    width, size, find = 4 * dim, len(raw), raw.find
    starts, ends = np.empty(count, dtype=np.int64), np.empty(count, dtype=np.int64)  # (V,), (V,)
    position = int(raw[:1] == b"\n")
    for row in range(count):
        end = find(b" ", position)
        if end < 0 or end + 1 + width > size:
            raise ModelFileError(f"{path} is truncated: the header says {count} words but only {row} are complete")
        starts[row], ends[row] = position, end
        position = end + 1 + width
        position += raw[position:position + 1] == b"\n"  # the C tool's "\n" after a vector
    if bytes(raw[position:]).strip(WHITESPACE):
        raise ModelFileError(f"{path}: the header says {count} words but the file holds more rows")
    return starts, ends


def _binary_vectors(body: np.ndarray, starts: np.ndarray, ends: np.ndarray, dim: int) -> np.ndarray:
    """The 4d bytes after every word, as float32 (V*d,): each row's vector copied whole, as one 4d-byte record of
    a view that has a record at every byte offset (no index array per byte)."""
    records = np.ndarray(buffer=body, dtype=f"V{4 * dim}", shape=(len(body) - 4 * dim + 1,), strides=(1,))
    return records[ends + 1].view("<f4").astype(np.float32, copy=False).ravel()  # (V*d,)
