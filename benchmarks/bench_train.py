"""Training throughput, peak memory and embedding quality: w2vcli against gensim, same corpus, same run.

Each system trains in its own process, timed whole (start-up, vocabulary, training, saving) with its peak
resident memory from wait4; on the corpus and on the corpus repeated three times, so that start-up costs do not
hide the per-token rate and memory growth with corpus length shows. Quality is scored by w2vcli's own evaluate
code for every system: analogy accuracy over questions whose words are among the 30,000 most frequent, and
WordSim-353 Spearman. Settings: skip-gram, 5 negatives, window 5, dim 100, min-count 5, sample 1e-3, 5 epochs.

    python benchmarks/bench_train.py [--corpus ../shared/data/brown.txt] [--repeats 1 3] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from w2vcli.vectors.checkpoint import load_model
from w2vcli.vectors.evaluate import quality
from w2vcli.vectors.embeddings import Embeddings

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SETTINGS = dict(dim=100, window=5, negatives=5, min_count=5, sample=1e-3, epochs=5)

GENSIM_SCRIPT = """
import sys, numpy as np
from gensim.models import Word2Vec
corpus, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = Word2Vec(corpus_file=corpus, sg=1, vector_size={dim}, window={window}, negative={negatives},
                 min_count={min_count}, sample={sample}, epochs={epochs}, workers=workers, seed=1)
np.save(out + ".npy", model.wv.vectors)
open(out + ".words", "w", encoding="utf-8").write("\\n".join(model.wv.index_to_key))
""".format(**SETTINGS)


def _tree_pss_kib(pid: int) -> int:
    """Proportional set size of pid and its descendants (shared pages divided among their users), KiB."""
    total, pids = 0, [pid]
    while pids:
        current = pids.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids += [int(child) for child in children]
    return total


def timed(command: list[str]) -> tuple[float, float]:
    """Run command; (wall seconds, peak memory MiB) of that process and its workers.

    Peak memory is the largest sum of PSS over the process tree, sampled every 20 ms (fair to a system whose
    workers are processes sharing memory as to one whose workers are threads), and at least the process's own
    peak resident size as the kernel reports it at exit.
    """
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kib, finished = [0], threading.Event()

    def sample():  # never waits on the process itself: wait4 below must be the one to reap it
        while not finished.wait(0.02):
            peak_kib[0] = max(peak_kib[0], _tree_pss_kib(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    finished.set()
    process.returncode = os.waitstatus_to_exitcode(status)
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{process.stderr.read().decode()}")
    return seconds, max(peak_kib[0], usage.ru_maxrss) / 1024


EXTRA_ARGS: list[str] = []  # --w2v-args: more `w2v train` options, for experiments


def run_w2vcli(corpus: Path, out: Path, workers: int) -> tuple[float, float, Embeddings]:
    command = [sys.executable, "-m", "w2vcli", "train", str(corpus), "--out", str(out), "--force", "--quiet",
               "--checkpoint-every", "0", "--dim", "100", "--window", "5", "--negatives", "5", "--min-count", "5",
               "--sample", "0.001", "--epochs", "5"]
    if workers:
        command += ["--workers", str(workers)]
    command += EXTRA_ARGS
    seconds, peak = timed(command)
    model = load_model(out)
    return seconds, peak, Embeddings(model.words, model.center_vectors, lowercase=True)


def run_gensim(corpus: Path, out: Path, workers: int) -> tuple[float, float, Embeddings]:
    seconds, peak = timed([sys.executable, "-c", GENSIM_SCRIPT, str(corpus), str(out), str(workers or 2)])
    words = Path(str(out) + ".words").read_text(encoding="utf-8").split("\n")
    return seconds, peak, Embeddings(words, np.load(str(out) + ".npy"), lowercase=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "brown.txt")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--workers", type=int, nargs="+", default=[0], help="w2vcli --workers values (0: omit)")
    parser.add_argument("--gensim-workers", type=int, default=2)
    parser.add_argument("--no-gensim", action="store_true")
    parser.add_argument("--w2v-args", default="", help="extra `w2v train` options, e.g. '--shared-negatives 32'")
    args = parser.parse_args()
    EXTRA_ARGS.extend(args.w2v_args.split())
    analogies, pairs = DATA / "eval" / "questions-words.txt", DATA / "eval" / "wordsim353.tsv"
    tokens = sum(len(line.split()) for line in args.corpus.open(encoding="utf-8"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in args.repeats:
            corpus = args.corpus
            if repeat > 1:
                corpus = Path(tmp) / f"{args.corpus.stem}-x{repeat}.txt"
                corpus.write_bytes(args.corpus.read_bytes() * repeat)
            systems = [("w2vcli" + (f" --workers {w}" if w else ""), run_w2vcli, w) for w in args.workers]
            if not args.no_gensim:
                systems.append((f"gensim {args.gensim_workers} workers", run_gensim, args.gensim_workers))
            for name, runner, workers in systems:
                seconds, peak, embeddings = runner(corpus, Path(tmp) / "vectors.npz", workers)
                accuracy, rho = quality(embeddings, analogies, pairs) if repeat == 1 else (float("nan"),) * 2
                rate = tokens * repeat * SETTINGS["epochs"] / seconds
                rows.append((name, f"{repeat}x", f"{seconds:.1f}", f"{rate / 1000:,.0f}K", f"{peak:,.0f}",
                             f"{100 * accuracy:.2f}%" if accuracy == accuracy else "", f"{rho:.3f}" if rho == rho else ""))
                print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    header = ("system", "corpus", "seconds", "tokens/s", "peak MiB", "analogy (30K)", "WS353 ρ")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
