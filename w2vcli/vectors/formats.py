"""Word2vec's text and binary vector files (the C tool's, gensim's, fastText's .vec): read and write.

Layout of both: a header line "V d\\n", then V rows. A text row is "word x_1 ... x_d\\n" in decimal; a binary row
is "word ", then d little-endian float32 (4d bytes), then an optional "\\n" (the C tool writes it, gensim does
not). Text without a header (GloVe) is read too, d then coming from its first row. `.gz` and `.bz2` are opened
transparently. Reading, bounded and vectorised, is word2vec_reader.py's (read_word2vec is re-exported here).
Not here: counts and training state (the .npz of checkpoint.py keeps those). A word holding whitespace cannot
survive these formats, so writing one is refused.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelFileError, W2VError
from ..files import atomic_write
from .word2vec_reader import WHITESPACE, read_word2vec

__all__ = ["format_of", "read_word2vec", "check_words", "write_word2vec", "write_tsv"]
TEXT_SUFFIXES, BINARY_SUFFIXES = (".txt", ".vec"), (".bin",)


def format_of(path) -> str | None:
    """'text', 'binary' or None, from the suffix (a trailing .gz / .bz2 is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes[-2:]]
    if suffixes and suffixes[-1] in (".gz", ".bz2"):
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    return "text" if suffix in TEXT_SUFFIXES else "binary" if suffix in BINARY_SUFFIXES else None


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
