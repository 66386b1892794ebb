"""Subword (fastText) models in one run: w2vcli --subwords against fastText and gensim's FastText.

Every system trains in its own process, timed whole with its peak memory (PSS summed over its workers, as
bench_train.py measures it), with the same settings: skip-gram, character n-grams 3-6, 5 negatives, window 5,
dim 100, min-count 5, sample 1e-3, 5 epochs, 2 workers or threads; each keeps its own learning rate and bucket
count (fastText 0.05 and 2,000,000; gensim 0.025 and 2,000,000; w2vcli its --subwords defaults: 0.05 and
--buckets) unless --buckets is given. fastText and w2vcli (--sentence-ends, a --subwords default) end every line
with the word "</s>"; gensim does not. Each row says the machine's load average at its start and the run's CPU
seconds (user + system, workers included): on a shared machine compare rows of one run, round by round.
Quality is scored by w2vcli's evaluate code for every system over the 30,000 most frequent
words: analogies (total, semantic, syntactic), WordSim-353 and SimLex-999 Spearman; then again with every word of
the files given a vector (unknown ones from their n-grams). fastText's .bin is read by vectors/fasttext.py;
gensim's word and n-gram rows are composed by math/subwords.py and checked equal to gensim's own word vectors.

    python benchmarks/bench_subwords.py [--rounds 2] [--buckets 200000] [--keep model.npz] [--only w2vcli]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import itertools
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import DATA, simlex_path, timed  # noqa: E402

from w2vcli.training.config import SUBWORD_DEFAULTS  # noqa: E402
from w2vcli.vectors.checkpoint import load_model  # noqa: E402
from w2vcli.vectors.evaluate import score_analogies, score_pairs  # noqa: E402
from w2vcli.vectors.evalfiles import read_analogies, read_pairs  # noqa: E402
from w2vcli.vectors.fasttext import fasttext_vectors  # noqa: E402
from w2vcli.vectors.subword_vectors import SubwordVectors, subword_vectors_of  # noqa: E402

SETTINGS = dict(dim=100, window=5, negatives=5, min_count=5, sample=1e-3, epochs=5, min_n=3, max_n=6)
RESTRICT_VOCAB = 30_000

FASTTEXT_SCRIPT = """
import sys, fasttext
corpus, out, buckets = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = fasttext.train_unsupervised(corpus, model="skipgram", dim={dim}, ws={window}, neg={negatives},
                                    minCount={min_count}, t={sample}, epoch={epochs}, minn={min_n}, maxn={max_n},
                                    bucket=buckets, thread=2, verbose=1)
model.save_model(out + ".bin")
""".format(**SETTINGS)

GENSIM_SCRIPT = """
import sys, numpy as np
from gensim.models import FastText
corpus, out, buckets = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = FastText(corpus_file=corpus, sg=1, vector_size={dim}, window={window}, negative={negatives},
                 min_count={min_count}, sample={sample}, epochs={epochs}, min_n={min_n}, max_n={max_n},
                 bucket=buckets, workers=2, seed=1)
