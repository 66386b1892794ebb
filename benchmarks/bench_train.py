"""Training throughput, peak memory and embedding quality over seeds: w2vcli against its peers, in one run.

Every system trains in its own process with the same settings (skip-gram, 5 negatives, window 5, dim 100,
min-count 5, sample 1e-3, 5 epochs), once per seed for all epochs and once for one epoch; the rounds interleave
the systems, so a loaded machine slows them alike. Each process is timed whole with its peak memory (PSS summed
over its workers); bench_report.py turns the runs into marginal tokens/s, ratios to gensim and quality over seeds.
Quality is scored by w2vcli's evaluate code for every system, over the 30,000 most frequent words: analogy accuracy
(questions-words), WordSim-353 Spearman, and SimLex-999 Spearman (read from the installed gensim's test data).

Systems: w2vcli with 2 workers and with 1 (`w2v train`), gensim 4's Word2Vec (`corpus_file`, 2 workers);
optionally fastText (the `fasttext-numpy2` package, 2 threads, word-level: no character n-grams) and the C
word2vec (2 threads), compiled at run time from a word2vec.c you point to. Neither takes a seed: their runs differ
by thread timing only. Prints a markdown table ready for the README. `--loss hs` runs every system with hierarchical
softmax and no negatives instead (w2vcli `--loss hs`, gensim `hs=1, negative=0`, fastText `loss="hs"`, C `-hs 1
-negative 0`).

    python benchmarks/bench_train.py [--seeds 1 2 3] [--fasttext] [--word2vec-c path/to/word2vec.c] [--json runs.json]
    python benchmarks/bench_train.py --quick          # smoke test: 3,000 sentences, one seed
    python benchmarks/bench_train.py --loss hs        # hierarchical softmax in every system
    python benchmarks/bench_train.py --report runs.json   # the table again from saved runs
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_report import Run, load_runs, markdown_table, save_runs  # noqa: E402

from w2vcli.vectors.checkpoint import load_model  # noqa: E402
from w2vcli.vectors.embeddings import Embeddings  # noqa: E402
from w2vcli.vectors.evalfiles import read_analogies, read_pairs  # noqa: E402
from w2vcli.vectors.evaluate import score_analogies, score_pairs  # noqa: E402
from w2vcli.vectors.formats import read_word2vec  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
SETTINGS = dict(dim=100, window=5, negatives=5, min_count=5, sample=1e-3, epochs=5)
RESTRICT_VOCAB = 30_000
REFERENCE = "gensim 2 workers"

GENSIM_SCRIPT = """
import sys, numpy as np
from gensim.models import Word2Vec
corpus, out, seed, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = Word2Vec(corpus_file=corpus, sg=1, vector_size={dim}, window={window}, negative=NEGATIVE, hs=HS,
                 min_count={min_count}, sample={sample}, epochs=epochs, workers=2, seed=seed)
np.save(out + ".npy", model.wv.vectors)
open(out + ".words", "w", encoding="utf-8").write("\\n".join(model.wv.index_to_key))
""".format(**SETTINGS)

FASTTEXT_SCRIPT = """
import sys, numpy as np, fasttext
corpus, out, seed, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
model = fasttext.train_unsupervised(corpus, model="skipgram", dim={dim}, ws={window}, neg={negatives},
                                    minCount={min_count}, t={sample}, epoch=epochs, lr=0.025, minn=0, maxn=0,
                                    thread=2, verbose=0, loss=LOSS)  # no seed option here
words = model.get_words()
np.save(out + ".npy", model.get_input_matrix()[:len(words)])
open(out + ".words", "w", encoding="utf-8").write("\\n".join(words))
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


