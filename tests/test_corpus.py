import bz2
import gzip
import lzma

import numpy as np
import pytest

from w2vcli.data import corpus as corpus_module
from w2vcli.data.corpus import CorpusStats, iter_sentences, scan_corpus
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
