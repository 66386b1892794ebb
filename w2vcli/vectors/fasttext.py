"""fastText's own .bin models (fasttext's save_model, the published cc.*.bin files): read, bounded first.

Layout, little-endian, as fastText 0.9 writes it (version 12; 11 is read too):
    magic int32 = 793712314, version int32
    args: dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate (12 × int32), t (float64)
    dictionary: size int32, nwords int32, nlabels int32, ntokens int64, pruneidx_size int64,
                size × (word bytes, NUL, count int64, type int8), pruneidx_size × (int32, int32)
    quant_input (1 byte), input matrix: m int64, n int64, m × n float32        m = nwords + bucket
    qout (1 byte), output matrix: m int64, n int64, m × n float32
Every count and size is checked against the bytes left in the file before anything is allocated; the input
matrix is memory-mapped, never read whole. A word's vector is fastText's get_word_vector: the mean of its own
row (when in the dictionary) and its n-gram rows (math/subwords.py), zero when it has neither.
Not here: quantized models (.ftz), supervised labels, writing .bin files.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ModelFileError
from ..math import subwords

if TYPE_CHECKING:
    from .subword_vectors import SubwordVectors

MAGIC, VERSIONS = 793712314, (11, 12)
ARGS = struct.Struct("<12id")
ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model", "bucket", "minn", "maxn",
             "lr_update_rate", "t")
DICT_HEADER = struct.Struct("<3i2q")
ENTRY_TAIL = struct.Struct("<qb")  # count, type (0 word, 1 label)
MATRIX_HEADER = struct.Struct("<2q")
MAX_DIM = 1 << 16  # far above any published model; a larger dim is a corrupt header


@dataclass
class FastTextModel:
    words: list[str]  # (V,) dictionary order (most frequent first)
    counts: np.ndarray  # (V,) int64
    input_matrix: np.ndarray  # (V + bucket, d) float32, memory-mapped
    args: dict  # the args block: dim, ws, epoch, minn, maxn, bucket, ...

    @property
    def min_n(self) -> int:
        return self.args["minn"]

    @property
    def max_n(self) -> int:
        return self.args["maxn"]

    @property
    def buckets(self) -> int:
        return self.args["bucket"]

    def word_rows(self, word: str, row: int | None) -> np.ndarray:
        """S(word): its own row (when it has one) then its n-gram rows, as fastText's getSubwords."""
        grams = subwords.ngram_rows(word, self.min_n, self.max_n, self.buckets, len(self.words))
        return grams if row is None else np.r_[np.int64(row), grams]

    def word_vector(self, word: str, row: int | None = None) -> np.ndarray:
        """fastText's get_word_vector: the mean of S(word)'s rows, or zeros when S(word) is empty. (d,)"""
        rows = self.word_rows(word, row)
        if len(rows) == 0:
            return np.zeros(self.input_matrix.shape[1], dtype=np.float32)
        return subwords.compose(self.input_matrix, rows).astype(np.float32)

    def subword_table(self) -> subwords.SubwordTable:
        return subwords.subword_table(self.words, self.min_n, self.max_n, self.buckets)


def is_fasttext_bin(path) -> bool:
    """Whether path starts with fastText's magic number (a word2vec .bin starts with a text header)."""
    try:
        with open(path, "rb") as file:
            head = file.read(4)
    except OSError:
        return False
    return len(head) == 4 and struct.unpack("<i", head)[0] == MAGIC


class _Reader:
    """Reads fields from a memory-mapped file, refusing any read past its end."""

    def __init__(self, path: Path, data: mmap.mmap):
        self.path, self.data, self.pos = path, data, 0

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > len(self.data):
            raise ModelFileError(f"{self.path} is truncated or corrupt: {what} needs {n:,} bytes at offset "
                                 f"{self.pos:,}, the file has {len(self.data):,}")

    def unpack(self, layout: struct.Struct, what: str) -> tuple:
        self.need(layout.size, what)
        values = layout.unpack_from(self.data, self.pos)
        self.pos += layout.size
        return values

    def word(self) -> bytes:
        end = self.data.find(b"\0", self.pos)
        if end < 0:
            raise ModelFileError(f"{self.path} is truncated: a dictionary word has no end")
        word = self.data[self.pos:end]
        self.pos = end + 1
        return word


