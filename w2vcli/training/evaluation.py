"""Evaluation during training (--eval-analogies, --eval-pairs, --keep-best): the model scored at every epoch's end.

The files are read once, before training; at the end of each epoch (and when a run is stopped) the center vectors
are scored as `w2v evaluate` scores them (the same code, over the 30,000 most frequent words: analogy accuracy by
3CosAdd, Spearman correlation of the word pairs). The scores go into the run's state (`evaluations`, saved in the
model file); with keep_best the parameters of the best-scoring epoch (by analogies when given, else by the pairs)
are kept and become the model file at the end. Loss is a weak quality signal in word2vec; these are the signal.
Not here: when an epoch ends (session.py), the scoring itself (vectors/evaluate.py), rendering (cli/).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from ..vectors.embeddings import Embeddings
from ..vectors.evalfiles import read_analogies, read_pairs
from ..vectors.evaluate import score_analogies, score_pairs

RESTRICT_VOCAB = 30_000  # the words scored: as the training benchmark does


@dataclass(frozen=True)
class EpochScore:
    epoch: int  # epochs completed when scored
    words_done: int
    analogies: float | None  # accuracy in [0, 1], or None without --eval-analogies
    pairs: float | None  # Spearman, NaN when it cannot be computed, or None without --eval-pairs

    @property
    def primary(self) -> float:
        """What --keep-best compares: the analogy accuracy when given, else the pairs' correlation."""
        value = self.analogies if self.analogies is not None else self.pairs
        return -math.inf if value is None or math.isnan(value) else value

    @classmethod
    def from_json(cls, entry, source) -> "EpochScore":
        """A saved [epoch, tokens done, analogies, pairs], each checked (ModelFileError naming the entry if not);
        pairs is None both without --eval-pairs and when the correlation could not be computed (saved so)."""
        def number(value, low=-math.inf, high=math.inf):
            return (value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                      and low <= value <= high))

        if not (isinstance(entry, list) and len(entry) == 4
                and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in entry[:2])
                and number(entry[2], 0.0, 1.0) and number(entry[3], -1.0, 1.0)):
            raise ModelFileError(f"corrupt checkpoint {source}: state evaluations holds {entry!r:.60}")
        return cls(entry[0], entry[1], *(None if x is None else float(x) for x in entry[2:]))

    def to_json(self) -> list:
        return [self.epoch, self.words_done, self.analogies, None if self.pairs is None or math.isnan(self.pairs)
                else self.pairs]


class EpochEvaluator:
    """Scores vectors against the files given; keeps the best epoch's parameters when asked."""

    def __init__(self, analogies: Path | None = None, pairs: Path | None = None, keep_best: bool = False):
        self.analogies = read_analogies(analogies) if analogies is not None else None
        self.pairs = read_pairs(pairs) if pairs is not None else None
        self.keep_best = keep_best
        self.best: tuple[EpochScore, tuple[np.ndarray, np.ndarray]] | None = None

    def score(self, words, params, lowercase: bool, epoch: int, words_done: int) -> EpochScore:
        """Score the center vectors now; with keep_best, copy the parameters when this is the best epoch yet."""
        embeddings = Embeddings(words, params[0], lowercase=lowercase)
        analogies = pairs = None
        if self.analogies is not None:
            analogies = score_analogies(embeddings, self.analogies, restrict_vocab=RESTRICT_VOCAB).total.accuracy
        if self.pairs is not None:
            pairs = score_pairs(embeddings, self.pairs, restrict_vocab=RESTRICT_VOCAB).spearman
        result = EpochScore(epoch, words_done, analogies, pairs)
        if self.keep_best and (self.best is None or result.primary > self.best[0].primary):
            self.best = (result, (params[0].copy(), params[1].copy()))
        return result
