"""`w2v odd` and `w2v rank`: the odd one out of a few words, and candidates ranked by closeness to a word.

Each parses, calls vectors/ranking.py, and renders with display.py. Not here: the math.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .display import print_result_json, print_table
from .options import JsonFlag, ModelPath, VectorsChoice, VectorsKind
from .vectors import DEFAULT_MODEL, load_for_query
from ..vectors.ranking import odd_one_out, rank_candidates


def odd(
    words: Annotated[list[str], typer.Argument(help="Three or more words.")],
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: JsonFlag = False,
) -> None:
    """The word that does not belong: the one farthest from the mean of the words' unit vectors (gensim's
    doesnt_match). All the words are listed, the odd one first, each with its cosine to the mean.

    Example: w2v odd breakfast lunch dinner cereal
    """
    ranked = odd_one_out(load_for_query(model, vectors), words)
    if as_json:
        print_result_json("odd", {"model": str(model), "vectors": vectors.value, "measure": "cosine to the mean",
                                  "odd": ranked[0].word,
                                  "words": [{"word": r.word, "score": r.cosine} for r in ranked]})
    else:
        print_table(f"odd one out: {ranked[0].word}", ("word", "cosine to mean"),
                    [(r.word, f"{r.cosine:.4f}") for r in ranked], justify=("left", "right"))


def rank(
    query: Annotated[str, typer.Argument(help="The word to compare with.")],
    candidates: Annotated[list[str], typer.Argument(help="The words to rank.")],
    model: ModelPath = DEFAULT_MODEL,
    vectors: VectorsChoice = VectorsKind.center,
    as_json: JsonFlag = False,
) -> None:
    """Rank candidate words by cosine similarity to the query word, each with its rank among all the words of
    the vocabulary (1 = the query's nearest neighbour; gensim's rank).

    Example: w2v rank king queen prince chair
    """
    ranked = rank_candidates(load_for_query(model, vectors), query, candidates)
    if as_json:
        print_result_json("rank", {"model": str(model), "vectors": vectors.value, "measure": "cosine",
                                   "query": query,
                                   "candidates": [{"word": r.word, "score": r.cosine, "rank": r.rank}
                                                  for r in ranked]})
    else:
        print_table(query, ("query", "word", "cosine", "rank"),
                    [(query, r.word, f"{r.cosine:.4f}", r.rank) for r in ranked],
                    justify=("left", "left", "right", "right"))
