"""The training benchmark's arithmetic and its table: runs in, a README-ready markdown table out.

A Run is one whole process of one system at one seed, timed, with its peak memory and (for a full run) its
quality. Each system trains twice per seed: the full run (all epochs; it is scored) and a one-epoch run; the
difference of the two times is the cost of the extra epochs, so the marginal rate
    tokens/s = corpus tokens × (epochs − 1) / (seconds_full − seconds_one)
counts training alone: start-up, imports, vocabulary and saving cancel out. Quality is the mean ± standard
deviation over seeds; times and rates are the median and range over seeds (the rounds are the repeats).
Not here: running anything (bench_train.py).
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

MEASURES = ("analogy", "ws353", "simlex")  # quality columns, in table order
NAN = float("nan")


@dataclass(frozen=True)
class Run:
    system: str  # e.g. "w2vcli 2 workers"
    seed: int
    epochs: int
    seconds: float  # whole process, start to exit
    peak_mib: float  # largest PSS sum over the process tree
    analogy: float = NAN  # accuracy over questions among the 30K most frequent words, 0..1
    ws353: float = NAN  # WordSim-353 Spearman
    simlex: float = NAN  # SimLex-999 Spearman
    cpu_seconds: float = NAN  # user + system time of the process and its workers


def marginal_rates(runs: list[Run], tokens: int, clock: str = "seconds") -> dict[tuple[str, int], float]:
    """{(system, seed): tokens/s of the epochs beyond the first}, for each pair of a full and a one-epoch run;
    clock "cpu_seconds" gives tokens per CPU-second instead (the work done, less sensitive to a loaded machine)."""
    by_key = {(run.system, run.seed, run.epochs): run for run in runs}
    rates = {}
    for (system, seed, epochs), full in by_key.items():
        one = by_key.get((system, seed, 1))
        if epochs > 1 and one is not None and getattr(full, clock) > getattr(one, clock):
            rates[system, seed] = tokens * (epochs - 1) / (getattr(full, clock) - getattr(one, clock))
    return rates


def median_range(values: list[float], fmt: str) -> str:
    """'median (min–max)' of values, each formatted by fmt; one value alone; '—' for none."""
    values = sorted(v for v in values if math.isfinite(v))
    if not values:
        return "—"
    middle = fmt.format(statistics.median(values))
    return middle if len(values) == 1 else f"{middle} ({fmt.format(values[0])}–{fmt.format(values[-1])})"


def mean_sd(values: list[float], fmt: str) -> str:
    """'mean ± sample standard deviation' of the finite values; the value alone for one; '—' for none."""
    values = [v for v in values if math.isfinite(v)]
    if not values:
        return "—"
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(statistics.mean(values))} ± {fmt.format(statistics.stdev(values))}"


def systems_in_order(runs: list[Run]) -> list[str]:
    return list(dict.fromkeys(run.system for run in runs))


def ratios(rates: dict[tuple[str, int], float], system: str, reference: str) -> list[float]:
    """system's marginal rate over reference's, seed by seed (the two ran in the same round)."""
    return [rate / rates[reference, seed] for (name, seed), rate in rates.items()
            if name == system and (reference, seed) in rates]


def table_rows(runs: list[Run], tokens: int, reference: str) -> list[list[str]]:
    """One row per system: rates, ratio to reference, full-run seconds and memory, quality over seeds."""
    rates, cpu_rates = marginal_rates(runs, tokens), marginal_rates(runs, tokens, "cpu_seconds")
    rows = []
    for system in systems_in_order(runs):
        full = [run for run in runs if run.system == system and run.epochs > 1]
        rate = median_range([r / 1000 for (name, _), r in rates.items() if name == system], "{:,.0f}K")
        versus = median_range(ratios(rates, system, reference), "{:.2f}×") if system != reference else "1×"
        per_cpu = median_range([r / 1000 for (name, _), r in cpu_rates.items() if name == system], "{:,.0f}K")
        rows.append([system, rate, versus, per_cpu, median_range([run.seconds for run in full], "{:.1f}"),
                     median_range([run.peak_mib for run in full], "{:,.0f}"),
                     mean_sd([100 * run.analogy for run in full], "{:.2f}") + " %",
                     mean_sd([run.ws353 for run in full], "{:.3f}"), mean_sd([run.simlex for run in full], "{:.3f}")])
    return rows


HEADER = ["system", "marginal tokens/s", "vs gensim", "tokens per CPU-s", "seconds (whole run)", "peak MiB",
          "analogy (30K)", "WS-353 ρ", "SimLex-999 ρ"]


def markdown_table(runs: list[Run], tokens: int, reference: str) -> str:
    """The README table: medians (ranges) for speed and memory, mean ± sd over seeds for quality."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(runs, tokens, reference)]
    seeds = sorted({run.seed for run in runs})
    lines.append("")
    lines.append(f"Seeds {', '.join(map(str, seeds))}: speed and memory as median (range) over the {len(seeds)} "
                 "rounds, quality as mean ± standard deviation. Marginal tokens/s = corpus tokens × (epochs − 1) / "
                 "(seconds of the full run − seconds of a one-epoch run), same seed, same round; tokens per CPU-s the "
                 "same with CPU time (user + system, workers included).")
    return "\n".join(lines)


def save_runs(path: Path, runs: list[Run], tokens: int, reference: str) -> None:
    data = {"tokens": tokens, "reference": reference, "runs": [asdict(run) for run in runs]}
    path.write_text(json.dumps(data, indent=1, allow_nan=True), encoding="utf-8")


def load_runs(path: Path) -> tuple[list[Run], int, str]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return [Run(**run) for run in data["runs"]], int(data["tokens"]), data["reference"]
