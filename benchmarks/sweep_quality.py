"""Quality of one `w2v train` setting over seeds: Brown, the benchmark's settings, no peer run beside it.

For sweeps of the trainer's own choices (block size, groups of negatives, dampings): each seed trains in its own
process with bench_train.py's settings (skip-gram, 5 negatives, window 5, dim 100, min-count 5, sample 1e-3,
5 epochs) plus the options given, and is scored as bench_train.py scores (analogies, WordSim-353, SimLex-999
over the 30,000 most frequent words). Prints each seed and the means; compare them with bench_train.py's gensim
row, which is measured over the same seeds.

    python benchmarks/sweep_quality.py --seeds 1 2 3 4 5 6 -- --batch-size 512 --shared-negatives 32
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_train import DATA, Scorer, W2vcli, timed  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "brown.txt")
    parser.add_argument("--data", type=Path, default=DATA, help="folder holding eval/ (analogies, WordSim-353)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("options", nargs=argparse.REMAINDER, help="`w2v train` options, after --")
    args = parser.parse_args(argv)
    options = [option for option in args.options if option != "--"]
    if "--subwords" in options:  # its scorer reads the word rows alone, not the composed vectors
        parser.error("--subwords models are scored by bench_subwords.py (--w2v-args), not here")
    scorer, system, scores = Scorer(args.data), W2vcli(args.workers, options), []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "vectors"
        for seed in args.seeds:
            seconds, _, cpu = timed(system.command(args.corpus, out, seed, 5))
            scores.append(scorer(system.load(out)))
            print(f"seed {seed} | {seconds:.1f} s | CPU {cpu:.1f} s | "
                  + " | ".join(f"{k} {v:.4f}" for k, v in scores[-1].items()), flush=True)
    means = {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}
    print(f"mean over seeds {' '.join(map(str, args.seeds))} | {' '.join(options) or 'defaults'} | "
          f"analogy {100 * means['analogy']:.2f}% | WS-353 {means['ws353']:.3f} | SimLex-999 {means['simlex']:.3f}")


if __name__ == "__main__":
    main()
