"""Trained word vectors as a read-only type, separate from training state (like gensim's KeyedVectors).

Embeddings holds the words and one (V, d) matrix, normalised once for every cosine query.
Not here: training, file formats (checkpoint.py, w2vformat.py), benchmarks (evaluate.py).
"""

from __future__ import annotations

import difflib
from functools import cached_property
from pathlib import Path

import numpy as np

from .checkpoint import load_model
from .errors import ConfigError, UnknownWordError


class Embeddings:
    def __init__(self, words, vectors, *, lowercase: bool = False, counts=None):
        self.words = list(words)  # (V,) most frequent first
        self.vectors = np.asarray(vectors, dtype=np.float32)  # (V, d)
        self.lowercase = lowercase  # lookups fold case when the model was trained lowercased
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)  # (V,) or None
        self.index = {word: i for i, word in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    @cached_property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length, computed once (zero rows stay zero)."""
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)  # (V, 1)
        return self.vectors / np.where(norms == 0, 1.0, norms)

    def key(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    def __contains__(self, word: str) -> bool:
        return self.key(word) in self.index

    def row(self, word: str) -> int:
        """The row of word, or UnknownWordError with up to three close words as suggestions."""
        key = self.key(word)
        if key in self.index:
            return self.index[key]
        close = difflib.get_close_matches(key, self.words, n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise UnknownWordError(f"unknown word '{word}'{hint}")


def embeddings_from_model(model, which: str = "center") -> Embeddings:
    """Embeddings of a checkpoint.ModelFile: which is center, outside or sum."""
    matrices = {"center": lambda: model.center_vectors, "outside": lambda: model.outside_vectors,
                "sum": lambda: model.center_vectors + model.outside_vectors}
    if which not in matrices:
        raise ConfigError(f"--vectors must be one of center, outside, sum (got '{which}')")
    return Embeddings(model.words, matrices[which](), lowercase=bool(model.config.get("lowercase", False)),
                      counts=model.counts)


def load_vectors(path, which: str = "center") -> Embeddings:
    """Load vectors from a w2vcli .npz model (other formats: see w2vformat)."""
    return embeddings_from_model(load_model(Path(path)), which)
