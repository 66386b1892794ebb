"""A training run, end to end: corpus file -> vocabulary -> SGD -> checkpoints -> model file.

The glue between the pure trainer (train.py, cs224n.py) and the files (corpus.py, checkpoint.py): it decides when
to checkpoint (every few seconds, on a stop request, at the end), checks that a resumed run matches its checkpoint,
and never overwrites a file the user did not hand over. Reporting goes to a reporter object with one method;
rendering is display.py's. Not here: option parsing (cli_train.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np
from .. import __version__
from ..data.corpus import CorpusStats, TokenStore, scan_corpus
from ..data.vocab import Vocab
from ..errors import ConfigError
from ..vectors.checkpoint import ModelFile, load_model, save_model
from .config import MODEL_FIELDS, PRESETS, TrainConfig, TrainProgress, TrainState
from .cs224n import train_cs224n
from .processes import ForkTransport, can_fork, shared_copy
from .threads import ThreadTransport
from .trainer import Corpus, Trainer, init_params, vocab_ids
from .workers import Inline, Schedule, one_blas_thread

SOFTMAX_WARN_VOCAB = 50_000  # words above which the exact softmax is warned about (O(V) per pair)


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


@dataclass(frozen=True)
class Summary:
    vocab_size: int
    tokens_trained: int  # corpus tokens processed in this session (cs224n: steps)
    unit: str
    seconds: float
    final_loss: float
    finished: bool  # False when stopped early (resume later)
    out: Path


def resolve_config(given: dict, preset: str | None, resume: Path | None) -> tuple[TrainConfig, ModelFile | None]:
    """Options the user gave, over the checkpoint's (when resuming) or the preset's or the defaults."""
    if resume is not None:
        checkpoint = load_model(resume)
        known = {f.name for f in dataclasses.fields(TrainConfig)}
        saved = TrainConfig(**{k: v for k, v in checkpoint.config.items() if k in known})
        config = dataclasses.replace(saved, **given)
        changed = [f for f in MODEL_FIELDS if getattr(config, f) != getattr(saved, f)]
        if changed:
            raise ConfigError(f"cannot resume {resume} with different options: {', '.join(changed)} "
                              "(drop them to continue with the checkpoint's)")
        return config.validate(), checkpoint
    base = PRESETS[preset] if preset else TrainConfig()
    return dataclasses.replace(base, **given).validate(), None


def check_output(out: Path, *, force: bool, resume: Path | None) -> None:
    if out.exists() and not force and (resume is None or out.resolve() != resume.resolve()):
        raise ConfigError(f"{out} already exists; use --force to overwrite it or --resume {out} to continue it")
    if out.exists() and out.is_dir():
        raise ConfigError(f"--out {out} is a folder")
    if not out.parent.exists():
        raise ConfigError(f"folder {out.parent} does not exist")


def prepare(corpus_path: Path, config: TrainConfig, checkpoint: ModelFile | None):
    """Scan the corpus, build the vocabulary, and the starting parameters and state."""
    store = scan_corpus(corpus_path, lowercase=config.lowercase)
    vocab = Vocab.from_counts(store.words, store.counts, min_count=config.min_count,
                              max_vocab=config.max_vocab or None)
    if checkpoint is None:
        params = init_params(len(vocab), config.dim, np.random.default_rng([config.seed, 0]))
        return store, vocab, params, TrainState()
    if checkpoint.words != vocab.words or not np.array_equal(checkpoint.counts, vocab.counts):
        store.close()
        raise ConfigError(f"{corpus_path} is not the corpus this checkpoint was trained on "
                          "(its vocabulary or word counts differ)")
    state = TrainState.from_json(checkpoint.state, checkpoint.loss_history)
    return store, vocab, (checkpoint.center_vectors.copy(), checkpoint.outside_vectors.copy()), state


def preflight(store: TokenStore, vocab: Vocab, config: TrainConfig, state: TrainState, resumed: bool) -> Preflight:
    where = None
    if resumed:
        where = (f"step {state.step:,}" if config.preset == "cs224n" else
                 f"epoch {state.epoch + 1}, {state.words_done:,} tokens done")
    warnings = ()
    if config.loss == "softmax" and len(vocab) > SOFTMAX_WARN_VOCAB:
        warnings = (f"the exact softmax costs O(V) per pair; with {len(vocab):,} words training will be slow "
                    "(--loss neg is the usual choice)",)
    return Preflight(len(vocab), store.n_tokens, int(vocab.counts.sum()), store.stats,
                     2 * len(vocab) * config.dim * 4, where, warnings)


def default_workers() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def progress_stream(config: TrainConfig, store: TokenStore, vocab: Vocab, params, state: TrainState, workers: int):
    """An iterable of TrainProgress; at each item params and state are consistent, or made so by its paused()."""
    if config.preset == "cs224n":
        items = vocab_ids(store.read(0, store.n_items), vocab.remap(store.words))
        return train_cs224n(config, vocab.counts, items, params, state)
    corpus = Corpus(store.read, store.n_items, store.n_tokens, vocab.remap(store.words))
    trainers = [Trainer(config, vocab, params) for _ in range(workers)]  # the same arrays, shared
    if workers == 1:
        transport = Inline(trainers[0], corpus)
    else:
        transport = (ForkTransport if can_fork() else ThreadTransport)(trainers, corpus)
    return Schedule(config, corpus, state, transport)


def model_file(config: TrainConfig, vocab: Vocab, params, state: TrainState, corpus_path: Path) -> ModelFile:
    state_json = state.to_json() | {"corpus": str(corpus_path), "w2vcli_version": __version__}
    return ModelFile(params[0], params[1], vocab.words, vocab.counts, dataclasses.asdict(config), state_json,
                     np.asarray(state.loss_history, dtype=np.float64))


def run_training(corpus_path: Path, config: TrainConfig, checkpoint: ModelFile | None, out: Path, *,
                 reporter: Reporter, checkpoint_every: float, should_stop: Callable[[], bool],
                 on_preflight: Callable[[Preflight], None], workers: int = 1) -> Summary:
    """Train with `workers` workers (processes; threads where the OS cannot fork), saving to out every
    checkpoint_every seconds (0: only at the end), when should_stop() turns true, and at the end. A TrainingDiverged error propagates with the last good checkpoint
    left in place."""
    store, vocab, params, state = prepare(corpus_path, config, checkpoint)
    if workers > 1 and can_fork() and config.preset != "cs224n":
        params = tuple(shared_copy(matrix) for matrix in params)  # seen and updated by every worker process
    with store, one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        on_preflight(preflight(store, vocab, config, state, checkpoint is not None))
        start = time.monotonic()
        last_save, done_at_start, progress = start, state.words_done, None
        stream = progress_stream(config, store, vocab, params, state, workers)
        paused = getattr(stream, "paused", contextlib.nullcontext)
        for progress in stream:
            now = time.monotonic()
            reporter.report(progress, (progress.words_done - done_at_start) / max(now - start, 1e-9))
            stop = should_stop()
            if stop or (checkpoint_every > 0 and now - last_save >= checkpoint_every):
                with paused():
                    save_model(out, model_file(config, vocab, params, state, corpus_path))
                last_save = time.monotonic()
            if stop:
                break
        if state.finished or progress is None:
            state.finished = True
            save_model(out, model_file(config, vocab, params, state, corpus_path))
    unit = progress.unit if progress else "tokens"
    return Summary(len(vocab), state.words_done - done_at_start, unit, time.monotonic() - start,
                   state.smoothed_loss, state.finished, out)
