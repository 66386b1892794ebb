"""fastText's subword model (Bojanowski et al., 2017): a word's input vector from its character n-grams.

A word w is wrapped as "<w>"; its n-grams (n from min_n to max_n, counted in characters) are hashed with
fastText's 32-bit FNV-1a into `buckets` rows that follow the V word rows of one input matrix Z (V + buckets, d).
The word's rows are S(w) = [w] + [V + hash(g) mod buckets for g in n-grams(w)] (a repeat counts twice), and

    v_w = (1/|S(w)|) Σ_{s∈S(w)} z_s                     (d,)       the input vector the models use
    ∂J/∂z_s = (1/|S(w)|) ∂J/∂v_w                         for each s in S(w)

Skip-gram and CBOW are core.py's models on these composed vectors; the per-example functions below read like
that, and subword_block_gradient is the batched form training runs (tested equal to them). fastText's training
step gives every row the whole ∂J/∂v_w (full_spread), not the gradient: |S(w)| times larger.
Pure: no I/O, no randomness. Not here: training, the .bin format (vectors/fasttext.py).

Legend: V vocabulary, B buckets, d dimension, S a word's rows, T block tokens, R a block's rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import batched, core
from .scatter import NoiseCurvature, Runs, SparseGradient

BOW, EOW = "<", ">"  # fastText's word boundaries
EOS = "</s>"  # fastText's end-of-sentence token: a word with no n-grams
FNV_OFFSET, FNV_PRIME = 2166136261, 16777619


def fnv1a_hash(text: str) -> int:
    """fastText's hash of text's UTF-8 bytes: h = (h ^ b) · 16777619 mod 2^32, from h = 2166136261.

    subtle: fastText xors each byte as uint32(int8_t(b)), so a byte ≥ 0x80 (any non-ASCII character) is
    sign-extended to 0xFFFFFFxx first; plain FNV-1a would give different ids for every accented n-gram.
    """
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ (byte | 0xFFFFFF00 if byte >= 0x80 else byte)) * FNV_PRIME) & 0xFFFFFFFF
    return h


def char_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams of "<word>", by start position then length, as fastText lists them.

    The one-character n-grams "<" and ">" alone are left out (fastText's rule); characters are code points,
    which is what fastText's walk over UTF-8 continuation bytes amounts to.
    """
    wrapped = BOW + word + EOW
    grams = []
    for i in range(len(wrapped)):
        for n in range(max(min_n, 1), max_n + 1):
            if i + n > len(wrapped):
                break
            if n == 1 and (i == 0 or i == len(wrapped) - 1):
                continue
            grams.append(wrapped[i:i + n])
    return grams


def ngram_rows(word: str, min_n: int, max_n: int, buckets: int, n_words: int) -> np.ndarray:
    """The rows of word's n-grams in Z: V + hash(g) mod buckets, in char_ngrams order (repeats kept). (G,)"""
    if buckets <= 0 or max_n < min_n or word == EOS:
        return np.zeros(0, dtype=np.int64)
    return np.array([n_words + fnv1a_hash(g) % buckets for g in char_ngrams(word, min_n, max_n)], dtype=np.int64)


@dataclass(frozen=True)
class SubwordTable:
    """S(w) for every vocabulary word, as compressed rows: word i's rows are rows[starts[i]:starts[i + 1]]."""

    starts: np.ndarray  # (V + 1,) int64
    rows: np.ndarray  # (Σ|S|,) int64, each word's own row first

    def __len__(self) -> int:
        return len(self.starts) - 1

    def rows_of(self, word_id: int) -> np.ndarray:
        return self.rows[self.starts[word_id]:self.starts[word_id + 1]]

    def gather(self, ids) -> tuple[np.ndarray, np.ndarray]:
        """(rows (R,), counts (T,)): the concatenated S(w) of each id in ids (T,), and |S(w)| of each."""
        ids = np.asarray(ids, dtype=np.int64)
        counts = self.starts[ids + 1] - self.starts[ids]  # (T,)
        ends = np.cumsum(counts)  # (T,)
        shift = np.repeat(self.starts[ids] - (ends - counts), counts)  # (R,)  table position − block position
        return self.rows[shift + np.arange(ends[-1] if len(ends) else 0)], counts


