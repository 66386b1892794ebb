"""Text in: a corpus file, folder or stream, read as sentences of tokens, and stored once as compact word ids.

Reads plain text (one sentence per line, tokens separated by whitespace) and the Stanford Sentiment Treebank's
datasetSentences.txt (recognised by its header); gzip, bzip2 and xz are recognised by their content; a folder
is read file by file in sorted order, skipping hidden files and folders and .npz archives (models, checkpoints);
'-' reads standard input and a FIFO is read as a stream (the corpus is read once). Lowercases by default, cuts
lines longer than MAX_SENTENCE tokens into pieces, truncates words longer than MAX_WORD_CHARS, replaces and
counts invalid UTF-8, refuses binary input; reading is bounded however long a line is (reading.py). The one
pass over the text writes every token's id to an unlinked temporary file (TokenStore), so training epochs read
compact int32 chunks instead of text, and memory holds only the words.
Not here: which words are kept (vocab.py); the bytes themselves (reading.py).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from ..errors import CorpusError
from ..math.subwords import EOS
from .reading import MAX_WORD_CHARS, read_blocks

MAX_SENTENCE = 10_000  # tokens; longer lines are cut into pieces of at most this many
SST_HEADER = b"sentence_index\tsentence"
END_OF_SENTENCE = -1  # marker between sentences in a TokenStore
SENTENCE_END = EOS  # "</s>", the token --sentence-ends adds to every sentence (fastText's; a word with no n-grams)
STDIN = "-"
SKIPPED_IN_FOLDERS = (".npz",)  # model files and checkpoints (a corpus folder may hold the --out file)


@dataclass
class CorpusStats:
    files: int = 0
    lines: int = 0
    sentences: int = 0  # after cutting long lines
    tokens: int = 0
    lines_cut: int = 0  # lines longer than MAX_SENTENCE tokens
    bad_utf8_lines: int = 0  # lines with invalid UTF-8, replaced by U+FFFD
    words_truncated: int = 0  # words longer than MAX_WORD_CHARS, cut to that length


def _kind(mode: int) -> str | None:
    """What a file of this mode is, when it is not something w2v reads as a corpus (None when it is)."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISFIFO(mode):
        return None
    return {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
            stat.S_IFSOCK: "a socket"}.get(stat.S_IFMT(mode), "a special file")


def check_corpus_path(path) -> None:
    """Raise CorpusError unless path can be read as a corpus: a regular file, a folder with at least one corpus
    file, a FIFO, or '-' with standard input not a terminal. Reads nothing (a stream is left unconsumed)."""
    corpus_files(path)


def corpus_files(path) -> list[Path]:
    """The sources of a corpus: the file or FIFO itself, /dev/stdin for '-', or the regular files of a folder
    (sorted; hidden files and folders and .npz archives skipped)."""
    name = str(path)
    if name == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise CorpusError("corpus '-' reads standard input, which is a terminal; pipe the corpus in "
                              "(zcat corpus.gz | w2v train -) or name the file")
        return [Path("/dev/stdin")]
    try:
        mode = os.stat(name).st_mode
    except FileNotFoundError:
        raise CorpusError(f"corpus not found: {name}") from None
    except OSError as error:
        raise CorpusError(f"cannot read corpus {name}: {error.strerror}") from None
    if (kind := _kind(mode)) is not None:
        raise CorpusError(f"corpus {name} is not a regular file ({kind}); give a text file, a folder, "
                          "a FIFO or '-' for standard input")
    if not stat.S_ISDIR(mode):
        if not os.access(name, os.R_OK):
            raise CorpusError(f"cannot read corpus {name}: permission denied")
        return [Path(name)]
    return _folder_files(Path(name))


def _folder_files(folder: Path) -> list[Path]:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and _is_corpus_file(p.relative_to(folder)))
    if not files:
        raise CorpusError(f"corpus folder {folder} holds no corpus files (hidden files and .npz models are "
                          "skipped)")
    return files


def _is_corpus_file(relative: Path) -> bool:
    hidden = any(part.startswith(".") for part in relative.parts)
    return not hidden and not relative.name.lower().endswith(SKIPPED_IN_FOLDERS)


def iter_sentences(path, *, lowercase: bool = True, stats: CorpusStats | None = None) -> Iterator[list[str]]:
    """Every sentence of the corpus as a list of tokens (lines of more than MAX_SENTENCE tokens are cut)."""
    stats = stats if stats is not None else CorpusStats()
    for file in corpus_files(path):
        stats.files += 1
        yield from _FileSentences(stats, lowercase).read(str(file))


