"""A training run, end to end: corpus file -> vocabulary -> SGD -> checkpoints -> model file.

The glue between the trainer (workers.Schedule over trainer.py, or cs224n.py) and the files (corpus.py,
checkpoint.py). It decides when to save: every checkpoint_every seconds, when should_stop() turns true (then
always, so a stop leaves a resumable file), and at the end; it checks that a resumed run matches its checkpoint,
and guards against divergence: before every save the parameters must be finite, and a loss that is not finite or
rises above DIVERGE_FACTOR times its first measured value stops the run (TrainingDiverged), leaving the last good
save in place. Reporting goes to a reporter object with one method; rendering is cli/display_train.py's.
Not here: option parsing and pre-flight refusals (plan.py), or printing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from .. import __version__
from ..data.corpus import CorpusStats, TokenStore, corpus_files, iter_sentences, scan_corpus, with_sentence_ends
from ..data.phrases import phrase_rewriter
from ..data.vocab import Vocab
from ..errors import ConfigError, ModelFileError, TrainingDiverged, W2VError
from ..math import compiled
from ..vectors.checkpoint import ModelFile, save_model
from .checks import all_finite, check_memory, check_output_folder, check_resumable, model_bytes
from .config import TrainConfig, TrainProgress, TrainState, procedure_of
from .continued import continued_params, continued_vocab, resume_vocab
from .evaluation import EpochEvaluator
from .cs224n import train_cs224n
from .plan import Plan, check_output, default_workers, plan_training, resolve_config  # noqa: F401  (the API)
from .processes import ForkTransport, can_fork, shared_copy
from .threads import ThreadTransport
from .trainer import Corpus, Trainer, init_params, subword_table, vocab_ids
from .workers import Inline, Schedule, one_blas_thread

SOFTMAX_WARN_VOCAB = 50_000  # words above which the exact softmax is warned about (O(V) per pair)
DIVERGE_FACTOR = 10.0  # a smoothed loss above this many times its first measured value means divergence


class Reporter(Protocol):
    def report(self, progress: TrainProgress, rate: float) -> None: ...


@dataclass(frozen=True)
class Preflight:
    vocab_size: int
    tokens: int  # corpus tokens
    tokens_kept: int  # tokens whose word survived --min-count / --max-vocab
    stats: CorpusStats
    parameter_bytes: int  # both (V, d) float32 matrices
    resumed_from: str | None  # "epoch 2, 41%" when resuming
    warnings: tuple[str, ...] = ()  # lines the user should read before a long run
    epochs: int = 1
    phrase_joins: int = 0  # --phrases: word pairs joined (each join is one token fewer than the text read)
    kernel: str = "numpy"  # what adds a step's rows into the parameters: "numba" or "numpy" (math/compiled.py)


@dataclass(frozen=True)
class Summary:
    vocab_size: int
    tokens_trained: int  # corpus tokens processed in this session (cs224n: steps)
    unit: str
    seconds: float
    final_loss: float
    finished: bool  # False when stopped early (resume later)
    out: Path


def prepare(corpus_path: Path, config: TrainConfig, checkpoint: ModelFile | None, source=None, init=None):
    """Scan the corpus, build the vocabulary, and the starting parameters and state; init = (path, ModelFile)
    of --init starts from a trained model (continued.py)."""
    try:
        store = scan_corpus(corpus_path, lowercase=config.lowercase, rewrite=rewriting(corpus_path, config))
    except OSError as error:  # reading errors are CorpusError already: this is the token store's file
        raise W2VError(f"cannot store the corpus's tokens in {tempfile.gettempdir()}: {error.strerror or error}; "
                       "set TMPDIR to a folder with more room") from None
    try:
        vocab = Vocab.from_counts(store.words, store.counts, min_count=config.min_count,
                                  max_vocab=config.max_vocab or None)
        if checkpoint is None and init is not None:
            vocab = continued_vocab(init[1], store, config)
            params = continued_params(init[1], vocab, config, np.random.default_rng([config.seed, 0]))
            return store, vocab, params, TrainState(init=str(init[0]))
        if checkpoint is None:
            params = init_params(len(vocab), config.dim, np.random.default_rng([config.seed, 0]), ngram_rows(config))
            return store, vocab, params, TrainState()
        if checkpoint.state.get("init"):
            vocab = resume_vocab(checkpoint, store, config, corpus_path)
        elif checkpoint.words != vocab.words or not np.array_equal(checkpoint.counts, vocab.counts):
            raise ConfigError(f"{corpus_path} is not the corpus this checkpoint was trained on "
                              "(its vocabulary or word counts differ)")
        state = TrainState.from_json(checkpoint.state, checkpoint.loss_history, source)
        n_chunks = Corpus(store.read, store.n_items, store.n_tokens, vocab.remap(store.words)).n_chunks
        check_resumable(state, config, checkpoint.center_vectors, len(vocab), n_chunks, source)
        center = (checkpoint.center_vectors if checkpoint.ngram_vectors is None else  # Z: words' rows, n-grams'
                  np.concatenate([checkpoint.center_vectors, checkpoint.ngram_vectors]))
        if len(center) != len(vocab) + ngram_rows(config):
            raise ModelFileError(f"corrupt checkpoint {source}: {len(center) - len(vocab)} n-gram rows, "
                                 f"expected {ngram_rows(config)}")
        if not all_finite((center, checkpoint.outside_vectors)):
            raise ModelFileError(f"corrupt checkpoint {source}: its vectors are not all finite")
    except BaseException:
        store.close()
        raise
    return store, vocab, (center.copy(), checkpoint.outside_vectors.copy()), state


def rewriting(corpus_path: Path, config: TrainConfig):
    """What the corpus's sentences go through before they are stored: the phrases (--phrases), then the sentence
    ends (--sentence-ends, data/corpus.py); None when neither is on."""
    phrases = phrases_of(corpus_path, config)
    if not config.sentence_ends:
        return phrases
    return with_sentence_ends if phrases is None else lambda sentences: with_sentence_ends(phrases(sentences))


def phrases_of(corpus_path: Path, config: TrainConfig):
    """With --phrases, the rewriting of the corpus's sentences by the phrases learnt from it now (data/phrases.py:
    --phrase-passes reads of the corpus, only the count table in memory); else None."""
    if not config.phrases:
        return None
    read = lambda: iter_sentences(corpus_path, lowercase=config.lowercase)  # noqa: E731
    return phrase_rewriter(read, config.phrase_settings(), config.phrase_passes)[0]


def ngram_rows(config: TrainConfig) -> int:
    """Rows of the center matrix beyond the words': the n-gram buckets with --subwords, else none."""
    return config.buckets if config.subwords else 0


