"""The training benchmark: its arithmetic on hand-computed runs, and its quick mode end to end."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import shared_file

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
from bench_report import Run, load_runs, markdown_table, marginal_rates, mean_sd, save_runs, table_rows  # noqa: E402

W2V, GENSIM = "w2vcli 2 workers", "gensim 2 workers"


def fake_runs():
    """Seeds 1-3: (full seconds, one-epoch seconds) chosen so the marginal rates are round numbers at 1,000 tokens."""
    times = {W2V: [(3.0, 1.0), (2.0, 1.0), (5.0, 1.0)], GENSIM: [(5.0, 1.0), (9.0, 1.0), (3.0, 1.0)]}
    runs = []
    for system, pairs in times.items():
        for seed, (full, one) in enumerate(pairs, start=1):
            runs.append(Run(system, seed, 5, full, 100.0 + seed, analogy=0.02 + seed / 100, ws353=0.25,
                            simlex=0.1 * seed, cpu_seconds=full / 2))
            runs.append(Run(system, seed, 1, one, 90.0, cpu_seconds=one / 2))
    return runs


def test_marginal_rate_counts_the_epochs_beyond_the_first():
    rates = marginal_rates(fake_runs(), tokens=1000)
    assert rates[W2V, 1] == 1000 * 4 / 2.0
    assert rates[W2V, 2] == 4000.0 and rates[GENSIM, 2] == 500.0


def test_rows_give_median_range_of_rates_and_ratios_and_mean_sd_of_quality():
    rows = {row[0]: row for row in table_rows(fake_runs(), tokens=1000, reference=GENSIM)}
    # w2vcli rates 2000, 4000, 1000; gensim 1000, 500, 2000: ratios 2, 8, 0.5 seed by seed
    assert rows[W2V][1:4] == ["2K (1K–4K)", "2.00× (0.50×–8.00×)", "4K (2K–8K)"]  # CPU time is half the wall time
    assert rows[W2V][4:6] == ["3.0 (2.0–5.0)", "102 (101–103)"]
    assert rows[W2V][6:] == ["4.00 ± 1.00 %", "0.250 ± 0.000", "0.200 ± 0.100"]
    assert rows[GENSIM][2] == "1×"


def test_mean_sd_skips_missing_values():
    assert mean_sd([0.5, math.nan], "{:.1f}") == "0.5"
    assert mean_sd([math.nan], "{:.1f}") == "—"


def test_a_saved_run_gives_the_same_table(tmp_path):
    save_runs(tmp_path / "runs.json", fake_runs(), 1000, GENSIM)
    assert markdown_table(*load_runs(tmp_path / "runs.json")) == markdown_table(fake_runs(), 1000, GENSIM)


@pytest.mark.slow
def test_quick_mode_runs_both_systems_and_prints_the_table(tmp_path):
    pytest.importorskip("gensim")
    brown = shared_file("brown.txt")
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_train.py"), "--quick", "--workers", "1",
                           "--corpus", str(brown), "--data", str(brown.parent), "--json", str(tmp_path / "r.json")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("| system | marginal tokens/s | vs gensim |")
    assert [line.split(" | ")[0] for line in lines[2:4]] == ["| w2vcli 1 worker", "| gensim 2 workers"]
    runs, tokens, _ = load_runs(tmp_path / "r.json")
    assert len(runs) == 4 and all(0 <= run.simlex <= 1 or run.epochs == 1 for run in runs)


def test_the_quality_sweep_refuses_subword_models_it_cannot_score():
    """sweep_quality.py scores the word rows; a subword model's vectors are composed (bench_subwords.py)."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / "sweep_quality.py"), "--", "--subwords"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "bench_subwords.py" in done.stderr
