"""Corpus reading: formats, folders, streams, and bounded reads of hostile input (memory and time measured)."""

import bz2
import gzip
import lzma
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.data import corpus as corpus_module
from w2vcli.data import reading
from w2vcli.data.corpus import (CorpusStats, check_corpus_path, iter_sentences, scan_corpus,
                                with_sentence_ends)
from w2vcli.errors import CorpusError
from conftest import shared_file

TEXT = "The cat sat\n\nthe DOG ran  far\n"


@pytest.mark.parametrize("suffix, opener", [(".txt", open), (".gz", gzip.open), (".bz2", bz2.open),
                                            (".xz", lzma.open)])
def test_plain_and_compressed_files_read_the_same(tmp_path, suffix, opener):
    path = tmp_path / f"c{suffix}"
    with opener(path, "wt", encoding="utf-8") as file:
        file.write(TEXT)
    assert list(iter_sentences(path)) == [["the", "cat", "sat"], ["the", "dog", "ran", "far"]]
    assert list(iter_sentences(path, lowercase=False))[1] == ["the", "DOG", "ran", "far"]


def test_sst_format_is_recognised(tmp_path):
    path = tmp_path / "datasetSentences.txt"
    path.write_text("sentence_index\tsentence\n1\tThe Rock is -LRB- great -RRB- .\n2\tA b\n")
    assert list(iter_sentences(path)) == [["the", "rock", "is", "-lrb-", "great", "-rrb-", "."], ["a", "b"]]


def test_folder_reads_its_files_in_sorted_order(tmp_path):
    (tmp_path / "b.txt").write_text("two\n")
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / ".hidden").write_text("never\n")
    assert list(iter_sentences(tmp_path)) == [["one"], ["two"]]


def test_long_lines_are_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "MAX_SENTENCE", 4)
    path = tmp_path / "c.txt"
    path.write_text("a b c d e f g h i j\nx y\n")
    stats = CorpusStats()
    sentences = list(iter_sentences(path, stats=stats))
    assert [len(s) for s in sentences] == [4, 4, 2, 2]
    assert stats.lines_cut == 1 and stats.sentences == 4 and stats.tokens == 12


def test_invalid_utf8_is_replaced_and_counted(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"caf\xe9 ok\nfine\n")
    stats = CorpusStats()
    assert list(iter_sentences(path, stats=stats)) == [["caf\ufffd", "ok"], ["fine"]]
    assert stats.bad_utf8_lines == 1


@pytest.mark.parametrize("content, message", [(b"abc\x00def\n", "binary"), (b"", "empty"), (b"\n  \n", "empty")])
def test_bad_corpora_are_refused(tmp_path, content, message):
    path = tmp_path / "c.bin"
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message):
        scan_corpus(path)


