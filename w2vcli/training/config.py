"""The configuration of a training run, its presets, and its state: every training default is declared here once.

TrainConfig is frozen; a preset is a named instance, and CLI options apply with dataclasses.replace. TrainState
is what a checkpoint saves of a run's position; TrainProgress is the event the trainer reports after every chunk.
Not here: any training (trainer.py) or file I/O (session.py, vectors/checkpoint.py).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from ..data.phrases import MAX_PASSES, PASSES, PhraseScoring, PhraseSettings
from ..errors import ConfigError, ModelFileError

MODEL_FIELDS = ("model", "loss", "dim", "window", "negatives", "min_count", "max_vocab", "sample", "ns_exponent",
                "lowercase", "preset", "batch_size", "shared_negatives", "max_repeats", "epochs", "lr", "min_lr", "seed",
                "subwords", "min_n", "max_n", "buckets", "sentence_ends")


@dataclass(frozen=True)
class TrainConfig:
    model: str = "skipgram"  # skipgram | cbow
    loss: str = "neg"  # neg (negative sampling) | softmax (exact over the vocabulary) | hs (hierarchical softmax)
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
    shared_negatives: int = 64  # K', negatives shared by 256 skip-gram tokens or a block, each weighted K/K'
    max_repeats: int = 8  # a word's summed update in one block counts at most this many occurrences (step.sgd_update)
    seed: int = 1  # seeds the one random generator of the run
    lowercase: bool = True  # fold the corpus to lower case
    sentence_ends: bool = False  # end each sentence with the token "</s>", as fastText reads lines (on with --subwords)
    preset: str = ""  # "" or "cs224n": the assignment's procedure (cs224n.py, whose schedule is its own)
    subwords: bool = False  # fastText's model: a word's input vector is the mean of its row and its n-grams' rows
    min_n: int = 3  # subwords: the shortest character n-gram of "<word>" ...
    max_n: int = 6  # ... and the longest
    buckets: int = 200_000  # subwords: rows the n-grams are hashed into (README, "Subword vectors": measured)
    phrases: bool = False  # join frequent word pairs into one token (new_york) as the corpus is read (phrases.py)
    phrase_passes: int = PASSES  # phrases: passes (2 also joins three- and four-word phrases) ...
    phrase_threshold: float = PhraseSettings.threshold  # ... and `w2v phrases`' score threshold, δ and N: its
    phrase_min_count: int = PhraseSettings.min_count  # defaults, declared once in data/phrases.py
    phrase_scoring: str = PhraseSettings.scoring.value

    def validate(self) -> "TrainConfig":
        """self, or ConfigError naming the first option out of range (finite numbers within LIMITS)."""
        if self.model not in ("skipgram", "cbow") or self.loss not in ("neg", "softmax", "hs"):
            raise ConfigError(f"unknown model/loss {self.model}/{self.loss}")
        if self.preset == "cs224n" and self.loss == "hs":
            raise ConfigError("--preset cs224n trains with --loss neg or softmax, as the assignment does")
        if self.preset not in ("", *PRESET_NAMES):
            raise ConfigError(f"unknown preset {self.preset!r} (known: {', '.join(PRESET_NAMES)})")
        for name, (low, high, rule) in LIMITS.items():
            value, option = getattr(self, name), "--" + name.replace("_", "-")
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise ConfigError(f"{option} must be a finite number (got {value!r})")
            if value < low:
                raise ConfigError(f"{option} must be {rule} (got {value!r})")
            if value > high:
                raise ConfigError(f"{option} must be at most {high:,} (got {value!r})")
        if self.min_lr > self.lr:
            raise ConfigError(f"--min-lr must be between 0 and --lr (got {self.min_lr})")
        if self.min_n > self.max_n:
            raise ConfigError(f"--min-n must be at most --max-n (got {self.min_n} and {self.max_n})")
        if self.subwords and self.preset:
            raise ConfigError(f"--subwords does not apply to --preset {self.preset}")
        if self.subwords and self.loss == "hs":
            raise ConfigError("--subwords trains with --loss neg or softmax (hierarchical softmax with subwords is "
                              "not implemented)")
        self._check_phrases()
        return self

    def _check_phrases(self) -> None:
        """The phrase options: in range, and only with --phrases (typed alone they would be silently ignored)."""
        if not self.phrases:
            given = [f for f in PHRASE_FIELDS[1:] if getattr(self, f) != getattr(DEFAULTS, f)]
            if given:
                raise ConfigError(f"--{given[0].replace('_', '-')} applies only with --phrases")
            return
        if not 1 <= self.phrase_passes <= MAX_PASSES:
            raise ConfigError(f"--phrase-passes must be between 1 and {MAX_PASSES} (got {self.phrase_passes})")
        if not math.isfinite(self.phrase_threshold):
            raise ConfigError(f"--phrase-threshold must be a finite number (got {self.phrase_threshold!r})")
        if self.phrase_scoring not in [s.value for s in PhraseScoring]:
            raise ConfigError(f"unknown --phrase-scoring {self.phrase_scoring!r}")
        self.phrase_settings()  # --phrase-min-count

    def phrase_settings(self) -> PhraseSettings:
        """The settings of `w2v phrases` this run's --phrases options give (ConfigError if out of range)."""
        try:
            return PhraseSettings(min_count=self.phrase_min_count, threshold=self.phrase_threshold,
                                  scoring=PhraseScoring(self.phrase_scoring))
        except ConfigError as error:
            raise ConfigError(str(error).replace("--min-count", "--phrase-min-count")) from None

    @classmethod
    def from_json(cls, data: dict, source) -> "TrainConfig":
        """The config a checkpoint saved, every field type- and range-checked: ModelFileError if any is wrong."""
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                values[f.name] = _typed(data[f.name], type(getattr(DEFAULTS, f.name)), f"config {f.name}", source)
        try:
            return cls(**values).validate()
        except ConfigError as error:
            raise ModelFileError(f"corrupt checkpoint {source}: {str(error).lstrip('-')}") from None


