"""decimals.py's array parse of plain decimals against np.fromstring (strtod, then float32), bit for bit, for every
form a vectors file writes and for forms it hands back to np.fromstring."""

import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from w2vcli.vectors.decimals import numbers, parse_decimals
from w2vcli.vectors.formats import read_word2vec

FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=32)
FORMS = st.sampled_from(["%.5g", "%.9g", "%.6f", "%.3f", "%.12f", "%.17g", "%e", "%.1f", "%r", "%.15f", "%.8f"])


def spans(text: bytes):
    """(body, starts, ends, dots) as the reader gives them: every token of text, every '.'."""
    body = np.frombuffer(text, dtype=np.uint8)
    tokens = [(i, i + len(token)) for i, token in _tokens(text.rstrip(b"\n"))]
    starts, ends = (np.array([t[k] for t in tokens], dtype=np.int64) for k in (0, 1))
    return body, starts, ends, np.flatnonzero(body == ord("."))


def _tokens(text: bytes):
    position = 0
    for token in text.split(b" "):
        if token:
            yield position, token
        position += len(token) + 1


def same_bits(first: np.ndarray, second: np.ndarray) -> bool:
    return first.dtype == second.dtype == np.float32 and np.array_equal(first.view(np.uint32),
                                                                          second.view(np.uint32))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(FLOATS, FORMS), min_size=1, max_size=60))
def test_plain_decimals_parse_exactly_as_strtod_then_float32(pairs):
    text = " ".join((form % value) if form != "%r" else repr(value) for value, form in pairs).encode() + b"\n"
    expected = numbers(text)
    got = parse_decimals(*spans(text))
    if got is not None:  # None: a token without a '.' ("1e-05", "0"), so the caller uses np.fromstring
        assert same_bits(got, expected), (text, got, expected)
    if all(_plain(token) for _, token in _tokens(text.strip())):
        assert got is not None


def _plain(token: bytes) -> bool:
    """The form parse_decimals reads itself: [-]digits.digits, 1 to 15 digits, at most 8 before the point."""
    match = re.fullmatch(rb"-?(\d{0,8})\.(\d*)", token)
    return match is not None and 1 <= len(match[1]) + len(match[2]) <= 15


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("0123456789.-+eE", min_size=1, max_size=18), min_size=1, max_size=30))
def test_odd_tokens_are_never_misread(tokens):
    """Any mix of digits, points, signs and exponents: either the very numbers np.fromstring reads, or None."""
    text = " ".join(tokens).encode() + b"\n"
    got = parse_decimals(*spans(text))
    if got is not None:
        expected = numbers(text)
        assert expected is not None and same_bits(got, expected), (text, got, expected)


def test_the_slow_forms_and_the_edges():
    cases = [b"-0.0 0.0 -.5 5. 0.1", b"1.5e-05 -2.25 +1.5 123456789.5", b"0.123456789012345 -1234567.12345678",
             b"0.1234567890123456 9999999.99999999"]
    for case in cases:
        text = b"0.25 " * 64 + case  # few enough slow tokens that they are parsed one by one
        got = parse_decimals(*spans(text + b"\n"))
        assert got is not None and same_bits(got, numbers(text)), case
    assert parse_decimals(*spans(b"1.5 x.5\n")) is None  # not a number: the caller's np.fromstring names the row
    assert parse_decimals(*spans(b"1.5 .\n")) is None
    assert parse_decimals(*spans(b"1.5 2\n")) is None  # a token without '.'
    assert parse_decimals(*spans(b"1.5.5 2\n")) is None  # two in one token, none in the next


def test_a_file_of_mixed_forms_reads_as_gensim_reads_it(tmp_path, monkeypatch):
    """Small chunks, so rows of plain decimals, of integers, of exponents and of words holding '.' fall in
    different chunks; the result equals gensim's, bit for bit."""
    from gensim.models import KeyedVectors

    from w2vcli.vectors import word2vec_reader

    monkeypatch.setattr(word2vec_reader, "CHUNK", 64)
    rng = np.random.default_rng(0)
    rows = []
    for i, form in enumerate(["%.5g", "%.9g", "%d", "%e", "%.5g", "%.3f"] * 4):
        values = rng.normal(0, 3, 4)
        word = f"w.{i}." if i % 3 == 0 else f"w{i}"
        rows.append(f"{word} {' '.join(form % v for v in values)}")
    (tmp_path / "mixed.txt").write_text(f"{len(rows)} 4\n" + "\n".join(rows) + "\n")
    words, vectors = read_word2vec(tmp_path / "mixed.txt", binary=False)
    loaded = KeyedVectors.load_word2vec_format(str(tmp_path / "mixed.txt"))
    assert words == loaded.index_to_key and same_bits(vectors.ravel(), loaded.vectors.ravel())
