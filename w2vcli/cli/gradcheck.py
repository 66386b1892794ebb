"""`w2v gradcheck`: every hand-written gradient against centred finite differences."""

from __future__ import annotations

from typing import Annotated

import typer


def gradcheck(
    dim: Annotated[int, typer.Option(min=1, max=50, help="Dimension of the random test vectors.")] = 5,
    vocab_size: Annotated[int, typer.Option(min=2, max=200, help="Vocabulary size of the test problem.")] = 8,
    negatives: Annotated[int, typer.Option(min=1, max=50, help="Negatives K per pair.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the random test point.")] = 0,
    h: Annotated[float, typer.Option(min=1e-12, help="Finite-difference step.")] = 1e-4,
    tolerance: Annotated[float, typer.Option(min=1e-12, help="Largest relative error passed.")] = 1e-5,
) -> None:
    """Verify every hand-derived gradient against finite differences.

    Checks the sigmoid derivative, both losses (naive softmax, negative sampling) with respect to the center
    vector and the outside vectors, skip-gram and CBOW with each loss, and the batched block objective that
    training optimises, and hierarchical softmax (its loss, both models, both block objectives).
    Exits 0 when all pass, 1 otherwise.

    Example: w2v gradcheck --dim 10 --seed 3
    """
    from .display import print_gradcheck
    from ..math.gradcheck import run_checks, standard_checks

    results = run_checks(standard_checks(dim=dim, vocab_size=vocab_size, seed=seed, negatives=negatives),
                         h=h, tolerance=tolerance)
    print_gradcheck(results, tolerance)
    if not all(result.passed for _, result in results):
        raise typer.Exit(1)
