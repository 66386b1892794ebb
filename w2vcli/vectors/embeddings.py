"""Trained word vectors as a read-only type, separate from training state (like gensim's KeyedVectors).

Embeddings holds the words and one (V, d) matrix, normalised once for every cosine query, and answers the
queries: nearest words to a word or to an expression "king - man + woman", analogies by 3CosAdd or 3CosMul
(Levy & Goldberg, 2014), similarity. load_vectors reads a .npz model or a word2vec file by its suffix (a .bin
that starts with fastText's magic number is a fastText model: subword_vectors.SubwordVectors).
3CosMul is cosmul_scores, the one implementation (evaluate.py's batches use it too).
Not here: training, the file formats themselves (checkpoint.py, formats.py), benchmarks (evaluate.py).
"""

from __future__ import annotations

import difflib
from functools import cached_property
from pathlib import Path

import numpy as np

from .checkpoint import GENSIM_SUFFIXES, load_model, read_model
from ..errors import ConfigError, ModelFileError, UnknownWordError
from .fasttext import fasttext_vectors, is_fasttext_bin
from .formats import format_of, read_word2vec
from .rowchecks import first_non_finite_row
from .wordindex import WordIndex, checked_index

SUGGESTION_POOL = 50_000  # an unknown word is compared with this many most frequent words (~0.1 s), not all
COSMUL_EPSILON = 1e-6  # gensim's, in most_similar_cosmul (its evaluate_word_analogies uses that): one ranking
MATRICES = {"center": ("center_vectors",), "outside": ("outside_vectors",),
            "sum": ("center_vectors", "outside_vectors")}  # --vectors: the .npz members it adds up


def cosmul_scores(shifted_a: np.ndarray, shifted_b: np.ndarray, shifted_c: np.ndarray) -> np.ndarray:
    """3CosMul (Levy & Goldberg, 2014): cos'(x, b) cos'(x, c) / (cos'(x, a) + COSMUL_EPSILON), with the cosines
    already shifted to cos' = (1 + cos) / 2 in [0, 1]; any equal shapes, computed in shifted_b's buffer when it
    is a writable float array (the batched evaluation gives it a fresh block)."""
    scores = np.multiply(shifted_b, shifted_c, out=shifted_b if shifted_b.flags.writeable else None)
    scores /= shifted_a + COSMUL_EPSILON
    return scores


