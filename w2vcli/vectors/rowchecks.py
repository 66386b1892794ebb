"""What every matrix of word vectors must be before a query trusts it: finite rows, and each word once.

Both checks name the first offending row (counting from 1) and word, so a user can find it in the file.
Not here: reading files (word2vec_reader.py, checkpoint.py); the message for a diverged .npz (embeddings.py).
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelFileError


def check_rows(path, words: list[str], vectors: np.ndarray) -> None:
    """Refuse a matrix with a non-finite row or a word given twice, naming the first of each (rows from 1)."""
    row = first_non_finite_row(vectors)
    if row is not None:
        raise ModelFileError(f"{path}: row {row + 1} (word {words[row]!r}) holds NaN or infinity; "
                             "remove or fix that row")
    check_unique(path, words)


def check_unique(path, words: list[str]) -> None:
    """Refuse a word given twice, naming it and its first two rows (from 1)."""
    if len(set(words)) == len(words):
        return
    seen: dict[str, int] = {}
    for row, word in enumerate(words):
        if word in seen:
            raise ModelFileError(f"{path}: word {word!r} appears twice (rows {seen[word] + 1} and {row + 1}); "
                                 "each word must have one vector")
        seen[word] = row


def first_non_finite_row(vectors: np.ndarray, norms: np.ndarray | None = None) -> int | None:
    """The first row holding NaN or infinity, or None. One pass finds the suspects: rows whose float64 sum, or
    whose given float32 norms, are not finite (a norm also overflows for huge finite values, which the exact
    look at each suspect row then clears)."""
    if norms is None:
        with np.errstate(over="ignore", invalid="ignore"):
            norms = vectors.sum(axis=1, dtype=np.float64)  # (V,)
    for row in np.flatnonzero(~np.isfinite(norms)):
        if not np.isfinite(vectors[row]).all():
            return int(row)
    return None
