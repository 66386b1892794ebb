"""`w2v train`: parse the options, plan and run the training (training/plan.py, session.py), render it.

Every option that sets a TrainConfig field takes its default from TrainConfig() (DEFAULTS): none is written here
a second time. An option counts as given only when the user typed it (click's parameter source), so a preset or a
resumed checkpoint supplies the rest. Options are grouped into help panels. Not here: any rule about training.
"""

from __future__ import annotations

import signal
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..training.config import (CHECKPOINT_EVERY, CS224N, CS224N_SCHEDULE as SCHEDULE, DEFAULTS, SUBWORD_DEFAULTS,
                               TrainConfig)

MODEL, SUBWORDS, DATA, OPTIMISATION, OUTPUT, RUN = "Model", "Subwords", "Data", "Optimisation", "Output", "Run"
PHRASES = "Phrases"


class ModelKind(str, Enum):
    skipgram = "skipgram"
    cbow = "cbow"


class LossKind(str, Enum):
    neg = "neg"
    softmax = "softmax"
    hs = "hs"


class PhraseScoringKind(str, Enum):
    word2phrase = "word2phrase"
    gensim = "gensim"


class Preset(str, Enum):
    cs224n = "cs224n"


PRESET_HELP = (f"cs224n: the CS224n assignment's run: d={CS224N.dim}, window 1..{CS224N.window}, {CS224N.negatives} "
               f"negatives, {SCHEDULE.iterations:,} SGD steps each averaging {SCHEDULE.windows_per_step} random windows, "
               f"step {CS224N.lr} halved every {SCHEDULE.anneal_every:,} steps, every word kept (min-count "
               f"{CS224N.min_count}); options given with it override it.")


def _opt(help_text: str, panel: str, *names: str, **kw):
    return typer.Option(*names, help=help_text, rich_help_panel=panel, **kw)


def given_options(ctx: typer.Context) -> dict:
    """The TrainConfig fields the user typed on the command line (not those left at their default)."""
    fields = set(TrainConfig.__dataclass_fields__) & set(ctx.params)
    return {name: value.value if isinstance(value, Enum) else value for name, value in ctx.params.items()
            if name in fields and getattr(ctx.get_parameter_source(name), "name", "DEFAULT") == "COMMANDLINE"}


class StopOnCtrlC:
    """SIGINT before training starts interrupts (nothing is written yet). Once it has started, the first Ctrl-C
    asks for a stop, which saves a resumable file; later ones are ignored, so they cannot break that save."""

    def __init__(self):
        self.requested = self.started = False

    def __call__(self, signum, frame):
        if not self.started:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        self.previous = signal.signal(signal.SIGINT, self)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.previous)
        return False