def preflight(store: TokenStore, vocab: Vocab, config: TrainConfig, state: TrainState, resumed: bool) -> Preflight:
    where = None
    if resumed:
        where = (f"step {state.step:,}" if procedure_of(config).unit == "steps" else
                 f"epoch {state.epoch + 1}/{config.epochs}, {state.words_done:,} tokens done")
    warnings = ()
    if config.loss == "softmax" and len(vocab) > SOFTMAX_WARN_VOCAB:
        warnings = (f"the exact softmax costs O(V) per pair; with {len(vocab):,} words training will be slow "
                    "(--loss neg is the usual choice)",)
    kept = int(np.asarray(store.counts)[vocab.remap(store.words) >= 0].sum())  # this corpus's, not --init's too
    return Preflight(len(vocab), store.n_tokens, kept, store.stats,
                     model_bytes(len(vocab), config.dim, ngram_rows(config)), where, warnings, config.epochs,
                     store.stats.tokens - store.n_tokens if config.phrases else 0, compiled.name())


def progress_stream(config: TrainConfig, store: TokenStore, vocab: Vocab, params, state: TrainState, workers: int):
    """An iterable of TrainProgress; at each item params and state are consistent, or made so by its paused()."""
    return _STREAMS[config.preset](config, store, vocab, params, state, workers)