def read_fasttext_bin(path) -> FastTextModel:
    """A fastText .bin model, validated; ModelFileError naming the file and the flaw for anything else."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file not found: {path}")
    if path.stat().st_size == 0:
        raise ModelFileError(f"{path} is empty, not a fastText model")
    with open(path, "rb") as file:
        data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    reader = _Reader(path, data)
    magic, version = reader.unpack(struct.Struct("<2i"), "the header")
    if magic != MAGIC:
        raise ModelFileError(f"{path} is not a fastText model (magic number {magic}, expected {MAGIC})")
    if version not in VERSIONS:
        raise ModelFileError(f"{path} is fastText format version {version}; w2vcli reads versions 11 and 12")
    args = dict(zip(ARG_NAMES, reader.unpack(ARGS, "the args block")))
    if not (0 < args["dim"] <= MAX_DIM and args["bucket"] >= 0 and 0 <= args["minn"] and args["maxn"] >= 0):
        raise ModelFileError(f"{path}: impossible model sizes (dim {args['dim']}, bucket {args['bucket']}, "
                             f"minn {args['minn']}, maxn {args['maxn']})")
    words, counts = _dictionary(reader, args)
    return FastTextModel(words, counts, _input_matrix(reader, args, len(words)), args)


def _dictionary(reader: _Reader, args: dict) -> tuple[list[str], np.ndarray]:
    """The dictionary's words (labels refused) and counts, each entry bounded by the bytes left."""
    size, nwords, nlabels, _, pruneidx_size = reader.unpack(DICT_HEADER, "the dictionary header")
    if not (0 <= nwords and 0 <= nlabels and size == nwords + nlabels):
        raise ModelFileError(f"{reader.path}: corrupt dictionary header ({size} entries, {nwords} words, "
                             f"{nlabels} labels)")
    if nlabels:
        raise ModelFileError(f"{reader.path} is a supervised (classifier) model; w2vcli reads word vector models")
    if pruneidx_size > 0:
        raise ModelFileError(f"{reader.path} is a pruned (quantized) model; use an unquantized .bin")
    reader.need(size * (1 + ENTRY_TAIL.size), f"a dictionary of {size:,} entries")
    words, counts = [], np.zeros(size, dtype=np.int64)
    for i in range(size):
        word = reader.word()
        counts[i], kind = reader.unpack(ENTRY_TAIL, "a dictionary entry")
        if kind != 0:
            raise ModelFileError(f"{reader.path}: dictionary entry {i} is a label, not a word")
        words.append(word.decode("utf-8", errors="replace"))
    return words, counts


def _input_matrix(reader: _Reader, args: dict, n_words: int) -> np.ndarray:
    """The (nwords + bucket, dim) input matrix as a read-only memory map, its shape checked first."""
    (quantized,) = reader.unpack(struct.Struct("<?"), "the quantization flag")
    if quantized:
        raise ModelFileError(f"{reader.path} is quantized (.ftz); w2vcli reads unquantized fastText .bin models")
    rows, dim = reader.unpack(MATRIX_HEADER, "the input matrix header")
    if dim != args["dim"] or rows != n_words + args["bucket"]:
        raise ModelFileError(f"{reader.path}: input matrix is {rows} × {dim}; the header says "
                             f"{n_words} words + {args['bucket']} buckets × {args['dim']}")
    reader.need(rows * dim * 4, f"the {rows:,} × {dim} input matrix")
    matrix = np.frombuffer(reader.data, dtype="<f4", count=rows * dim, offset=reader.pos).reshape(rows, dim)
    reader.pos += rows * dim * 4
    reader.unpack(struct.Struct("<?"), "the output quantization flag")
    out_rows, out_dim = reader.unpack(MATRIX_HEADER, "the output matrix header")
    if out_dim != dim or out_rows < 0:
        raise ModelFileError(f"{reader.path}: output matrix is {out_rows} × {out_dim}, expected {dim} columns")
    reader.need(out_rows * out_dim * 4, f"the {out_rows:,} × {out_dim} output matrix")
    return matrix


def fasttext_vectors(path) -> SubwordVectors:
    """A fastText .bin as SubwordVectors: every dictionary word's vector as get_word_vector, any other word's
    from its n-grams. fastText keeps case, so lookups do too."""
    from .subword_vectors import SubwordVectors

    model = read_fasttext_bin(path)
    return SubwordVectors(model.words, model.input_matrix, min_n=model.min_n, max_n=model.max_n,
                          buckets=model.buckets, counts=model.counts)
