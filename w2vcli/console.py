"""The `w2v` console script: chooses NumPy's BLAS threads before NumPy loads, then runs the CLI (cli/).

OpenBLAS starts one thread per core when NumPy is imported, and they spin for a moment: about 80 ms of CPU and
15-20 ms of wall time on every command, measured on the 2-core development machine, where a query takes 0.25 s
in all. Only `w2v evaluate` (every analogy question against the vocabulary) and `w2v plot` (an HTML map's
neighbours: 2,000 words against a 100K-word model took 3.2-4.8 s with one thread, 2.3-2.7 s with two) multiply
matrices large enough to use them; training limits each worker to one thread anyway (training/workers.py,
one_blas_thread). So every other command runs with one BLAS thread, unless the user set the count themselves.
"""

from __future__ import annotations

import os
import sys

BLAS_COMMANDS = frozenset({"evaluate", "plot"})  # commands whose matrix products use every core
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # the user's choice, if set


def choose_blas_threads(argv: list[str], environ) -> None:
    """Set OPENBLAS_NUM_THREADS=1 in environ unless argv's command is in BLAS_COMMANDS or a count is set."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in BLAS_COMMANDS or any(name in environ for name in BLAS_VARIABLES):
        return
    environ["OPENBLAS_NUM_THREADS"] = "1"


def main() -> None:
    choose_blas_threads(sys.argv[1:], os.environ)
    from .cli import main as run  # NumPy loads here, after the choice

    run()
