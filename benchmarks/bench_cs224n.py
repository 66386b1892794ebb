"""The CS224n preset run, timed whole: `w2v train datasetSentences.txt --preset cs224n` as its own process.

Each round runs the preset once per checkout given (this one, and with --against the root of another checkout,
e.g. an older commit unpacked with `git archive`), side by side, and prints the wall and CPU seconds of the whole
process (start-up, corpus scan, 40,000 SGD steps, saving), its peak resident memory and the final smoothed loss
read back from the saved model. On a shared machine the wall time depends on the load: read the ranges, and the
CPU time as the steadier figure.

    python benchmarks/bench_cs224n.py [--corpus ../shared/data/sst/datasetSentences.txt] [--rounds 3]
                                      [--against /tmp/old-checkout]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / ".." / "shared" / "data"


def run_preset(checkout: Path, corpus: Path, out: Path) -> tuple[float, float, float, float]:
    """(wall s, CPU s, peak RSS MiB, final smoothed loss) of one whole preset run from checkout."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, "-m", "w2vcli", "train", str(corpus), "--preset", "cs224n", "--out", str(out),
               "--force", "--quiet"]
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=checkout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{checkout}: exit {process.returncode}: {process.stderr.read().decode()}")
    with np.load(out, allow_pickle=False) as model:
        loss = float(model["loss_history"][-1])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, loss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DATA / "sst" / "datasetSentences.txt")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", type=Path, action="append", default=[], help="another checkout's root")
    args = parser.parse_args()
    checkouts = [ROOT, *args.against]
    results: dict[Path, list] = {checkout: [] for checkout in checkouts}
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for round_ in range(1, args.rounds + 1):
            for checkout in checkouts:
                figures = run_preset(checkout, args.corpus.resolve(), Path(tmp) / "cs224n.npz")
                results[checkout].append(figures)
                print(f"round {round_}  {checkout}: wall {figures[0]:.1f} s  cpu {figures[1]:.1f} s  "
                      f"peak {figures[2]:.0f} MiB  final loss {figures[3]:.3f}", flush=True)
    print(f"load average at start {load:.1f}, at end {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    for checkout, rows in results.items():
        wall, cpu, _, loss = (np.array(column) for column in zip(*rows))
        print(f"{checkout}: wall {wall.min():.1f}–{wall.max():.1f} s (median {np.median(wall):.1f}), "
              f"cpu {cpu.min():.1f}–{cpu.max():.1f} s, final loss {loss.min():.3f}–{loss.max():.3f}")


if __name__ == "__main__":
    main()