INT_MAX = 2**53  # beyond any array; sizes below it are bounded by the memory estimate (checks.py)
MAX_NGRAM = 100  # characters: far longer than any useful n-gram
MAX_WINDOW = 10_000  # no window reaches past the longest sentence (data.corpus.MAX_SENTENCE)
# name: (lowest, highest, the lower bound as the error message says it)
LIMITS = {
    "dim": (1, INT_MAX, "positive"), "window": (1, MAX_WINDOW, "positive"), "negatives": (1, INT_MAX, "positive"),
    "epochs": (1, INT_MAX, "positive"), "lr": (1e-300, 1e6, "positive"), "min_lr": (0.0, 1e6, "0 or more"),
    "min_count": (1, INT_MAX, "positive"), "max_vocab": (0, INT_MAX, "0 or more"), "sample": (0.0, 1.0, "0 or more"),
    "ns_exponent": (-10.0, 10.0, "at least -10"), "batch_size": (0, INT_MAX, "0 (automatic) or more"),
    "shared_negatives": (1, INT_MAX, "positive"), "max_repeats": (1, INT_MAX, "positive"),
    "seed": (0, 2**63 - 1, "0 or more"),
    "min_n": (1, MAX_NGRAM, "positive"), "max_n": (1, MAX_NGRAM, "positive"), "buckets": (1, INT_MAX, "positive"),
}
PHRASE_FIELDS = ("phrases", "phrase_passes", "phrase_threshold", "phrase_min_count", "phrase_scoring")
CHECKPOINT_EVERY = 60.0  # seconds between checkpoints by default (a run option, not part of the model)


def _typed(value, kind: type, name: str, source):
    """value if it is a JSON value of kind (an int is a float too; a bool is not an int), else ModelFileError."""
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ModelFileError(f"corrupt checkpoint {source}: {name} must be {kind.__name__}, not {value!r:.40}")
    return value


# The CS224n assignment's run (run.py): d = 10, window uniform in 1..5, 10 negatives, step 0.3, every word kept,
# treebank-style subsampling, noise ∝ count^0.75; its SGD schedule (40,000 steps of 50 windows, the step halved
# every 20,000) is the procedure's own (CS224nSchedule). Initialisation is word2vec's (init_params) in every mode.
DEFAULTS = TrainConfig()
CS224N = TrainConfig(preset="cs224n", dim=10, window=5, negatives=10, lr=0.3, min_count=1, sample=1e-5, epochs=1)
PRESETS = {"cs224n": CS224N}
PRESET_NAMES = tuple(PRESETS)
# --subwords starts from two other defaults, measured on Brown (README, "Subword vectors"): fastText's learning rate
# 0.05, in blocks of 128 tokens (at 512 tokens any --lr above 0.025 diverged, as many tokens' steps land in a shared
# n-gram row at once; at 128 tokens and 0.05 the analogies rose from 39-40% to 52%). And fastText's reading of the
# text: each line ends with the word "</s>" (a context of the sentence's last words), which lifted SimLex-999 on Brown
# from 0.074-0.107 (mean 0.089 over four runs) to 0.103-0.120 (mean 0.111 over six), the analogies unchanged.
SUBWORD_DEFAULTS = TrainConfig(subwords=True, lr=0.05, batch_size=128, sentence_ends=True)


