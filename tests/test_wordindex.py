"""The .npz word_order member and the lookup it serves (vectors/wordindex.py): the same rows as a dict, old files
without the member still answer alike, and a damaged or hostile member is refused with one line."""

import zipfile
from io import BytesIO

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.errors import ModelFileError
from w2vcli.vectors.checkpoint import ModelFile, load_model, read_model, save_model
from w2vcli.vectors.embeddings import Embeddings, load_vectors
from w2vcli.vectors.wordindex import checked_index, sorted_order

WORDS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, unique=True, max_size=40), st.lists(WORDS, max_size=10))
def test_the_sorted_lookup_finds_what_a_dict_finds(words, probes):
    array = np.array(words, dtype=np.str_) if words else np.zeros(0, dtype="<U1")
    index = checked_index("m.npz", array, sorted_order(array))
    rows = dict(zip(words, range(len(words))))
    for word in [*words, *probes, *(w[:-1] for w in words), *(w + "\x00" for w in words)]:
        assert index.find(word) == rows.get(word)


def _model(words, dim=4, seed=0) -> ModelFile:
    vectors = np.random.default_rng(seed).standard_normal((len(words), dim)).astype(np.float32)
    return ModelFile(vectors, vectors[::-1].copy(), list(words), np.arange(len(words), 0, -1),
                     {"lowercase": False}, {"finished": True}, np.zeros(0))


def _rewrite(source, target, replace: dict) -> None:
    """target: source's members, those named in replace written as the given array instead (None: left out)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            key = info.filename.removesuffix(".npy")
            if key not in replace:
                new.writestr(info, old.read(info))
            elif replace[key] is not None:
                with new.open(info.filename, "w") as file:
                    np.lib.format.write_array(file, np.asanyarray(replace[key]))


WORD_LIST = ["the", "of", "and", "to", "a", "in", "zebra", "Été", "naïve", "the_end"]


def test_a_saved_model_holds_the_order_and_an_old_file_without_it_answers_alike(tmp_path):
    save_model(tmp_path / "new.npz", _model(WORD_LIST))
    order = read_model(tmp_path / "new.npz", ("word_order",))["word_order"]
    assert list(np.array(WORD_LIST)[order]) == sorted(WORD_LIST)
    _rewrite(tmp_path / "new.npz", tmp_path / "old.npz", {"word_order": None})
    new, old = load_vectors(tmp_path / "new.npz"), load_vectors(tmp_path / "old.npz")
    plain = Embeddings(WORD_LIST, new.vectors)  # the dict lookup
    for word in WORD_LIST:
        assert new.row(word) == old.row(word) == plain.row(word)
        assert new.nearest(word, 4) == old.nearest(word, 4) == plain.nearest(word, 4)
    assert "Zebra" not in new and "zebra" in new
    assert load_model(tmp_path / "old.npz").words == load_model(tmp_path / "new.npz").words == WORD_LIST


def test_the_words_are_decoded_only_when_asked(tmp_path):
    save_model(tmp_path / "m.npz", _model(WORD_LIST))
    embeddings = load_vectors(tmp_path / "m.npz")
    answers = embeddings.nearest("zebra", 3)
    assert "words" not in embeddings.__dict__ and "index" not in embeddings.__dict__
    assert all(type(word) is str for word, _ in answers)
    assert embeddings.words == WORD_LIST and embeddings.rows_of(["of", "nope", "of"]) == ([1], ["nope"])


@pytest.mark.parametrize("order, message", [
    (np.arange(10, dtype=np.float32), "word_order must be 10 integers to match the words"),
    (np.arange(9), "word_order must be 10 integers to match the words"),
    (np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]), "word_order is not an ordering of the 10 words"),
    (np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, -1]), "word_order is not an ordering of the 10 words"),
    (np.zeros(10, dtype=np.int64), "word_order is not an ordering of the 10 words"),
    (np.arange(10), "word_order does not sort the words (a damaged file; re-save it)"),
])
def test_a_damaged_order_is_refused_in_one_line(tmp_path, order, message):
    save_model(tmp_path / "m.npz", _model(WORD_LIST))
    _rewrite(tmp_path / "m.npz", tmp_path / "bad.npz", {"word_order": order})
    with pytest.raises(ModelFileError) as error:
        load_vectors(tmp_path / "bad.npz")
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("keep_order", [True, False])
def test_a_word_given_twice_is_refused_with_or_without_the_order(tmp_path, keep_order):
    words = ["a", "b", "c", "b"]
    save_model(tmp_path / "m.npz", _model(words))
    _rewrite(tmp_path / "m.npz", tmp_path / "dup.npz", {} if keep_order else {"word_order": None})
    with pytest.raises(ModelFileError, match=r"word 'b' appears twice \(rows 2 and 4\)"):
        load_vectors(tmp_path / "dup.npz")


def test_a_huge_order_member_is_refused_before_it_is_read(tmp_path):
    """A member claiming more rows than the words is refused from its header (npzfile.py bounds the read)."""
    save_model(tmp_path / "m.npz", _model(WORD_LIST))
    with zipfile.ZipFile(tmp_path / "m.npz") as old, zipfile.ZipFile(tmp_path / "big.npz", "w") as new:
        for info in old.infolist():
            if info.filename == "word_order.npy":
                header = BytesIO()
                np.lib.format.write_array_header_1_0(header, {"descr": "<i8", "fortran_order": False,
                                                              "shape": (10**9,)})
                new.writestr(info.filename, header.getvalue() + bytes(16))
            else:
                new.writestr(info, old.read(info))
    with pytest.raises(ModelFileError, match="member 'word_order' claims shape"):
        load_vectors(tmp_path / "big.npz")
