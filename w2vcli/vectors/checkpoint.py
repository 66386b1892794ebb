"""The one model and checkpoint file format: a versioned .npz, written atomically, read without pickle.

Keys (every one required):
    format_version   () int64              FORMAT_VERSION; checked first
    center_vectors   (V, d) float32        v_w, the "input" vectors (the usual word vectors)
    outside_vectors  (V, d) float32        u_w, the "output" vectors
    words            (V,) unicode          vocabulary, most frequent first
    counts           (V,) int64            corpus counts of the words, descending
    config           () unicode            JSON: every training option (TrainConfig)
    state            () unicode            JSON: epoch, position in the corpus, learning rate, random state, ...
    loss_history     (n,) float64          smoothed training loss, one value per report
and, for a subword model (config subwords, min_n, max_n, buckets) only:
    ngram_vectors    (buckets, d) float32  the n-gram rows that follow center_vectors in fastText's input matrix
Not here: anything that needs pickle. Word2vec's text and binary formats live in w2vformat.py.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from ..files import atomic_write

FORMAT_VERSION = 1
KEYS = ("format_version", "center_vectors", "outside_vectors", "words", "counts", "config", "state", "loss_history")
OPTIONAL_KEYS = ("ngram_vectors",)


@dataclass
class ModelFile:
    center_vectors: np.ndarray  # (V, d) float32
    outside_vectors: np.ndarray  # (V, d) float32
    words: list[str]  # (V,) most frequent first
    counts: np.ndarray  # (V,) int64, descending
    config: dict = field(default_factory=dict)  # TrainConfig as JSON-able dict
    state: dict = field(default_factory=dict)  # TrainState as JSON-able dict
    loss_history: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n,) float64
    ngram_vectors: np.ndarray | None = None  # (buckets, d) float32 for a subword model, else None


def save_model(path, model: ModelFile) -> None:
    """Write model to path atomically (see atomic_write)."""
    arrays = {
        "format_version": np.int64(FORMAT_VERSION),
        "center_vectors": np.ascontiguousarray(model.center_vectors, dtype=np.float32),
        "outside_vectors": np.ascontiguousarray(model.outside_vectors, dtype=np.float32),
        "words": np.array(model.words, dtype=np.str_) if len(model.words) else np.zeros(0, dtype="<U1"),
        "counts": np.asarray(model.counts, dtype=np.int64),
        "config": np.str_(json.dumps(model.config, sort_keys=True)),
        "state": np.str_(json.dumps(model.state, sort_keys=True)),
        "loss_history": np.asarray(model.loss_history, dtype=np.float64),
    }
    if model.ngram_vectors is not None:
        arrays["ngram_vectors"] = np.ascontiguousarray(model.ngram_vectors, dtype=np.float32)
    atomic_write(Path(path), lambda file: np.savez(file, **arrays))


def load_model(path) -> ModelFile:
    """Read and validate a model file; any problem raises ModelFileError naming the file and what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    with open(path, "rb") as file:
        if file.read(4) != b"PK\x03\x04":  # every .npz is a zip archive
            raise ModelFileError(f"{path} is not a readable .npz file (not a zip archive)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [key for key in KEYS if key not in npz.files]
            if "format_version" in missing:
                raise ModelFileError(f"{path} is not a w2vcli model (no format_version key)")
            version = int(npz["format_version"])
            if version != FORMAT_VERSION:
                raise ModelFileError(f"{path} has format version {version}; this w2vcli reads {FORMAT_VERSION}")
            if missing:
                raise ModelFileError(f"{path} is not a complete w2vcli model: missing {', '.join(missing)}")
            arrays = {key: npz[key] for key in KEYS + OPTIONAL_KEYS if key in npz.files}
    except ModelFileError:
        raise
    except ValueError as error:
        if "pickle" in str(error):
            raise ModelFileError(f"{path} holds pickled objects; refusing to load it") from None
        raise ModelFileError(f"{path} is corrupt: {error}") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise ModelFileError(f"{path} is not a readable .npz file (truncated or corrupt: {error})") from None
    return _validated(path, arrays)


def _validated(path: Path, arrays: dict) -> ModelFile:
    center, outside = arrays["center_vectors"], arrays["outside_vectors"]
    words, counts = arrays["words"], arrays["counts"]
    if center.ndim != 2 or outside.shape != center.shape:
        raise ModelFileError(f"{path}: center_vectors {center.shape} and outside_vectors {outside.shape} "
                             "must be the same (V, d) shape")
    if not (np.issubdtype(center.dtype, np.floating) and np.issubdtype(outside.dtype, np.floating)):
        raise ModelFileError(f"{path}: vectors must be floating point, not {center.dtype}")
    if words.ndim != 1 or words.dtype.kind != "U" or len(words) != len(center):
        raise ModelFileError(f"{path}: words must be {len(center)} strings to match the vectors")
    if counts.shape != words.shape or not np.issubdtype(counts.dtype, np.integer):
        raise ModelFileError(f"{path}: counts must be {len(words)} integers")
    try:
        config = json.loads(str(arrays["config"]))
        state = json.loads(str(arrays["state"]))
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: config or state is not valid JSON ({error})") from None
    if not (isinstance(config, dict) and isinstance(state, dict)):
        raise ModelFileError(f"{path}: config and state must be JSON objects")
    return ModelFile(center.astype(np.float32, copy=False), outside.astype(np.float32, copy=False),
                     words.tolist(), counts.astype(np.int64, copy=False), config, state,
                     np.asarray(arrays["loss_history"], dtype=np.float64).ravel(),
                     _ngram_vectors(path, arrays.get("ngram_vectors"), config, center.shape[1]))


def load_metadata(path) -> tuple[dict, dict]:
    """The config and state of a model file without reading its arrays (for a warning or a summary)."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            config, state = json.loads(str(npz["config"])), json.loads(str(npz["state"]))
    except (ValueError, KeyError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{path}: cannot read its config and state ({error})") from None
    if not (isinstance(config, dict) and isinstance(state, dict)):
        raise ModelFileError(f"{path}: config and state must be JSON objects")
    return config, state


def _ngram_vectors(path: Path, ngrams, config: dict, dim: int):
    """The n-gram rows of a subword model, checked against its config; None for a word-level model."""
    if not config.get("subwords"):
        if ngrams is not None:
            raise ModelFileError(f"{path}: ngram_vectors in a model whose config has no subwords")
        return None
    buckets, min_n, max_n = (config.get(key) for key in ("buckets", "min_n", "max_n"))
    if not all(type(n) is int for n in (buckets, min_n, max_n)) or not 1 <= min_n <= max_n or buckets < 1:
        raise ModelFileError(f"{path}: a subword model needs integers 1 <= min_n <= max_n and buckets >= 1 in its "
                             f"config (found {min_n!r}, {max_n!r}, {buckets!r})")
    if ngrams is None or ngrams.shape != (buckets, dim) or not np.issubdtype(ngrams.dtype, np.floating):
        found = "none" if ngrams is None else f"{ngrams.shape} {ngrams.dtype}"
        raise ModelFileError(f"{path}: a subword model needs ngram_vectors ({buckets} buckets x {dim}); found {found}")
    return ngrams.astype(np.float32, copy=False)