def subword_table(words, min_n: int, max_n: int, buckets: int) -> SubwordTable:
    """S(w) = [w, its n-gram rows] for each word of the vocabulary (words[i] has row i): ngram_rows of every
    word, computed for all of them at once (math/ngrams.py, tested equal)."""
    from .ngrams import ngram_table_rows  # it builds on this module's hash

    return SubwordTable(*ngram_table_rows(list(words), min_n, max_n, buckets))


def compose(input_matrix, rows) -> np.ndarray:
    """v = (1/|S|) Σ_{s∈S} z_s: the vector of a word whose rows are S = rows (a repeat counts twice). (d,)"""
    return np.asarray(input_matrix)[np.asarray(rows, dtype=np.int64)].mean(axis=0)


def word_vectors(input_matrix, table: SubwordTable) -> np.ndarray:
    """v_w for every word of the table: the (V, d) matrix the queries use."""
    rows, counts = table.gather(np.arange(len(table)))
    distinct, where = np.unique(rows, return_inverse=True)  # read in file order: a memory-mapped .bin streams
    gathered = np.take(input_matrix, distinct, axis=0)[where.reshape(-1)]  # (R, d)
    return _sum_per_word(gathered, counts) / counts[:, None].astype(input_matrix.dtype)


def subword_skipgram(center_idx, outside_idxs, input_matrix, table: SubwordTable, outside_vectors,
                     loss_and_gradient: core.LossAndGradient):
    """Skip-gram on subwords: v_c = (1/|S(c)|) Σ_{s∈S(c)} z_s predicts each outside word of the window.

        J = Σ_j J(v_c, w_{t+j}, U)          ∂J/∂z_s = (1/|S(c)|) Σ_j ∂J(v_c, w_{t+j}, U)/∂v_c   for s in S(c)

    Returns (loss, grad_input_matrix (V + B, d), grad_outside_vectors (V, d)).
    """
    rows = table.rows_of(center_idx)  # (S,)
    center_vec = compose(input_matrix, rows)  # (d,)
    loss, grad_center_vec = 0.0, np.zeros_like(center_vec)
    grad_outside_vectors = np.zeros_like(outside_vectors)
    for outside_idx in outside_idxs:
        pair_loss, grad_v, grad_u = loss_and_gradient(center_vec, int(outside_idx), outside_vectors)
        loss, grad_center_vec = loss + pair_loss, grad_center_vec + grad_v
        grad_outside_vectors += grad_u
    grad_input_matrix = np.zeros_like(input_matrix)
    np.add.at(grad_input_matrix, rows, grad_center_vec / len(rows))
    return loss, grad_input_matrix, grad_outside_vectors


def subword_cbow(center_idx, outside_idxs, input_matrix, table: SubwordTable, outside_vectors,
                 loss_and_gradient: core.LossAndGradient):
    """CBOW on subwords: the mean of the context words' composed vectors predicts the center word.

        v̂ = (1/n) Σ_j v_{w_j}              v_{w_j} = (1/|S(w_j)|) Σ_{s∈S(w_j)} z_s
        ∂J/∂z_s = (1/n) (1/|S(w_j)|) ∂J/∂v̂   for each context position j and s in S(w_j)

    Returns (loss, grad_input_matrix (V + B, d), grad_outside_vectors (V, d)).
    """
    context_vecs = np.array([compose(input_matrix, table.rows_of(int(j))) for j in outside_idxs])  # (n, d)
    context_mean = context_vecs.mean(axis=0)  # (d,)
    loss, grad_mean, grad_outside_vectors = loss_and_gradient(context_mean, int(center_idx), outside_vectors)
    grad_input_matrix = np.zeros_like(input_matrix)
    for j in outside_idxs:
        rows = table.rows_of(int(j))
        np.add.at(grad_input_matrix, rows, grad_mean / (len(outside_idxs) * len(rows)))
    return loss, grad_input_matrix, grad_outside_vectors


