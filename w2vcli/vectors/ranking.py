"""Two more questions to ask trained vectors: which word does not belong, and how close candidates are to a word.

odd_one_out is gensim's doesnt_match (and, read the other way, rank_by_centrality): the words' unit vectors are
averaged, the mean is scaled to unit length, and each word is scored by its cosine with it; the odd one is the
lowest. rank_candidates scores candidates by cosine with a query word and gives each its rank among *all* the
vocabulary's words (gensim's rank(query, candidate) = len(closer_than(query, candidate)) + 1), so a user sees
not only that queen beats chair for king but that queen is king's 1st neighbour and chair its 4,000th.
Not here: nearest neighbours and analogies (embeddings.py), rendering (cli/ranking.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from .embeddings import Embeddings


@dataclass(frozen=True)
class Ranked:
    word: str
    cosine: float  # with the mean (odd_one_out) or with the query (rank_candidates)
    rank: int  # 1 = closest; among the given words (odd_one_out, 1 = most central) or the whole vocabulary


def odd_one_out(embeddings: Embeddings, words: list[str]) -> list[Ranked]:
    """The words by cosine with the normalised mean of their unit vectors, the odd one (lowest) first.

        m = Σ_i ŵ_i / ‖Σ_i ŵ_i‖            ŵ_i = w_i / ‖w_i‖
        score_i = ŵ_iᵀ m

    Ties go to the word that sorts first, as gensim's sorted((score, word)). rank counts from the most central.
    """
    if len(words) < 3:
        raise ConfigError(f"the odd one out needs at least three words (got {len(words)})")
    unit = embeddings.unit_vectors[[embeddings.row(word) for word in words]]  # (n, d)
    mean = unit.mean(axis=0)  # (d,)
    norm = np.linalg.norm(mean)
    scores = unit @ (mean / norm if norm > 0 else mean)  # (n,)
    order = sorted(range(len(words)), key=lambda i: (float(scores[i]), words[i]))
    return [Ranked(words[i], float(scores[i]), len(words) - position) for position, i in enumerate(order)]


def rank_candidates(embeddings: Embeddings, query: str, candidates: list[str]) -> list[Ranked]:
    """The candidates by cosine with query, highest first; rank = 1 + the number of words other than query that
    are strictly closer to it (all V words count, not only the candidates)."""
    if not candidates:
        raise ConfigError("give one or more candidate words after the query word")
    query_row = embeddings.row(query)
    rows = [embeddings.row(word) for word in candidates]
    cosines = embeddings.unit_vectors @ embeddings.unit_vectors[query_row]  # (V,)
    others = np.sort(np.delete(cosines, query_row))  # (V − 1,) ascending
    ranks = len(others) - np.searchsorted(others, cosines[rows], side="right") + 1  # (n,)
    ranked = [Ranked(word, float(cosines[row]), int(rank)) for word, row, rank in zip(candidates, rows, ranks)]
    return sorted(ranked, key=lambda r: (-r.cosine, r.word))
