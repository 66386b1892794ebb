"""The two evaluation file formats, read and checked line by line: analogy questions and word pairs.

questions-words.txt (Mikolov et al., 2013): `: section` lines, then `a b c d` meaning "a is to b as c is to d".
WordSim-353 / SimLex-999 pairs: `word1<TAB>word2<TAB>score`, `#` comments. A malformed line becomes a warning
with its line number and is skipped; a missing, empty or unreadable file is an EvaluationFileError.
Not here: scoring (evaluate.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import W2VError


class EvaluationFileError(W2VError):
    """An analogy or word-pair file that is missing, unreadable, or holds nothing to evaluate."""


@dataclass
class Section:
    name: str
    questions: list[tuple[str, str, str, str]] = field(default_factory=list)  # (a, b, c, expected) as written


@dataclass(frozen=True)
class AnalogyFile:
    source: str
    sections: list[Section]  # in file order
    warnings: list[str]  # one per malformed line, each skipped


@dataclass(frozen=True)
class PairsFile:
    source: str
    pairs: list[tuple[str, str, float]]  # (word1, word2, human score)
    warnings: list[str]  # one per malformed line, each skipped


def _read_lines(path, what: str) -> list[tuple[int, str | None]]:
    """(1-based line number, text) of each line of path; None for a line that is not UTF-8."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationFileError(f"{what} file {path} is a directory" if path.is_dir()
                                  else f"{what} file not found: {path}")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise EvaluationFileError(f"cannot read {what} file {path}: {error.strerror}") from None
    if not raw.strip():
        raise EvaluationFileError(f"{what} file {path} is empty")
    lines = []
    for number, line in enumerate(raw.splitlines(), start=1):
        try:
            lines.append((number, line.decode("utf-8")))
        except UnicodeDecodeError:
            lines.append((number, None))
    return lines


def parse_analogies(lines, source: str = "analogies") -> AnalogyFile:
    """Sections of questions-words.txt lines, and one warning per malformed line (which is skipped).

    subtle: like gensim, a header's name is the line with leading ':' and spaces removed, and sections that
    share a name stay separate. Unlike gensim, ':name' (no space) is a header too, and a question before any
    header is a warning rather than an exception. Blank lines are skipped silently.
    """
    sections, warnings = [], []
    for number, line in lines:
        if line is None:
            warnings.append(f"{source} line {number}: not UTF-8 text; skipped")
        elif line.startswith(":"):
            sections.append(Section(line.lstrip(": ").strip()))
        elif (words := line.split()) and len(words) != 4:
            warnings.append(f"{source} line {number}: expected 4 words 'a b c d', found {len(words)}; skipped")
        elif words and not sections:
            warnings.append(f"{source} line {number}: question before any ': section' line; skipped")
        elif words:
            sections[-1].questions.append(tuple(words))
    return AnalogyFile(source, sections, warnings)


def parse_pairs(lines, source: str = "pairs") -> PairsFile:
    """(word1, word2, score) of tab-separated lines, skipping '#' comments; one warning per malformed line."""
    pairs, warnings = [], []
    for number, line in lines:
        fields = [] if line is None else [text.strip() for text in line.split("\t")]
        if line is None:
            warnings.append(f"{source} line {number}: not UTF-8 text; skipped")
        elif not line.strip() or line.startswith("#"):
            continue
        elif len(fields) != 3 or not fields[0] or not fields[1]:
            warnings.append(f"{source} line {number}: expected 'word1<TAB>word2<TAB>score'; skipped")
        elif not math.isfinite(score := _number(fields[2])):
            warnings.append(f"{source} line {number}: score {fields[2]!r} is not a finite number; skipped")
        else:
            pairs.append((fields[0], fields[1], score))
    return PairsFile(source, pairs, warnings)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def read_analogies(path) -> AnalogyFile:
    found = parse_analogies(_read_lines(path, "analogy"), str(path))
    if not any(section.questions for section in found.sections):
        raise EvaluationFileError(f"analogy file {path} holds no questions (': section' lines, then 'a b c d')")
    return found


def read_pairs(path) -> PairsFile:
    found = parse_pairs(_read_lines(path, "word-pair"), str(path))
    if not found.pairs:
        raise EvaluationFileError(f"word-pair file {path} holds no pairs ('word1<TAB>word2<TAB>score' lines)")
    return found