def _sum_per_word(gathered, counts) -> np.ndarray:
    """Σ of each word's consecutive run of rows: (R, d), (T,) -> (T, d); every count is ≥ 1."""
    return np.add.reduceat(gathered, np.cumsum(counts) - counts, axis=0)


@dataclass(frozen=True)
class SubwordGradient(SparseGradient):
    """A subword block's row gradients, every row once: center_idxs are the block's distinct words' own rows, then
    its distinct n-gram rows; row_users (W + U,) says how many of the block's tokens hold each of those rows."""

    row_users: np.ndarray = None  # (W + U,) int64


def subword_block_gradient(input_matrix, outside_vectors, table: SubwordTable, block: batched.Block, negative_idxs,
                           *, model="skipgram", loss="neg", neg_weight=1.0, want_loss=True,
                           full_spread=False) -> SubwordGradient:
    """batched.block_gradient with each token's input vector composed from its rows: the objective training runs.

    The block objective sees v_t = (1/|S_t|) Σ z_s as its center rows; its row gradient ∂J/∂v_t goes back to
    every s in S_t divided by |S_t| (the gradient), or whole with full_spread (fastText's step, which also takes
    word2vec's CBOW step). The returned center_idxs are rows of the input matrix (V + B), each once, with the sum
    of what all the block's tokens send it: the distinct words' own rows, then the distinct n-gram rows.
    """
    return subword_block_objective(input_matrix, outside_vectors, table, block, negative_idxs, model=model,
                                   loss=loss, neg_weight=neg_weight, want_loss=want_loss,
                                   full_spread=full_spread).gradient()


@dataclass(frozen=True)
class SubwordBlock:
    """subword_block_gradient before its token gradients go back to rows: the composed block, the loss, ∂J/∂v_t
    of every token (T, d) (whole, with full_spread), and the outside part as SparseGradient holds it. The trainer
    sends token_grads back to rows either by gradient() or in one compiled loop (math/compiled.py)."""

    composed: "_ComposedBlock"
    loss: float
    token_grads: np.ndarray  # (T, d)
    full_spread: bool
    outside_idxs: np.ndarray | None
    grad_outside_rows: np.ndarray
    noise_curvature: NoiseCurvature | None = None

    def gradient(self) -> SubwordGradient:
        rows, grads = self.composed.row_gradients(self.token_grads, self.full_spread)
        return SubwordGradient(self.loss, rows, grads, self.outside_idxs, self.grad_outside_rows,
                               self.noise_curvature, row_users=self.composed.row_users())


def subword_block_objective(input_matrix, outside_vectors, table: SubwordTable, block: batched.Block,
                            negative_idxs, *, model="skipgram", loss="neg", neg_weight=1.0, want_loss=True,
                            full_spread=False) -> SubwordBlock:
    """The block objective on composed vectors (subword_block_gradient's first half): a SubwordBlock."""
    composed = _ComposedBlock(input_matrix, table, block.ids)
    objective = batched.BLOCK_OBJECTIVES[(model, loss)]
    extra = {"full_spread": True} if full_spread and model == "cbow" else {}
    if model == "skipgram" and loss == "neg":  # batched.block_gradient's way: padded gathers, one outside array
        value, grad_center_rows, outside_idxs, grad_outside_rows, curvature = batched.skipgram_block_neg_gathered(
            composed.vectors, composed.inverse, outside_vectors, block, negative_idxs, neg_weight, want_loss)
        return SubwordBlock(composed, value, grad_center_rows, full_spread, outside_idxs, grad_outside_rows,
                            curvature)
    center_rows = composed.vectors[composed.inverse]  # (T, d)
    if loss == "softmax":
        value, grad_center_rows, grad_outside = objective(center_rows, outside_vectors, block, want_loss, **extra)
        outside_idxs, grad_outside_rows, curvature = None, grad_outside, None
    else:
        negative_idxs = np.asarray(negative_idxs, dtype=np.int64)
        value, grad_center_rows, grad_words, grad_noise, curvature = objective(
            center_rows, np.take(outside_vectors, block.ids, axis=0), np.take(outside_vectors, negative_idxs, axis=0),
            block, neg_weight, want_loss, **extra)
        outside_idxs = np.concatenate([block.ids, negative_idxs])
        grad_outside_rows = np.concatenate([grad_words, grad_noise])
    return SubwordBlock(composed, value, grad_center_rows, full_spread, outside_idxs, grad_outside_rows, curvature)


