"""The configuration of a training run, its presets, and its state: every training default is declared here once.

TrainConfig is frozen; a preset is a named instance, and CLI options apply with dataclasses.replace. TrainState
is what a checkpoint saves of a run's position; TrainProgress is the event the trainer reports after every chunk.
Not here: any training (trainer.py) or file I/O (session.py, vectors/checkpoint.py).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from ..errors import ConfigError

MODEL_FIELDS = ("model", "loss", "dim", "window", "negatives", "min_count", "max_vocab", "sample", "ns_exponent",
                "lowercase", "preset", "batch_size", "shared_negatives", "max_repeats", "epochs", "lr", "min_lr", "seed",
                "iterations", "windows_per_step", "anneal_every")


@dataclass(frozen=True)
class TrainConfig:
    model: str = "skipgram"  # skipgram | cbow
    loss: str = "neg"  # neg (negative sampling) | softmax (exact over the vocabulary)
    dim: int = 100  # d, dimension of the vectors
    window: int = 5  # W: each center word's window is uniform in 1..W words on each side
    negatives: int = 5  # K, negatives per (center, context) pair
    epochs: int = 5  # passes over the corpus
    lr: float = 0.025  # learning rate at the start, decaying linearly ...
    min_lr: float = 0.0001  # ... to this at the end of the last epoch
    min_count: int = 5  # words seen fewer times are dropped
    max_vocab: int = 0  # keep at most this many most frequent words; 0 = no limit
    sample: float = 1e-3  # subsampling threshold t of frequent words; 0 = off
    ns_exponent: float = 0.75  # noise distribution ∝ count^ns_exponent
    batch_size: int = 0  # T, tokens per block (pairs per step ≈ T·(W+1)); 0 = automatic (block_tokens)
    shared_negatives: int = 64  # K', negatives drawn per block and shared by all its pairs, each weighted K/K'
    max_repeats: int = 8  # a word's summed update in one block counts at most this many occurrences (damp_repeats)
    seed: int = 1  # seeds the one random generator of the run
    lowercase: bool = True  # fold the corpus to lower case
    preset: str = ""  # "" or "cs224n" (the assignment's procedure, cs224n.py)
    iterations: int = 40_000  # cs224n: SGD steps
    windows_per_step: int = 50  # cs224n: random windows averaged per step
    anneal_every: int = 20_000  # cs224n: the step size halves every this many steps

    def validate(self) -> "TrainConfig":
        positive = {"dim": self.dim, "window": self.window, "negatives": self.negatives, "epochs": self.epochs,
                    "lr": self.lr, "min_count": self.min_count,
                    "shared_negatives": self.shared_negatives, "max_repeats": self.max_repeats, "iterations": self.iterations,
                    "windows_per_step": self.windows_per_step, "anneal_every": self.anneal_every}
        for name, value in positive.items():
            if not value > 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be positive (got {value})")
        if self.model not in ("skipgram", "cbow") or self.loss not in ("neg", "softmax"):
            raise ConfigError(f"unknown model/loss {self.model}/{self.loss}")
        if not 0 <= self.min_lr <= self.lr:
            raise ConfigError(f"--min-lr must be between 0 and --lr (got {self.min_lr})")
        if self.sample < 0 or self.max_vocab < 0 or self.batch_size < 0:
            raise ConfigError("--sample, --max-vocab and --batch-size cannot be negative")
        return self


# The CS224n assignment's run (run.py): 1) d = 10, window uniform in 1..5, 10 negatives; 2) 40,000 SGD steps,
# each averaging the gradient of 50 random windows; 3) step 0.3, halved every 20,000 steps; 4) every word kept,
# treebank-style subsampling, noise ∝ count^0.75. Initialisation is word2vec's (init_params) in every mode.
CS224N = TrainConfig(preset="cs224n", dim=10, window=5, negatives=10, lr=0.3, min_count=1, sample=1e-5,
                     iterations=40_000, windows_per_step=50, anneal_every=20_000, epochs=1)
PRESETS = {"cs224n": CS224N}


@dataclass
class TrainState:
    epoch: int = 0  # epochs completed
    chunk: int = 0  # chunks of the current epoch completed before the first unfinished one
    words_done: int = 0  # corpus tokens of the finished chunks over all epochs (before subsampling)
    step: int = 0  # cs224n: SGD steps taken
    smoothed_loss: float = float("nan")  # exponential moving average of the loss per pair (cs224n: per step)
    loss_history: list = field(default_factory=list)  # smoothed_loss after each chunk (cs224n: each report)
    rng_state: dict = field(default_factory=dict)  # cs224n: the generator's bit_generator.state
    finished: bool = False
    started: list = field(default_factory=list)  # [epoch, chunk, blocks done, loss sum, pairs, finished] per chunk
    # begun from (epoch, chunk) on, continued first on resume (workers.Schedule)
    train_seconds: float = 0.0  # wall time spent training, over every session of the run

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data.pop("loss_history")  # saved as its own array
        data["smoothed_loss"] = None if math.isnan(self.smoothed_loss) else self.smoothed_loss
        return data

    @classmethod
    def from_json(cls, data: dict, loss_history) -> "TrainState":
        known = {f.name for f in dataclasses.fields(cls)} - {"loss_history"}
        values = {k: v for k, v in data.items() if k in known}
        values["smoothed_loss"] = float("nan") if values.get("smoothed_loss") is None else values["smoothed_loss"]
        return cls(**values, loss_history=[float(x) for x in loss_history])


@dataclass(frozen=True)
class TrainProgress:
    epoch: int  # current epoch, 1-based
    words_done: int
    words_total: int
    lr: float
    smoothed_loss: float
    unit: str = "tokens"  # what words_done counts: corpus tokens, or SGD steps for the cs224n preset
    epochs: int = 1  # epochs of the run (the progress shows epoch/epochs)


