"""The CS224n assignment's training procedure, as the `--preset cs224n` run.

Follows the assignment's run.py and utils/treebank.py, vectorised: 1) the corpus is copied 30 times, each copy
subsampled afresh (reject a word with probability max(0, 1 − √(1e-5·N/count))), keeping sentences of two or more
words; 2) every SGD step draws 50 random windows — a sentence, a center word in it, a window size C uniform in
1..5, the up to 2C words around the center that differ from it — and averages their skip-gram gradients, each
(center, outside) pair with K fresh negatives that are never the outside word; 3) the step size starts at 0.3 and
halves every 20,000 steps; 4) the loss is smoothed as exploss = .95·exploss + .05·cost.
Skip-gram only; the whole corpus is held in memory (the treebank is small). No I/O here.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from ..math.batched import pairs_naive_softmax_loss_and_gradient, pairs_neg_sampling_gradient
from ..errors import ConfigError
from ..data.sampling import NoiseSampler, cs224n_keep_probabilities, noise_distribution
from .config import TrainConfig, TrainProgress, TrainState
from .trainer import check_finite, smooth

REPLICAS = 30  # copies of the corpus, each subsampled once (the assignment's `sentences * 30`)
REPORT_EVERY = 100  # steps between progress reports (and possible checkpoints)


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


def random_windows(corpus, n_windows: int, window: int, rng: np.random.Generator):
    """(center_idxs, outside_idxs) of the pairs of n_windows random windows (getRandomContext, vectorised)."""
    ids, starts, lengths = corpus
    while True:
        sentence = rng.integers(len(starts), size=n_windows)
        position = starts[sentence] + (rng.random(n_windows) * lengths[sentence]).astype(np.int64)  # (n,)
        size = rng.integers(1, window + 1, size=n_windows)  # C per window
        offs = np.r_[np.arange(-window, 0), np.arange(1, window + 1)]  # (2W,)
        context = position[:, None] + offs  # (n, 2W)
        inside = (np.abs(offs) <= size[:, None]) & (context >= starts[sentence][:, None]) \
            & (context < (starts[sentence] + lengths[sentence])[:, None])
        context_ids = ids[np.where(inside, context, 0)]
        valid = inside & (context_ids != ids[position][:, None])  # the assignment drops copies of the center
        if valid.any(axis=1).all():  # a window with no context is redrawn, as in the assignment
            break
    window_of_pair = np.nonzero(valid)[0]
    return ids[position][window_of_pair], context_ids[valid]


def negatives_avoiding(outside_idxs, k: int, sampler: NoiseSampler, rng: np.random.Generator):
    """(P, k) negatives, redrawn wherever one equals its pair's outside word."""
    negatives = sampler.draw(rng, (len(outside_idxs), k))
    while np.any(clash := negatives == outside_idxs[:, None]):
        negatives[clash] = sampler.draw(rng, int(clash.sum()))
    return negatives


def train_cs224n(config: TrainConfig, counts, items: np.ndarray, params, state: TrainState) -> Iterator[TrainProgress]:
    """The assignment's SGD, resumable at every REPORT_EVERY steps; params (V, d) float32 updated in place."""
    if config.model != "skipgram":
        raise ConfigError("--preset cs224n trains skip-gram, as the assignment does (drop --model cbow)")
    corpus = replicated_sentences(items, counts, np.random.default_rng([config.seed, 30]))
    sampler = NoiseSampler(noise_distribution(counts, config.ns_exponent))
    rng = np.random.default_rng(config.seed)
    if state.rng_state:
        rng.bit_generator.state = state.rng_state
    center_vectors, outside_vectors = params
    while state.step < config.iterations:
        step_size = config.lr * 0.5 ** (state.step // config.anneal_every)
        centers, outsides = random_windows(corpus, config.windows_per_step, config.window, rng)
        scale = step_size / config.windows_per_step  # the gradient is averaged over the windows
        if config.loss == "neg":
            negatives = negatives_avoiding(outsides, config.negatives, sampler, rng)
            grad = pairs_neg_sampling_gradient(center_vectors, outside_vectors, centers, outsides, negatives)
            grad.add_to(center_vectors, outside_vectors, -scale)
            loss = grad.loss
        else:
            loss, grad_center, grad_outside = pairs_naive_softmax_loss_and_gradient(
                center_vectors, outside_vectors, centers, outsides)
            center_vectors -= np.float32(scale) * grad_center
            outside_vectors -= np.float32(scale) * grad_outside
        state.smoothed_loss = smooth(state.smoothed_loss, check_finite(loss / config.windows_per_step))
        state.step += 1
        if state.step % REPORT_EVERY == 0 or state.step == config.iterations:
            state.words_done = state.step
            state.loss_history.append(state.smoothed_loss)
            state.rng_state = rng.bit_generator.state
            yield TrainProgress(1, state.step, config.iterations, step_size, state.smoothed_loss, unit="steps",
                                epochs=1)
    state.epoch, state.finished = 1, True
