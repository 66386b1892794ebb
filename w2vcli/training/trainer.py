"""Training: the configuration, the learning-rate schedule, and the SGD loop over a stored corpus.

Minibatch SGD on the block objective of batched.py (tested equal to core.py, verified by `w2v gradcheck`):
each chunk of the corpus is subsampled, given word2vec's dynamic windows, and cut into blocks of T tokens
that share K' negatives. train() is a generator: after every chunk it yields a TrainProgress, at which
point params and state are consistent and may be saved; resuming from them continues bit for bit.
No I/O here: the corpus comes in as a read(start, stop) function, and the caller saves and renders.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ..data.blocks import draw_reduced_windows, sub_block
from ..data.sampling import NoiseSampler, keep_probabilities, noise_distribution
from ..data.vocab import Vocab
from ..errors import TrainingDiverged
from ..math.batched import SparseGradient, block_gradient, make_block
from .config import TrainConfig, TrainProgress, TrainState

CHUNK_ITEMS = 1 << 16  # corpus items (tokens and sentence markers) per chunk: the unit of progress and resume
LOSS_EVERY = 16  # blocks between loss measurements (the loss costs as much as a third of a step)


def init_params(vocab_size: int, dim: int, rng: np.random.Generator):
    """word2vec's start: center vectors uniform in [−0.5, 0.5)/d, outside vectors zero; float32 (V, d) each."""
    center_vectors = ((rng.random((vocab_size, dim)) - 0.5) / dim).astype(np.float32)
    return center_vectors, np.zeros((vocab_size, dim), dtype=np.float32)


def block_tokens(config: TrainConfig) -> int:
    """T: --batch-size, or by default 512 tokens for windows up to 5 and a power of two ≈ 3072/(W+1) beyond.

    Why: a block sums about T·(W+1) pair gradients into its rows at once, and every shared negative receives all
    of them. 512 tokens at W = 5 is the measured sweet spot; at W = 10, blocks of 512 diverged on Brown while
    blocks of 256 trained as well as gensim, so the pairs per block are kept near 3,072.
    """
    if config.batch_size:
        return config.batch_size
    return min(512, 2 ** int(math.log2(3072 / (config.window + 1))))


def learning_rate(config: TrainConfig, progress: float) -> float:
    """Linear decay: 1) lr at progress 0, 2) min_lr at progress 1 (all epochs done), 3) never below min_lr."""
    return max(config.min_lr, config.lr - (config.lr - config.min_lr) * progress)