def train(
    ctx: typer.Context,
    corpus: Annotated[Path, typer.Argument(help="Text file (.gz/.bz2/.xz too) or folder; one sentence per line.",
                                           metavar="CORPUS", show_default=False)],
    model: Annotated[ModelKind, _opt("Skip-gram or CBOW.", MODEL)] = ModelKind(DEFAULTS.model),
    loss: Annotated[LossKind, _opt("Negative sampling, the exact softmax, or hierarchical softmax.", MODEL)] = LossKind(DEFAULTS.loss),
    dim: Annotated[int, _opt("Dimension d of the vectors.", MODEL)] = DEFAULTS.dim,
    window: Annotated[int, _opt("Largest window W (each is uniform in 1..W).", MODEL)] = DEFAULTS.window,
    negatives: Annotated[int, _opt("Negatives K per pair.", MODEL)] = DEFAULTS.negatives,
    ns_exponent: Annotated[float, _opt("Noise distribution ∝ count^this.", MODEL)] = DEFAULTS.ns_exponent,
    preset: Annotated[Optional[Preset], _opt(PRESET_HELP, MODEL, show_default=False)] = None,
    subwords: Annotated[bool, _opt("fastText's model: a word's vector is the mean of its own and its character "
                                   "n-grams' rows, so any word, even unseen, has one.", SUBWORDS, "--subwords")
                        ] = DEFAULTS.subwords,
    min_n: Annotated[int, _opt("Shortest character n-gram of '<word>'.", SUBWORDS)] = DEFAULTS.min_n,
    max_n: Annotated[int, _opt("Longest character n-gram.", SUBWORDS)] = DEFAULTS.max_n,
    buckets: Annotated[int, _opt("Rows the n-grams are hashed into (memory: buckets x dim x 4 bytes).",
                                 SUBWORDS)] = DEFAULTS.buckets,
    phrases: Annotated[bool, _opt("Join frequent word pairs into one token (new york -> new_york) as the corpus "
                                  "is read, as `w2v phrases` would write it.", PHRASES, "--phrases")
                       ] = DEFAULTS.phrases,
    phrase_passes: Annotated[int, _opt("Phrase passes (2: three- and four-word phrases too); each reads the "
                                       "corpus once more.", PHRASES)] = DEFAULTS.phrase_passes,
    phrase_threshold: Annotated[float, _opt("Join a pair scoring above this (w2v phrases --threshold).",
                                            PHRASES)] = DEFAULTS.phrase_threshold,
    phrase_min_count: Annotated[int, _opt("δ of the phrase score (w2v phrases --min-count).",
                                          PHRASES)] = DEFAULTS.phrase_min_count,
    phrase_scoring: Annotated[PhraseScoringKind, _opt("N of the phrase score (w2v phrases --scoring).", PHRASES)
                              ] = PhraseScoringKind(DEFAULTS.phrase_scoring),
    min_count: Annotated[int, _opt("Drop words seen fewer times.", DATA)] = DEFAULTS.min_count,
    max_vocab: Annotated[int, _opt("Keep at most this many words (0: all).", DATA)] = DEFAULTS.max_vocab,
    sample: Annotated[float, _opt("Subsampling threshold t (0: off).", DATA)] = DEFAULTS.sample,
    lowercase: Annotated[bool, _opt("Fold case.", DATA, "--lowercase/--no-lowercase")] = DEFAULTS.lowercase,
    sentence_ends: Annotated[bool, _opt('End each sentence with the word "</s>", as fastText reads lines (on with '
                                        "--subwords).", DATA, "--sentence-ends/--no-sentence-ends")
                             ] = DEFAULTS.sentence_ends,
    epochs: Annotated[int, _opt("Passes over the corpus.", OPTIMISATION)] = DEFAULTS.epochs,
    lr: Annotated[float, _opt(f"Starting learning rate ({SUBWORD_DEFAULTS.lr} with --subwords).",
                              OPTIMISATION)] = DEFAULTS.lr,
    min_lr: Annotated[float, _opt("Final learning rate (linear decay).", OPTIMISATION)] = DEFAULTS.min_lr,
    batch_size: Annotated[int, _opt(f"Tokens per SGD block ({SUBWORD_DEFAULTS.batch_size} with --subwords; 0: "
                                    "1024 for skip-gram, 512 otherwise, fewer for wide windows).",
                                    OPTIMISATION)] = DEFAULTS.batch_size,
    shared_negatives: Annotated[int, _opt("Negatives shared by each 256 tokens of a skip-gram block (by the whole "
                                          "block for CBOW and subwords).",
                                          OPTIMISATION)] = DEFAULTS.shared_negatives,
    max_repeats: Annotated[int, _opt("A word's update per block counts at most this many occurrences.",
                                     OPTIMISATION)] = DEFAULTS.max_repeats,
    seed: Annotated[int, _opt("Random seed.", OPTIMISATION)] = DEFAULTS.seed,
    out: Annotated[Optional[Path], _opt("Model file to write [default: the --resume file, else model.npz].",
                                        OUTPUT, "--out", "-o", show_default=False)] = None,
    force: Annotated[bool, _opt("Overwrite --out if it exists.", OUTPUT, "--force")] = False,
    checkpoint_every: Annotated[float, _opt("Seconds between checkpoints (0: only at the end).",
                                            OUTPUT)] = CHECKPOINT_EVERY,
    quiet: Annotated[bool, _opt("Print nothing but errors.", OUTPUT, "--quiet", "-q")] = False,
    resume: Annotated[Optional[Path], _opt("Continue the run saved in this model file.", RUN)] = None,
    init: Annotated[Optional[Path], _opt("Start from this trained model: its words keep their vectors, new words "
                                         "are added, the learning rate starts afresh.", RUN)] = None,
    eval_analogies: Annotated[Optional[Path], _opt("Score analogies in this file (questions-words format) at every "
                                                   "epoch's end.", RUN, dir_okay=False)] = None,
    eval_pairs: Annotated[Optional[Path], _opt("Score word pairs in this file (WordSim-353 format) at every epoch's "
                                               "end.", RUN, dir_okay=False)] = None,
    keep_best: Annotated[bool, _opt("Save the best-scoring epoch's vectors as the model (analogies first).", RUN,
                                    "--keep-best")] = False,
    workers: Annotated[Optional[int], _opt("Training workers (1: bit-for-bit reproducible) [default: the usable "
                                           "cores].", RUN, show_default=False)] = None,
) -> None:
    """Train word vectors on a corpus, with live progress and resumable checkpoints.

    Ctrl-C saves a checkpoint and stops; `--resume` continues exactly where it stopped.
    Faster: pip install "w2vcli[fast]" (Numba) trains about 1.4x as fast, to the same vectors.

    Example: w2v train examples/corpus.txt --dim 50 --epochs 10 --out model.npz
    """
    from . import display_train
    from ..errors import ConfigError
    from ..training.session import plan_training, train_plan

    if not 0 <= checkpoint_every < float("inf"):
        raise ConfigError(f"--checkpoint-every must be 0 or more seconds (got {checkpoint_every})")
    plan = plan_training(corpus, given_options(ctx), preset=preset.value if preset else None, resume=resume,
                         out=out, force=force, workers=workers, init=init)
    evaluator = _evaluator(eval_analogies, eval_pairs, keep_best)
    with StopOnCtrlC() as stop:
        def on_preflight(pre):
            stop.started = True
            display_train.print_preflight(pre, plan.config, quiet)

        try:
            with display_train.reporter(quiet) as progress:
                summary = train_plan(plan, reporter=progress, checkpoint_every=checkpoint_every,
                                     should_stop=lambda: stop.requested, on_preflight=on_preflight,
                                     evaluator=evaluator)
        except KeyboardInterrupt:
            display_train.print_interrupted()
            raise typer.Exit(130) from None
    display_train.print_summary(summary, corpus, quiet)
    if not summary.finished:
        raise typer.Exit(130)


def _evaluator(analogies: Optional[Path], pairs: Optional[Path], keep_best: bool):
    """The evaluation during training the options ask for, or None (the files are read now, before training)."""
    from ..errors import ConfigError
    from ..training.evaluation import EpochEvaluator

    if analogies is None and pairs is None:
        if keep_best:
            raise ConfigError("--keep-best needs a score: give --eval-analogies FILE and/or --eval-pairs FILE")
        return None
    return EpochEvaluator(analogies, pairs, keep_best)
