"""How long a user waits for an answer, next to the peers, repeated so the ranges show the machine's noise.

1. `w2v nearest` from process start to printed answer on a random 100K-word x 300-dim model, as .npz and as word2vec
   .bin, in fresh processes, next to `w2v --version` (the floor set by Python and the imports); wall and CPU time,
   and the load average, since other jobs on the machine stretch every wall time.
2. Reading a word2vec text file of 400K words x 300 (GloVe's size, numbers written as GloVe writes them, with up
   to 5 significant digits), generated into a temporary folder: w2vcli's read_word2vec against gensim's
   KeyedVectors.load_word2vec_format, alternating in the same run, each result checked equal to the other.
A benchmark, not a test: run it by hand,
`python benchmarks/bench_query.py [--runs 3] [--query-runs 9] [--text-words 400000]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
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


def write_glove_like(path: Path, words: int, dim: int, seed: int = 1) -> None:
    """A word2vec text file whose numbers look like GloVe's ("0.41800 -0.29507"): drawn from 65,536 formatted
    values, so writing 400K rows takes seconds, not the minutes of formatting each number."""
    rng = np.random.default_rng(seed)
    table = np.array([f"{value:.5g}" for value in rng.normal(0, 0.4, 1 << 16)], dtype=object)
    with open(path, "w", encoding="utf-8") as file:
        file.write(f"{words} {dim}\n")
        for start in range(0, words, 10_000):
            picks = table[rng.integers(0, len(table), (min(10_000, words - start), dim))]  # (rows, d)
            file.writelines(f"w{start + i} {' '.join(row)}\n" for i, row in enumerate(picks))


def process_seconds(command: list[str]) -> tuple[float, float]:
    """Seconds from spawning the process to its exit (its answer printed), and the CPU seconds it used (user +
    system: less sensitive than wall time to other jobs on a loaded machine)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def spread(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {ordered[len(ordered) // 2]:6.2f} s  range {ordered[0]:.2f}-{ordered[-1]:.2f} s"


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def query_rows(folder: Path, base: list[str], runs: int) -> list[tuple[str, list[float]]]:
    words, vectors = random_model(100_000, 300)
    npz, binary = folder / "model.npz", folder / "model.bin"
    save_model(npz, ModelFile(vectors, vectors, words, np.arange(len(words), 0, -1), {}, {}, np.zeros(0)))
    write_word2vec(binary, words, vectors, binary=True)
    tiny = folder / "tiny.npz"  # a 10-word model: the floor of a command that parses arguments
    save_model(tiny, ModelFile(vectors[:10], vectors[:10], words[:10], np.arange(10, 0, -1), {}, {}, np.zeros(0)))
    commands = [("w2v --version (start-up floor)", [*base, "--version"]),
                ("w2v nearest, 10 x 300 .npz (command floor)", [*base, "nearest", "w4", "-k", "10", "-m", str(tiny)])]
    commands += [(f"w2v nearest, 100K x 300 {path.suffix}", [*base, "nearest", "w4242", "-k", "10", "-m", str(path)])
                 for path in (npz, binary)]
    times: dict[str, list[float]] = {name: [] for name, _ in commands}
    cpu: dict[str, list[float]] = {name: [] for name, _ in commands}
    for _ in range(runs):  # interleaved, so a busy moment of the machine touches every command alike
        for name, command in commands:
            wall, used = process_seconds(command)
            times[name].append(wall)
            cpu[name].append(used)
    return list(times.items()) + [(f"{name} (CPU)", cpu[name]) for name, _ in commands]


def text_rows(folder: Path, words: int, runs: int) -> list[tuple[str, list[float]]]:
    from gensim.models import KeyedVectors

    path = folder / "glove.txt"
    write_glove_like(path, words, 300)
    ours, theirs = [], []
    for _ in range(runs):
        start = time.perf_counter()
        read_words, vectors = read_word2vec(path, binary=False)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        loaded = KeyedVectors.load_word2vec_format(str(path))
        theirs.append(time.perf_counter() - start)
        if loaded.index_to_key != read_words or not np.array_equal(loaded.vectors, vectors):
            raise SystemExit("w2vcli and gensim read different vectors")
        del read_words, vectors, loaded
    size = path.stat().st_size / 1e6
    ratios = sorted(t / o for o, t in zip(ours, theirs))
    print(f"text file {words:,} x 300, {size:,.0f} MB; gensim / w2vcli per run: "
          f"{', '.join(f'{r:.1f}x' for r in ratios)}")
    return [(f"read {words // 1000}K x 300 .txt: w2vcli", ours), (f"read {words // 1000}K x 300 .txt: gensim", theirs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (range reported)")
    parser.add_argument("--query-runs", type=int, default=None, help="repetitions of the queries (default: --runs)")
    parser.add_argument("--text-words", type=int, default=400_000, help="words in the text file (0: skip)")
    args = parser.parse_args()
    w2v = shutil.which("w2v", path=str(Path(sys.executable).parent)) or shutil.which("w2v")
    base = [w2v] if w2v else [sys.executable, "-m", "w2vcli"]
    print(f"load average (1/5/15 min) at the start: {load_average()}")
    with tempfile.TemporaryDirectory() as folder:
        rows = query_rows(Path(folder), base, args.query_runs or args.runs)
        print(f"load average after the queries: {load_average()}")
        if args.text_words:
            rows += text_rows(Path(folder), args.text_words, args.runs)
    print(f"load average at the end: {load_average()}")
    print(f"{args.query_runs or args.runs} runs of each query, {args.runs} of each text read; wall time unless "
          "marked CPU")
    for name, times in rows:
        print(f"{name:<48} {spread(times)}")


if __name__ == "__main__":
    main()