def _cs224n_stream(config: TrainConfig, store: TokenStore, vocab: Vocab, params, state: TrainState, workers: int):
    """The assignment's procedure (cs224n.py): one worker, the whole corpus in memory."""
    items = vocab_ids(store.read(0, store.n_items), vocab.remap(store.words))
    return train_cs224n(config, vocab.counts, items, params, state)


def _word2vec_stream(config: TrainConfig, store: TokenStore, vocab: Vocab, params, state: TrainState, workers: int):
    """word2vec's epochs over the streamed corpus, by `workers` trainers over the same arrays (workers.py)."""
    corpus = Corpus(store.read, store.n_items, store.n_tokens, vocab.remap(store.words))
    table = subword_table(config, vocab)  # one, shared by the workers as the arrays are
    trainers = [Trainer(config, vocab, params, table) for _ in range(workers)]  # the same arrays, shared
    if workers == 1:
        transport = Inline(trainers[0], corpus)
    else:
        transport = (ForkTransport if can_fork() else ThreadTransport)(trainers, corpus)
    return Schedule(config, corpus, state, transport)


_STREAMS = {"": _word2vec_stream, "cs224n": _cs224n_stream}  # by TrainConfig.preset


def check_divergence(loss: float, first: float, lr: float) -> None:
    """The divergence rule: the smoothed loss is not finite, or above DIVERGE_FACTOR times its first value."""
    if not math.isfinite(loss) and not math.isnan(loss):
        raise TrainingDiverged(f"training diverged: the loss became {loss}; try a lower --lr (now {lr:g})")
    if loss > DIVERGE_FACTOR * first:
        raise TrainingDiverged(f"training diverged: the smoothed loss rose to {loss:.3g}, over {DIVERGE_FACTOR:g} "
                               f"times its first value {first:.3g}; try a lower --lr (now {lr:g})")


class Session:
    """One session of a run: the loop over progress events, the saves, the divergence guard."""

    def __init__(self, corpus_path: Path, config: TrainConfig, out: Path, vocab: Vocab, params, state: TrainState,
                 store: TokenStore, evaluator: EpochEvaluator | None = None):
        self.corpus_path, self.config, self.out, self.vocab = corpus_path, config, out, vocab
        self.evaluator, self.evaluated = evaluator, state.epoch  # epochs done when last scored
        self.params, self.state, self.store = params, state, store
        self.start = self.last_save = time.monotonic()
        self.seconds_before, self.saved = state.train_seconds, False
        self.first_loss = next((x for x in state.loss_history if math.isfinite(x)), math.inf)

    def save(self) -> None:
        """Write the model file, if its parameters are finite and its loss has not exploded (TrainingDiverged)."""
        if not all_finite(self.params):
            raise TrainingDiverged(f"training diverged: the vectors are no longer finite; try a lower --lr "
                                   f"(now {self.config.lr:g})")
        check_divergence(self.state.smoothed_loss, self.first_loss, self.config.lr)  # slices a pause collected
        self.state.train_seconds = self.seconds_before + time.monotonic() - self.start
        save_model(self.out, self.model_file())
        self.saved, self.last_save = True, time.monotonic()

    def model_file(self) -> ModelFile:
        corpus_bytes = sum(f.stat().st_size for f in corpus_files(self.corpus_path))
        state_json = self.state.to_json() | {"corpus": str(self.corpus_path), "w2vcli_version": __version__,
                                             "corpus_tokens": self.store.n_tokens, "corpus_bytes": corpus_bytes}
        V = len(self.vocab)
        return ModelFile(self.params[0][:V], self.params[1], self.vocab.words, self.vocab.counts,
                         dataclasses.asdict(self.config), state_json,
                         np.asarray(self.state.loss_history, dtype=np.float64),
                         self.params[0][V:] if self.config.subwords else None)

    def guard(self, progress: TrainProgress) -> None:
        if math.isinf(self.first_loss) and math.isfinite(progress.smoothed_loss):
            self.first_loss = progress.smoothed_loss
        check_divergence(progress.smoothed_loss, self.first_loss, self.config.lr)

    def run(self, stream, reporter: Reporter, checkpoint_every: float, should_stop: Callable[[], bool]):
        """Iterate the stream, saving as the module docstring says; returns the last progress event or None."""
        paused, done_at_start, progress = getattr(stream, "paused", contextlib.nullcontext), self.state.words_done, None
        for progress in stream:
            now = time.monotonic()
            reporter.report(progress, (progress.words_done - done_at_start) / max(now - self.start, 1e-9))
            self.guard(progress)
            stop = should_stop()
            if self.evaluator is not None and (stop or self.state.epoch > self.evaluated):
                with paused():
                    self.evaluate(reporter)
            if stop or (checkpoint_every > 0 and now - self.last_save >= checkpoint_every):
                with paused():
                    self.save()
            if stop:
                break
        if self.state.finished or progress is None:
            self.state.finished = True
            self.keep_best()
            self.save()
        return progress

    def evaluate(self, reporter) -> None:
        """Score the model now (an epoch has ended, or the run is stopping) and record the score in the state."""
        score = self.evaluator.score(self.vocab.words, self.params, self.config.lowercase, self.state.epoch,
                                     self.state.words_done)
        self.state.evaluations.append(score.to_json())
        self.evaluated = self.state.epoch
        if hasattr(reporter, "evaluated"):
            reporter.evaluated(score)

    def keep_best(self) -> None:
        """With --keep-best, the finished model holds the best-scoring epoch's parameters."""
        best = self.evaluator.best if self.evaluator is not None else None
        if best is not None:
            for matrix, kept in zip(self.params, best[1]):
                np.copyto(matrix, kept)
            self.state.best_epoch = best[0].epoch


