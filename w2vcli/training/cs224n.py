"""The CS224n assignment's training procedure, as the `--preset cs224n` run.

Follows the assignment's run.py and utils/treebank.py, vectorised: 1) the corpus is copied 30 times, each copy
subsampled afresh (reject a word with probability max(0, 1 − √(1e-5·N/count))), keeping sentences of two or more
words; 2) every SGD step draws 50 random windows — a sentence, a center word in it, a window size C uniform in
1..5, the up to 2C words around the center that differ from it (a window left with none is redrawn) — and averages
their skip-gram gradients, each (center, outside) pair with K fresh negatives that are never the outside word;
3) the step size starts at 0.3 and halves every 20,000 steps; 4) the loss is smoothed as exploss = .95·exploss +
.05·cost.

Speed: the steps are sequential, so the time is per-step overhead. The random draws of REPORT_EVERY steps (the
unit of resumable progress) are made at once, vectorised (DrawnSteps), from the generator state a checkpoint
saves, so a resumed run continues bit for bit; each step then does only its arithmetic, on both matrices stacked
as one (2V, d) array in preallocated buffers (NegStep, tested equal to math.batched's pairs objective).
Skip-gram only; the whole corpus is held in memory (the treebank is small). No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..math.pairs import pairs_naive_softmax_loss_and_gradient
from ..errors import ConfigError
from ..data.sampling import NoiseSampler, cs224n_keep_probabilities, noise_distribution
from .config import CS224N_SCHEDULE as SCHEDULE, CS224nSchedule as Schedule
from .config import TrainConfig, TrainProgress, TrainState
from .trainer import check_finite, smooth

REPLICAS = 30  # copies of the corpus, each subsampled once (the assignment's `sentences * 30`)
REPORT_EVERY = 100  # steps between progress reports (and possible checkpoints); their draws are made at once



def replicated_sentences(items: np.ndarray, counts, rng: np.random.Generator):
    """The subsampled copies as one id array with the start and length of every sentence of ≥ 2 words."""
    keep_probs = cs224n_keep_probabilities(counts)  # (V,)
    is_end = items < 0
    ids = np.where(is_end, 0, items)
    ids_all, labels_all = [], []
    sentence_ids = np.cumsum(is_end)  # (N,)
    n_sentences = int(sentence_ids[-1]) + 1
    for copy in range(REPLICAS):
        keep = ~is_end & (rng.random(len(items)) < keep_probs[ids])
        ids_all.append(ids[keep])
        labels_all.append(sentence_ids[keep] + copy * n_sentences)
    ids, labels = np.concatenate(ids_all), np.concatenate(labels_all)  # sorted by label
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    lengths = np.diff(np.r_[starts, len(labels)])
    return ids.astype(np.int64), starts[lengths >= 2], lengths[lengths >= 2]


def _window_contexts(corpus, sentence, position, size, window: int):
    """(valid (n, 2W) bool, context_ids (n, 2W)): which offsets of each window hold a context word, and its id.
    Computed offset-major, (2W, n), so that every array operation runs along the n windows."""
    ids, starts, lengths = corpus
    offs = np.r_[np.arange(-window, 0), np.arange(1, window + 1)][:, None]  # (2W, 1)
    context = position + offs  # (2W, n)
    first = starts[sentence]
    inside = (np.abs(offs) <= size) & (context >= first) & (context < first + lengths[sentence])
    context_ids = ids[np.where(inside, context, 0)]
    return (inside & (context_ids != ids[position])).T, context_ids.T  # the assignment drops center copies


def _draw_windows(corpus, n: int, window: int, rng: np.random.Generator):
    """(sentence, center position, size C) of n windows: a sentence, a position in it, C uniform in 1..window."""
    _, starts, lengths = corpus
    sentence = rng.integers(len(starts), size=n)
    position = starts[sentence] + (rng.random(n) * lengths[sentence]).astype(np.int64)
    return sentence, position, rng.integers(1, window + 1, size=n)


def random_windows(corpus, n_windows: int, window: int, rng: np.random.Generator):
    """(center_idxs, outside_idxs, window_of_pair) of n_windows random windows (getRandomContext, vectorised);
    a window with no context word is redrawn, as in the assignment. Pairs come in window order."""
    sentence, position, size = _draw_windows(corpus, n_windows, window, rng)
    valid, context_ids = _window_contexts(corpus, sentence, position, size, window)
    todo = np.flatnonzero(~valid.any(axis=1))
    while len(todo):
        sentence[todo], position[todo], size[todo] = drawn = _draw_windows(corpus, len(todo), window, rng)
        valid[todo], context_ids[todo] = _window_contexts(corpus, *drawn, window)
        todo = todo[~valid[todo].any(axis=1)]
    window_of_pair = np.nonzero(valid)[0]
    return corpus[0][position][window_of_pair], context_ids[valid], window_of_pair


def negatives_avoiding(outside_idxs, k: int, sampler: NoiseSampler, rng: np.random.Generator):
    """(P, k) negatives, redrawn wherever one equals its pair's outside word."""
    negatives = sampler.draw(rng, (len(outside_idxs), k))
    while np.any(clash := negatives == outside_idxs[:, None]):
        negatives[clash] = sampler.draw(rng, int(clash.sum()))
    return negatives


