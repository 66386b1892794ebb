"""How long a user waits for `w2v nearest`: process start to printed answer, on a 100K-word x 300-dim model.

Builds a random model of that size in a temporary folder (as .npz and as word2vec .bin), runs the real `w2v`
command in fresh processes and reports the median wall time of each, next to `w2v --version` (the floor set by
Python, NumPy, Typer and Rich starting up). Also times reading a 1M-word word2vec binary file in-process.
A benchmark, not a test: run it by hand, `python benchmarks/bench_query.py [--runs 5] [--million-dim 50]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from w2vcli.vectors.checkpoint import ModelFile, save_model
from w2vcli.vectors.formats import read_word2vec, write_word2vec


def random_model(words: int, dim: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    return [f"w{i}" for i in range(words)], rng.standard_normal((words, dim), dtype=np.float32)  # (V, d)


def wall_time(command: list[str], runs: int) -> float:
    """Median seconds from spawning the process to its exit (its answer printed), over runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="processes per measurement (median reported)")
    parser.add_argument("--million-dim", type=int, default=50, help="dimension of the 1M-word binary file (0: skip)")
    args = parser.parse_args()
    w2v = shutil.which("w2v", path=str(Path(sys.executable).parent)) or shutil.which("w2v")
    base = [w2v] if w2v else [sys.executable, "-m", "w2vcli"]
    with tempfile.TemporaryDirectory() as folder:
        words, vectors = random_model(100_000, 300)
        npz, binary = Path(folder) / "model.npz", Path(folder) / "model.bin"
        save_model(npz, ModelFile(vectors, vectors, words, np.arange(len(words), 0, -1), {}, {}, np.zeros(0)))
        write_word2vec(binary, words, vectors, binary=True)
        rows = [("w2v --version (start-up floor)", wall_time([*base, "--version"], args.runs))]
        for path in (npz, binary):
            command = [*base, "nearest", "w4242", "-k", "10", "-m", str(path)]
            rows.append((f"w2v nearest, 100K x 300 {path.suffix}", wall_time(command, args.runs)))
        if args.million_dim:
            million = Path(folder) / "million.bin"
            write_word2vec(million, *random_model(1_000_000, args.million_dim, seed=1), binary=True)
            start = time.perf_counter()
            read_word2vec(million, binary=True)
            rows.append((f"read 1M x {args.million_dim} .bin in-process", time.perf_counter() - start))
    print(f"median of {args.runs} runs, process start to printed answer")
    for name, seconds in rows:
        print(f"{name:<40} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
