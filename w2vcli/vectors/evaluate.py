"""Word-vector benchmarks: analogy questions and word-pair similarity, scored as gensim scores them.

Scores the two standard formats (read by evalfiles.py): questions-words.txt (Mikolov et al., 2013: `: section` lines,
then `a b c d` meaning "a is to b as c is to d") and WordSim-353 / SimLex-999 pairs (`word1<TAB>word2<TAB>score`,
`#` comments). Solves every analogy in matrix batches by 3CosAdd or 3CosMul (Levy & Goldberg, 2014) and
correlates pair similarities by Spearman and Pearson in NumPy; the numbers equal gensim's
`evaluate_word_analogies` / `evaluate_word_pairs` (case-insensitive, restrict_vocab) on the same vectors.
Not here: printing (display.py), vector file formats (vectors.py), scipy (not a runtime dependency).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import ConfigError
from .embeddings import cosmul_scores
from .evalfiles import AnalogyFile, PairsFile, read_analogies, read_pairs

# Shapes: V vocabulary rows, R candidate rows (the restrict_vocab most frequent), d dimension,
# N questions or pairs, B questions per batch, C candidate rows per chunk.
QUESTION_BATCH = 512  # B
CANDIDATE_CHUNK = 16384  # C: a (B, C) float32 score block is 32 MB
METHODS = ("add", "cosmul")


@dataclass(frozen=True)
class SectionScore:
    name: str
    correct: int  # answered questions whose best candidate is the expected word
    answered: int  # questions whose four words are among the candidates
    skipped: int  # questions with a word outside the candidates (unknown, or beyond restrict_vocab)

    @property
    def accuracy(self) -> float:
        """correct / answered; 0.0 when nothing was answered, as gensim reports it."""
        return self.correct / self.answered if self.answered else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "accuracy": self.accuracy}


def _summed(name: str, scores) -> SectionScore:
    scores = list(scores)
    return SectionScore(name, sum(s.correct for s in scores), sum(s.answered for s in scores),
                        sum(s.skipped for s in scores))


@dataclass(frozen=True)
class AnalogyResult:
    source: str
    method: str  # add (3CosAdd) or cosmul (3CosMul)
    restrict_vocab: int
    sections: list[SectionScore]  # in file order
    warnings: list[str] = field(default_factory=list)  # malformed lines, each skipped

    @property
    def semantic(self) -> SectionScore:
        return _summed("semantic", (s for s in self.sections if not s.name.startswith("gram")))

    @property
    def syntactic(self) -> SectionScore:
        return _summed("syntactic", (s for s in self.sections if s.name.startswith("gram")))

    @property
    def total(self) -> SectionScore:
        return _summed("total", self.sections)

    def as_dict(self) -> dict:
        return {"file": self.source, "method": self.method, "restrict_vocab": self.restrict_vocab,
                "sections": [s.as_dict() for s in self.sections], "semantic": self.semantic.as_dict(),
                "syntactic": self.syntactic.as_dict(), "total": self.total.as_dict(), "warnings": self.warnings}


@dataclass(frozen=True)
class PairsResult:
    source: str
    pairs: int  # pairs whose two words are among the candidates; the correlations use these
    skipped: int  # pairs with a word outside the candidates
    spearman: float  # NaN when fewer than two pairs, or either column is constant
    pearson: float
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        finite = {key: (value if math.isfinite(value) else None)
                  for key, value in (("spearman", self.spearman), ("pearson", self.pearson))}
        return {"file": self.source, "pairs": self.pairs, "skipped": self.skipped, **finite,
                "warnings": self.warnings}


def _candidates(embeddings, restrict_vocab: int, case_insensitive: bool):
    """(fold, rows, canon) for the restrict_vocab most frequent words, folded as gensim folds them.

    fold maps a word to its lookup key: upper case when case_insensitive (gensim's default), else the model's
    own key. rows maps a key to its first (most frequent) row; canon (R,) gives each row that first row, so
    'King' and 'KING' count as the same answer and are excluded together.
    """
    if restrict_vocab < 1:
        raise ConfigError(f"restrict_vocab must be at least 1 (got {restrict_vocab})")
    fold = str.upper if case_insensitive else embeddings.key
    rows: dict[str, int] = {}
    words = embeddings.words[:restrict_vocab]
    canon = np.fromiter((rows.setdefault(fold(word), row) for row, word in enumerate(words)),
                        dtype=np.int64, count=len(words))  # (R,)
    return fold, rows, canon


def _scorer(unit: np.ndarray, abc: np.ndarray, method: str):
    """score(chunk) -> (B, C): how well each candidate row of chunk (C, d) answers each question of abc (B, 3).

    Each method keeps gensim's arithmetic: 3CosAdd takes the cosine with the normalised query b - a + c;
    3CosMul multiplies cosines with a, b and c moved to [0, 1] (Levy & Goldberg's footnote 7), and computes them
    once per distinct word of the batch, since questions share their words.
    """
    if method == "add":
        query = unit[abc[:, 1]] - unit[abc[:, 0]] + unit[abc[:, 2]]  # (B, d)
        query /= np.maximum(np.linalg.norm(query, axis=1, keepdims=True), np.finfo(np.float32).tiny)
        return lambda chunk: query @ chunk.T  # (B, C)
    words, inverse = np.unique(abc, return_inverse=True)  # (W,), (B, 3) with abc == words[inverse]
    inverse = inverse.reshape(abc.shape)

    def score(chunk):
        shifted = unit[words] @ chunk.T  # (W, C)
        shifted += 1
        shifted /= 2
        return cosmul_scores(shifted[inverse[:, 0]], shifted[inverse[:, 1]], shifted[inverse[:, 2]])  # (B, C)

    return score


def _exclude_inputs(scores: np.ndarray, abc: np.ndarray, canon: np.ndarray, start: int) -> None:
    """Set to -inf, in place, the scores of the rows of chunk start:start+C that fold like a, b or c."""
    size = scores.shape[1]
    question, which = np.nonzero((abc >= start) & (abc < start + size))  # the input rows inside the chunk
    scores[question, abc[question, which] - start] = -np.inf
    local = canon[start:start + size]  # (C,)
    variants = np.flatnonzero(local != np.arange(start, start + len(local)))  # rows folding like an earlier row
    if len(variants):
        hit = (local[variants][None, :, None] == abc[:, None, :]).any(axis=2)  # (B, K)
        block = scores[:, variants]  # (B, K) copy
        block[hit] = -np.inf
        scores[:, variants] = block


def _best_rows(unit: np.ndarray, abc: np.ndarray, canon: np.ndarray, method: str) -> np.ndarray:
    """(B,) the canonical row of the best candidate for each question, never a, b or c; -1 if none is left.

    subtle: of exactly equal scores the first row (the more frequent word) wins, across chunks too; gensim's
    argpartition leaves ties in no defined order.
    """
    score = _scorer(unit, abc, method)
    best = np.full(len(abc), -np.inf, dtype=np.float32)  # (B,)
    best_row = np.full(len(abc), -1, dtype=np.int64)  # (B,)
    for start in range(0, len(canon), CANDIDATE_CHUNK):
        scores = score(unit[start:start + CANDIDATE_CHUNK])  # (B, C)
        _exclude_inputs(scores, abc, canon, start)
        row = scores.argmax(axis=1)  # (B,)
        top = scores[np.arange(len(abc)), row]  # (B,)
        better = top > best
        best[better], best_row[better] = top[better], row[better] + start
    return np.where(best_row >= 0, canon[np.maximum(best_row, 0)], -1)


def _predict(unit: np.ndarray, abc: np.ndarray, canon: np.ndarray, method: str) -> np.ndarray:
    """(n,) the canonical row answering each question of abc (n, 3), QUESTION_BATCH questions at a time."""
    predicted = np.full(len(abc), -1, dtype=np.int64)  # (n,)
    for start in range(0, len(abc), QUESTION_BATCH):
        predicted[start:start + QUESTION_BATCH] = _best_rows(unit, abc[start:start + QUESTION_BATCH], canon, method)
    return predicted


def score_analogies(embeddings, found: AnalogyFile, *, restrict_vocab: int = 300_000, method: str = "add",
                    case_insensitive: bool = True) -> AnalogyResult:
    """Answer every question over the restrict_vocab most frequent words; count the correct ones per section."""
    if method not in METHODS:
        raise ConfigError(f"method must be one of {', '.join(METHODS)} (got '{method}')")
    fold, rows, canon = _candidates(embeddings, restrict_vocab, case_insensitive)
    sections = found.sections
    section_of = np.repeat(np.arange(len(sections)), [len(s.questions) for s in sections])  # (N,)
    ids = np.array([rows.get(fold(word), -1) for s in sections for question in s.questions for word in question],
                   dtype=np.int64).reshape(-1, 4)  # (N, 4): a, b, c, expected; -1 = not a candidate
    known = (ids >= 0).all(axis=1)  # (N,)
    correct = np.zeros(len(ids), dtype=bool)  # (N,)
    unit = embeddings.unit_vectors[:len(canon)]  # (R, d)
    correct[known] = _predict(unit, ids[known, :3], canon, method) == ids[known, 3]

    def per_section(mask):  # (S,) how many questions of each section the mask selects
        return np.bincount(section_of[mask], minlength=len(sections))

    n_correct, n_answered, n_skipped = per_section(correct), per_section(known), per_section(~known)
    scores = [SectionScore(s.name, int(n_correct[i]), int(n_answered[i]), int(n_skipped[i]))
              for i, s in enumerate(sections)]
    return AnalogyResult(found.source, method, restrict_vocab, scores, found.warnings)


def average_ranks(values) -> np.ndarray:
    """1-based ranks of values, tied values sharing the mean of their ranks (as Spearman's rho needs)."""
    values = np.asarray(values)
    order = np.argsort(values, kind="stable")  # (n,)
    starts_group = np.r_[True, values[order][1:] != values[order][:-1]]  # (n,) sorted value opens a tie group
    first = np.flatnonzero(starts_group)  # (g,) sorted position where each group starts
    last = np.r_[first[1:], len(values)] - 1  # (g,) where it ends
    group = np.cumsum(starts_group) - 1  # (n,) group of each sorted value
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = (first + last)[group] / 2 + 1
    return ranks


def pearson(x, y) -> float:
    """Pearson's r = cov(x, y) / (std x std y); NaN for fewer than two values or a constant column."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)  # (n,), (n,)
    if len(x) < 2:
        return math.nan
    x, y = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(x @ x) * float(y @ y))
    if denominator == 0:
        return math.nan
    return max(-1.0, min(1.0, float(x @ y) / denominator))


def spearman(x, y) -> float:
    """Spearman's rho: Pearson's r of the average ranks (ties handled as scipy.stats.spearmanr does)."""
    return pearson(average_ranks(x), average_ranks(y)) if len(x) >= 2 else math.nan


def score_pairs(embeddings, pairs: PairsFile, *, restrict_vocab: int = 300_000,
                case_insensitive: bool = True) -> PairsResult:
    """Correlate human scores with the cosine of each pair whose two words are among the candidates."""
    fold, rows, _ = _candidates(embeddings, restrict_vocab, case_insensitive)
    ids = np.array([rows.get(fold(word), -1) for first, second, _ in pairs.pairs for word in (first, second)],
                   dtype=np.int64).reshape(-1, 2)  # (N, 2)
    known = (ids >= 0).all(axis=1)  # (N,)
    human = np.array([score for *_, score in pairs.pairs], dtype=np.float64)[known]  # (n,)
    # subtle: float64 here, not the float32 of gensim's unitvec and dot: exact cosines sit closer to gensim's
    # than a second float32 rounding would, and a model whose cosines barely vary magnifies any rounding.
    first, second = (embeddings.vectors[ids[known, k]].astype(np.float64) for k in (0, 1))  # (n, d) each
    norms = np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1)  # (n,)
    cosines = np.einsum("nd,nd->n", first, second) / np.where(norms == 0, 1.0, norms)  # (n,)
    return PairsResult(pairs.source, int(known.sum()), int((~known).sum()), spearman(human, cosines),
                       pearson(human, cosines), pairs.warnings)


def evaluate_analogies(embeddings, path, **options) -> AnalogyResult:
    """Read an analogy file and score it (options: restrict_vocab, method, case_insensitive)."""
    return score_analogies(embeddings, read_analogies(path), **options)


def evaluate_pairs(embeddings, path, **options) -> PairsResult:
    """Read a word-pair file and score it (options: restrict_vocab, case_insensitive)."""
    return score_pairs(embeddings, read_pairs(path), **options)


def quality(embeddings, analogies_path, pairs_path, restrict_vocab: int = 30_000) -> tuple[float, float]:
    """(overall analogy accuracy, word-pair Spearman): the quality columns of the training benchmark."""
    analogies = evaluate_analogies(embeddings, analogies_path, restrict_vocab=restrict_vocab)
    pairs = evaluate_pairs(embeddings, pairs_path, restrict_vocab=restrict_vocab)
    return analogies.total.accuracy, pairs.spearman
