"""Phrases: frequent collocations joined into one token ("new york" -> "new_york"), as word2phrase and gensim do.

One streaming pass counts every word and every pair of adjacent words in a sentence; a pair (a, b) is a phrase
when
        score(a, b) = (count(ab) − δ) · N / (count(a) · count(b))  >  threshold          δ = min_count

Two scorings differ only in N and in one gate (PhraseScoring): word2phrase (the C tool of Mikolov et al.) takes
N = the number of tokens and requires count(a), count(b) ≥ min_count; gensim's `Phrases` (original_scorer) takes
N = the number of entries in its count table (distinct words plus distinct pairs) and only requires every count
to be positive. Sentences are then rewritten left to right, greedily: a joined pair is never joined again in the
same pass, so "a b c" gives "a_b c" at most; a second pass over the rewritten text makes three- and four-word
phrases.

Memory is bounded: the count table holds at most max_table entries between sentences. When a sentence leaves it
larger, every entry counted ≤ m is dropped, with m = 1 the first time and one more at each later pruning
(word2phrase's ReduceVocab), repeated until the table fits. gensim differs twice: its first pruning drops nothing
(prune_vocab keeps count ≥ min_reduce, which starts at 1), and it prunes once per sentence, which may leave the
table above its bound. Pruning forgets rare words and pairs, which can only
remove phrases whose counts were near the floor; without pruning the result does not depend on max_table.
Not here: reading text (corpus.py), writing the output (the CLI, through files.atomic_write).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable, Iterator

from ..errors import ConfigError

PAIR_SEPARATOR = " "  # a table key "a b" is the pair (a, b): whitespace never occurs inside a token
PASSES = 1  # passes by default (`w2v phrases --passes`, `w2v train --phrase-passes`) ...
MAX_PASSES = 4  # ... and at most (each reads the corpus once more)


class PhraseScoring(str, Enum):
    word2phrase = "word2phrase"
    gensim = "gensim"


@dataclass(frozen=True)
class PhraseSettings:
    min_count: int = 5
    threshold: float = 100.0
    delimiter: str = "_"
    scoring: PhraseScoring = PhraseScoring.word2phrase
    max_table: int = 10_000_000  # entries (words + pairs); ~95 bytes each on Brown (tracemalloc), so ~1 GB

    def __post_init__(self):
        if self.min_count < 1:
            raise ConfigError(f"--min-count must be at least 1 (got {self.min_count})")
        if not self.delimiter or any(c.isspace() for c in self.delimiter):
            raise ConfigError(f"--delimiter must be non-empty and hold no whitespace (got {self.delimiter!r})")
        if self.max_table < 2:
            raise ConfigError(f"--max-table must be at least 2 (got {self.max_table})")


@dataclass
class PhraseCounts:
    """Counts of words ("a") and adjacent pairs ("a b") in one table, and the number of tokens seen."""

    table: dict[str, int]
    tokens: int = 0
    prunings: int = 0  # times the table was cut back; the last floor was `prunings`

    @classmethod
    def of(cls, sentences: Iterable[list[str]], max_table: int) -> "PhraseCounts":
        """Count a stream of sentences, keeping the table at most max_table entries after each sentence."""
        counts = cls({})
        for sentence in sentences:
            table = counts.table
            previous = None
            for word in sentence:
                table[word] = table.get(word, 0) + 1
                if previous is not None:
                    pair = previous + PAIR_SEPARATOR + word
                    table[pair] = table.get(pair, 0) + 1
                previous = word
            counts.tokens += len(sentence)
            while len(counts.table) > max_table:  # gensim prunes once per sentence; this holds the bound
                counts.prune()
        return counts

    def prune(self) -> None:
        """Drop every entry counted at most prunings + 1 times (the floor rises by one at each pruning)."""
        self.prunings += 1
        self.table = {key: count for key, count in self.table.items() if count > self.prunings}

    def pair(self, a: str, b: str) -> int:
        return self.table.get(a + PAIR_SEPARATOR + b, 0)


class PhraseModel:
    """Which adjacent pairs are phrases, from one pass of counts, and the rewriting of sentences with them."""

    def __init__(self, counts: PhraseCounts, settings: PhraseSettings):
        self.counts = counts
        self.settings = settings
        gensim = settings.scoring is PhraseScoring.gensim
        self.n = len(counts.table) if gensim else counts.tokens  # N of the score
        self.floor = 1 if gensim else settings.min_count  # count(a), count(b) must reach this
        self.joined: dict[str, int] = {}  # phrase -> times it was made while rewriting

    def score(self, a: str, b: str) -> float | None:
        """The score of the pair (a, b), or None when it cannot be a phrase (a count below the gate, or 0)."""
        table = self.counts.table
        count_a, count_b, count_ab = table.get(a, 0), table.get(b, 0), self.counts.pair(a, b)
        if count_a < self.floor or count_b < self.floor or count_ab <= 0:
            return None
        return (count_ab - self.settings.min_count) * self.n / (count_a * count_b)

    def is_phrase(self, a: str, b: str) -> bool:
        score = self.score(a, b)
        return score is not None and score > self.settings.threshold

    def apply(self, sentence: list[str]) -> list[str]:
        """The sentence with its phrases joined, left to right, each token joined at most once."""
        out, i, delimiter = [], 0, self.settings.delimiter
        while i < len(sentence):
            if i + 1 < len(sentence) and self.is_phrase(sentence[i], sentence[i + 1]):
                phrase = sentence[i] + delimiter + sentence[i + 1]
                self.joined[phrase] = self.joined.get(phrase, 0) + 1
                out.append(phrase)
                i += 2
            else:
                out.append(sentence[i])
                i += 1
        return out


def rewrite(models: list[PhraseModel], sentences: Iterable[list[str]]) -> Iterator[list[str]]:
    """Sentences through every pass's model in turn."""
    for sentence in sentences:
        for model in models:
            sentence = model.apply(sentence)
        yield sentence


def learn_phrases(read_sentences: Callable[[], Iterable[list[str]]], settings: PhraseSettings,
                  passes: int = PASSES) -> list[PhraseModel]:
    """One model per pass; pass p counts the text as rewritten by passes 1..p−1 (read_sentences is called once
    per pass and must give the same sentences each time: the text is streamed, never held)."""
    if not 1 <= passes <= MAX_PASSES:
        raise ConfigError(f"--passes must be between 1 and {MAX_PASSES} (got {passes})")
    models: list[PhraseModel] = []
    for _ in range(passes):
        counts = PhraseCounts.of(rewrite(models, read_sentences()), settings.max_table)
        models.append(PhraseModel(counts, settings))
    for model in models:
        model.joined.clear()  # learning rewrote the text too; count only what the caller rewrites next
    return models


def phrase_rewriter(read_sentences: Callable[[], Iterable[list[str]]], settings: PhraseSettings,
                    passes: int = PASSES) -> tuple[Callable[[Iterable[list[str]]], Iterator[list[str]]],
                                                   list[PhraseModel]]:
    """What `w2v train --phrases` reads the corpus through: the phrases learnt (learn_phrases, `passes` reads of
    the text), and a function rewriting any stream of sentences with them, as `w2v phrases` writes its output."""
    models = learn_phrases(read_sentences, settings, passes)
    return (lambda sentences: rewrite(models, sentences)), models