def run_training(corpus_path: Path, config: TrainConfig, checkpoint: ModelFile | None, out: Path, *,
                 reporter: Reporter, checkpoint_every: float, should_stop: Callable[[], bool],
                 on_preflight: Callable[[Preflight], None], workers: int = 1, source=None, init=None,
                 evaluator: EpochEvaluator | None = None) -> Summary:
    """Train with `workers` workers (processes; threads where the OS cannot fork), saving to out (Session).

    A TrainingDiverged error propagates with the last good save left in place, its message saying so.
    """
    store, vocab, params, state = prepare(corpus_path, config, checkpoint, source or "checkpoint", init)
    with store, one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        check_memory(config, len(vocab), workers)  # now that the vocabulary is known, before the first step
        check_output_folder(out, len(vocab), config.dim, ngram_rows(config))
        if workers > 1 and can_fork() and procedure_of(config).parallel:
            params = tuple(shared_copy(matrix) for matrix in params)  # seen and updated by every worker process
        on_preflight(preflight(store, vocab, config, state, checkpoint is not None))
        session = Session(corpus_path, config, out, vocab, params, state, store, evaluator)
        done_at_start = state.words_done
        try:
            progress = session.run(progress_stream(config, store, vocab, params, state, workers), reporter,
                                   checkpoint_every, should_stop)
        except TrainingDiverged as error:
            kept = session.saved or (checkpoint is not None and out.exists())
            kept = f"{out} keeps the last good checkpoint" if kept else "no model file was written"
            raise TrainingDiverged(f"{error}; {kept}") from None
    return Summary(len(vocab), state.words_done - done_at_start, progress.unit if progress else "tokens",
                   time.monotonic() - session.start, state.smoothed_loss, state.finished, out)


def train_plan(plan: Plan, **options) -> Summary:
    """run_training for a Plan (plan.plan_training)."""
    return run_training(plan.corpus, plan.config, plan.checkpoint, plan.out, workers=plan.workers,
                        source=plan.resume, init=plan.init, **options)
