"""Word2vec's text and binary vector files (the C tool's, gensim's, fastText's .vec): read and write.

Layout of both: a header line "V d\\n", then V rows. A text row is "word x_1 ... x_d\\n" in decimal; a binary row
is "word ", then d little-endian float32 (4d bytes), then an optional "\\n" (the C tool writes it, gensim does
not). Text without a header (GloVe) is read too, d then coming from its first row. `.gz` and `.bz2` are opened
transparently. Parsing is vectorised over the whole file, with no Python loop over rows.
Not here: counts and training state (the .npz of checkpoint.py keeps those). A word holding whitespace cannot
survive these formats, so writing one is refused.
"""

from __future__ import annotations

import bz2
import gzip
from pathlib import Path

import numpy as np

from ..errors import ModelFileError, W2VError
from ..files import atomic_write

SPACE, NEWLINE = 0x20, 0x0A
WHITESPACE = b" \t\n\r\v\f"  # what word2vec readers split on
TEXT_SUFFIXES, BINARY_SUFFIXES = (".txt", ".vec"), (".bin",)


def format_of(path) -> str | None:
    """'text', 'binary' or None, from the suffix (a trailing .gz / .bz2 is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes[-2:]]
    if suffixes and suffixes[-1] in (".gz", ".bz2"):
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    return "text" if suffix in TEXT_SUFFIXES else "binary" if suffix in BINARY_SUFFIXES else None


def read_word2vec(path, *, binary: bool) -> tuple[list[str], np.ndarray]:
    """(words, vectors (V, d) float32) of a word2vec text or binary file; ModelFileError for any flaw."""
    path = Path(path)
    body, count, dim = _body_and_header(path, binary)
    if count == 0 and not body.tobytes().strip(WHITESPACE):
        return [], np.zeros((0, dim), dtype=np.float32)
    if binary:
        starts, ends = _binary_rows(path, body, count, dim)
        words, _ = _words(path, body, starts, ends)
        vectors = _binary_vectors(body, ends, dim).reshape(count, dim)  # (V, d)
    else:
        starts, ends = _text_rows(path, body, count)
        words, word_bytes = _words(path, body, starts, ends)
        vectors = _text_vectors(path, body, starts, word_bytes, dim)  # (V, d)
    return words, vectors


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise ModelFileError(f"vectors file not found: {path}")
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as file:
            return file.read()
    except (OSError, EOFError, ValueError) as error:
        raise ModelFileError(f"{path} cannot be read ({error})") from None


def _body_and_header(path: Path, binary: bool) -> tuple[np.ndarray, int | None, int]:
    """The bytes after the header (n,) uint8, the header's V (None when a text file has none) and d."""
    raw = _read_bytes(path)
    newline = raw.find(b"\n")
    first_line = raw if newline < 0 else raw[:newline]
    fields = first_line.split()
    if len(fields) == 2 and all(field.isdigit() for field in fields) and int(fields[1]) > 0:
        body = np.frombuffer(raw, dtype=np.uint8, offset=min(len(first_line) + 1, len(raw)))  # no copy
        return body, int(fields[0]), int(fields[1])
    if not binary and len(fields) > 2:  # GloVe: no header, d from the first row
        return np.frombuffer(raw.rstrip(WHITESPACE), dtype=np.uint8), None, len(fields) - 1
    kind = "binary" if binary else "text"
    raise ModelFileError(f"{path} is not a word2vec {kind} file (it does not start with a 'words dimension' line)")