class Embeddings:
    def __init__(self, words, vectors, *, lowercase: bool = False, counts=None, state=None,
                 word_index: WordIndex | None = None):
        self._words = words if isinstance(words, np.ndarray) else list(words)  # (V,) most frequent first
        self.vectors = np.asarray(vectors, dtype=np.float32)  # (V, d)
        self.lowercase = lowercase  # lookups fold case when the model was trained lowercased
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)  # (V,) or None
        self.state = dict(state or {})  # a .npz model's training state (finished, epoch, ...); {} for word2vec files
        self.word_index = word_index  # a .npz's sorted lookup over words as an array; else the dict index

    def __len__(self) -> int:
        return len(self._words)

    @cached_property
    def words(self) -> list[str]:
        """(V,) the words as str, decoded on first use (a query decodes only the words it answers)."""
        return self._words.tolist() if isinstance(self._words, np.ndarray) else self._words

    @cached_property
    def index(self) -> dict[str, int]:
        """word -> row for every word, built on first use (many lookups); a few use find()."""
        return dict(zip(self.words, range(len(self.words))))

    def find(self, key: str) -> int | None:
        """The row of an already case-folded word, or None: through the dict index once it is built, else through
        the word_index (no dict of V words for one query)."""
        if self.word_index is not None and "index" not in self.__dict__:
            return self.word_index.find(key)
        return self.index.get(key)

    def word(self, row: int) -> str:
        return str(self._words[row])

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    @cached_property
    def norms(self) -> np.ndarray:
        """(V,) each row's length, computed once; a query divides by it instead of normalising every row."""
        return np.sqrt(np.einsum("ij,ij->i", self.vectors, self.vectors))

    @cached_property
    def unit_vectors(self) -> np.ndarray:
        """Rows scaled to unit length, computed once (zero rows stay zero)."""
        return self.vectors / self._safe_norms()[:, None]  # (V, d)

    def _safe_norms(self, rows=slice(None)) -> np.ndarray:
        norms = self.norms[rows]
        return np.where(norms == 0, 1.0, norms).astype(np.float32)

    def unit(self, rows) -> np.ndarray:
        """(n, d) the unit vectors of rows, without normalising the whole matrix."""
        return self.vectors[rows] / self._safe_norms(rows)[:, None]

    def key(self, word: str) -> str:
        return word.lower() if self.lowercase else word

    def __contains__(self, word: str) -> bool:
        return self.find(self.key(word)) is not None

    def row(self, word: str) -> int:
        """The row of word, or UnknownWordError with up to three close words as suggestions."""
        key = self.key(word)
        row = self.find(key)
        if row is not None:
            return row
        close = difflib.get_close_matches(key, self.words[:SUGGESTION_POOL], n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise UnknownWordError(f"unknown word '{word}'{hint}")

    def similarity(self, first: str, second: str) -> float:
        """cos(first, second)."""
        return float(self.unit_vector(first)[0] @ self.unit_vector(second)[0])

    def nearest(self, query: str, k: int = 10) -> list[tuple[str, float]]:
        """The k words of highest cosine with the query, a word or an expression such as "king - man + woman"
        (the sum of the signed unit vectors), the query's own words excluded."""
        terms = parse_query(query)
        units, rows = zip(*(self.unit_vector(word) for _, word in terms))
        signs = np.array([sign for sign, _ in terms], dtype=np.float32)  # (n,)
        return self._top(self._cosines(signs @ np.array(units)), k, _known(rows))  # (d,) target

    def analogy(self, a: str, b: str, c: str, k: int = 5, method: str = "add") -> list[tuple[str, float]]:
        """"a is to b as c is to ?", the three inputs excluded from the answers.

        add:    argmax_x cos(x, b - a + c) over unit vectors, the same ranking as
                cos(x, b) - cos(x, a) + cos(x, c); the score shown is cos(x, b - a + c).
        cosmul: cosmul_scores, argmax_x cos'(x, b) cos'(x, c) / (cos'(x, a) + epsilon), cos' = (1 + cos) / 2.
        """
        units, rows = zip(*(self.unit_vector(word) for word in (a, b, c)))
        units = np.array(units)  # (3, d) a, b, c
        if method == "add":
            scores = self._cosines(units[1] - units[0] + units[2])  # (V,)
        elif method == "cosmul":
            shifted = (1 + (self.vectors @ units.T).T / self._safe_norms()) / 2  # (3, V)
            scores = cosmul_scores(*shifted)  # (V,)
        else:
            raise ConfigError(f"analogy method must be add or cosmul (got '{method}')")
        return self._top(scores, k, _known(rows))

    def unit_vector(self, word: str) -> tuple[np.ndarray, int | None]:
        """(word's unit vector (d,), its row): the one lookup every query makes. A vocabulary has a row for each
        word it answers; subclasses that build vectors for other words (SubwordVectors) return None as row."""
        row = self.row(word)
        return self.unit([row])[0], row

    def _cosines(self, target: np.ndarray) -> np.ndarray:
        """cos(w, target) for every word w: (V, d) @ (d,) / |w| -> (V,), as gensim's most_similar computes it.
        The product is einsum's own loop, not BLAS: one memory-bound pass, where waking BLAS threads for it
        cost a query more CPU than the product itself (measured: bench_query.py, CPU time)."""
        norm = np.linalg.norm(target)
        unit = (target / norm if norm > 0 else target).astype(np.float32)  # (d,)
        return np.einsum("ij,j->i", self.vectors, unit) / self._safe_norms()

    def _top(self, scores: np.ndarray, k: int, exclude: list[int]) -> list[tuple[str, float]]:
        """The k best (word, score), excluded rows left out; ties go to the more frequent (earlier) word."""
        scores = np.array(scores, dtype=np.float64)  # (V,) a copy we may mark
        scores[exclude] = -np.inf
        k = min(k, len(scores) - len(set(exclude)))
        if k <= 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]  # (k,) unordered, O(V)
        best = best[np.lexsort((best, -scores[best]))]
        return [(self.word(i), float(scores[i])) for i in best]

    def rows_of(self, words) -> tuple[list[int], list[str]]:
        """Rows of the known words (in order, repeats dropped) and the unknown words, without raising."""
        rows, unknown = [], []
        for word in words:
            row = self.find(self.key(word))
            if row is None:
                unknown.append(word)
            elif row not in rows:
                rows.append(row)
        return rows, unknown


def _known(rows) -> list[int]:
    """The rows of a query's words that are in the vocabulary (excluded from the answers)."""
    return [row for row in rows if row is not None]


