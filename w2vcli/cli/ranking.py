"""`w2v odd` and `w2v rank`: the odd one out of a few words, and candidates ranked by closeness to a word.

Each parses, calls vectors/ranking.py, and renders with display.py. Not here: the math.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .display import print_json, print_table
from .options import ModelPath, VectorsChoice, VectorsKind
from ..vectors.embeddings import load_vectors
from ..vectors.ranking import odd_one_out, rank_candidates

DEFAULT_MODEL = Path("model.npz")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


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
    ranked = odd_one_out(load_vectors(model, vectors.value), words)
    if as_json:
        print_json({"odd": ranked[0].word,
                    "words": [{"word": r.word, "cosine_to_mean": round(r.cosine, 6)} for r in ranked]})
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
    ranked = rank_candidates(load_vectors(model, vectors.value), query, candidates)
    if as_json:
        print_json({"query": query, "candidates": [{"word": r.word, "cosine": round(r.cosine, 6),
                                                    "rank": r.rank} for r in ranked]})
    else:
        print_table(query, ("query", "word", "cosine", "rank"),
                    [(query, r.word, f"{r.cosine:.4f}", r.rank) for r in ranked],
                    justify=("left", "left", "right", "right"))