def timed(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Run command; (wall seconds, peak memory MiB, CPU seconds) of that process and its workers.

    Peak memory is the largest sum of PSS over the process tree, sampled every 20 ms (fair to a system whose
    workers are processes sharing memory as to one whose workers are threads), and at least the process's own
    peak resident size as the kernel reports it at exit.
    """
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
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
    return seconds, max(peak_kib[0], usage.ru_maxrss) / 1024, usage.ru_utime + usage.ru_stime


class W2vcli:
    """`w2v train` of this checkout, or with tree of another one (run from its folder, so that `-m w2vcli` and
    PYTHONPATH find that one): the same machine and load, side by side."""

    def __init__(self, workers: int, extra: list[str], tree: Path | None = None):
        self.name, self.workers, self.extra = f"w2vcli {workers} worker{'s' * (workers > 1)}", workers, extra
        self.tree = tree
        if tree is not None:
            self.name += f" ({tree.name})"

    def command(self, corpus: Path, out: Path, seed: int, epochs: int) -> list[str]:
        options = {"dim": 100, "window": 5, "negatives": 5, "min-count": 5, "sample": 0.001, "epochs": epochs,
                   "seed": seed, "workers": self.workers, "checkpoint-every": 0}
        env = ["env", f"PYTHONPATH={self.tree}"] if self.tree is not None else []
        return [*env, sys.executable, "-m", "w2vcli", "train", str(corpus), "--out", str(out) + ".npz", "--force",
                "--quiet", *itertools.chain.from_iterable((f"--{k}", str(v)) for k, v in options.items()),
                *self.extra]

    def load(self, out: Path) -> Embeddings:
        model = load_model(str(out) + ".npz")
        return Embeddings(model.words, model.center_vectors, lowercase=True)


class PythonPeer:
    """gensim or fastText, run by a small script that saves vectors (.npy) and words (.words)."""

    def __init__(self, name: str, script: str):
        self.name, self.script = name, script

    def command(self, corpus: Path, out: Path, seed: int, epochs: int) -> list[str]:
        return [sys.executable, "-c", self.script, str(corpus), str(out), str(seed), str(epochs)]

    def load(self, out: Path) -> Embeddings:
        words = Path(str(out) + ".words").read_text(encoding="utf-8").split("\n")
        return Embeddings(words, np.load(str(out) + ".npy"), lowercase=True)


def for_loss(script: str, loss: str) -> str:
    """A peer's script with its loss settings filled in: negative sampling, or hierarchical softmax alone."""
    hs = loss == "hs"
    return (script.replace("NEGATIVE", "0" if hs else str(SETTINGS["negatives"])).replace("HS", str(int(hs)))
            .replace("LOSS", repr("hs" if hs else "ns")))


class CWord2vec:
    """The original C word2vec, compiled here from the word2vec.c given (nothing of it is kept)."""

    def __init__(self, source: Path, build_dir: Path, loss: str = "neg"):
        self.name, self.binary, self.hs = "word2vec (C) 2 threads", build_dir / "word2vec", loss == "hs"
        subprocess.run(["gcc", str(source), "-o", str(self.binary), "-lm", "-pthread", "-O3", "-march=native",
                        "-funroll-loops", "-Wno-unused-result"], check=True)

    def command(self, corpus: Path, out: Path, seed: int, epochs: int) -> list[str]:
        s = SETTINGS
        return [str(self.binary), "-train", str(corpus), "-output", str(out) + ".bin", "-cbow", "0", "-size",
                str(s["dim"]), "-window", str(s["window"]), "-negative", "0" if self.hs else str(s["negatives"]),
                "-hs", str(int(self.hs)),
                "-sample", str(s["sample"]), "-min-count", str(s["min_count"]), "-threads", "2", "-iter",
                str(epochs), "-binary", "1", "-alpha", "0.025"]

    def load(self, out: Path) -> Embeddings:
        words, vectors = read_word2vec(str(out) + ".bin", binary=True)
        return Embeddings(words, vectors, lowercase=True)


def simlex_path() -> Path:
    """SimLex-999 as gensim ships it in its test data (read in place, never copied)."""
    spec = importlib.util.find_spec("gensim")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gensim is needed (pip install '.[bench]'): it is a peer and ships SimLex-999")
    return Path(spec.submodule_search_locations[0]) / "test" / "test_data" / "simlex999.txt"


class Scorer:
    """The three quality measures, each file read once."""

    def __init__(self, data: Path):
        self.analogies = read_analogies(data / "eval" / "questions-words.txt")
        self.ws353 = read_pairs(data / "eval" / "wordsim353.tsv")
        self.simlex = read_pairs(simlex_path())

    def __call__(self, embeddings: Embeddings) -> dict[str, float]:
        accuracy = score_analogies(embeddings, self.analogies, restrict_vocab=RESTRICT_VOCAB).total.accuracy
        return {"analogy": accuracy,
                "ws353": score_pairs(embeddings, self.ws353, restrict_vocab=RESTRICT_VOCAB).spearman,
                "simlex": score_pairs(embeddings, self.simlex, restrict_vocab=RESTRICT_VOCAB).spearman}


def run_round(systems, corpus: Path, tmp: Path, seed: int, scorer: Scorer) -> list[Run]:
    """Each system at this seed: the full run (scored), then the one-epoch run. The order rotates by seed."""
    runs, shift = [], seed % len(systems)
    for system in systems[shift:] + systems[:shift]:
        for epochs in (SETTINGS["epochs"], 1):
            out = tmp / "vectors"
            seconds, peak, cpu = timed(system.command(corpus, out, seed, epochs), getattr(system, "tree", None))
            quality = scorer(system.load(out)) if epochs > 1 else {}
            runs.append(Run(system.name, seed, epochs, seconds, peak, **quality, cpu_seconds=cpu))
            print(f"seed {seed} | {system.name} | {epochs} epochs | {seconds:.1f} s | CPU {cpu:.1f} s | "
                  f"{peak:.0f} MiB | "
                  + " | ".join(f"{k} {v:.4f}" for k, v in quality.items()), file=sys.stderr, flush=True)
    return runs


def make_systems(args, tmp: Path) -> list:
    extra = ["--loss", args.loss] + args.w2v_args.split()
    systems = [W2vcli(workers, extra) for workers in args.workers]
    systems += [W2vcli(2, extra, tree.resolve()) for tree in args.compare]
    systems.append(PythonPeer(REFERENCE, for_loss(GENSIM_SCRIPT, args.loss)))
    if args.fasttext:
        systems.append(PythonPeer("fastText 2 threads", for_loss(FASTTEXT_SCRIPT, args.loss)))
    if args.word2vec_c:
        systems.append(CWord2vec(args.word2vec_c, tmp, args.loss))
    return systems


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "brown.txt")
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding eval/ (analogies, WordSim-353)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 1], help="w2vcli --workers values")
    parser.add_argument("--fasttext", action="store_true", help="add fastText (pip install fasttext-numpy2)")
    parser.add_argument("--word2vec-c", type=Path, help="add the C word2vec, compiled from this word2vec.c")
    parser.add_argument("--loss", choices=["neg", "hs"], default="neg",
                        help="neg: negative sampling (5 negatives) in every system; hs: hierarchical softmax alone")
    parser.add_argument("--w2v-args", default="", help="extra `w2v train` options, e.g. '--shared-negatives 32'")
    parser.add_argument("--compare", type=Path, nargs="*", default=[],
                        help="also run the w2vcli of these checkouts (2 workers), e.g. the main branch's")
    parser.add_argument("--quick", action="store_true", help="smoke test: the first 3,000 sentences, seed 1")
    parser.add_argument("--json", type=Path, help="also save every run here")
    parser.add_argument("--report", type=Path, help="print the table of runs saved by --json, run nothing")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds = args.seeds[:1]
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.report:
        print(markdown_table(*load_runs(args.report)))
        return
    scorer = Scorer(args.data)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.quick:
            corpus = Path(tmp) / "quick.txt"
            with args.corpus.open(encoding="utf-8") as lines:
                corpus.write_text("".join(itertools.islice(lines, 3000)), encoding="utf-8")
        tokens = sum(len(line.split()) for line in corpus.open(encoding="utf-8"))
        systems = make_systems(args, Path(tmp))
        runs = [run for seed in args.seeds for run in run_round(systems, corpus, Path(tmp), seed, scorer)]
    order = [system.name for system in systems]
    runs.sort(key=lambda run: order.index(run.system))  # stable: each system's runs stay in time order
    if args.json:
        save_runs(args.json, runs, tokens, REFERENCE)
    print(markdown_table(runs, tokens, REFERENCE))
    print("\nQuality per seed (analogy %, WS-353, SimLex-999):")
    for run in runs:
        if run.epochs > 1:
            print(f"  {run.system}, seed {run.seed}: {100 * run.analogy:.2f}, {run.ws353:.3f}, {run.simlex:.3f}")
    print("Load average (1, 5, 15 min) at the start: {:.1f} {:.1f} {:.1f}; at the end: {:.1f} {:.1f} {:.1f}".format(
        *load_before, *os.getloadavg()))


if __name__ == "__main__":
    main()