def _text_rows(path: Path, body: np.ndarray, count: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Start of each line (L,) and the position of the space ending its word (L,)."""
    end = len(body)
    while end and body[end - 1] in WHITESPACE:  # trailing blank lines are not rows
        end -= 1
    breaks = np.flatnonzero(body[:end] == NEWLINE)  # (L-1,)
    starts = np.concatenate([[0], breaks + 1])  # (L,)
    rows = len(starts) if end else 0
    if count is not None and count != rows:
        raise ModelFileError(f"{path}: the header says {count} words but the file has {rows} rows")
    line_ends = np.append(breaks, end)  # (L,)
    spaces = np.flatnonzero(body == SPACE)  # (S,)
    found = np.searchsorted(spaces, starts)  # (L,) first space at or after each line start
    ends = np.append(spaces, end)[found]  # (L,)
    bad = np.flatnonzero((ends >= line_ends) | (ends == starts))
    if len(bad):
        raise ModelFileError(f"{path}: row {bad[0] + 1} is not 'word x_1 ... x_d'")
    return starts, ends


def _binary_rows(path: Path, body: np.ndarray, count: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Start of each row's word (V,) and the position of the space that ends it (V,).

    Row i+1 starts where row i's vector ends, so the rows form a chain. Every space in the file is a candidate
    word end; from each we compute the candidate end of the next word, then follow the chain from the first
    row by pointer doubling: log2(V) array steps instead of V Python steps.
    """
    if count == 0:
        raise ModelFileError(f"{path}: the header says 0 words but the file holds rows")
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


def _words(path: Path, body: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The words body[starts[i]:ends[i]] decoded in one call, and the positions of their bytes and spaces."""
    word_bytes = _spans(starts, ends + 1)  # (sum of lengths,) each word with the space after it
    try:
        text = body[word_bytes].tobytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise ModelFileError(f"{path}: a word is not valid UTF-8 (byte {error.start} of the words)") from None
    return text.split(" ")[:-1], word_bytes


def _spans(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Every position of the ranges [starts[i], stops[i]), concatenated: one array op, no loop over ranges."""
    lengths = stops - starts  # (R,)
    return np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())


def _binary_vectors(body: np.ndarray, ends: np.ndarray, dim: int) -> np.ndarray:
    """The 4d bytes after every word, as float32 (V*d,): a mask drops the small gaps (words, newlines) between
    vectors, so no (V, 4d) index array is ever built."""
    vector_ends = ends + 1 + 4 * dim  # (V,)
    keep = np.ones(len(body), dtype=bool)  # (n,)
    keep[_spans(np.concatenate([[0], vector_ends[:-1]]), ends + 1)] = False
    keep[vector_ends[-1]:] = False
    return body[keep].view("<f4").astype(np.float32, copy=False)  # (V*d,)


def _text_vectors(path: Path, body: np.ndarray, starts: np.ndarray, word_bytes: np.ndarray,
                  dim: int) -> np.ndarray:
    """Every row's numbers, after checking that each row has d of them, parsed in one np.fromstring call."""
    numbers = body.copy()
    numbers[word_bytes] = SPACE  # (n,) the file with its words blanked out
    blank = np.isin(numbers, np.frombuffer(WHITESPACE, dtype=np.uint8))  # (n,)
    token_starts = np.flatnonzero(~blank & np.concatenate([[True], blank[:-1]]))  # (V*d,) when well formed
    per_row = np.bincount(np.searchsorted(starts, token_starts, side="right") - 1, minlength=len(starts))
    bad = np.flatnonzero(per_row != dim)
    if len(bad):
        raise ModelFileError(f"{path}: row {bad[0] + 1} has {per_row[bad[0]]} numbers, not {dim}")
    try:
        values = np.fromstring(numbers.tobytes(), dtype=np.float32, sep=" ")  # (V*d,)
    except ValueError:
        values = None
    if values is None or len(values) != len(starts) * dim:
        raise ModelFileError(f"{path}: a row holds something that is not a number")
    return values.reshape(len(starts), dim)


def check_words(words, forbidden: bytes = WHITESPACE, fmt: str = "word2vec") -> None:
    """Refuse a word that would not read back as itself (empty, or holding a separator)."""
    characters = forbidden.decode()
    joined = "\x00".join(words)
    if not any(ch in joined for ch in characters) and all(words):
        return
    row = next(i for i, word in enumerate(words) if not word or any(ch in word for ch in characters))
    raise ModelFileError(f"word {words[row]!r} (row {row + 1}) is empty or holds whitespace, which the {fmt} format "
                         "cannot keep; rename it first")


def write_word2vec(path, words, vectors, *, binary: bool) -> None:
    """Write word2vec text (%.9g, exact for float32) or binary (float32 and "\\n" per row, as the C tool does)."""
    words, vectors = list(words), np.asarray(vectors, dtype="<f4")  # (V, d)
    check_words(words)
    header = f"{len(words)} {vectors.shape[1]}\n".encode()
    if binary:
        rows = (word.encode() + b" " + vector.tobytes() + b"\n" for word, vector in zip(words, vectors))
    else:
        line = "%s " + " ".join(["%.9g"] * vectors.shape[1]) + "\n"
        rows = ((line % (word, *vector)).encode() for word, vector in zip(words, vectors.tolist()))

    def write(file):
        file.write(header)
        file.writelines(rows)

    atomic_write(Path(path), write)


def write_tsv(folder, words, vectors) -> tuple[Path, Path]:
    """vectors.tsv and metadata.tsv in folder (made if missing): the two files the Embedding Projector loads."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise W2VError(f"{folder} is a file; --format tsv writes vectors.tsv and metadata.tsv into a folder")
    folder.mkdir(parents=True, exist_ok=True)
    return write_projector(folder / "vectors.tsv", folder / "metadata.tsv", words, vectors)


def write_projector(vectors_path, metadata_path, words, vectors) -> tuple[Path, Path]:
    """The TensorFlow Embedding Projector's pair: one tab-separated row of numbers per word in vectors_path, one
    word per line (no header) in metadata_path."""
    words, vectors = list(words), np.asarray(vectors, dtype=np.float32)  # (V, d)
    check_words(words, b"\t\n\r", "tsv")
    line = "\t".join(["%.9g"] * vectors.shape[1]) + "\n"
    vectors_path, metadata_path = Path(vectors_path), Path(metadata_path)
    atomic_write(vectors_path, lambda file: file.writelines((line % tuple(v)).encode() for v in vectors.tolist()))
    atomic_write(metadata_path, lambda file: file.write("".join(w + "\n" for w in words).encode()))
    return vectors_path, metadata_path
