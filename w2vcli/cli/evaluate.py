"""`w2v evaluate`: the analogy and word-pair benchmarks on a model's vectors (the scoring lives in evaluate.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .vectors import AnalogyMethod
from .options import JsonFlag, ModelPath, VectorsChoice, VectorsKind


def evaluate(
    model: ModelPath = Path("model.npz"),
    vectors: VectorsChoice = VectorsKind.center,
    analogies: Annotated[Optional[Path], typer.Option(
        "--analogies", "-a", help="Analogy questions, questions-words.txt format: ': section', then 'a b c d'.")]
    = None,
    pairs: Annotated[Optional[list[Path]], typer.Option(
        "--pairs", "-p", help="Word pairs, lines `word1<TAB>word2<TAB>score` (WordSim-353, SimLex-999); repeatable.")]
    = None,
    restrict_vocab: Annotated[int, typer.Option(
        min=1, help="Only the N most frequent words count, as answers and in questions and pairs.")] = 300_000,
    method: Annotated[AnalogyMethod, typer.Option(help="add: 3CosAdd; cosmul: 3CosMul (Levy & Goldberg 2014).")]
    = AnalogyMethod.add,
    case_sensitive: Annotated[bool, typer.Option(
        "--case-sensitive", help="Match words exactly, not case-insensitively as gensim does.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Score vectors on word-analogy and word-similarity benchmarks, with the numbers gensim reports.

    Analogies: accuracy per section, semantic and syntactic (gram*) totals, questions skipped for unknown words.
    Pairs: Spearman and Pearson correlation with the human scores, pairs skipped. Malformed lines are reported
    with their line number and skipped.

    Example: w2v evaluate -m model.npz --analogies questions-words.txt --pairs wordsim353.tsv
    """
    from ..vectors import evaluate as ev
    from .display import print_evaluation, print_result_json, print_warnings
    from .vectors import load_for_query
    from ..errors import ConfigError

    if analogies is None and not pairs:
        raise ConfigError("nothing to evaluate: give --analogies FILE and/or --pairs FILE")
    question_file = ev.read_analogies(analogies) if analogies else None  # files first: a typo fails fast
    pair_files = [ev.read_pairs(path) for path in pairs or ()]
    embeddings = load_for_query(model, vectors)
    options = dict(restrict_vocab=restrict_vocab, case_insensitive=not case_sensitive)
    results = {"": _scored(embeddings, question_file, pair_files, method.value, options)}
    if hasattr(embeddings, "for_evaluation"):  # a subword model: every question again, unknown words from n-grams
        extended = embeddings.for_evaluation(_words_of(question_file, pair_files), restrict_vocab,
                                             case_insensitive=not case_sensitive)
        results[" (every word; unknown words from subwords)"] = _scored(
            extended, question_file, pair_files, method.value, {**options, "restrict_vocab": len(extended)})
    if json_output:
        data = {"model": str(model), "vectors": vectors.value}
        for note, (analogy_result, pair_results) in results.items():
            suffix = "_with_subwords" if note else ""
            data["analogies" + suffix] = analogy_result.as_dict() if analogy_result else None
            data["pairs" + suffix] = [result.as_dict() for result in pair_results]
        print_result_json("evaluate", data)
    else:
        for note, (analogy_result, pair_results) in results.items():
            print_evaluation(analogy_result, pair_results, note=note)
    print_warnings([warning for found in (question_file, *pair_files) if found for warning in found.warnings])


def _scored(embeddings, question_file, pair_files, method: str, options: dict):
    """(analogy result or None, pair results) of one set of vectors."""
    from ..vectors import evaluate as ev

    analogy_result = (ev.score_analogies(embeddings, question_file, method=method, **options) if question_file
                      else None)
    return analogy_result, [ev.score_pairs(embeddings, found, **options) for found in pair_files]


def _words_of(question_file, pair_files) -> list[str]:
    """Every word of the analogy questions and word pairs, in file order."""
    questions = question_file.sections if question_file else ()
    return ([word for section in questions for question in section.questions for word in question]
            + [word for found in pair_files for pair in found.pairs for word in pair[:2]])
