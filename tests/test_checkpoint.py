"""The .npz format: exact round trips, atomic writes, and every kind of bad file refused with one clear error."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.vectors.checkpoint import KEYS, ModelFile, load_model, save_model
from w2vcli.errors import ModelFileError

words_strategy = st.lists(st.text(min_size=1, max_size=8).filter(lambda w: "\x00" not in w), min_size=1,
                          max_size=12, unique=True)


def _model(words, d=3, seed=0):
    rng = np.random.default_rng(seed)
    V = len(words)
    return ModelFile(rng.normal(size=(V, d)).astype(np.float32), rng.normal(size=(V, d)).astype(np.float32),
                     list(words), np.arange(V, 0, -1, dtype=np.int64), {"dim": d, "lowercase": True},
                     {"epoch": 1, "rng": {"state": 123456789012345678901234567890}}, np.array([3.5, 2.25]))


# Any unicode words (no NUL, which NumPy's fixed-width strings cannot hold), 1..12 of them, d 1..5.
@settings(max_examples=40, deadline=None)
@given(words_strategy, st.integers(1, 5), st.integers(0, 1000))
def test_round_trip_is_exact(tmp_path_factory, words, d, seed):
    path = tmp_path_factory.mktemp("m") / "model.npz"
    model = _model(words, d, seed)
    save_model(path, model)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.center_vectors, model.center_vectors)
    np.testing.assert_array_equal(loaded.outside_vectors, model.outside_vectors)
    assert loaded.words == model.words and loaded.config == model.config and loaded.state == model.state
    np.testing.assert_array_equal(loaded.counts, model.counts)
    np.testing.assert_array_equal(loaded.loss_history, model.loss_history)
    assert loaded.center_vectors.dtype == np.float32


def test_save_leaves_no_temporary_files(tmp_path):
    save_model(tmp_path / "m.npz", _model(["a", "b"]))
    assert sorted(os.listdir(tmp_path)) == ["m.npz"]


def test_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, _model(["a", "b"]))
    before = path.read_bytes()
    bad = _model(["a", "b"])
    bad.config = {"not json": object()}
    with pytest.raises(TypeError):
        save_model(path, bad)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["m.npz"]


def _arrays(model):
    return {"format_version": np.int64(1), "center_vectors": model.center_vectors,
            "outside_vectors": model.outside_vectors, "words": np.array(model.words), "counts": model.counts,
            "config": np.str_("{}"), "state": np.str_("{}"), "loss_history": np.zeros(0)}


@pytest.mark.parametrize("corruption, message", [
    ("truncate", "truncated or corrupt"),
    ("text", "not a readable .npz"),
    ("missing_key", "missing counts"),
    ("no_version", "not a w2vcli model"),
    ("future_version", "format version 99"),
    ("pickle", "pickled objects"),
    ("shape", r"same \(V, d\) shape"),
    ("bad_json", "not valid JSON"),
])
def test_bad_files_are_refused_with_a_clear_message(tmp_path, corruption, message):
    path = tmp_path / "m.npz"
    model = _model(["a", "b", "c"])
    arrays = _arrays(model)
    if corruption == "truncate":
        save_model(path, model)
        path.write_bytes(path.read_bytes()[:300])
    elif corruption == "text":
        path.write_text("hello\n")
    else:
        if corruption == "missing_key":
            del arrays["counts"]
        elif corruption == "no_version":
            del arrays["format_version"]
        elif corruption == "future_version":
            arrays["format_version"] = np.int64(99)
        elif corruption == "pickle":
            arrays["words"] = np.array([{"x": 1}, "b", None], dtype=object)
        elif corruption == "shape":
            arrays["outside_vectors"] = np.zeros((2, 3), dtype=np.float32)
        elif corruption == "bad_json":
            arrays["config"] = np.str_("{nope")
        with open(path, "wb") as file:
            np.savez(file, **arrays)
    with pytest.raises(ModelFileError, match=message) as error:
        load_model(path)
    assert "\n" not in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "nope.npz")


def test_keys_are_documented():
    """Each key has its own row in the module docstring: name, shape, dtype (a mention elsewhere does not count)."""
    import re

    import w2vcli.vectors.checkpoint as checkpoint

    rows = dict(re.findall(r"^    (\w+) +(\([^)]*\) \w+)", checkpoint.__doc__, re.M))
    for key in KEYS:
        assert key in rows, f"{key} has no row (name, shape, dtype) in checkpoint.py's docstring"


def test_saved_files_get_ordinary_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        save_model(tmp_path / "m.npz", _model(["a", "b"]))
        assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o644
        os.chmod(tmp_path / "m.npz", 0o600)
        save_model(tmp_path / "m.npz", _model(["a", "b"]))  # an existing file keeps its mode
        assert (tmp_path / "m.npz").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)


def test_a_query_reads_only_the_matrix_it_needs_and_maps_it(tmp_path, monkeypatch):
    from w2vcli.vectors import npzfile
    from w2vcli.vectors.embeddings import load_vectors

    model = _model(["a", "b", "c"])
    model.state = {"finished": False, "epoch": 1}
    save_model(tmp_path / "m.npz", model)
    read = []
    original = npzfile.NpzArchive.read
    monkeypatch.setattr(npzfile.NpzArchive, "read", lambda self, key, *rest, **options: (
        read.append((key, options.get("mapped", False))), original(self, key, *rest, **options))[1])
    embeddings = load_vectors(tmp_path / "m.npz")
    assert ("center_vectors", True) in read and "outside_vectors" not in [key for key, _ in read]
    assert isinstance(embeddings.vectors.base, np.memmap) or isinstance(embeddings.vectors, np.memmap)
    np.testing.assert_array_equal(embeddings.vectors, model.center_vectors)
    assert embeddings.state == {"finished": False, "epoch": 1}  # for the CLI's unfinished-checkpoint warning


def test_word2vec_files_have_an_empty_state(tmp_path):
    from w2vcli.vectors.embeddings import load_vectors
    from w2vcli.vectors.formats import write_word2vec

    write_word2vec(tmp_path / "v.txt", ["a", "b"], np.eye(2), binary=False)
    assert load_vectors(tmp_path / "v.txt").state == {}


@pytest.mark.parametrize("member, array, message", [
    ("counts", np.arange(2), "counts must be 3 integers"),
    ("words", np.array(["a", "b", "c", "d"]), "words must be 3 strings"),
    ("center_vectors", np.zeros((3, 3), dtype=np.int32), "vectors must be floating point"),
    ("state", np.array(["{}", "{}"]), "state must be one JSON string"),
    ("loss_history", np.array(["x"]), "loss_history must be a list of numbers"),
])
def test_member_headers_are_checked_against_each_other_before_reading(tmp_path, member, array, message):
    arrays = _arrays(_model(["a", "b", "c"]))
    arrays[member] = array
    with open(tmp_path / "m.npz", "wb") as file:
        np.savez(file, **arrays)
    with pytest.raises(ModelFileError, match=message):
        load_model(tmp_path / "m.npz")
