"""word -> row for a vocabulary held as a NumPy unicode array: a binary search over the words in sorted order.

A query looks up a handful of words, so building a Python dict of every word (and decoding every word into a str
first) costs more than the query itself on a large vocabulary. WordIndex keeps the words as the array they were
read into and a permutation `order` under which they strictly increase; a lookup is one np.searchsorted.
The .npz member word_order holds that permutation (checkpoint.py writes np.argsort of the words); it is believed
only after checked_index proves it: integers, each row exactly once, and the words in its order strictly
increasing, which also proves every word unique (a word given twice is refused as rowchecks.check_unique refuses
it, with the same message). A file without the member (written before it existed) gets the order sorted here.
Not here: reading the file (checkpoint.py), the queries (embeddings.py).
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelFileError
from .rowchecks import check_unique


class WordIndex:
    """The rows of words (V,) unicode, found through order (V,): words[order] is strictly increasing."""

    def __init__(self, words: np.ndarray, order: np.ndarray, ordered: np.ndarray):
        self.words, self.order, self.ordered = words, order, ordered  # (V,), (V,), (V,) = words[order]

    def __len__(self) -> int:
        return len(self.words)

    def find(self, word: str) -> int | None:
        """The row of word, or None. (The array cannot hold a word ending in NUL: none such is in it.)"""
        position = int(np.searchsorted(self.ordered, word)) if len(self.ordered) else 0
        if position < len(self.ordered) and str(self.ordered[position]) == word:
            return int(self.order[position])
        return None


def sorted_order(words: np.ndarray) -> np.ndarray:
    """(V,) the permutation that sorts words (as NumPy compares them: by code point), for the word_order member."""
    order = np.argsort(words, kind="stable")
    return order.astype(np.int32 if len(words) < 1 << 31 else np.int64, copy=False)


def checked_index(path, words: np.ndarray, order: np.ndarray | None) -> WordIndex:
    """A WordIndex of words, its order checked (or sorted here when absent); ModelFileError for a word given twice
    or an order that is not a sorting permutation of the rows."""
    if order is None:
        order = sorted_order(words)
    elif order.shape != words.shape or order.dtype.kind not in "iu":
        raise ModelFileError(f"{path}: word_order must be {len(words)} integers (a damaged file; re-save it)")
    elif len(order) and not _is_permutation(order):
        raise ModelFileError(f"{path}: word_order is not an ordering of the {len(words)} words "
                             "(a damaged file; re-save it)")
    ordered = words[order]  # (V,)
    if len(ordered) > 1 and not (ordered[1:] > ordered[:-1]).all():
        if (ordered[1:] == ordered[:-1]).any():
            check_unique(path, words.tolist())  # raises, naming the first repeated word and its rows
        raise ModelFileError(f"{path}: word_order does not sort the words (a damaged file; re-save it)")
    return WordIndex(words, order, ordered)


def _is_permutation(order: np.ndarray) -> bool:
    """Whether order holds each of 0 .. V-1 exactly once (bounds first, so no index can fall outside)."""
    if order.min() < 0 or order.max() >= len(order):
        return False
    seen = np.zeros(len(order), dtype=bool)
    seen[order] = True
    return bool(seen.all())
