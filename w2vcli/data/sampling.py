"""Sampling from word counts: subsampling of frequent words, and the noise distribution for negatives.

word2vec's subsampling keeps word w with probability (√(f_w/t) + 1)·t/f_w (f_w its corpus frequency, t the
--sample threshold); the CS224n assignment rejects with probability max(0, 1 − √(1e-5·N/count)). Negatives
come from count^0.75, normalised, drawn in O(1) each with Walker's alias method. Every draw takes an explicit
np.random.Generator. Not here: which words are in the vocabulary (vocab.py).
"""

from __future__ import annotations

import numpy as np


def keep_probabilities(counts, sample: float) -> np.ndarray:
    """word2vec's rule: keep(w) = min(1, (√(f/t) + 1)·t/f) with f = count/total; sample = 0 keeps every word."""
    counts = np.asarray(counts, dtype=np.float64)  # (V,)
    if sample <= 0:
        return np.ones(len(counts), dtype=np.float32)
    frequency = counts / counts.sum()  # (V,)
    keep = (np.sqrt(frequency / sample) + 1.0) * sample / frequency
    return np.minimum(keep, 1.0).astype(np.float32)


def cs224n_keep_probabilities(counts, threshold: float = 1e-5) -> np.ndarray:
    """The assignment's rule: reject with probability max(0, 1 − √(threshold·N/count)), N the corpus size."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.minimum(1.0, np.sqrt(threshold * counts.sum() / counts)).astype(np.float32)


def noise_distribution(counts, exponent: float = 0.75) -> np.ndarray:
    """P_n(w) ∝ count(w)^exponent, (V,) float64 summing to 1."""
    weights = np.asarray(counts, dtype=np.float64) ** exponent
    return weights / weights.sum()


class NoiseSampler:
    """Draws word ids from a distribution in O(1) per draw (Walker's alias method, built once in O(V)).

    Each of the V columns holds probability mass 1/V: word i with probability threshold[i], else alias[i].
    """

    def __init__(self, probs):
        probs = np.asarray(probs, dtype=np.float64)
        V = len(probs)
        scaled = probs * V / probs.sum()  # (V,) mean 1
        threshold = np.ones(V)
        alias = np.arange(V)
        small = [i for i in range(V) if scaled[i] < 1.0]
        large = [i for i in range(V) if scaled[i] >= 1.0]
        while small and large:  # move mass from a large column into each small one
            s, g = small.pop(), large[-1]
            threshold[s], alias[s] = scaled[s], g
            scaled[g] -= 1.0 - scaled[s]
            if scaled[g] < 1.0:
                small.append(large.pop())
        self.probs = probs / probs.sum()  # (V,)
        self.threshold = threshold  # (V,) float64
        self.alias = alias  # (V,) int64

    def draw(self, rng: np.random.Generator, size) -> np.ndarray:
        """size draws, int64 ids."""
        u = rng.random(size) * len(self.alias)
        column = u.astype(np.int64)
        return np.where(u - column < self.threshold[column], column, self.alias[column])