def parse_query(text: str) -> list[tuple[int, str]]:
    """"king - man + woman" -> [(1, 'king'), (-1, 'man'), (1, 'woman')]; operators stand apart from words."""
    terms, sign, tokens = [], 1, text.split()
    for token in tokens:
        if token in ("+", "-"):
            sign = 1 if token == "+" else -1
        else:
            terms.append((sign, token))
            sign = 1
    if not terms or tokens[-1] in ("+", "-"):
        raise ConfigError(f"cannot read the query '{text}': expected words joined by ' + ' and ' - '")
    return terms


def embeddings_from_model(model, which: str = "center") -> Embeddings:
    """Embeddings of a checkpoint.ModelFile: which is center, outside or sum."""
    matrices = {"center": lambda: model.center_vectors, "outside": lambda: model.outside_vectors,
                "sum": lambda: model.center_vectors + model.outside_vectors}
    if which not in matrices:
        raise ConfigError(f"--vectors must be one of center, outside, sum (got '{which}')")
    if model.ngram_vectors is not None and which == "center":  # a subword model: any word has a vector
        from .subword_vectors import subword_vectors_of

        return subword_vectors_of(model)
    return Embeddings(model.words, matrices[which](), lowercase=bool(model.config.get("lowercase", False)),
                      counts=model.counts, state=model.state)


def load_vectors(path, which: str = "center") -> Embeddings:
    """Vectors of a w2vcli .npz model or of a word2vec .txt/.vec/.bin file (optionally .gz/.bz2), by suffix.

    A .npz is read lazily: only the matrix which names (center, outside or sum) and the words. A word2vec file
    holds one matrix, so which must be center; its lookups fold case when no word has capitals. Non-finite rows
    and words given twice are refused, naming the first.
    """
    path = Path(path)
    fmt = _format(path)
    if fmt is None:
        return _model_embeddings(path, which)
    if which != "center":
        raise ConfigError(f"--vectors {which} needs a w2vcli .npz model; {path} holds a single matrix")
    if fmt == "binary" and is_fasttext_bin(path):  # fastText's own .bin: vectors for any word (SubwordVectors)
        return fasttext_vectors(path)
    words, vectors = read_word2vec(path, binary=fmt == "binary")
    joined = "".join(words)
    return Embeddings(words, vectors, lowercase=joined == joined.lower())


def _model_embeddings(path: Path, which: str) -> Embeddings:
    """The matrix which names, mapped from the file when it is stored (a query touches it once), checked finite
    and its words unique. A subword model's center vectors need its n-gram rows too: read whole."""
    if which not in MATRICES:
        raise ConfigError(f"--vectors must be one of center, outside, sum (got '{which}')")
    keys = MATRICES[which]
    arrays = read_model(path, ("words", "word_order", "counts", "config", "state", *keys), mapped=keys,
                        word_array=True)
    config, words = arrays["config"], arrays["words"]  # words: (V,) unicode array
    index = checked_index(path, words, arrays.get("word_order"))  # every word once, or ModelFileError
    if config.get("subwords") and which == "center":
        embeddings = embeddings_from_model(load_model(path), which)
        embeddings.state = arrays["state"]
    else:
        vectors = arrays[keys[0]] if len(keys) == 1 else arrays[keys[0]] + arrays[keys[1]]  # (V, d)
        embeddings = Embeddings(words, vectors, lowercase=bool(config.get("lowercase", False)),
                                counts=arrays["counts"], state=arrays["state"], word_index=index)
    row = first_non_finite_row(embeddings.vectors, embeddings.norms)  # the norms a query needs anyway
    if row is not None:
        raise ModelFileError(f"{path}: model has non-finite vectors (row {row + 1}, word {str(words[row])!r}): "
                             "it diverged; retrain with a lower --lr")
    return embeddings


def _format(path: Path) -> str | None:
    """'text' or 'binary' for a word2vec file, None for a .npz (or a missing file or a gensim pickle:
    checkpoint.read_model says what it is)."""
    fmt = format_of(path)
    if fmt is None and path.suffix.lower() not in (".npz", *GENSIM_SUFFIXES) and path.is_file():
        with open(path, "rb") as file:
            start = file.read(4)
        if start != b"PK\x03\x04" and start[:1] != b"\x80":  # not a zip, nor a pickle under another name
            raise ModelFileError(f"{path}: unknown vectors format (expected .npz, .txt, .vec or .bin)")
    return fmt