class _ComposedBlock:
    """The composed vectors of a block's distinct words, and the way back from its tokens' gradients to rows.

    subtle: a word repeated in the block is composed once, and its own row and each n-gram row shared by several
    of the block's words ("ing>") are listed once with the sum of their gradients: the same sums as one entry per
    token and row, in fewer rows, all distinct, so the update needs no sort and no np.add.at (row_users says
    how many tokens each row sums, for the trainer's --max-repeats cap). The n-gram entries are sorted by row
    once, when first needed (the compiled loop of math/compiled.py does without).
    """

    def __init__(self, input_matrix, table: SubwordTable, ids):
        self.ids = np.asarray(ids, dtype=np.int64)  # (T,)
        self.words, self.inverse = np.unique(self.ids, return_inverse=True)  # (W,), (T,)
        self._rows, self._counts = table.gather(self.words)  # (R,), (W,)
        self.sizes = self._counts[:, None].astype(input_matrix.dtype)  # (W, 1)  |S_w|
        self.vectors = _sum_per_word(np.take(input_matrix, self._rows, axis=0), self._counts) / self.sizes  # (W, d)

    @functools.cached_property
    def _ngrams(self):
        """(entry_words (E,), runs, ngram_rows (U,)): the n-gram entries sorted by row, grouped into runs."""
        rows, counts = self._rows, self._counts
        is_ngram = np.ones(len(rows), dtype=bool)  # (R,)  every row but each word's own (its first)
        is_ngram[np.cumsum(counts) - counts] = False
        ngram_rows = rows[is_ngram]  # (E,)  the n-gram entries, word after word
        order = np.argsort(ngram_rows, kind="stable")  # (E,)
        entry_words = np.repeat(np.arange(len(self.words)), counts - 1)[order]  # (E,) sorted by row
        runs = Runs(ngram_rows[order])  # the entries grouped by row
        return entry_words, runs, ngram_rows[order][runs.starts]

    def row_users(self) -> np.ndarray:
        """(W + U,) the block's tokens holding each distinct word's own row, then each distinct n-gram row (a row
        twice in a word counts twice)."""
        entry_words, runs, _ = self._ngrams
        tokens_per_word = np.bincount(self.inverse, minlength=len(self.words))  # (W,)
        ngram_users = np.bincount(runs.group, weights=tokens_per_word[entry_words],
                                  minlength=len(runs.starts)).astype(np.int64)  # (U,)
        return np.concatenate([tokens_per_word, ngram_users])

    def row_gradients(self, grad_center_rows, full_spread: bool) -> tuple[np.ndarray, np.ndarray]:
        """(rows, gradients): for each distinct word's own row, then each distinct n-gram row, the sum of
        ∂J/∂v_t / |S_t| (or the whole ∂J/∂v_t) over the block's tokens t holding it."""
        entry_words, runs, ngram_rows = self._ngrams
        per_token = grad_center_rows if full_spread else grad_center_rows / self.sizes[self.inverse]  # (T, d)
        by_word = np.argsort(self.inverse, kind="stable")  # (T,)
        per_word = Runs(self.inverse[by_word]).sums(per_token[by_word])  # (W, d)
        ngram_grads = runs.sums(per_word[entry_words])  # (U, d)
        return np.concatenate([self.words, ngram_rows]), np.concatenate([per_word, ngram_grads])


def subword_block_loss_and_gradient(input_matrix, outside_vectors, table, block, negative_idxs, **options):
    """subword_block_gradient as dense matrices: (loss, grad_input_matrix (V + B, d), grad_outside_vectors (V, d))."""
    grad = subword_block_gradient(input_matrix, outside_vectors, table, block, negative_idxs, **options)
    return grad.dense(input_matrix, outside_vectors)