@dataclass(frozen=True)
class DrawnSteps:
    """The random draws of n consecutive steps: step i's pairs are rows bounds[i]:bounds[i + 1]."""

    centers: np.ndarray  # (P,) int64 center word ids
    outsides: np.ndarray  # (P,) int64 outside word ids
    negatives: np.ndarray | None  # (P, K) int64, None for the naive softmax
    bounds: np.ndarray  # (n + 1,) int64

    def step(self, i: int) -> slice:
        return slice(int(self.bounds[i]), int(self.bounds[i + 1]))


def draw_steps(corpus, n_steps: int, config: TrainConfig, sampler: NoiseSampler | None,
               rng: np.random.Generator, windows_per_step: int = SCHEDULE.windows_per_step) -> DrawnSteps:
    """Every window and negative of n_steps steps of windows_per_step windows each, drawn at once."""
    centers, outsides, window_of_pair = random_windows(corpus, n_steps * windows_per_step, config.window, rng)
    negatives = None if sampler is None else negatives_avoiding(outsides, config.negatives, sampler, rng)
    bounds = np.searchsorted(window_of_pair // windows_per_step, np.arange(n_steps + 1))
    return DrawnSteps(centers, outsides, negatives, bounds)


class NegStep:
    """One SGD step of the summed negative-sampling loss of P pairs, on params = [V; U] stacked (2V, d).

    The same arithmetic as pairs_neg_sampling_gradient followed by add_to(−scale), in buffers allocated once:
    gather the center and target rows, score, σ, the row gradients times −scale, one scatter-add (repeats sum).
    The loss is left to pairs_losses, computed from the scores for many steps at once.
    """

    def __init__(self, dim: int, negatives: int, max_pairs: int):
        shape = (max_pairs, 2 + negatives, dim)  # rows: center, outside, negatives
        self.gathered = np.empty(shape, dtype=np.float32)
        self.update = np.empty(shape, dtype=np.float32)
        self.flat_index = np.empty(shape, dtype=np.int64)
        self.coeffs = np.empty((max_pairs, 1 + negatives), dtype=np.float32)
        self.is_outside = np.zeros(1 + negatives, dtype=np.float32)  # (1+K,) 1 for o, 0 for the negatives
        self.is_outside[0] = 1.0
        self.dims = np.arange(dim)
        self._views: dict[int, tuple] = {}  # P -> the buffers' views for P pairs (made once: ~10 µs a step)
        self._shifts: dict[float, np.ndarray] = {}  # scale -> scale·([t = o] − ½)

    def __call__(self, params: np.ndarray, rows: np.ndarray, scores: np.ndarray, scale: float) -> None:
        """params += −scale · ∂J/∂params for the pairs of rows (P, 2+K) = [c, V+o, V+negatives]; scores (P, 1+K)
        receives the pairs' scores u_t·v_c before the step."""
        gathered, centers, targets, coeffs, center_rows, target_rows, flat_index = self._buffers(len(rows))
        # subtle: the rows are in range, and mode "clip" skips the checked path's temporary copy (40% faster)
        np.take(params, rows, axis=0, out=gathered, mode="clip")  # (P, 2+K, d): v_c, u_o, u_negatives
        np.matmul(targets, centers[:, :, None], out=scores[:, :, None])  # (P, 1+K)
        np.multiply(scores, 0.5, out=coeffs)  # σ(x) = (1 + tanh(x/2)) / 2, as core.sigmoid
        np.tanh(coeffs, out=coeffs)
        np.multiply(coeffs, np.float32(-0.5 * scale), out=coeffs)
        np.add(coeffs, self._shift(scale), out=coeffs)  # −scale·(σ − [t = o])
        np.matmul(coeffs[:, None, :], targets, out=center_rows)  # (P, 1, d) the center rows
        np.einsum("bk,bd->bkd", coeffs, centers, out=target_rows)  # (P, 1+K, d) the target rows
        np.add(rows[:, :, None] * len(self.dims), self.dims, out=flat_index)  # indices into params.ravel()
        np.add.at(params.reshape(-1), flat_index.reshape(-1), self.update[:len(rows)].reshape(-1))

    def _buffers(self, P: int) -> tuple:
        if P not in self._views:
            gathered, update = self.gathered[:P], self.update[:P]
            self._views[P] = (gathered, gathered[:, 0, :], gathered[:, 1:, :], self.coeffs[:P], update[:, :1, :],
                              update[:, 1:, :], self.flat_index[:P])
        return self._views[P]

    def _shift(self, scale: float) -> np.ndarray:
        if scale not in self._shifts:
            self._shifts[scale] = (np.float32(scale) * (self.is_outside - 0.5)).astype(np.float32)
        return self._shifts[scale]


def pairs_losses(scores: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each step's J = Σ_pairs −log σ(s_o) − Σ_k log σ(−s_k), from scores (P, 1+K) and the steps' pair bounds;
    −log σ(x) computed as max(−x, 0) + log(1 + e^(−|x|)), which never overflows; summed in float64."""
    signed = scores.copy()  # (P, 1+K)
    signed[:, 0] *= -1.0  # the loss of the outside word is softplus(−s_o), of a negative softplus(s_k)
    softplus = np.abs(signed)
    np.negative(softplus, out=softplus)
    np.exp(softplus, out=softplus)
    np.log1p(softplus, out=softplus)
    softplus += np.maximum(signed, 0.0, out=signed)
    return np.add.reduceat(softplus.sum(axis=1, dtype=np.float64), bounds[:-1])


def stacked_rows(drawn: DrawnSteps, vocab_size: int) -> np.ndarray:
    """(P, 2+K) rows of the stacked [V; U] each pair touches: its center, its outside word, its negatives."""
    return np.concatenate([drawn.centers[:, None], vocab_size + drawn.outsides[:, None],
                           vocab_size + drawn.negatives], axis=1)


def train_cs224n(config: TrainConfig, counts, items: np.ndarray, params, state: TrainState,
                 schedule: Schedule | None = None) -> Iterator[TrainProgress]:
    """The assignment's SGD, resumable at every REPORT_EVERY steps; params (V, d) float32 updated in place
    (consistent with state at every yield; left at the last report if the loss turns non-finite)."""
    schedule = schedule or SCHEDULE
    if config.model != "skipgram":
        raise ConfigError("--preset cs224n trains skip-gram, as the assignment does (drop --model cbow)")
    corpus = replicated_sentences(items, counts, np.random.default_rng([config.seed, 30]))
    sampler = NoiseSampler(noise_distribution(counts, config.ns_exponent)) if config.loss == "neg" else None
    rng = np.random.default_rng(config.seed)
    if state.rng_state:
        rng.bit_generator.state = state.rng_state
    center_vectors, outside_vectors = params
    stacked = np.concatenate([center_vectors, outside_vectors])  # (2V, d) [V; U]
    neg_step = NegStep(config.dim, config.negatives, schedule.windows_per_step * 2 * config.window)
    while state.step < schedule.iterations:
        n_steps = min(REPORT_EVERY - state.step % REPORT_EVERY, schedule.iterations - state.step)
        drawn = draw_steps(corpus, n_steps, config, sampler, rng, schedule.windows_per_step)
        step_sizes = config.lr * 0.5 ** ((state.step + np.arange(n_steps)) // schedule.anneal_every)  # (n,)
        scales = step_sizes / schedule.windows_per_step  # the gradient is averaged over the windows
        if sampler is None:
            losses = [_softmax_step(stacked, drawn.centers[drawn.step(i)], drawn.outsides[drawn.step(i)], scale)
                      for i, scale in enumerate(scales)]
        else:
            losses = _neg_steps(neg_step, stacked, drawn, stacked_rows(drawn, len(counts)), scales)
        smoothed = state.smoothed_loss
        for loss in losses:  # a non-finite loss raises here, leaving params and state at the last report
            smoothed = smooth(smoothed, check_finite(loss / schedule.windows_per_step))
        state.smoothed_loss, state.step = smoothed, state.step + n_steps
        center_vectors[...], outside_vectors[...] = stacked[:len(counts)], stacked[len(counts):]
        state.words_done = state.step
        state.loss_history.append(state.smoothed_loss)
        state.rng_state = rng.bit_generator.state
        yield TrainProgress(1, state.step, schedule.iterations, float(step_sizes[-1]), state.smoothed_loss,
                            unit="steps", epochs=1)
    state.epoch, state.finished = 1, True


def _neg_steps(neg_step: NegStep, stacked: np.ndarray, drawn: DrawnSteps, rows: np.ndarray, scales) -> np.ndarray:
    """The drawn steps one after the other on the stacked [V; U]; returns each step's loss (n,)."""
    scores = np.empty((len(rows), rows.shape[1] - 1), dtype=np.float32)  # (P, 1+K)
    bounds = drawn.bounds.tolist()
    for i, scale in enumerate(scales.tolist()):
        neg_step(stacked, rows[bounds[i]:bounds[i + 1]], scores[bounds[i]:bounds[i + 1]], scale)
    return pairs_losses(scores, drawn.bounds)


def _softmax_step(stacked: np.ndarray, centers, outsides, scale: float) -> float:
    """One SGD step of the naive-softmax loss of the pairs, on the stacked [V; U] in place; returns the loss."""
    V = len(stacked) // 2
    loss, grad_center, grad_outside = pairs_naive_softmax_loss_and_gradient(stacked[:V], stacked[V:], centers,
                                                                            outsides)
    stacked[:V] -= np.float32(scale) * grad_center
    stacked[V:] -= np.float32(scale) * grad_outside
    return loss
