"""Vectors for any word: Embeddings whose unknown words get a vector from their character n-grams (fastText).

SubwordVectors holds the vocabulary's composed vectors (math/subwords.py: the mean of a word's own row and its
n-gram rows) for the usual queries, and the input matrix Z (V + buckets, d) to build the vector of any other
word from its n-grams alone, as fastText's get_word_vector does. Such words are answered, never excluded from
the answers (they are not candidates), and the caller can tell them apart (from_subwords) to say so.
Not here: the files (checkpoint.py and fasttext.py read them), evaluation itself (evaluate.py).
"""

from __future__ import annotations

import numpy as np

from ..errors import UnknownWordError
from ..math import subwords
from .embeddings import Embeddings


class SubwordVectors(Embeddings):
    def __init__(self, words, input_matrix, *, min_n: int, max_n: int, buckets: int, lowercase: bool = False,
                 counts=None, vectors=None):
        self.input_matrix = input_matrix  # (V + buckets, d): word rows then n-gram buckets
        self.min_n, self.max_n, self.buckets = min_n, max_n, buckets
        if vectors is None:
            table = subwords.subword_table(list(words), min_n, max_n, buckets)
            vectors = subwords.word_vectors(input_matrix, table)  # (V, d)
        super().__init__(words, vectors, lowercase=lowercase, counts=counts)

    def from_subwords(self, word: str) -> bool:
        """Whether word's vector is built from its n-grams (it is not in the vocabulary)."""
        return self.key(word) not in self.index

    def vector(self, word: str) -> np.ndarray:
        """v_w: the trained composed vector of a vocabulary word, else the mean of word's n-gram rows. (d,)"""
        key = self.key(word)
        if key in self.index:
            return self.vectors[self.index[key]]
        rows = subwords.ngram_rows(key, self.min_n, self.max_n, self.buckets, len(self.words))
        if len(rows) == 0:
            raise UnknownWordError(f"unknown word '{word}', and it has no character n-grams of length "
                                   f"{self.min_n}-{self.max_n} to build a vector from")
        return subwords.compose(self.input_matrix, rows).astype(np.float32)

    def unit_vector(self, word: str) -> tuple[np.ndarray, int | None]:
        key = self.key(word)
        if key in self.index:
            return super().unit_vector(word)
        vector = self.vector(word)
        norm = float(np.linalg.norm(vector))
        return vector / (norm if norm > 0 else 1.0), None

    def with_words(self, words, restrict_vocab: int, fold) -> Embeddings:
        """Plain Embeddings of the restrict_vocab most frequent words followed by those of words (e.g. an
        evaluation file's) that fold like none of them, with vectors from their n-grams, so that every
        question can be answered; the added words are candidate answers too. Words with no n-grams stay out."""
        head = self.words[:restrict_vocab]
        seen = {fold(word) for word in head}
        extra = []
        for word in words:
            if fold(word) not in seen and (self.key(word) in self.index or self._has_ngrams(word)):
                seen.add(fold(word))
                extra.append(word)
        vectors = np.concatenate([self.vectors[:len(head)],
                                  np.array([self.vector(w) for w in extra], dtype=np.float32).reshape(-1, self.dim)])
        return Embeddings([*head, *extra], vectors, lowercase=self.lowercase)

    def for_evaluation(self, words, restrict_vocab: int, *, case_insensitive: bool = True) -> Embeddings:
        """with_words, folding words as evaluate.py folds them (upper case unless case-sensitive)."""
        return self.with_words(words, restrict_vocab, str.upper if case_insensitive else self.key)

    def _has_ngrams(self, word: str) -> bool:
        return len(subwords.char_ngrams(self.key(word), self.min_n, self.max_n)) > 0 and self.buckets > 0


def subword_vectors_of(model) -> SubwordVectors:
    """The center vectors of a w2vcli subword model (a checkpoint.ModelFile with ngram_vectors)."""
    config = model.config
    return SubwordVectors(model.words, np.concatenate([model.center_vectors, model.ngram_vectors]),
                          min_n=config["min_n"], max_n=config["max_n"], buckets=config["buckets"],
                          lowercase=bool(config.get("lowercase", False)), counts=model.counts)
