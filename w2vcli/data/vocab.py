"""The vocabulary: words and their counts, most frequent first, and the map from corpus words to ids.

Built from counts made in one streaming pass over the corpus (corpus.py); --min-count drops rare words and
--max-vocab keeps the most frequent. Ties in count are broken by the word itself, so the order, and with it every
id, is the same on every run. Not here: reading text (corpus.py) or sampling (sampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import CorpusError


@dataclass(frozen=True)
class Vocab:
    words: list[str]  # (V,) most frequent first, ties by word
    counts: np.ndarray  # (V,) int64, descending

    def __len__(self) -> int:
        return len(self.words)

    @cached_property
    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.words)}

    @classmethod
    def from_counts(cls, words, counts, *, min_count: int = 1, max_vocab: int | None = None) -> "Vocab":
        """Keep words with count ≥ min_count, the max_vocab most frequent of them; at least two must remain."""
        counts = np.asarray(counts, dtype=np.int64)
        words = np.asarray(words, dtype=object)
        kept = np.flatnonzero(counts >= min_count)
        # sort by count descending, then by word ascending (np.lexsort: last key is primary)
        order = kept[np.lexsort((words[kept].astype(str), -counts[kept]))]
        if max_vocab is not None:
            order = order[:max_vocab]
        if len(order) < 2:
            raise CorpusError(f"only {len(order)} distinct word(s) occur at least {min_count} times; "
                              "training needs two or more (lower --min-count or use a larger corpus)")
        return cls(words[order].tolist(), counts[order])

    def remap(self, corpus_words) -> np.ndarray:
        """For corpus words in any order, their vocabulary ids: (len(corpus_words),) int32, −1 for dropped words."""
        index = self.index
        return np.array([index.get(word, -1) for word in corpus_words], dtype=np.int32)

    def encode(self, tokens) -> np.ndarray:
        """Token strings to ids, dropping words outside the vocabulary: (n,) int64."""
        index = self.index
        return np.array([index[t] for t in tokens if t in index], dtype=np.int64)
