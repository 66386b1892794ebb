"""word2vec text/binary files: hypothesis round trips, gensim as the oracle both ways, and every malformed file
refused with one clear line."""

import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from w2vcli.errors import ModelFileError, W2VError
from w2vcli.vectors.formats import format_of, read_word2vec, write_tsv, write_word2vec

# Words: any non-empty text without the whitespace the formats split on (unicode letters, NBSP, emoji included).
WORD = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=" \t\n\r\x0b\x0c"), min_size=1,
               max_size=12)


@st.composite
def vocabularies(draw):
    """0-8 distinct words and a (V, 1-6) float32 matrix of any finite values (their bytes hold spaces and
    newlines often enough: 0x20 and 0x0A appear in many float32s)."""
    words = draw(st.lists(WORD, max_size=8, unique=True))
    dim = draw(st.integers(1, 6))
    vectors = draw(arrays(np.float32, (len(words), dim), elements=st.floats(width=32, allow_nan=False,
                                                                            allow_infinity=False)))
    return words, vectors


@settings(max_examples=60, deadline=None)
@given(vocabulary=vocabularies(), binary=st.booleans())
def test_round_trip_is_exact(tmp_path_factory, vocabulary, binary):
    words, vectors = vocabulary
    path = tmp_path_factory.mktemp("rt") / ("v.bin" if binary else "v.txt")
    write_word2vec(path, words, vectors, binary=binary)
    read_words, read_vectors = read_word2vec(path, binary=binary)
    assert read_words == words
    np.testing.assert_array_equal(read_vectors, vectors)
    assert read_vectors.dtype == np.float32 and read_vectors.shape == vectors.shape


def test_binary_rows_whose_floats_are_spaces_and_newlines(tmp_path):
    """The subtle case for a reader that looks for word ends: vector bytes equal to b' ' and b'\\n'."""
    vectors = np.frombuffer(b"    \n\n\n\n \n \n" + b"\x20" * 12, dtype="<f4").reshape(2, 3)  # (2, 3)
    path = tmp_path / "v.bin"
    write_word2vec(path, ["a", "bc"], vectors, binary=True)
    words, read = read_word2vec(path, binary=True)
    assert words == ["a", "bc"]
    np.testing.assert_array_equal(read, vectors)


def test_format_from_suffix():
    assert [format_of(p) for p in ("a.txt", "a.VEC", "a.bin", "a.bin.gz", "a.txt.bz2", "a.npz", "a")] == [
        "text", "text", "binary", "binary", "text", None, None]


def test_headerless_glove_text_and_gzip(tmp_path):
    path = tmp_path / "glove.txt.gz"
    with gzip.open(path, "wb") as file:
        file.write(b"the 0.5 -1 2e-3\ncat 1 2 3\n\n")
    words, vectors = read_word2vec(path, binary=False)
    assert words == ["the", "cat"]
    np.testing.assert_array_equal(vectors, np.array([[0.5, -1, 2e-3], [1, 2, 3]], dtype=np.float32))


def test_crlf_and_trailing_spaces_as_fasttext_writes_them(tmp_path):
    path = tmp_path / "ft.vec"
    path.write_bytes(b"2 2\r\nhello 0.25 0.5 \r\nworld -1 1 \r\n")
    words, vectors = read_word2vec(path, binary=False)
    assert words == ["hello", "world"]
    np.testing.assert_array_equal(vectors, [[0.25, 0.5], [-1, 1]])


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_our_files_and_we_read_gensims(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(4)
    words = ["king", "queen", "straße", "über", "a", "東京"]
    vectors = rng.standard_normal((len(words), 5)).astype(np.float32)  # (6, 5)
    ours, theirs = tmp_path / "ours.bin", tmp_path / "theirs.bin"
    write_word2vec(ours, words, vectors, binary=binary)
    loaded = gensim_models.KeyedVectors.load_word2vec_format(str(ours), binary=binary)
    assert loaded.index_to_key == words
    np.testing.assert_array_equal(loaded.vectors, vectors)
    loaded.save_word2vec_format(str(theirs), binary=binary)  # gensim writes binary rows without the "\n"
    read_words, read_vectors = read_word2vec(theirs, binary=binary)
    assert read_words == words
    np.testing.assert_allclose(read_vectors, vectors, rtol=1e-6)  # gensim's text keeps ~7 digits


BAD_FILES = [
    ("v.txt", b"3 2\na 1 2\nb 3 4\n", "header says 3 words but the file has 2 rows"),
    ("v.txt", b"1 2\na 1 2\nb 3 4\n", "header says 1 words but the file has more rows"),
    ("v.txt", b"2 2\na 1 2\nb 3\n", "row 2 has 1 numbers, not 2"),
    ("v.txt", b"2 2\na 1 2\nb 3 x\n", "not a number"),
    ("v.txt", b"2 2\na 1 2\nbare\n", "row 2 has 0 numbers, not 2"),
    ("v.txt", b"2 2\na 1 2\n 3 4\n", "row 2 is not 'word x_1 ... x_d'"),
    ("v.txt", b"3 2\na 1 2\n\nb 3 4\n", "row 2 is not 'word x_1 ... x_d' \\(a blank line\\)"),
    ("v.txt", b"hello\n", "not a word2vec text file"),
    ("v.bin", b"\x89PNG\r\n\x1a\n....", "not a word2vec binary file"),
    ("v.bin", b"2 1\na " + b"\0\0\x80\x3f" + b"\nb", "truncated: the header says 2 words of dimension 1"),
    ("v.bin", b"2 1\na " + b"\0\0\x80\x3f" + b"\nbcdefgh" + b"\0\0", "truncated: the header says 2 words but only 1"),
    ("v.bin", b"1 1\na " + b"\0\0\x80\x3f" + b"\nb " + b"\0\0\0\0", "the header says 1 words but the file holds more"),
    ("v.bin", b"1 1\n\xff\xfe " + b"\0\0\x80\x3f", "not valid UTF-8"),
]


@pytest.mark.parametrize("name, content, message", BAD_FILES)
def test_malformed_files_are_refused_with_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as caught:
        read_word2vec(path, binary=name.endswith(".bin"))
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        read_word2vec(tmp_path / "nope.bin", binary=True)


@pytest.mark.parametrize("word", ["new york", "tab\there", "", "line\nbreak"])
def test_whitespace_words_are_refused_and_the_old_file_kept(tmp_path, word):
    path = tmp_path / "v.txt"
    path.write_text("old contents")
    with pytest.raises(ModelFileError, match="whitespace"):
        write_word2vec(path, ["fine", word], np.ones((2, 2)), binary=False)
    assert path.read_text() == "old contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.txt"]  # no temporary file left behind


def test_tsv_for_the_embedding_projector(tmp_path):
    vectors_path, metadata_path = write_tsv(tmp_path / "proj", ["new york", "b"], [[0.5, -1.0], [2.0, 0.25]])
    assert vectors_path.read_text() == "0.5\t-1\n2\t0.25\n"
    assert metadata_path.read_text() == "new york\nb\n"  # a space is fine in TSV, a tab is not
    with pytest.raises(W2VError, match="is a file"):
        write_tsv(vectors_path, ["a"], [[1.0]])