def test_missing_corpus(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        scan_corpus(tmp_path / "nope.txt")


def test_store_holds_every_token_and_counts(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text(TEXT)
    with scan_corpus(path, flush_every=2) as store:  # several flushes
        assert store.words == ["the", "cat", "sat", "dog", "ran", "far"]
        np.testing.assert_array_equal(store.counts, [2, 1, 1, 1, 1, 1])
        np.testing.assert_array_equal(store.read(0, store.n_items), [0, 1, 2, -1, 0, 3, 4, 5, -1])
        np.testing.assert_array_equal(store.read(4, 6), [0, 3])
        assert store.n_tokens == 7


def test_sst_corpus_counts():
    with scan_corpus(shared_file("sst/datasetSentences.txt")) as store:
        assert store.stats.sentences == 11855 and store.n_tokens == 227245


# --- Reading is bounded: lines cut while read, binary and bombs refused early, special files named -------------

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "corpus.txt"
SCAN = ("import sys\nfrom w2vcli.data.corpus import scan_corpus\nfrom w2vcli.errors import CorpusError\n"
        "try:\n    store = scan_corpus(sys.argv[1])\n    print('tokens', store.n_tokens, 'words', len(store.words))\n"
        "except CorpusError as error:\n    print(error)\n"
        "print([line for line in open('/proc/self/status') if line.startswith('VmHWM:')][0].split()[1])\n")


def scan_in_subprocess(corpus, stdin=subprocess.DEVNULL):
    """(stdout line, wall seconds, peak resident MiB) of scan_corpus(corpus) in a fresh process.

    subtle: the peak is the child's own VmHWM; ru_maxrss from wait4 would include the parent's resident size
    at exec (a large pytest process), which is not the child's doing."""
    start = time.monotonic()
    process = subprocess.run([sys.executable, "-c", SCAN, str(corpus)], stdin=stdin, capture_output=True, text=True,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    seconds = time.monotonic() - start
    assert process.returncode == 0, process.stderr
    line, peak_kib = process.stdout.strip().rsplit("\n", 1)
    return line, seconds, int(peak_kib) / 1024


def reference_sentences(data: bytes, max_sentence: int):
    """The reading rule on the whole text at once: lines on b'\\n', whitespace tokens, pieces of max_sentence."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    sentences, cut = [], 0
    for line in lines:
        tokens = line.decode("utf-8").lower().split()
        cut += len(tokens) > max_sentence
        sentences += [tokens[i:i + max_sentence] for i in range(0, len(tokens), max_sentence)]
    return sentences, len(lines), cut


words = st.text(alphabet="abcXYZé", min_size=1, max_size=5)
spaces = st.sampled_from([" ", "  ", "\t", " \r", "\u3000 "])  # runs without ASCII space stay < 16 bytes
lines = st.lists(st.tuples(words, spaces), max_size=12).map(lambda pairs: "".join(w + s for w, s in pairs))


@settings(max_examples=150, deadline=None)
@given(st.lists(lines, max_size=8), st.booleans(), st.integers(16, 40), st.integers(1, 5))
def test_reading_in_small_blocks_equals_reading_whole_lines(tmp_path_factory, text_lines, final_newline, chunk,
                                                            max_sentence):
    """Lines longer than a block are cut at whitespace while they are read, and come out as if read whole."""
    data = ("\n".join(text_lines) + ("\n" if final_newline and text_lines else "")).encode("utf-8")
    path = tmp_path_factory.mktemp("blocks") / "c.txt"
    path.write_bytes(data)
    expected, n_lines, cut = reference_sentences(data, max_sentence)
    stats = CorpusStats()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "CHUNK_BYTES", chunk)
        patch.setattr(corpus_module, "MAX_SENTENCE", max_sentence)
        assert list(iter_sentences(path, stats=stats)) == expected
    assert (stats.lines, stats.lines_cut, stats.sentences) == (n_lines, cut, len(expected))
    assert stats.tokens == sum(map(len, expected))


def test_a_word_longer_than_a_block_keeps_its_head(tmp_path):
    path = tmp_path / "c.txt"
    path.write_bytes(b"a " + b"x" * (3 * reading.CHUNK_BYTES) + b" b\nc\n")
    stats = CorpusStats()
    assert list(iter_sentences(path, stats=stats)) == [["a", "x" * reading.MAX_WORD_CHARS, "b"], ["c"]]
    assert stats.words_truncated == 1


def test_one_line_of_64_mib_is_read_in_bounded_memory(tmp_path):
    """The old reader held the whole line, its text and its tokens at once (over 300 MiB here)."""
    member = gzip.compress(b"abcdefghijklmnopqrstuvwxyz0123456789 " * ((4 << 20) // 37), 6)
    (tmp_path / "line.gz").write_bytes(member * 16 + gzip.compress(b"\n"))
    line, seconds, peak_mib = scan_in_subprocess(tmp_path / "line.gz")
    assert line == f"tokens {16 * ((4 << 20) // 37)} words 1"
    assert peak_mib < 120, peak_mib


def test_a_gz_of_1_gib_of_spaces_is_an_empty_corpus_found_in_seconds(tmp_path):
    """A 1 MB .gz inflating to 1 GiB of spaces: the old reader trimmed it byte by byte (over 120 s, 2.1 GB)."""
    (tmp_path / "spaces.txt.gz").write_bytes(gzip.compress(b" " * (16 << 20), 9) * 64)
    assert (tmp_path / "spaces.txt.gz").stat().st_size < 1.1e6
    line, seconds, peak_mib = scan_in_subprocess(tmp_path / "spaces.txt.gz")
    assert line == f"corpus {tmp_path / 'spaces.txt.gz'} is empty: no tokens in 1 file(s)"
    assert peak_mib < 100 and seconds < 60, (peak_mib, seconds)


def test_a_sparse_2_gib_file_of_nul_bytes_is_refused_at_once(tmp_path):
    path = tmp_path / "zeros.txt"
    subprocess.run(["truncate", "-s", "2G", str(path)], check=True)
    line, seconds, peak_mib = scan_in_subprocess(path)
    assert line == f"{path} looks like a binary file (a NUL byte at byte 0); w2v reads plain text"
    assert peak_mib < 100 and seconds < 20, (peak_mib, seconds)


def test_a_decompression_bomb_is_refused_while_it_inflates(tmp_path):
    path = tmp_path / "bomb.bz2"
    path.write_bytes(bz2.compress(b" " * (32 << 20), 9) * 8)  # 256 MiB from a few hundred bytes
    with pytest.raises(CorpusError, match=r"^.*bomb.bz2 inflates more than 2,048-fold; refused as a likely "
                                          r"decompression bomb"):
        scan_corpus(path)


def test_compression_is_recognised_by_content(tmp_path):
    (tmp_path / "c.txt").write_bytes(gzip.compress(TEXT.encode()))  # a gzip file named .txt
    assert list(iter_sentences(tmp_path / "c.txt")) == [["the", "cat", "sat"], ["the", "dog", "ran", "far"]]
    np.savez(tmp_path / "m.npz", a=np.arange(3))
    with pytest.raises(CorpusError, match=r"m.npz is a zip archive \(a .npz model\?\); w2v reads plain text"):
        scan_corpus(tmp_path / "m.npz")


def test_a_folder_skips_hidden_files_and_npz_models(tmp_path):
    (tmp_path / "a.txt").write_text("one\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("two\n")
    np.savez(tmp_path / "model.npz", a=np.arange(3))  # the --out file kept beside the corpus
    (tmp_path / ".model.npz.k2j4.tmp").write_bytes(b"\0\0")  # a temp file of a killed save
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_bytes(b"\0binary")
    assert list(iter_sentences(tmp_path)) == [["one"], ["two"]]
    (tmp_path / "a.txt").unlink()
    (tmp_path / "sub" / "b.txt").unlink()
    with pytest.raises(CorpusError, match="holds no corpus files"):
        check_corpus_path(tmp_path)


def test_missing_corpus_is_named(tmp_path):
    with pytest.raises(CorpusError, match=f"^corpus not found: {tmp_path / 'nope.txt'}$"):
        check_corpus_path(tmp_path / "nope.txt")


def test_a_device_is_not_a_regular_file():
    with pytest.raises(CorpusError, match=r"^corpus /dev/null is not a regular file \(a character device\); "):
        check_corpus_path("/dev/null")


def test_a_fifo_is_read_as_a_stream(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_corpus_path(fifo)  # stat only: returns at once though no writer has opened the FIFO
    writer = threading.Thread(target=lambda: fifo.write_bytes(gzip.compress(TEXT.encode())))
    writer.start()
    with scan_corpus(fifo) as store:
        assert store.words == ["the", "cat", "sat", "dog", "ran", "far"] and store.n_tokens == 7
    writer.join()


@pytest.mark.parametrize("name", ["-", "/dev/stdin"])
def test_standard_input_is_read_as_a_stream(name):
    with open(EXAMPLE, "rb") as stdin:
        line, _, _ = scan_in_subprocess(name, stdin=stdin)
    with scan_corpus(EXAMPLE) as store:
        assert line == f"tokens {store.n_tokens} words {len(store.words)}"


def test_standard_input_on_a_terminal_is_refused():
    leader, follower = os.openpty()
    try:
        line, _, _ = scan_in_subprocess("-", stdin=follower)
    finally:
        os.close(leader)
        os.close(follower)
    assert line == ("corpus '-' reads standard input, which is a terminal; pipe the corpus in "
                    "(zcat corpus.gz | w2v train -) or name the file")


def test_sentence_ends_close_every_sentence_and_count_once_each(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("a b\n\nc\n", encoding="utf-8")
    assert list(with_sentence_ends(iter_sentences(corpus))) == [["a", "b", "</s>"], ["c", "</s>"]]
    store = scan_corpus(corpus, rewrite=with_sentence_ends)
    assert dict(zip(store.words, store.counts.tolist())) == {"a": 1, "b": 1, "</s>": 2, "c": 1}
    assert store.stats.tokens == 3  # the text's own tokens
    store.close()
