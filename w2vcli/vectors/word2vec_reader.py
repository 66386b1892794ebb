"""Reading word2vec text and binary vector files, in memory and time bounded by what the file really holds.

The layouts are formats.py's. Every bound is checked before the bytes it guards are read or allocated:
  - the header "V d" against the bytes that follow (a text row takes at least 2d + 2 bytes, a binary one 4d + 2),
    so a 72-byte file claiming 10^9 words is refused at once;
  - a .gz or .bz2 file is inflated PIECE bytes at a time and refused as soon as it passes MAX_RATIO times its
    compressed size (beyond INFLATE_FLOOR) or more than its header's V rows could take;
  - a line is refused once it passes max(LINE_FLOOR, 64 d) bytes, while it is being read;
  - fastText's .bin (its magic number; fasttext.py reads it) and gensim's pickles are named, with the way out.
Text is read CHUNK bytes and parsed PIECE bytes of whole lines at a time: the tokens' bounds are found with array
operations over the piece, each row's word is its first token, and the numbers are parsed all at once by
decimals.py (plain decimals, exactly) or by one np.fromstring call (any other form); no Python loop runs over bytes
or rows. Binary rows are found by binary_rows.py. A row holding NaN or infinity and a word given twice are refused
(rowchecks.py), naming the first; rows count from 1 after the header in every message.
Not here: writing (formats.py), the .npz model format (checkpoint.py).
"""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from .binary_rows import binary_words_and_vectors
from .decimals import numbers, parse_decimals
from .npzfile import human_size
from .rowchecks import check_rows

WHITESPACE = b" \t\n\r\v\f"  # what word2vec readers split on
SPACE, NEWLINE, DOT = 0x20, 0x0A, 0x2E
FASTTEXT_MAGIC = (793712314).to_bytes(4, "little")  # int32 at offset 0 of every fastText .bin
CHUNK = 2 << 20  # bytes read per step
PIECE = 256 << 10  # bytes of whole lines parsed per step: the parse's temporaries stay in cache (best of 32K-2M)
LINE_FLOOR = 1 << 20  # a line may always be this long
MAX_RATIO, INFLATE_FLOOR = 10, 16 << 20  # real vector files compress 1.1:1 (binary) to about 2.5:1 (text)
MAX_WORD = 4096  # bytes a word may take when bounding what V rows can hold
MAX_NUMBER = 32  # bytes a number may take in text, its separator included ("-1.23456789e-05 " is 16)


class _Source:
    """The file's bytes in pieces, inflated when compressed, with a cap on how many may come out."""

    def __init__(self, path: Path):
        if not path.exists():
            raise ModelFileError(f"vectors file not found: {path}")
        if not path.is_file():
            raise ModelFileError(f"{path} is not a regular file")
        self.path, self.size = path, path.stat().st_size
        self.compressed = path.suffix.lower() in (".gz", ".bz2")
        self.cap = max(MAX_RATIO * self.size, INFLATE_FLOOR) if self.compressed else self.size
        opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix.lower(), open)
        self.file, self.done = opener(path, "rb"), 0

    def read(self, size: int) -> bytes:
        try:
            data = self.file.read(min(size, self.cap + 1 - self.done))
        except (OSError, EOFError, ValueError) as error:
            raise ModelFileError(f"{self.path} cannot be read ({error})") from None
        self.done += len(data)
        if self.done > self.cap:
            why = f"over {MAX_RATIO}:1" if self.done > MAX_RATIO * self.size else "more than its header's rows can hold"
            raise ModelFileError(f"{self.path} inflates to more than {human_size(self.cap)} from "
                                 f"{human_size(self.size)} ({why}): not a plausible vectors file")
        return data

    def close(self) -> None:
        self.file.close()


def read_word2vec(path, *, binary: bool) -> tuple[list[str], np.ndarray]:
    """(words, vectors (V, d) float32) of a word2vec text or binary file; ModelFileError for any flaw."""
    source = _Source(Path(path))
    try:
        start = _first_line(source)
        count, dim, body_start = _header(source.path, start, binary)
        fits = _check_claim(source, count, dim, binary, len(start) - body_start)
        if binary:
            body = _read_rest(source, start[body_start:])
            words, vectors = binary_words_and_vectors(source.path, body, count, dim)
        else:
            words, vectors = _read_text(source, start[body_start:], _TextRows(source.path, count, dim, fits))
    finally:
        source.close()
    check_rows(source.path, words, vectors)
    return words, vectors


def _first_line(source: _Source) -> bytes:
    """The file's first bytes, up to and including its first line (refused when longer than LINE_FLOOR)."""
    data = source.read(1 << 16)
    if data[:4] == FASTTEXT_MAGIC:
        raise ModelFileError(f"{source.path} is a fastText .bin model, not a word2vec binary file (give it to a w2v "
                             "command as -m, which reads fastText models, or use its .vec file)")
    if data[:1] == b"\x80":
        raise ModelFileError(f"{source.path} looks like a gensim model (a Python pickle, never loaded here); "
                             "export it with gensim: model.wv.save_word2vec_format('vectors.bin', binary=True)")
    while b"\n" not in data and len(data) <= LINE_FLOOR:
        piece = source.read(1 << 16)
        if not piece:
            return data
        data += piece
    if b"\n" not in data:
        raise ModelFileError(f"{source.path}: the first line is longer than {human_size(LINE_FLOOR)}: "
                             "not a word2vec file")
    return data


