"""Text in: a corpus file or folder, streamed as sentences of tokens, and stored once as compact word ids.

Reads plain text (one sentence per line, tokens separated by whitespace) and the Stanford Sentiment Treebank's
datasetSentences.txt (recognised by its header), .gz/.bz2/.xz transparently, and folders (their files in sorted
order). Lowercases by default, cuts lines longer than MAX_SENTENCE tokens into pieces, replaces and counts invalid
UTF-8, refuses binary files. The one pass over the text writes every token's id to an unlinked temporary file
(TokenStore), so training epochs read compact int32 chunks instead of text, and memory holds only the words.
Not here: which words are kept (vocab.py).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..errors import CorpusError

MAX_SENTENCE = 10_000  # tokens; longer lines are cut into pieces of at most this many
SST_HEADER = b"sentence_index\tsentence"
END_OF_SENTENCE = -1  # marker between sentences in a TokenStore
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


@dataclass
class CorpusStats:
    files: int = 0
    lines: int = 0
    sentences: int = 0  # after cutting long lines
    tokens: int = 0
    lines_cut: int = 0  # lines longer than MAX_SENTENCE tokens
    bad_utf8_lines: int = 0  # lines with invalid UTF-8, replaced by U+FFFD


def corpus_files(path) -> list[Path]:
    """The files of a corpus: the file itself, or every regular non-hidden file of a folder, sorted."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise CorpusError(f"corpus folder {path} holds no files")
        return files
    if not path.is_file():
        raise CorpusError(f"corpus not found: {path}")
    return [path]


def _lines(path: Path) -> Iterator[bytes]:
    opener = _OPENERS.get(path.suffix.lower(), open)
    try:
        with opener(path, "rb") as file:
            yield from file
    except (OSError, EOFError, lzma.LZMAError) as error:
        raise CorpusError(f"cannot read {path}: {error}") from None


def iter_sentences(path, *, lowercase: bool = True, stats: CorpusStats | None = None) -> Iterator[list[str]]:
    """Every sentence of the corpus as a list of tokens (lines of more than MAX_SENTENCE tokens are cut)."""
    stats = stats if stats is not None else CorpusStats()
    for file in corpus_files(path):
        stats.files += 1
        sst = None
        for number, raw in enumerate(_lines(file), start=1):
            if sst is None:
                sst = raw.rstrip(b"\r\n") == SST_HEADER
                if sst:
                    continue
            if b"\0" in raw:
                raise CorpusError(f"{file} looks like a binary file (NUL byte on line {number}); "
                                  "w2v reads plain text")
            stats.lines += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", errors="replace")
                stats.bad_utf8_lines += 1
            if sst:
                text = text.partition("\t")[2]
            tokens = (text.lower() if lowercase else text).split()
            if len(tokens) > MAX_SENTENCE:
                stats.lines_cut += 1
            for start in range(0, len(tokens), MAX_SENTENCE):
                piece = tokens[start:start + MAX_SENTENCE]
                stats.sentences += 1
                stats.tokens += len(piece)
                yield piece


class TokenStore:
    """The corpus as int32 ids in first-seen word order, END_OF_SENTENCE after each sentence, in a temporary file.

    The file is unlinked as soon as it is created, so it disappears with the process however that ends.
    Chunks are read with positional reads (not mmap), so resident memory does not grow with the corpus.
    """

    def __init__(self, words: list[str], counts: np.ndarray, file, n_items: int, stats: CorpusStats):
        self.words = words  # (W,) distinct words in order of first appearance
        self.counts = counts  # (W,) int64
        self.n_items = n_items  # tokens + sentence markers
        self.stats = stats
        self._file = file

    @property
    def n_tokens(self) -> int:
        return int(self.counts.sum())

    def read(self, start: int, stop: int) -> np.ndarray:
        """Items [start, stop) of the store: (stop − start,) int32. Safe to call from several threads at once
        (a positional read: no shared file offset)."""
        data = os.pread(self._file.fileno(), (stop - start) * 4, start * 4)
        return np.frombuffer(data, dtype=np.int32).copy()

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def scan_corpus(path, *, lowercase: bool = True, flush_every: int = 1 << 20) -> TokenStore:
    """One streaming pass: count every word and store every token's id. Raises CorpusError for an empty corpus."""
    stats = CorpusStats()
    index: dict[str, int] = {}
    counts = np.zeros(0, dtype=np.int64)
    fd, name = tempfile.mkstemp(prefix="w2v-tokens-", suffix=".i32")
    os.unlink(name)
    file = os.fdopen(fd, "w+b")
    buffer: list[int] = []
    n_items = 0
    try:
        for sentence in iter_sentences(path, lowercase=lowercase, stats=stats):
            buffer.extend([index.setdefault(token, len(index)) for token in sentence])
            buffer.append(END_OF_SENTENCE)
            if len(buffer) >= flush_every:
                counts = _flush(buffer, file, counts, len(index))
                n_items += len(buffer)
                buffer = []
        counts = _flush(buffer, file, counts, len(index))
        n_items += len(buffer)
    except BaseException:
        file.close()
        raise
    if stats.tokens == 0:
        file.close()
        raise CorpusError(f"corpus {path} is empty: no tokens in {stats.files} file(s)")
    file.flush()
    return TokenStore(list(index), counts, file, n_items, stats)


def _flush(buffer: list[int], file, counts: np.ndarray, n_words: int) -> np.ndarray:
    ids = np.array(buffer, dtype=np.int32)
    ids.tofile(file)
    counts = np.concatenate([counts, np.zeros(n_words - len(counts), dtype=np.int64)])
    counts += np.bincount(ids[ids >= 0], minlength=n_words)
    return counts