np.save(out + ".vocab.npy", model.wv.vectors_vocab)
np.save(out + ".ngrams.npy", model.wv.vectors_ngrams)
np.save(out + ".vectors.npy", model.wv.vectors)
open(out + ".words", "w", encoding="utf-8").write("\\n".join(model.wv.index_to_key))
""".format(**SETTINGS)


class W2vcli:
    def __init__(self, buckets: int | None, extra: tuple[str, ...] = ()):
        self.name, self.buckets = "w2vcli --subwords, 2 workers", buckets or SUBWORD_DEFAULTS.buckets
        self.extra = list(extra)  # more `w2v train` options (--w2v-args)
        if extra:
            self.name += " " + " ".join(extra)

    def command(self, corpus: Path, out: Path) -> list[str]:
        s = SETTINGS
        options = {"dim": s["dim"], "window": s["window"], "negatives": s["negatives"], "min-count": s["min_count"],
                   "sample": s["sample"], "epochs": s["epochs"], "min-n": s["min_n"], "max-n": s["max_n"],
                   "workers": 2, "checkpoint-every": 0, "buckets": self.buckets}
        return [sys.executable, "-m", "w2vcli", "train", str(corpus), "--subwords", "--out", str(out) + ".npz",
                "--force", "--quiet", *itertools.chain.from_iterable((f"--{k}", str(v)) for k, v in options.items()),
                *self.extra]

    def load(self, out: Path) -> SubwordVectors:
        return subword_vectors_of(load_model(str(out) + ".npz"))


class FastTextPeer:
    def __init__(self, buckets: int | None):
        self.name, self.buckets = "fastText (fasttext-numpy2), 2 threads", buckets or 2_000_000

    def command(self, corpus: Path, out: Path) -> list[str]:
        return [sys.executable, "-c", FASTTEXT_SCRIPT, str(corpus), str(out), str(self.buckets)]

    def load(self, out: Path) -> SubwordVectors:
        return fasttext_vectors(str(out) + ".bin")


class GensimPeer:
    def __init__(self, buckets: int | None):
        self.name, self.buckets = "gensim FastText, 2 workers", buckets or 2_000_000

    def command(self, corpus: Path, out: Path) -> list[str]:
        return [sys.executable, "-c", GENSIM_SCRIPT, str(corpus), str(out), str(self.buckets)]

    def load(self, out: Path) -> SubwordVectors:
        words = Path(str(out) + ".words").read_text(encoding="utf-8").split("\n")
        Z = np.concatenate([np.load(str(out) + ".vocab.npy"), np.load(str(out) + ".ngrams.npy")])
        vectors = SubwordVectors(words, Z, min_n=SETTINGS["min_n"], max_n=SETTINGS["max_n"], buckets=self.buckets,
                                 lowercase=True)
        gap = float(np.abs(vectors.vectors - np.load(str(out) + ".vectors.npy")).max())
        if gap > 1e-4:  # the same model read two ways: gensim's composition and math/subwords.py's
            raise SystemExit(f"gensim's word vectors differ from their composed rows by {gap}")
        return vectors


class Scorer:
    def __init__(self, data: Path):
        self.analogies = read_analogies(data / "eval" / "questions-words.txt")
        self.pairs = {"ws353": read_pairs(data / "eval" / "wordsim353.tsv"), "simlex": read_pairs(simlex_path())}

    def words(self) -> list[str]:
        return ([w for s in self.analogies.sections for q in s.questions for w in q]
                + [w for found in self.pairs.values() for pair in found.pairs for w in pair[:2]])

    def __call__(self, vectors: SubwordVectors) -> dict[str, float]:
        scores = self._scores(vectors, RESTRICT_VOCAB, "")
        every = vectors.for_evaluation(self.words(), RESTRICT_VOCAB)
        return scores | self._scores(every, len(every), " (every word)")

    def _scores(self, embeddings, restrict: int, note: str) -> dict[str, float]:
        result = score_analogies(embeddings, self.analogies, restrict_vocab=restrict)
        scores = {f"analogy{note}": result.total.accuracy, f"semantic{note}": result.semantic.accuracy,
                  f"syntactic{note}": result.syntactic.accuracy, f"answered{note}": result.total.answered}
        for name, found in self.pairs.items():
            scores[f"{name}{note}"] = score_pairs(embeddings, found, restrict_vocab=restrict).spearman
        return scores


KINDS = {"w2vcli": W2vcli, "fasttext": FastTextPeer, "gensim": GensimPeer}


def score_model(kind: str, buckets: int | None, out: Path, data: Path) -> dict[str, float]:
    """Load and score one trained model. Runs in a spawned process: loading gensim's 2,000,000 n-gram rows took
    the bench to 1.7 GB, and a process started from one that large reports that as its own peak (ru_maxrss
    survives exec), so the next system measured 1,759 MiB whatever it used."""
    return Scorer(data)(KINDS[kind](buckets).load(out))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "brown.txt")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--buckets", type=int, help="every system's bucket count (default: each its own)")
    parser.add_argument("--only", nargs="+", choices=["w2vcli", "fasttext", "gensim"],
                        default=["w2vcli", "fasttext", "gensim"])
    parser.add_argument("--keep", type=Path, help="keep w2vcli's last model here (for `w2v nearest`)")
    parser.add_argument("--w2v-args", default="", help="extra `w2v train` options, e.g. '--shared-negatives 128'")
    args = parser.parse_args(argv)
    tokens = sum(len(line.split()) for line in args.corpus.open(encoding="utf-8"))
    extra = tuple(args.w2v_args.split())
    systems = [(name, W2vcli(args.buckets, extra) if name == "w2vcli" else KINDS[name](args.buckets))
               for name in args.only]
    scorer = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    print("| round | system | buckets | load | seconds | CPU s | tokens/s | peak MiB | analogy | semantic | "
          "syntactic | WS353 | SimLex | analogy, every word | WS353, every word |\n|" + "---|" * 15, flush=True)
    with tempfile.TemporaryDirectory() as tmp, scorer:
        for round_ in range(args.rounds):
            for name, system in systems[round_ % len(systems):] + systems[:round_ % len(systems)]:
                out, load = Path(tmp) / "model", os.getloadavg()[0]
                seconds, peak, cpu = timed(system.command(args.corpus, out))
                started = time.monotonic()
                s = scorer.submit(score_model, name, args.buckets, out, args.data).result()
                print(f"| {round_ + 1} | {system.name} | {system.buckets:,} | {load:.1f} | {seconds:.0f} | "
                      f"{cpu:.0f} | "
                      f"{tokens * SETTINGS['epochs'] / seconds / 1000:.1f}K | {peak:,.0f} | "
                      f"{100 * s['analogy']:.1f}% | {100 * s['semantic']:.1f}% | {100 * s['syntactic']:.1f}% | "
                      f"{s['ws353']:.3f} | "
                      f"{s['simlex']:.3f} | {100 * s['analogy (every word)']:.1f}% of {s['answered (every word)']:,}"
                      f" | {s['ws353 (every word)']:.3f} |", flush=True)
                print(f"  (scored in {time.monotonic() - started:.0f} s; answered {s['answered']:,} questions "
                      "within the vocabulary)", file=sys.stderr, flush=True)
                if args.keep and isinstance(system, W2vcli):
                    args.keep.write_bytes(Path(str(out) + ".npz").read_bytes())


if __name__ == "__main__":
    main()
