"""Pre-flight checks of a training run: whatever can fail for want of room or permission fails before work starts.

1) the output: its folder exists and a file can be created in it (tried, not guessed from permission bits), with
free space for the model file; 2) TMPDIR has room for the token store; 3) the memory training will need, from
the parameters and each worker's largest arrays, against what the machine has available; 4) a checkpoint's
numbers agree with the corpus and options it is resumed with. A problem is one ConfigError (or ModelFileError)
line with the figure. Not here: the options' own ranges (config.py), or writing anything (files.py).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from ..errors import ConfigError, ModelFileError
from ..files import TEMP_SUFFIX, temp_prefix
from .config import CS224N_SCHEDULE as SCHEDULE, TrainConfig, TrainState
from .step import block_tokens
from .trainer import CHUNK_ITEMS

SAVE_SLACK = 1 << 20  # bytes a model file needs beyond its two matrices (words, counts, JSON), and a margin
TOKEN_BYTES_PER_TEXT_BYTE = 0.8  # token store size per byte of plain text (4-byte ids; Brown: about 0.75)
COMPRESSION_RATIO = 4  # text bytes per byte of a .gz/.bz2/.xz corpus, for the token store estimate


def size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def free_bytes(folder: Path) -> int:
    return shutil.disk_usage(folder).free


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes; None where the OS does not say."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def model_bytes(vocab_size: int, dim: int, ngram_rows: int = 0) -> int:
    """The model file's size: both (V, d) float32 matrices and any n-gram rows, (2·V + buckets)·d·4 bytes."""
    return (2 * vocab_size + ngram_rows) * dim * 4


def check_output_folder(out: Path, vocab_size: int, dim: int, ngram_rows: int = 0) -> None:
    """out's folder exists, takes a new file, and has room for the model file (plus SAVE_SLACK)."""
    folder = out.parent
    if not folder.is_dir():
        raise ConfigError(f"folder {folder} does not exist (for --out {out})")
    try:
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(out), suffix=TEMP_SUFFIX, dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise ConfigError(f"cannot write in {folder} (for --out {out}): {error.strerror or error}") from None
    need, free = model_bytes(vocab_size, dim, ngram_rows) + SAVE_SLACK, free_bytes(folder)
    if free < need:
        raise ConfigError(f"{folder} has {size(free)} free; the model file needs about {size(need)} "
                          f"(2 x {vocab_size:,} words x {dim} dimensions x 4 bytes): free some space or choose "
                          "another --out")


def check_token_space(corpus_files: list[Path]) -> None:
    """TMPDIR has room for the token store (4 bytes a token), estimated from the corpus files' sizes."""
    text_bytes = sum(f.stat().st_size * (COMPRESSION_RATIO if f.suffix.lower() in (".gz", ".bz2", ".xz") else 1)
                     for f in corpus_files)
    need, folder = int(text_bytes * TOKEN_BYTES_PER_TEXT_BYTE), Path(tempfile.gettempdir())
    free = free_bytes(folder)
    if free < need:
        raise ConfigError(f"{folder} has {size(free)} free; the corpus's token store needs about {size(need)}: "
                          "set TMPDIR to a folder with more room")


def training_memory(config: TrainConfig, vocab_size: int, workers: int) -> int:
    """Bytes training will hold at its peak: the parameters, and per worker one chunk and one block's arrays.

    A block of T tokens and window W gathers (2W, T + 2W, d) neighbour rows, about three such arrays at once; the
    negatives' scores are (T, K'); the exact softmax holds (T, V) probabilities and a dense (V, d) gradient.
    """
    T, W, d, V = block_tokens(config), config.window, config.dim, vocab_size
    block = 3 * 2 * W * (T + 2 * W) * d * 4 + 3 * T * config.shared_negatives * 4 + 3 * T * d * 4
    if config.loss == "softmax":
        block += 3 * T * V * 4 + V * d * 4
    if config.loss == "hs":  # paths of at most L ≈ 40 nodes: (T, 2W, L) scores, (T, L, d) rows and gradients
        block += 3 * T * 2 * W * 40 * 4 + 3 * T * 40 * d * 4
    chunk = CHUNK_ITEMS * 8 * 4  # ids, labels, windows and draws of one chunk
    ngram_rows = config.buckets if config.subwords else 0
    if config.subwords:  # each token's rows gathered and their gradients: about max_n − min_n + 1 per character
        block += 3 * T * 8 * (config.max_n - config.min_n + 1) * d * 4
    return model_bytes(V, d, ngram_rows) + workers * (block + chunk)


def check_memory(config: TrainConfig, vocab_size: int, workers: int) -> None:
    need, available = training_memory(config, vocab_size, workers), available_memory()
    if available is not None and need > available:
        raise ConfigError(f"training would need about {size(need)} of memory (the parameters alone "
                          f"{size(model_bytes(vocab_size, config.dim, config.buckets if config.subwords else 0))}"
                          f") and {size(available)} is available: lower --dim, --window, --batch-size, "
                          f"--shared-negatives{', --buckets' if config.subwords else ''} or --workers")


def check_resumable(state: TrainState, config: TrainConfig, center_vectors, vocab_size: int, n_chunks: int,
                    source) -> None:
    """A checkpoint's position and parameters agree with its config and the corpus: ModelFileError if not."""
    problems = []
    if center_vectors.shape != (vocab_size, config.dim):
        problems.append(f"vectors {center_vectors.shape} do not match {vocab_size:,} words x dim {config.dim}")
    if state.epoch > config.epochs or (state.epoch < config.epochs and state.chunk >= max(n_chunks, 1)):
        problems.append(f"position epoch {state.epoch}, chunk {state.chunk} is outside {config.epochs} epochs "
                        f"of {n_chunks} chunks")
    if any(e >= config.epochs or c >= n_chunks for e, c, *_ in state.started):
        problems.append("a started chunk lies outside the run")
    if state.step > SCHEDULE.iterations:
        problems.append(f"step {state.step:,} is past the cs224n schedule's {SCHEDULE.iterations:,} steps")
    if problems:
        raise ModelFileError(f"corrupt checkpoint {source}: {problems[0]}")


def all_finite(params) -> bool:
    return all(bool(np.isfinite(matrix).all()) for matrix in params)
