"""Training one slice of one chunk: the learning-rate schedule, a chunk's tokens and blocks, and the loss record.

The corpus is cut into chunks of CHUNK_ITEMS stored items; each (epoch, chunk) draws from its own random stream
(chunk_rng): subsampling, word2vec's dynamic windows, then K' shared negatives per block of T tokens, each block
one SGD step (step.py). A Task asks for a chunk's blocks from a given one on; Trainer.run_slice trains them for
about SLICE_SECONDS and returns a Slice saying how far it got, so signals and checkpoints never wait long, however
slow a block is. The negatives of all a chunk's blocks are drawn at once (the same stream as block by block); a chunk
resumed at block b draws them again and carries the loss sum, so training it in slices gives exactly the same
parameters and loss as training it whole.
Not here: which chunk is trained next, or by which worker (workers.py); files (session.py).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..data.huffman import huffman_paths
from ..data.blocks import draw_reduced_windows, window_block
from ..data.sampling import NoiseSampler, keep_probabilities, noise_distribution
from ..data.vocab import Vocab
from ..errors import TrainingDiverged
from ..math import subwords as math_subwords
from ..math.subwords import SubwordTable
from .config import TrainConfig, TrainState
from .step import block_tokens, negatives_shape, sgd_step

CHUNK_ITEMS = 1 << 16  # corpus items (tokens and sentence markers) per chunk: the unit of randomness
SLICE_SECONDS = 0.5  # a worker reports back at least this often: the unit of progress, stops and checkpoints
LOSS_EVERY = 16  # blocks between loss measurements (the loss costs as much as a third of a step)


def init_params(vocab_size: int, dim: int, rng: np.random.Generator, ngram_rows: int = 0):
    """word2vec's start: center vectors uniform in [−0.5, 0.5)/d, outside vectors zero; float32 (V, d) each.

    With subwords the center matrix is Z (V + buckets, d): the words' rows, then the n-gram rows, all uniform.
    """
    center_vectors = ((rng.random((vocab_size + ngram_rows, dim)) - 0.5) / dim).astype(np.float32)
    return center_vectors, np.zeros((vocab_size, dim), dtype=np.float32)


def subword_table(config: TrainConfig, vocab: Vocab) -> SubwordTable | None:
    """Each vocabulary word's rows of Z (its own and its n-grams'), or None without --subwords."""
    if not config.subwords:
        return None
    return math_subwords.subword_table(vocab.words, config.min_n, config.max_n, config.buckets)


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

    def chunk_items(self, chunk: int) -> np.ndarray:
        return self.read(chunk * CHUNK_ITEMS, min((chunk + 1) * CHUNK_ITEMS, self.n_items))


def words_total(config: TrainConfig, corpus: Corpus) -> int:
    """Corpus tokens over all epochs: the denominator of the learning-rate schedule and of the progress."""
    return config.epochs * corpus.n_tokens


def vocab_ids(items: np.ndarray, remap: np.ndarray) -> np.ndarray:
    """Stored corpus items to vocabulary ids: (N,), −1 for sentence markers and for words dropped by min-count."""
    return np.where(items < 0, -1, remap[np.maximum(items, 0)])


def chunk_rng(config: TrainConfig, epoch: int, chunk: int) -> np.random.Generator:
    """Each (epoch, chunk) draws from its own stream, so a chunk's randomness does not depend on which worker
    trains it or on what came before; resuming needs only the position."""
    return np.random.default_rng([config.seed, epoch, chunk])


@dataclass(frozen=True)
class Task:
    """Train chunk `chunk` of epoch `epoch` from block `block` on, continuing the chunk's loss sums."""

    epoch: int
    chunk: int
    block: int = 0  # blocks of the chunk already trained
    loss_sum: float = 0.0  # loss measured so far in the chunk, and over how many pairs
    pairs: int = 0
    words_before: int = 0  # corpus tokens of the chunks finished before this one (for the learning rate)


@dataclass(frozen=True)
class Slice:
    """What a worker reports after a slice of a chunk: how far it got, and the chunk's running loss sums."""

    epoch: int
    chunk: int
    block: int  # blocks of the chunk trained so far
    done: bool  # the chunk is finished
    words: int  # corpus tokens in the whole chunk
    fraction: float  # of the chunk's tokens trained so far
    loss_sum: float
    pairs: int
    lr: float  # learning rate at the end of the slice


