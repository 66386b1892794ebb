"""The rows of a word2vec binary file found with array operations: words and vectors from the bytes after the header.

A binary row is "word ", then d little-endian float32 (4d bytes), then an optional "\\n" (the C tool writes it,
gensim does not). Rows form a chain (row i+1 starts where row i's vector ends) that is followed by pointer
doubling over the file's spaces: log2(V) array steps instead of V Python steps.
Not here: reading the file and its header, and their bounds (word2vec_reader.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelFileError

SPACE, NEWLINE = 0x20, 0x0A
WHITESPACE = b" \t\n\r\v\f"


def binary_words_and_vectors(path: Path, raw, count: int, dim: int) -> tuple[list[str], np.ndarray]:
    """(words, vectors (V, d) float32) of the rows in raw (bytes or a uint8 array), the bytes after the header."""
    body = np.frombuffer(raw, dtype=np.uint8)  # (n,) no copy
    if count == 0:
        if body.tobytes().strip(WHITESPACE):
            raise ModelFileError(f"{path}: the header says 0 words but the file holds rows")
        return [], np.zeros((0, dim), dtype=np.float32)
    starts, ends = _binary_rows(path, body, count, dim)
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


def _binary_rows(path: Path, body: np.ndarray, count: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Start of each row's word (V,) and the position of the space that ends it (V,)."""
    width = 4 * dim
    spaces = np.flatnonzero(body == SPACE)  # (S,)
    start0 = int(len(body) > 0 and body[0] == NEWLINE)
    next_start = spaces + 1 + width  # (S,) where the row after a word ending here begins
    inside = np.flatnonzero(next_start < len(body))
    next_start[inside] += body[next_start[inside]] == NEWLINE  # skip the C tool's "\n" after a vector
    jump = np.append(np.searchsorted(spaces, next_start + 1), len(spaces))  # (S+1,); S: no next row
    chain = np.array([np.searchsorted(spaces, start0 + 1)])  # chain[j] = jump^j(first row)
    while len(chain) < count:
        chain = np.concatenate([chain, jump[chain]])
        jump = jump[jump]
    chain = chain[:count]  # (V,) index into spaces of each row's word end
    missing = np.flatnonzero(chain == len(spaces))
    rows_read = missing[0] if len(missing) else count
    if rows_read == count and spaces[chain[-1]] + 1 + width > len(body):
        rows_read = count - 1
    if rows_read < count:
        raise ModelFileError(f"{path} is truncated: the header says {count} words but only {rows_read} are complete")
    if body[spaces[chain[-1]] + 1 + width:].tobytes().strip(WHITESPACE):
        raise ModelFileError(f"{path}: the header says {count} words but the file holds more rows")
    return np.concatenate([[start0], next_start[chain[:-1]]]), spaces[chain]


def _binary_vectors(body: np.ndarray, starts: np.ndarray, ends: np.ndarray, dim: int) -> np.ndarray:
    """The 4d bytes after every word, as float32 (V*d,): each row's vector copied whole, as one 4d-byte record of
    a view that has a record at every byte offset (no index array per byte)."""
    records = np.ndarray(buffer=body, dtype=f"V{4 * dim}", shape=(len(body) - 4 * dim + 1,), strides=(1,))
    return records[ends + 1].view("<f4").astype(np.float32, copy=False).ravel()  # (V*d,)
