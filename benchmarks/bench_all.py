"""The four figures of "faster where people wait", in one run: the CS224n procedure's time, answer times, the
trainer's speed against gensim and its quality over seeds against gensim.

Runs bench_cs224n.py, bench_query.py and bench_train.py one after another, each in its own process on the same
machine in the same session, and prints their reports under one heading each with the load average before and
after (a loaded machine stretches wall times; the scripts' own ranges show how much). Options choose the
repetitions; the defaults take about 12 minutes on the 2-core development machine.

    python benchmarks/bench_all.py [--seeds 1 2 3 4 5 6] [--rounds 3] [--query-runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(title: str, script: str, *args: str) -> int:
    """One benchmark script in its own process; its report (stdout and stderr) printed as it comes."""
    before = os.getloadavg()
    print(f"\n## {title}\n\n`python benchmarks/{script} {' '.join(args)}` · load average "
          f"{before[0]:.1f} at the start", flush=True)
    started = time.monotonic()
    code = subprocess.run([sys.executable, str(HERE / script), *args], stderr=subprocess.STDOUT).returncode
    print(f"\n({time.monotonic() - started:.0f} s; load average {os.getloadavg()[0]:.1f} at the end"
          f"{'' if code == 0 else f'; exit code {code}'})", flush=True)
    return code


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", default=["1", "2", "3", "4", "5", "6"])
    parser.add_argument("--rounds", default="3", help="CS224n runs")
    parser.add_argument("--query-runs", default="7", help="repetitions of each query and of the text-file read")
    args = parser.parse_args(argv)
    codes = [run("1. The CS224n run (target: under 10 s, final smoothed loss at most 10)", "bench_cs224n.py",
                 "--rounds", args.rounds),
             run("2. Answers (target: under 0.3 s from process start; a 400K x 300 text file 5x gensim's load)",
                 "bench_query.py", "--runs", "3", "--query-runs", args.query_runs),
             run("3 and 4. The trainer against gensim, and quality over seeds (targets: 3x gensim's marginal "
                 "rate with 2 workers; every quality mean at or above gensim's)", "bench_train.py",
                 "--seeds", *args.seeds, "--workers", "2", "1")]
    raise SystemExit(max(codes))


if __name__ == "__main__":
    main()
