"""Decimal numbers such as "-0.29507" parsed to float32 by array operations, bit-identical to strtod then a cast.

A word2vec text file is ~100 numbers of 5 to 10 characters per row; np.fromstring takes ~100 ns a number, most of
it per-number overhead. Here every number token that has the plain form [-]digits.digits (one '.', at most 15
digits, at most 8 before the point) is parsed at once over the whole chunk:
  - its integer digits are the 8 bytes before its '.', its fraction digits the 8 (and 8 more) before its end,
    each read as one little-endian uint64 (a "lane"), the bytes outside the token masked to zero;
  - a lane is checked to hold only digits (one SWAR test: no byte above 9 after subtracting '0'), and turned
    into its integer by three multiply-shift steps (the classic eight-digits-at-once parse);
  - M = integer part * 10^f + fraction (f fraction digits) is an exact integer below 10^15 < 2^53, and 10^f is
    exact, so M / 10^f in float64 is the correctly rounded value (Clinger's fast path), as strtod gives; cast to
    float32 as np.fromstring and gensim do.
Tokens of other forms (an exponent, a '+', more digits, anything that is not a number) are parsed by np.fromstring,
which also finds what is not a number; when a chunk's numbers do not pair one '.' to a token (integers such as
"0"), parse_decimals returns None and the caller parses the chunk with np.fromstring.
Not here: splitting rows and words, bounds on the file (word2vec_reader.py).
"""

from __future__ import annotations

import warnings

import numpy as np

U64 = np.uint64
ONES, HIGH, ZEROS = U64(0x0101010101010101), U64(0x8080808080808080), U64(0x3030303030303030)
KEEP_LAST = np.array([0] + [((1 << (8 * k)) - 1) << (8 * (8 - k)) for k in range(1, 9)], dtype=U64)  # (9,)
ZERO_LAST = KEEP_LAST & ZEROS  # (9,) '0' in each kept byte
POW10_INT = np.array([10**k for k in range(16)], dtype=U64)  # (16,)
POW10 = 10.0 ** np.arange(16)  # (16,) exact in float64
SIGNS = np.array([1.0, -1.0])  # by negative: -0.0 stays -0.0, as strtod gives it
MAX_DIGITS, MAX_INT_DIGITS = 15, 8  # M < 10^15 < 2^53: exact in float64
SLOW_SHARE = 16  # when more than 1/SLOW_SHARE of a chunk's numbers need np.fromstring, it parses them all
PAD = 16  # bytes of spaces around the chunk, so every lane read stays inside the buffer


def numbers(text: bytes) -> np.ndarray | None:
    """The whitespace-separated float32 numbers of text, or None when something else stops the parse."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return np.fromstring(text, dtype=np.float32, sep=" ")
        except (ValueError, DeprecationWarning):
            return None


def parse_decimals(body: np.ndarray, starts: np.ndarray, ends: np.ndarray, dots: np.ndarray) -> np.ndarray | None:
    """float32 (T,) of the number tokens body[starts[i]:ends[i]] (body (n,) uint8), dots (D,) every '.' among them;
    None when the tokens and the dots do not pair one to one (the caller parses with np.fromstring), or when a
    token is not a number."""
    if len(dots) != len(starts) or not len(starts) or (dots < starts).any() or (dots >= ends).any():
        return None
    negative = body[starts] == ord("-")  # (T,)
    int_digits = dots - starts - negative  # (T,) >= 0: a '-' is never a '.'
    frac_digits = ends - dots - 1  # (T,) >= 0
    slow = (int_digits > MAX_INT_DIGITS) | (int_digits + frac_digits > MAX_DIGITS) | (int_digits + frac_digits == 0)
    padded = np.full(len(body) + 2 * PAD, ord(" "), dtype=np.uint8)
    padded[PAD:PAD + len(body)] = body
    lanes = np.ndarray(buffer=padded, dtype="<u8", shape=(len(padded) - 7,), strides=(1,))  # lanes[i]: bytes i..i+7
    int_part, bad = _lane(lanes, dots + PAD - 8, np.minimum(int_digits, 8))
    frac_part, bad_frac = _lane(lanes, ends + PAD - 8, np.minimum(frac_digits, 8))
    bad |= bad_frac
    if (frac_digits > 8).any():
        high, bad_high = _lane(lanes, ends + PAD - 16, np.clip(frac_digits - 8, 0, 8))
        bad |= bad_high
        frac_part += high * U64(10**8)
    slow |= bad != 0
    frac_digits = np.minimum(frac_digits, MAX_DIGITS)
    mantissa = int_part * POW10_INT[frac_digits] + frac_part  # (T,) exact below 10^15 where not slow
    values = mantissa.astype(np.float64) / POW10[frac_digits]  # (T,) correctly rounded
    values *= SIGNS[negative.view(np.uint8)]
    values = values.astype(np.float32)
    return _slow_tokens(body, starts, ends, slow, values)


def _lane(lanes: np.ndarray, at: np.ndarray, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value of the last kept[i] bytes of the 8 at at[i], read as decimal digits (T,) uint64; nonzero where one
    of them is not a digit (T,))."""
    digits = (lanes[at] & KEEP_LAST[kept]) - ZERO_LAST[kept]  # (T,) bytes 0..9 when all are digits
    bad = ((digits + ONES * U64(127 - 9)) | digits) & HIGH  # some byte > 9 (exact as a whole-word test)
    value = (digits * U64(10 * 256 + 1)) >> U64(8)
    value = ((value & U64(0x00FF00FF00FF00FF)) * U64(100 * 65536 + 1)) >> U64(16)
    value = ((value & U64(0x0000FFFF0000FFFF)) * U64(10000 * (1 << 32) + 1)) >> U64(32)
    return value, bad


def _slow_tokens(body, starts, ends, slow, values) -> np.ndarray | None:
    """values with the slow tokens parsed by np.fromstring (None when one is not a number, or when so many are
    slow that the caller's one np.fromstring over the chunk is faster)."""
    rows = np.flatnonzero(slow)
    if not len(rows):
        return values
    if len(rows) * SLOW_SHARE > len(values):
        return None
    text = b" ".join(body[start:end].tobytes() for start, end in zip(starts[rows].tolist(), ends[rows].tolist()))
    parsed = numbers(text)
    if parsed is None or len(parsed) != len(rows):
        return None
    values[rows] = parsed
    return values