class _FileSentences:
    """The sentences of one source, from its blocks: a line's tokens are gathered across the blocks of a long
    line and handed on in pieces of at most MAX_SENTENCE."""

    def __init__(self, stats: CorpusStats, lowercase: bool):
        self.stats, self.lowercase = stats, lowercase
        self.pending: list[str] = []  # tokens of the current line not yet handed on
        self.line_cut = self.line_bad = False
        self.sst: bool | None = None  # None until the first line is seen
        self.in_line = False  # the previous block ended inside a line

    def read(self, name: str) -> Iterator[list[str]]:
        ends_with_newline = True
        for block, complete in read_blocks(name):
            ends_with_newline = block.endswith(b"\n")
            if self.sst is None:
                block = self._header(block)
            yield from self._block(block, complete)
        if not ends_with_newline:
            self.stats.lines += 1
        if sentence := self._end_line():
            yield sentence

    def _header(self, block: bytes) -> bytes:
        first, newline, rest = block.partition(b"\n")
        self.sst = first.rstrip(b"\r") == SST_HEADER
        return rest if self.sst else block

    def _block(self, block: bytes, complete: bool) -> Iterator[list[str]]:
        if not block.split():  # whitespace only (blank lines, or a long run of spaces): nothing but line ends
            self.stats.lines += block.count(b"\n") if b"\n" in block else 0
            if complete and (sentence := self._end_line()):
                yield sentence
            return
        lines = block.split(b"\n")
        self.stats.lines += len(lines) - 1
        if complete and lines[-1] == b"":
            lines.pop()  # the block ended with a newline
        for i, raw in enumerate(lines):
            if i and self.in_line and (sentence := self._end_line()):
                yield sentence
            if pieces := self._add(raw, continues=self.in_line):
                yield from pieces
            self.in_line = True
        if complete and (sentence := self._end_line()):
            yield sentence

    def _add(self, raw: bytes, continues: bool) -> list[list[str]]:
        """Adds a line's (or a piece of a line's) tokens; returns the sentences of MAX_SENTENCE tokens it filled."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            self.line_bad = True
        if self.sst and not continues:
            text = text.partition("\t")[2]
        tokens = (text.lower() if self.lowercase else text).split()
        if len(text) > MAX_WORD_CHARS and max(map(len, tokens), default=0) > MAX_WORD_CHARS:
            self.stats.words_truncated += sum(len(token) > MAX_WORD_CHARS for token in tokens)
            tokens = [token[:MAX_WORD_CHARS] for token in tokens]
        if not self.pending and len(tokens) <= MAX_SENTENCE:
            self.pending = tokens
            return []
        self.pending.extend(tokens)
        full = []
        while len(self.pending) > MAX_SENTENCE:
            self.line_cut = True
            full.append(self._sentence(self.pending[:MAX_SENTENCE]))
            self.pending = self.pending[MAX_SENTENCE:]
        return full

    def _end_line(self) -> list[str] | None:
        """Ends the current line; returns its last sentence, if it has tokens left."""
        sentence = self._sentence(self.pending) if self.pending else None
        self.stats.lines_cut += self.line_cut
        self.stats.bad_utf8_lines += self.line_bad
        self.pending, self.line_cut, self.line_bad, self.in_line = [], False, False, False
        return sentence

    def _sentence(self, tokens: list[str]) -> list[str]:
        self.stats.sentences += 1
        self.stats.tokens += len(tokens)
        return tokens


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


def scan_corpus(path, *, lowercase: bool = True, flush_every: int = 1 << 20,
                rewrite: Callable[[Iterator[list[str]]], Iterable[list[str]]] | None = None) -> TokenStore:
    """One streaming pass: count every word and store every token's id. Raises CorpusError for an empty corpus.
    rewrite, if given, maps the stream of sentences first (w2v train --phrases: data/phrases.py)."""
    stats = CorpusStats()
    index: dict[str, int] = {}
    counts = np.zeros(0, dtype=np.int64)
    fd, name = tempfile.mkstemp(prefix="w2v-tokens-", suffix=".i32")
    os.unlink(name)
    file = os.fdopen(fd, "w+b")
    buffer: list[int] = []
    n_items = 0
    try:
        sentences = iter_sentences(path, lowercase=lowercase, stats=stats)
        for sentence in (rewrite(sentences) if rewrite is not None else sentences):
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


def with_sentence_ends(sentences: Iterable[list[str]]) -> Iterator[list[str]]:
    """Each sentence with SENTENCE_END as its last token: fastText's reading of a line (its Dictionary::getLine),
    where "</s>" is a word of the vocabulary like any other and a context of the sentence's last words."""
    for sentence in sentences:
        yield sentence + [SENTENCE_END]


def _flush(buffer: list[int], file, counts: np.ndarray, n_words: int) -> np.ndarray:
    ids = np.array(buffer, dtype=np.int32)
    ids.tofile(file)
    counts = np.concatenate([counts, np.zeros(n_words - len(counts), dtype=np.int64)])
    counts += np.bincount(ids[ids >= 0], minlength=n_words)
    return counts
