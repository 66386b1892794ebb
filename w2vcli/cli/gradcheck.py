"""`w2v gradcheck`: every hand-written gradient against centred finite differences."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import JsonFlag


def gradcheck(
    dim: Annotated[int, typer.Option(min=1, max=50, help="Dimension of the random test vectors.")] = 5,
    vocab_size: Annotated[int, typer.Option(min=2, max=200, help="Vocabulary size of the test problem.")] = 8,
    negatives: Annotated[int, typer.Option(min=1, max=50, help="Negatives K per pair.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of the random test point.")] = 0,
    fd_step: Annotated[float, typer.Option(
        "--fd-step", min=1e-12, help="Finite-difference step h of (f(x + h) - f(x - h)) / 2h.")] = 1e-4,
    tolerance: Annotated[float, typer.Option(
        min=1e-12, help="Largest relative error passed, |num - ana| / max(1, |num|, |ana|).")] = 1e-5,
    as_json: JsonFlag = False,
) -> None:
    """Verify every hand-derived gradient against finite differences.

    Checks the sigmoid derivative, both losses (naive softmax, negative sampling) with respect to the center
    vector and the outside vectors, skip-gram and CBOW with each loss, and the batched block objective that
    training optimises, and hierarchical softmax (its loss, both models, both block objectives).
    Exits 0 when all pass, 1 otherwise.

    Example: w2v gradcheck --dim 10 --seed 3
    """
    from .display import print_gradcheck, print_result_json
    from ..math.gradcheck import run_checks, standard_checks

    results = run_checks(standard_checks(dim=dim, vocab_size=vocab_size, seed=seed, negatives=negatives),
                         h=fd_step, tolerance=tolerance)
    if as_json:
        print_result_json("gradcheck", {
            "fd_step": fd_step, "tolerance": tolerance, "passed": all(result.passed for _, result in results),
            "checks": [{"name": check.name, "shape": list(check.x.shape), "max_rel_error": result.max_rel_error,
                        "worst_index": result.worst_index, "passed": result.passed} for check, result in results]})
    else:
        print_gradcheck(results, tolerance)
    if not all(result.passed for _, result in results):
        raise typer.Exit(1)