def _header(path: Path, start: bytes, binary: bool) -> tuple[int | None, int, int]:
    """The header's V (None when a text file has none), d, and where the rows begin in start."""
    newline = start.find(b"\n")
    first_line = start if newline < 0 else start[:newline]
    fields = first_line.split()
    if len(fields) == 2 and all(field.isdigit() for field in fields) and int(fields[1]) > 0:
        return int(fields[0]), int(fields[1]), min(len(first_line) + 1, len(start))
    if not binary and len(fields) > 2:  # GloVe: no header, d from the first row
        return None, len(fields) - 1, 0
    kind = "binary" if binary else "text"
    raise ModelFileError(f"{path} is not a word2vec {kind} file (it does not start with a 'words dimension' line)")


def _check_claim(source: _Source, count: int | None, dim: int, binary: bool, have: int) -> int:
    """How many rows can fit in the bytes that follow the header (at most V); refuse a binary header whose V rows
    cannot fit at all, and cap a compressed file's inflation at what V rows can take."""
    room = (source.cap if source.compressed else source.size) - source.done + have
    shortest = 4 * dim + 2 if binary else 2 * dim + 2
    if count is None:
        return room // shortest + 1
    if binary and count * shortest - 1 > room:
        raise ModelFileError(f"{source.path} is truncated: the header says {count:,} words of dimension {dim:,} "
                             f"(at least {human_size(count * shortest - 1)} of rows), but "
                             f"{'at most ' if source.compressed else ''}{human_size(room)} follow it")
    if source.compressed:
        longest = 4 * dim + 2 + MAX_WORD if binary else MAX_NUMBER * dim + MAX_WORD
        source.cap = min(source.cap, source.done + count * longest + LINE_FLOOR)
    return min(count, room // shortest + 1)


def _read_rest(source: _Source, head: bytes) -> bytes | bytearray:
    """head and every byte after it in one buffer (an uncompressed file read in one call, without a copy)."""
    if source.compressed:
        pieces = [head]
        while piece := source.read(CHUNK):
            pieces.append(piece)
        return b"".join(pieces)
    body = bytearray(len(head) + source.size - source.done)
    body[:len(head)] = head
    try:
        got = source.file.readinto(memoryview(body)[len(head):])
    except OSError as error:
        raise ModelFileError(f"{source.path} cannot be read ({error})") from None
    source.done += got
    del body[len(head) + got:]
    return body


def _read_text(source: _Source, data: bytes, rows: _TextRows) -> tuple[list[str], np.ndarray]:
    """Rows of CHUNK bytes at a time, parsed by rows."""
    longest = max(LINE_FLOOR, 64 * rows.dim)
    while True:
        piece = source.read(CHUNK)
        data = data + piece if data else piece
        cut = len(data) if not piece else data.rfind(b"\n") + 1
        if len(data) - cut > longest:
            raise ModelFileError(f"{source.path}: row {rows.done + rows.blank_run + 1} is longer than "
                                 f"{human_size(longest)}: not a vectors file")
        if cut:
            whole = data if data[cut - 1] == NEWLINE else data[:cut] + b"\n"
            _parse_pieces(rows, whole, cut if whole is data else cut + 1)
            data = data[cut:]
        if not piece:
            return rows.result()


def _parse_pieces(rows: _TextRows, data: bytes, cut: int) -> None:
    """data[:cut], whole lines, parsed PIECE bytes of whole lines at a time (a longer line whole)."""
    view, begin = memoryview(data), 0
    while begin < cut:
        end = cut if cut - begin <= PIECE else (data.find(b"\n", begin + PIECE - 1, cut) + 1 or cut)
        rows.parse(view[begin:end])
        begin = end


class _TextRows:
    """Accumulates parsed rows; blank lines are allowed only at the end of the file."""

    def __init__(self, path: Path, count: int | None, dim: int, fits: int):
        self.path, self.count, self.dim = path, count, dim
        self.words: list[str] = []
        self.vectors = np.empty((fits, dim), dtype=np.float32) if count is not None else None  # (<= V, d)
        self.pieces: list[np.ndarray] = []  # without a header: (rows, d) per chunk
        self.done, self.blank_run = 0, 0

    def parse(self, text) -> None:
        """Rows of text, whole lines each ending in a newline."""
        body = np.frombuffer(text, dtype=np.uint8)  # (n,)
        line_ends = np.flatnonzero(body == NEWLINE)  # (L,)
        starts = np.concatenate([[0], line_ends[:-1] + 1])  # (L,)
        bounds = _token_bounds(is_space(body))  # (K,), (K,): where every token starts and ends
        first_tokens = np.searchsorted(bounds[0], starts)  # (L,) each line's first token
        tokens = np.diff(first_tokens, append=len(bounds[0]))  # (L,) tokens on each line
        filled = np.flatnonzero(tokens)  # lines that are not blank
        self._check_blanks(tokens, filled)
        if not len(filled):
            return
        starts, line_ends = starts[filled], line_ends[filled]
        tokens, first_tokens = tokens[filled], first_tokens[filled]
        first = self.done + 1
        bad = np.flatnonzero(bounds[0][first_tokens] != starts)
        if len(bad):
            raise ModelFileError(f"{self.path}: row {first + bad[0]} is not 'word x_1 ... x_d'")
        bad = np.flatnonzero(tokens != self.dim + 1)
        if len(bad):
            raise ModelFileError(f"{self.path}: row {first + bad[0]} has {tokens[bad[0]] - 1} numbers, not {self.dim}")
        if self.count is not None and self.done + len(starts) > self.count:
            raise ModelFileError(f"{self.path}: the header says {self.count} words but the file has more rows")
        word_ends = bounds[1][first_tokens]  # (R,)
        word_bytes = _spans(starts, word_ends)
        try:
            self.words += _split_words(body, word_bytes, word_ends - starts)
        except UnicodeDecodeError:
            raise ModelFileError(f"{self.path}: a word is not valid UTF-8 (near row {first})") from None
        number_bounds = [bound.reshape(len(starts), self.dim + 1)[:, 1:].ravel() for bound in bounds]  # (R * d,) x 2
        is_dot = body == DOT
        is_dot[word_bytes] = False  # a word may hold '.'
        values = parse_decimals(body, *number_bounds, np.flatnonzero(is_dot))  # (R * d,) or None
        if values is None:
            values = self._numbers_of(text, word_bytes, starts, line_ends)
        self._store(values.reshape(len(starts), self.dim))

    def _numbers_of(self, text, word_bytes: np.ndarray, starts: np.ndarray, line_ends: np.ndarray) -> np.ndarray:
        """(R * d,) the numbers of rows that are not all plain decimals, by np.fromstring over the chunk with the
        words blanked out; the first row holding something that is not a number is named."""
        text = bytearray(text)
        np.frombuffer(text, dtype=np.uint8)[word_bytes] = SPACE
        values = numbers(bytes(text))  # (R * d,)
        if values is None or len(values) != len(starts) * self.dim:
            bad = next(row for row, (start, end) in enumerate(zip(starts, line_ends))
                       if (got := numbers(bytes(text[start:end]))) is None or len(got) != self.dim)
            raise ModelFileError(f"{self.path}: row {self.done + 1 + bad} holds something that is not a number")
        return values

    def _check_blanks(self, tokens: np.ndarray, filled: np.ndarray) -> None:
        """A blank line followed by a row is an error naming the blank line; trailing ones are not rows."""
        if not len(filled):
            self.blank_run += len(tokens)
            return
        gaps = np.flatnonzero(np.diff(filled) > 1)
        if self.blank_run or filled[0] > 0 or len(gaps):
            blank = self.done + 1 if (self.blank_run or filled[0] > 0) else self.done + gaps[0] + 2
            raise ModelFileError(f"{self.path}: row {blank} is not 'word x_1 ... x_d' (a blank line)")
        self.blank_run = len(tokens) - 1 - filled[-1]

    def _store(self, values: np.ndarray) -> None:
        if self.vectors is not None:
            self.vectors[self.done:self.done + len(values)] = values
        else:
            self.pieces.append(values)
        self.done += len(values)

    def result(self) -> tuple[list[str], np.ndarray]:
        if self.count is not None and self.done != self.count:
            raise ModelFileError(f"{self.path}: the header says {self.count} words but the file has {self.done} rows")
        if self.vectors is None:
            return self.words, np.concatenate(self.pieces) if self.pieces else np.zeros((0, self.dim), np.float32)
        return self.words, self.vectors


def is_space(body: np.ndarray) -> np.ndarray:
    """(n,) bool: which bytes of body (n,) uint8 are WHITESPACE (space, or \\t \\n \\v \\f \\r: 9 to 13)."""
    space = np.subtract(body, 9, dtype=np.uint8) < 5
    space |= body == SPACE
    return space


def _split_words(body: np.ndarray, word_bytes: np.ndarray, lengths: np.ndarray) -> list[str]:
    """The words, decoded in one call: their bytes joined by spaces (which no word holds) and split again."""
    joined = np.full(len(word_bytes) + len(lengths), SPACE, dtype=np.uint8)
    keep = np.ones(len(joined), dtype=bool)
    keep[np.cumsum(lengths + 1) - 1] = False
    joined[keep] = body[word_bytes]
    return joined.tobytes().decode("utf-8").split(" ")[:-1]


def _token_bounds(space: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K,) where each token (a run of non-space bytes) starts and (K,) where it ends, of a text whose last
    byte is a newline: the positions where space changes, alternately."""
    changes = np.flatnonzero(space[1:] != space[:-1]) + 1  # (2K or 2K - 1,)
    if len(space) and not space[0]:
        changes = np.concatenate([[0], changes])
    return changes[0::2], changes[1::2]


def _spans(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Every position of the ranges [starts[i], stops[i]), concatenated: one array op, no loop over ranges."""
    lengths = stops - starts  # (R,)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
