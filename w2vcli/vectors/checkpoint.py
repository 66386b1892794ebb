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
and, optional (files written before it existed lack it; wordindex.py checks it before believing it):
    word_order       (V,) int32            the rows in the words' sorted order, for a query's binary search
Reading is bounded (npzfile.py checks every member's header against its size before reading it), and a query
reads only the members it needs (read_model). Not here: anything that needs pickle; word2vec's text and binary
formats (formats.py, word2vec_reader.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from ..files import atomic_write
from .npzfile import NpzArchive
from .wordindex import sorted_order

FORMAT_VERSION = 1
GENSIM_SUFFIXES = (".model", ".kv")  # gensim's pickled models and KeyedVectors
KEYS = ("format_version", "center_vectors", "outside_vectors", "words", "counts", "config", "state", "loss_history")
OPTIONAL_KEYS = ("ngram_vectors", "word_order")


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
    words = np.array(model.words, dtype=np.str_) if len(model.words) else np.zeros(0, dtype="<U1")  # (V,)
    arrays = {
        "format_version": np.int64(FORMAT_VERSION),
        "center_vectors": np.ascontiguousarray(model.center_vectors, dtype=np.float32),
        "outside_vectors": np.ascontiguousarray(model.outside_vectors, dtype=np.float32),
        "words": words,
        "word_order": sorted_order(words),
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
    arrays = read_model(path, (*KEYS, "ngram_vectors"))
    ngrams = _ngram_vectors(path, arrays.get("ngram_vectors"), arrays["config"], arrays["center_vectors"].shape[1])
    return ModelFile(arrays["center_vectors"], arrays["outside_vectors"], arrays["words"], arrays["counts"],
                     arrays["config"], arrays["state"], arrays["loss_history"], ngrams)


def load_metadata(path) -> tuple[dict, dict]:
    """The config and state of a model file without reading its arrays (for a warning or a summary)."""
    arrays = read_model(path, ("config", "state"))
    return arrays["config"], arrays["state"]


def read_model(path, keys=KEYS, *, mapped=(), word_array: bool = False) -> dict:
    """The members keys of a model file (an optional one only when present), after every member's header is
    checked against the others (shapes, dtypes, sizes) and before any other member is read: a query reads one
    matrix of the two.

    Arrays come back as ModelFile holds them: vectors float32, words a list (word_array: the (V,) unicode array
    as stored, no str made), counts int64, config and state dicts, word_order as stored (wordindex.py checks it).
    The members named in mapped are mapped read-only from the file when stored uncompressed (npzfile.py).
    """
    path = Path(path)
    _check_file(path)
    try:
        with NpzArchive(path) as archive:
            _check_version(path, archive)
            members = _members(path, archive)
            arrays = {key: archive.read(key, members[key], mapped=key in mapped) for key in keys if key in members}
    except OSError as error:
        raise ModelFileError(f"{path} cannot be read ({error.strerror or error})") from None
    return _converted(path, arrays, word_array)


def _check_file(path: Path) -> None:
    """Refuse early, with the fix: a missing file, a folder or device, a gensim pickle, anything not a zip."""
    if not path.exists():
        raise ModelFileError(f"model file not found: {path} (train one with: w2v train CORPUS)")
    if not path.is_file():
        raise ModelFileError(f"{path} is not a regular file")
    with open(path, "rb") as file:
        start = file.read(4)
    if start[:1] == b"\x80" or path.suffix.lower() in GENSIM_SUFFIXES:
        raise ModelFileError(f"{path} looks like a gensim model (a Python pickle, never loaded here); export it "
                             f"with gensim: KeyedVectors.load('{path.name}').save_word2vec_format('vectors.bin', "
                             "binary=True), or model.wv.save_word2vec_format(...) for a Word2Vec model")
    if start != b"PK\x03\x04":  # every .npz is a zip archive
        raise ModelFileError(f"{path} is not a readable .npz file (not a zip archive)")


def _check_version(path: Path, archive: NpzArchive) -> None:
    if "format_version" not in archive:
        raise ModelFileError(f"{path} is not a w2vcli model (no format_version key)")
    version = archive.read("format_version")
    if version.size != 1 or version.dtype.kind not in "iu" or int(version.ravel()[0]) != FORMAT_VERSION:
        shown = int(version.ravel()[0]) if version.size == 1 and version.dtype.kind in "iu" else "unknown"
        raise ModelFileError(f"{path} has format version {shown}; this w2vcli reads {FORMAT_VERSION}")


def _members(path: Path, archive: NpzArchive) -> dict:
    """Every member's header, checked for presence, dtype and shape against the vectors' (V, d)."""
    missing = [key for key in KEYS if key not in archive]
    if missing:
        raise ModelFileError(f"{path} is not a complete w2vcli model: missing {', '.join(missing)}")
    members = {key: archive.member(key) for key in KEYS + OPTIONAL_KEYS if key in archive}
    center, outside = members["center_vectors"], members["outside_vectors"]
    if len(center.shape) != 2 or outside.shape != center.shape:
        raise ModelFileError(f"{path}: center_vectors {center.shape} and outside_vectors {outside.shape} "
                             "must be the same (V, d) shape")
    if center.dtype.kind != "f" or outside.dtype.kind != "f":
        raise ModelFileError(f"{path}: vectors must be floating point, not {center.dtype}")
    count = center.shape[0]
    if members["words"].shape != (count,) or members["words"].dtype.kind != "U":
        raise ModelFileError(f"{path}: words must be {count} strings to match the vectors")
    if members["counts"].shape != (count,) or members["counts"].dtype.kind not in "iu":
        raise ModelFileError(f"{path}: counts must be {count} integers")
    for key in ("config", "state"):
        if members[key].shape != () or members[key].dtype.kind != "U":
            raise ModelFileError(f"{path}: {key} must be one JSON string")
    if len(members["loss_history"].shape) != 1 or members["loss_history"].dtype.kind not in "iuf":
        raise ModelFileError(f"{path}: loss_history must be a list of numbers")
    order = members.get("word_order")
    if order is not None and (order.shape != (count,) or order.dtype.kind not in "iu"):
        raise ModelFileError(f"{path}: word_order must be {count} integers to match the words")
    ngrams = members.get("ngram_vectors")
    if ngrams is not None and (len(ngrams.shape) != 2 or ngrams.shape[1] != center.shape[1]
                               or ngrams.dtype.kind != "f"):
        raise ModelFileError(f"{path}: ngram_vectors {ngrams.shape} {ngrams.dtype} must be float rows of "
                             f"dimension {center.shape[1]}")
    return members


def _converted(path: Path, arrays: dict, word_array: bool = False) -> dict:
    """Arrays as ModelFile holds them; config and state parsed (JSON objects, or ModelFileError)."""
    converted = {}
    for key, array in arrays.items():
        if key in ("center_vectors", "outside_vectors", "ngram_vectors"):
            converted[key] = array.astype(np.float32, copy=False)
        elif key == "words":
            converted[key] = array if word_array else array.tolist()
        elif key == "counts":
            converted[key] = array.astype(np.int64, copy=False)
        elif key == "loss_history":
            converted[key] = array.astype(np.float64, copy=False).ravel()
        elif key in ("config", "state"):
            try:
                converted[key] = json.loads(str(array))
            except json.JSONDecodeError as error:
                raise ModelFileError(f"{path}: {key} is not valid JSON ({error})") from None
            if not isinstance(converted[key], dict):
                raise ModelFileError(f"{path}: config and state must be JSON objects")
        else:
            converted[key] = array
    return converted


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