class Trainer:
    """The SGD of one worker over slices of chunks; the parameter arrays are shared by every worker."""

    def __init__(self, config: TrainConfig, vocab: Vocab, params, table: SubwordTable | None = None):
        self.config = config
        self.params = params  # (center_vectors, outside_vectors): (V, d) float32 each, updated in place
        self.table = table  # with subwords: the rows of each word in center_vectors, Z (V + buckets, d)
        self.keep_probs = keep_probabilities(vocab.counts, config.sample)  # (V,)
        self.sampler = NoiseSampler(noise_distribution(vocab.counts, config.ns_exponent))
        self.paths = huffman_paths(vocab.counts, root_first=True) if config.loss == "hs" else None

    def chunk_tokens(self, items: np.ndarray, remap: np.ndarray, rng: np.random.Generator):
        """Map to vocabulary ids, drop unknown words, subsample: (ids (n,) int64, sentence labels (n,))."""
        ids = vocab_ids(items, remap)  # (N,)
        sentence_ids = np.cumsum(items < 0)  # (N,)
        draws = rng.random(len(ids), dtype=np.float32)
        keep = (ids >= 0) & (draws < self.keep_probs[ids])
        return ids[keep].astype(np.int64), sentence_ids[keep]

    def run_slice(self, corpus: Corpus, task: Task, seconds: float | None = None) -> Slice:
        """Train task's chunk from task.block on, block after block, until it ends or `seconds` have passed."""
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run is caught by its loss instead
            return self._run_slice(corpus, task, SLICE_SECONDS if seconds is None else seconds)

    def _run_slice(self, corpus: Corpus, task: Task, seconds: float) -> Slice:
        config, W, T = self.config, self.config.window, block_tokens(self.config)
        items = corpus.chunk_items(task.chunk)
        words = int(np.count_nonzero(items >= 0))
        rng = chunk_rng(config, task.epoch, task.chunk)
        ids, sentence_ids = self.chunk_tokens(items, corpus.remap, rng)
        windows = draw_reduced_windows(len(ids), W, rng)  # (n,)
        n_blocks = -(-len(ids) // T)
        shape = negatives_shape(config, T, self.table is not None)
        all_negatives = self.sampler.draw(rng, (n_blocks, *shape))  # the stream draw by draw, block by block
        total = words_total(config, corpus)
        lr_at = lambda fraction: learning_rate(config, (task.words_before + fraction * words) / total)  # noqa: E731
        loss_sum, pairs, b = task.loss_sum, task.pairs, task.block
        deadline = time.monotonic() + seconds
        while b < n_blocks:
            start = b * T
            block = window_block(ids, sentence_ids, windows, start, min(start + T, len(ids)), W)
            negatives = all_negatives[b]  # (K',) or (G, K'/G)
            want_loss = b % LOSS_EVERY == 0
            loss, block_pairs = sgd_step(self.params, block, negatives, lr_at(start / len(ids)), config, want_loss,
                                         self.table, self.paths)
            if want_loss:
                loss_sum += loss
                pairs += block_pairs
            b += 1
            if time.monotonic() >= deadline:
                break
        fraction = min(b * T, len(ids)) / len(ids) if len(ids) else 1.0
        return Slice(task.epoch, task.chunk, b, b >= n_blocks, words, fraction, loss_sum, pairs, lr_at(fraction))


def check_finite(loss: float) -> float:
    if not math.isfinite(loss):
        raise TrainingDiverged(f"training diverged: the loss became {loss}; try a lower --lr")
    return loss


def smooth(previous: float, value: float, weight: float = 0.05) -> float:
    """Exponential moving average, started at the first value (CS224n's exploss = .95·exploss + .05·cost)."""
    return value if math.isnan(previous) else (1 - weight) * previous + weight * value


def record(state: TrainState, words: int, loss_sum: float, pairs: int) -> None:
    """Add a finished chunk's tokens and loss to the state (raises TrainingDiverged on a non-finite loss)."""
    if pairs:
        state.smoothed_loss = smooth(state.smoothed_loss, check_finite(loss_sum / pairs))
    state.words_done += words
    state.loss_history.append(state.smoothed_loss)
