"""Rendering of a training run: the pre-flight line, live progress, and the summary.

Three reporters with one method, report(progress, rate): RichReporter draws a live bar on a terminal,
PlainReporter prints a line every few seconds when stdout is a pipe or file, NullReporter (--quiet) prints nothing.
The trainer never knows which it has. Not here: any decision about training.
"""

from __future__ import annotations

import math
import time

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .display import console, print_error, print_warnings  # noqa: F401  (print_warnings: the pre-flight's)


def _loss(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.4f}"


def _rate(rate: float, unit: str) -> str:
    return f"{rate / 1000:,.0f}K {unit}/s" if rate >= 10_000 else f"{rate:,.0f} {unit}/s"


class NullReporter:
    def report(self, progress, rate) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def evaluation_line(score) -> str:
    """'epoch 2: analogies 3.12% · pairs 0.2811' for an evaluation.EpochScore."""
    parts = []
    if score.analogies is not None:
        parts.append(f"analogies {100 * score.analogies:.2f}%")
    if score.pairs is not None:
        parts.append(f"pairs {_loss(score.pairs)}")
    return f"epoch {score.epoch}: " + " · ".join(parts)


class PlainReporter(NullReporter):
    """One line every `every` seconds, and one at the end."""

    def __init__(self, every: float = 5.0):
        self.every, self.last = every, 0.0

    def evaluated(self, score) -> None:
        print(evaluation_line(score), flush=True)

    def report(self, progress, rate) -> None:
        now = time.monotonic()
        if now - self.last >= self.every or progress.words_done >= progress.words_total:
            self.last = now
            percent = 100 * progress.words_done / max(progress.words_total, 1)
            print(f"epoch {progress.epoch}/{progress.epochs}  {percent:5.1f}%  {_rate(rate, progress.unit)}  lr {progress.lr:.5f}  "
                  f"loss {_loss(progress.smoothed_loss)}", flush=True)


class RichReporter(NullReporter):
    def __init__(self):
        self.progress = Progress(
            TextColumn("epoch {task.fields[epoch]}/{task.fields[epochs]}"), BarColumn(bar_width=8), TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"), TextColumn("lr {task.fields[lr]}"),
            TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(), TimeRemainingColumn(),
            console=console)
        self.task = None

    def __enter__(self):
        self.progress.start()
        return self

    def __exit__(self, *exc):
        self.progress.stop()
        return False

    def evaluated(self, score) -> None:
        console.print(evaluation_line(score), markup=False, highlight=False)

    def report(self, progress, rate) -> None:
        fields = dict(epoch=progress.epoch, epochs=progress.epochs, rate=_rate(rate, progress.unit), lr=f"{progress.lr:.5f}",
                      loss=_loss(progress.smoothed_loss))
        if self.task is None:
            self.task = self.progress.add_task("train", total=progress.words_total, **fields)
        self.progress.update(self.task, completed=progress.words_done, **fields)


def reporter(quiet: bool):
    if quiet:
        return NullReporter()
    return RichReporter() if console.is_terminal else PlainReporter()


def wrapped(parts: list[str], width: int) -> list[str]:
    """parts joined by " · " into lines of at most width characters, broken only between parts."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def _print_parts(parts: list[str]) -> None:
    for line in wrapped(parts, console.width):
        console.print(line, highlight=False, soft_wrap=True, markup=False)


def print_preflight(pre, config, quiet: bool = False) -> None:
    if not quiet:
        memory = pre.parameter_bytes / 2**20
        size = f"{memory:,.1f} MiB" if memory >= 1 else f"{pre.parameter_bytes / 1024:,.1f} KiB"
        parts = [f"vocabulary {pre.vocab_size:,} words", f"{pre.tokens_kept:,} of {pre.tokens:,} tokens kept "
                 f"(min-count {config.min_count})", f"{pre.stats.lines_cut:,} lines cut for length",
                 f"parameters {size}", f"kernel {pre.kernel}"]
        if pre.phrase_joins:
            parts.insert(1, f"{pre.phrase_joins:,} word pairs joined into phrases")
        if pre.stats.bad_utf8_lines:
            parts.append(f"{pre.stats.bad_utf8_lines:,} lines with invalid UTF-8 (replaced)")
        if pre.resumed_from:
            parts.insert(0, f"resuming at {pre.resumed_from}")
        _print_parts(parts)
    print_warnings(pre.warnings)


def print_summary(summary, corpus, quiet: bool = False) -> None:
    if quiet:
        return
    rate = summary.tokens_trained / max(summary.seconds, 1e-9)
    head = "trained" if summary.finished else "stopped"
    _print_parts([f"{head}: vocabulary {summary.vocab_size:,}", f"{summary.tokens_trained:,} {summary.unit} in "
                  f"{summary.seconds:.1f} s ({_rate(rate, summary.unit)})", f"final loss {_loss(summary.final_loss)}",
                  f"saved {summary.out}"])
    if not summary.finished:
        console.print(f"resume with: w2v train {corpus} --resume {summary.out}", highlight=False, soft_wrap=True,
                      markup=False)


def print_interrupted() -> None:
    """Ctrl-C before training started (once it has, Ctrl-C stops the run with a save instead)."""
    print_error("interrupted before training started; nothing was written")
