"""`w2v train`: parse the options, hand them to run.run_training, render its progress and summary."""

from __future__ import annotations

import signal
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class ModelKind(str, Enum):
    skipgram = "skipgram"
    cbow = "cbow"


class LossKind(str, Enum):
    neg = "neg"
    softmax = "softmax"


class Preset(str, Enum):
    cs224n = "cs224n"


def _opt(help_text: str, default_shown: str, *names: str):
    return typer.Option(*names, help=help_text, show_default=default_shown)


class _StopFlag:
    """Ctrl-C during training asks for a clean stop at the next chunk; before training starts, it interrupts."""

    def __init__(self):
        self.requested = self.started = False

    def __call__(self, signum, frame):
        if not self.started or self.requested:
            raise KeyboardInterrupt
        self.requested = True


def train(
    corpus: Annotated[Path, typer.Argument(help="Text file (.gz/.bz2/.xz too) or folder; one sentence per line.",
                                           show_default=False)],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Model file to write (default: the --resume file, "
                                                "else model.npz).", show_default=False)] = None,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the run saved in this model file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False,
    preset: Annotated[Optional[Preset], typer.Option(help="cs224n: the assignment's run (see README).")] = None,
    model: Annotated[Optional[ModelKind], _opt("Skip-gram or CBOW.", "skipgram")] = None,
    loss: Annotated[Optional[LossKind], _opt("Negative sampling, or the exact softmax.", "neg")] = None,
    dim: Annotated[Optional[int], _opt("Dimension d of the vectors.", "100")] = None,
    window: Annotated[Optional[int], _opt("Largest window W (each is uniform in 1..W).", "5")] = None,
    negatives: Annotated[Optional[int], _opt("Negatives K per pair.", "5")] = None,
    epochs: Annotated[Optional[int], _opt("Passes over the corpus.", "5")] = None,
    lr: Annotated[Optional[float], _opt("Starting learning rate.", "0.025")] = None,
    min_lr: Annotated[Optional[float], _opt("Final learning rate (linear decay).", "0.0001")] = None,
    min_count: Annotated[Optional[int], _opt("Drop words seen fewer times.", "5")] = None,
    max_vocab: Annotated[Optional[int], _opt("Keep at most this many words (0: all).", "0")] = None,
    sample: Annotated[Optional[float], _opt("Subsampling threshold t (0: off).", "0.001")] = None,
    ns_exponent: Annotated[Optional[float], _opt("Noise distribution ∝ count^this.", "0.75")] = None,
    batch_size: Annotated[Optional[int], _opt("Tokens per SGD block (0: 512, less for windows over 5).",
                                              "0")] = None,
    shared_negatives: Annotated[Optional[int], _opt("Negatives drawn per block, shared.", "64")] = None,
    max_repeats: Annotated[Optional[int], _opt("A word's update per block counts at most this many occurrences.",
                                               "8")] = None,
    seed: Annotated[Optional[int], _opt("Random seed.", "1")] = None,
    lowercase: Annotated[Optional[bool], typer.Option("--lowercase/--no-lowercase", help="Fold case.",
                                                      show_default="lowercase")] = None,
    checkpoint_every: Annotated[float, typer.Option(help="Seconds between checkpoints (0: only at the end).",
                                                    min=0)] = 60.0,
    workers: Annotated[Optional[int], typer.Option(help="Training workers (1: bit-for-bit reproducible).",
                                                   show_default="the usable cores")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")] = False,
) -> None:
    """Train word vectors on a corpus, with live progress and resumable checkpoints.

    Ctrl-C saves a checkpoint and stops; `--resume` continues exactly where it stopped.

    Example: w2v train examples/corpus.txt --dim 50 --epochs 10 --out model.npz
    """
    from . import display_train
    from ..errors import ConfigError
    from ..training.session import check_output, default_workers, resolve_config, run_training

    given = {name: value.value if isinstance(value, Enum) else value for name, value in dict(
        model=model, loss=loss, dim=dim, window=window, negatives=negatives, epochs=epochs, lr=lr, min_lr=min_lr,
        min_count=min_count, max_vocab=max_vocab, sample=sample, ns_exponent=ns_exponent, batch_size=batch_size,
        shared_negatives=shared_negatives, max_repeats=max_repeats, seed=seed, lowercase=lowercase).items() if value is not None}
    config, checkpoint = resolve_config(given, preset.value if preset else None, resume)
    if checkpoint is not None and checkpoint.state.get("finished"):
        display_train.print_already_finished(resume)
        return
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers must be positive (got {workers})")
    out = out or resume or Path("model.npz")
    check_output(out, force=force, resume=resume)
    stop = _StopFlag()

    def on_preflight(pre):
        stop.started = True
        if not quiet:
            display_train.print_preflight(pre, config)
        display_train.print_warnings(pre.warnings)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        with display_train.reporter(quiet) as progress:
            summary = run_training(corpus, config, checkpoint, out, reporter=progress,
                                   checkpoint_every=checkpoint_every, should_stop=lambda: stop.requested,
                                   on_preflight=on_preflight, workers=workers or default_workers())
    except KeyboardInterrupt:
        display_train.print_interrupted(stop.started, out)
        raise typer.Exit(130) from None
    finally:
        signal.signal(signal.SIGINT, previous)
    if not quiet:
        display_train.print_summary(summary, corpus)
    if not summary.finished:
        raise typer.Exit(130)