@dataclass
class Corpus:
    """What training needs of a stored corpus: its item reader and size, and the map to vocabulary ids."""

    read: Callable[[int, int], np.ndarray]  # (start, stop) -> (n,) int32 word ids, −1 between sentences
    n_items: int  # tokens and sentence markers
    n_tokens: int
    remap: np.ndarray  # (corpus words,) int32 vocabulary id or −1 (dropped by min-count)

    @property
    def n_chunks(self) -> int:
        return -(-self.n_items // CHUNK_ITEMS)

    def position(self, epoch: int, chunk: int) -> tuple[int, int]:
        """(epoch, chunk) with a chunk past the last one carried over to the start of the next epoch."""
        return (epoch + 1, 0) if chunk >= self.n_chunks else (epoch, chunk)


def vocab_ids(items: np.ndarray, remap: np.ndarray) -> np.ndarray:
    """Stored corpus items to vocabulary ids: (N,), −1 for sentence markers and for words dropped by min-count."""
    return np.where(items < 0, -1, remap[np.maximum(items, 0)])


class Trainer:
    """The per-chunk SGD of one run; processes.py and parallel.py run several over shares of the chunks."""

    def __init__(self, config: TrainConfig, vocab: Vocab, params):
        self.config = config
        self.center_vectors, self.outside_vectors = params  # (V, d) float32 each, updated in place
        self.keep_probs = keep_probabilities(vocab.counts, config.sample)  # (V,)
        self.sampler = NoiseSampler(noise_distribution(vocab.counts, config.ns_exponent))
        self.neg_weight = config.negatives / config.shared_negatives  # K / K'

    def chunk_tokens(self, items: np.ndarray, remap: np.ndarray, rng: np.random.Generator):
        """Map to vocabulary ids, drop unknown words, subsample: (ids (n,) int64, sentence labels (n,))."""
        ids = vocab_ids(items, remap)  # (N,)
        sentence_ids = np.cumsum(items < 0)  # (N,)
        draws = rng.random(len(ids), dtype=np.float32)
        keep = (ids >= 0) & (draws < self.keep_probs[ids])
        return ids[keep].astype(np.int64), sentence_ids[keep]

    def train_chunk(self, items, remap, rng, lr_at: Callable[[float], float]) -> tuple[float, int]:
        """SGD over one chunk; lr_at(fraction of the chunk done) gives the rate. Returns (loss sum, pairs)."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is caught by its loss instead
            return self._train_chunk(items, remap, rng, lr_at)

    def _train_chunk(self, items, remap, rng, lr_at) -> tuple[float, int]:
        ids, sentence_ids = self.chunk_tokens(items, remap, rng)
        config, W, T = self.config, self.config.window, block_tokens(self.config)
        whole = make_block(ids, sentence_ids, draw_reduced_windows(len(ids), W, rng), W)  # masks (2W, n)
        loss_sum, pairs = 0.0, 0
        for b, start in enumerate(range(0, len(ids), T)):
            block = sub_block(whole, start, min(start + T, len(ids)))
            n = block.contexts_per_center()  # (T,) context words of each center
            negatives = self.sampler.draw(rng, config.shared_negatives)  # (K',)
            want_loss = b % LOSS_EVERY == 0
            grad = block_gradient(self.center_vectors, self.outside_vectors, block, negatives, model=config.model,
                                  loss=config.loss, neg_weight=self.neg_weight, want_loss=want_loss,
                                  full_spread=True)  # CBOW steps as word2vec does (batched._spread_to_contexts)
            grad = damp_repeats(grad, config.max_repeats)
            grad = damp_shared_negatives(grad, len(block.ids), float(n.sum()) * self.neg_weight, config)
            grad.add_to(self.center_vectors, self.outside_vectors, -lr_at(start / len(ids)))
            if want_loss:
                loss_sum += grad.loss
                pairs += int(n.sum()) if config.model == "skipgram" else int(np.count_nonzero(n))
        return loss_sum, pairs


HOT_WORDS = 1024  # only the most frequent words can repeat often within one block; rarer ones are not counted
MAX_NOISE_LUMP = 256.0  # pairs' worth of gradient a shared negative may receive from one block


def _repeat_scale(idxs, cap: int):
    """(R,) factors min(1, cap / c_w) for rows of words w occurring c_w > cap times among idxs, or None.

    subtle: ids are frequency ranks, so only words with small ids can be frequent within a block; counting those
    alone costs a bincount over HOT_WORDS instead of a sort of the block.
    """
    hot = idxs < HOT_WORDS  # (R,)
    counts = np.bincount(idxs[hot], minlength=HOT_WORDS)  # (HOT_WORDS,)
    if counts.max() <= cap:
        return None
    scale = np.ones(len(idxs), dtype=np.float32)
    scale[hot] = np.minimum(1.0, cap / np.maximum(counts[idxs[hot]], 1))
    return scale[:, None]


def damp_repeats(grad: SparseGradient, cap: int) -> SparseGradient:
    """Scale the summed update of a word repeated more than cap times in a block down to cap occurrences' worth.

    Why: a block applies the gradients of all its positions at once, computed at the same parameters. Plain SGD
    over the pairs one by one would see each update before the next; summing c of them at once overshoots when c
    is large, which happens for the frequent words of a small vocabulary (and with several workers, whose blocks
    land together). Measured: without it, a 143-word corpus diverges with blocks of 1,024 tokens.
    """
    if grad.outside_idxs is None:
        return grad
    center_scale = _repeat_scale(grad.center_idxs, cap)
    outside_scale = _repeat_scale(grad.outside_idxs, cap)
    if center_scale is None and outside_scale is None:
        return grad
    return dataclasses.replace(
        grad, grad_center_rows=grad.grad_center_rows if center_scale is None else grad.grad_center_rows * center_scale,
        grad_outside_rows=grad.grad_outside_rows if outside_scale is None else grad.grad_outside_rows * outside_scale)


def damp_shared_negatives(grad: SparseGradient, block_rows: int, lump: float, config: TrainConfig) -> SparseGradient:
    """Scale the shared negatives' rows so that none carries more than MAX_NOISE_LUMP pairs' worth of gradient.

    lump = Σ_t n_t·K/K', the pairs' worth each shared negative receives; its rows follow the block's block_rows.

    Why: every shared negative receives the summed gradient of all the block's pairs, Σ_t n_t·K/K' of them
    (about 230 at the defaults on Brown), in one step. Twice that (--shared-negatives 32, --batch-size 1024)
    collapsed the vectors (analogies 0.1%) or diverged; with this cap they train (2.2%, 2.6%), and the defaults
    are untouched. Skip-gram only: a CBOW block gives each negative at most T·K/K' pairs.
    """
    if grad.outside_idxs is None or config.model != "skipgram" or lump <= MAX_NOISE_LUMP:
        return grad
    rows = grad.grad_outside_rows.copy()  # (T + K', d): the block's rows, then the shared negatives'
    rows[block_rows:] *= np.float32(MAX_NOISE_LUMP / lump)
    return dataclasses.replace(grad, grad_outside_rows=rows)


def check_finite(loss: float) -> float:
    if not math.isfinite(loss):
        raise TrainingDiverged(f"training stopped: the loss became {loss}; try a lower --lr "
                               "(the model file keeps the last checkpoint, if any)")
    return loss


def smooth(previous: float, value: float, weight: float = 0.05) -> float:
    """Exponential moving average, started at the first value (CS224n's exploss = .95·exploss + .05·cost)."""
    return value if math.isnan(previous) else (1 - weight) * previous + weight * value


def chunk_rng(config: TrainConfig, epoch: int, chunk: int) -> np.random.Generator:
    """Each (epoch, chunk) draws from its own stream, so a chunk's randomness does not depend on which worker
    trains it or on what came before; resuming needs only the position."""
    return np.random.default_rng([config.seed, epoch, chunk])


def run_chunk(trainer: Trainer, corpus: Corpus, epoch: int, chunk: int, words_before: Callable[[], int]):
    """Train one chunk. words_before() is the global count of tokens done, for the learning rate.
    Returns (tokens in the chunk, loss sum, pairs measured, learning rate at its end)."""
    config = trainer.config
    items = corpus.read(chunk * CHUNK_ITEMS, min((chunk + 1) * CHUNK_ITEMS, corpus.n_items))
    words = int(np.count_nonzero(items >= 0))
    words_total = config.epochs * corpus.n_tokens
    lr_at = lambda fraction: learning_rate(config, (words_before() + fraction * words) / words_total)  # noqa: E731
    loss_sum, pairs = trainer.train_chunk(items, corpus.remap, chunk_rng(config, epoch, chunk), lr_at)
    return words, loss_sum, pairs, lr_at(1.0)


def record(state: TrainState, words: int, loss_sum: float, pairs: int) -> None:
    """Add a finished chunk's tokens and loss to the state (raises TrainingDiverged on a non-finite loss)."""
    if pairs:
        state.smoothed_loss = smooth(state.smoothed_loss, check_finite(loss_sum / pairs))
    state.words_done += words
    state.loss_history.append(state.smoothed_loss)


def train(config: TrainConfig, vocab: Vocab, corpus: Corpus, params, state: TrainState) -> Iterator[TrainProgress]:
    """Run (or continue) training in this thread, yielding after every chunk; params and state are updated in
    place, and at every yield they are consistent: saving them and resuming later continues bit for bit."""
    trainer = Trainer(config, vocab, params)
    words_total = config.epochs * corpus.n_tokens
    while state.epoch < config.epochs:
        for chunk in range(state.chunk, corpus.n_chunks):
            words, loss_sum, pairs, lr = run_chunk(trainer, corpus, state.epoch, chunk, lambda: state.words_done)
            record(state, words, loss_sum, pairs)
            state.chunk = chunk + 1
            yield TrainProgress(state.epoch + 1, state.words_done, words_total, lr, state.smoothed_loss)
        state.epoch, state.chunk = state.epoch + 1, 0
    state.finished = True