@dataclass(frozen=True)
class CS224nSchedule:
    """The assignment's SGD schedule (run.py): fixed by its procedure (cs224n.py), not options of a run."""
    iterations: int = 40_000  # SGD steps
    windows_per_step: int = 50  # random windows whose gradients each step averages
    anneal_every: int = 20_000  # the step size halves every this many steps


CS224N_SCHEDULE = CS224nSchedule()


@dataclass(frozen=True)
class Procedure:
    """How a kind of run goes: word2vec's epochs over the corpus, or the CS224n assignment's SGD steps."""
    unit: str  # what its progress counts: corpus "tokens" or SGD "steps" (vectors.checkpoint.progress_unit)
    parallel: bool  # it can run in several workers
    continuable: bool  # --init may start a new run from its models


PROCEDURES = {"": Procedure("tokens", parallel=True, continuable=True),
              "cs224n": Procedure("steps", parallel=False, continuable=False)}


def procedure_of(config: TrainConfig | dict) -> Procedure:
    """The procedure a config (or a model file's saved config) runs."""
    preset = config.get("preset", "") if isinstance(config, dict) else config.preset
    return PROCEDURES.get(preset, PROCEDURES[""])


@dataclass
class TrainState:
    epoch: int = 0  # epochs completed
    chunk: int = 0  # chunks of the current epoch completed before the first unfinished one
    words_done: int = 0  # corpus tokens of the finished chunks over all epochs (before subsampling)
    step: int = 0  # the cs224n procedure: SGD steps taken
    smoothed_loss: float = float("nan")  # exponential moving average of the loss per pair (cs224n: per step)
    loss_history: list = field(default_factory=list)  # smoothed_loss after each chunk (cs224n: each report)
    rng_state: dict = field(default_factory=dict)  # cs224n: the generator's bit_generator.state
    finished: bool = False
    started: list = field(default_factory=list)  # [epoch, chunk, blocks done, loss sum, pairs, finished] per chunk
    # begun from (epoch, chunk) on, continued first on resume (workers.Schedule)
    train_seconds: float = 0.0  # wall time spent training, over every session of the run
    init: str = ""  # the model this run continued (--init, continued.py), or ""
    evaluations: list = field(default_factory=list)  # [epochs done, tokens done, analogies, pairs] (evaluation.py)
    best_epoch: int = 0  # with --keep-best: the epoch whose parameters the finished model file holds

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data.pop("loss_history")  # saved as its own array
        data["smoothed_loss"] = None if math.isnan(self.smoothed_loss) else self.smoothed_loss
        return data

    @classmethod
    def from_json(cls, data: dict, loss_history, source="checkpoint") -> "TrainState":
        """The state a checkpoint saved, every field type- and range-checked: ModelFileError if any is wrong."""
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in data and f.name != "loss_history":
                kind = type(getattr(TrainState(), f.name))
                value = data[f.name]
                if f.name == "smoothed_loss" and value is None:
                    value = float("nan")
                value = _typed(value, kind, f"state {f.name}", source)
                if kind in (int, float) and not value >= 0 and f.name != "smoothed_loss":
                    raise ModelFileError(f"corrupt checkpoint {source}: state {f.name} must be 0 or more, not {value}")
                values[f.name] = value
        values["started"] = [_started_entry(entry, source) for entry in values.get("started", [])]
        if values.get("rng_state"):
            _check_rng_state(values["rng_state"], source)
        return cls(**values, loss_history=[float(x) for x in loss_history])


def _started_entry(entry, source) -> list:
    """[epoch, chunk, blocks done, loss sum, pairs, finished] with each type and range checked."""
    kinds = (int, int, int, float, int, bool)
    if not isinstance(entry, list) or len(entry) != len(kinds):
        raise ModelFileError(f"corrupt checkpoint {source}: state started holds {entry!r:.40}")
    entry = [_typed(value, kind, "state started", source) for value, kind in zip(entry, kinds)]
    if min(entry[0], entry[1], entry[2], entry[4]) < 0 or not math.isfinite(entry[3]):
        raise ModelFileError(f"corrupt checkpoint {source}: state started holds {entry!r:.40}")
    return entry


def _check_rng_state(rng_state: dict, source) -> None:
    import numpy as np

    try:
        np.random.default_rng().bit_generator.state = rng_state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ModelFileError(f"corrupt checkpoint {source}: state rng_state is not a generator state "
                             f"({type(error).__name__})") from None


@dataclass(frozen=True)
class TrainProgress:
    epoch: int  # current epoch, 1-based
    words_done: int
    words_total: int
    lr: float
    smoothed_loss: float
    unit: str = "tokens"  # what words_done counts: corpus tokens, or SGD steps for the cs224n preset
    epochs: int = 1  # epochs of the run (the progress shows epoch/epochs)


