"""All terminal rendering: the two consoles, the one-line error, tables, and the gradcheck report.

Rich when stdout is a terminal; plain tab-separated lines when it is not (pipes, files, CI logs), so output stays
quiet and greppable. Not here: any computation; commands hand finished values to these functions.
"""

from __future__ import annotations

from typing import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(message: str) -> None:
    """The one line a user reads when something they gave us is wrong."""
    err_console.print(f"[bold red]error:[/] {escape(message)}")


def print_warning(message: str) -> None:
    err_console.print(f"[yellow]warning:[/] {escape(message)}")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *,
                justify: Sequence[str] | None = None) -> None:
    """A rich table on a terminal; otherwise a header line and one tab-separated line per row."""
    cells = [[str(cell) for cell in row] for row in rows]
    if not console.is_terminal:
        print("\t".join(columns))
        for row in cells:
            print("\t".join(row))
        return
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify=(justify[i] if justify else "left"))
    for row in cells:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)


def print_gradcheck(results, tolerance: float) -> None:
    """The gradcheck report: one row per check, then a verdict line."""
    rows = [(check.name, "×".join(map(str, check.x.shape)), f"{result.max_rel_error:.2e}",
             str(result.worst_index), "pass" if result.passed else "FAIL") for check, result in results]
    if console.is_terminal:
        rows = [(*row[:-1], "[green]pass[/]" if row[-1] == "pass" else "[bold red]FAIL[/]") for row in rows]
        table = Table(title=f"Gradient check (centred differences, tolerance {tolerance:g})", title_justify="left")
        for column, justify in zip(("check", "shape", "max rel. error", "worst index", "result"),
                                   ("left", "right", "right", "right", "left")):
            table.add_column(column, justify=justify)
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        print_table("", ("check", "shape", "max_rel_error", "worst_index", "result"), rows)
    failed = sum(not result.passed for _, result in results)
    verdict = f"{len(results) - failed} of {len(results)} gradients verified"
    console.print(verdict + ("" if not failed else f"; {failed} FAILED"))


def print_neighbours(results, score: str = "cosine") -> None:
    """Ranked (word, score) lists, one per query: a table each on a terminal, else 'query word score' lines."""
    if not console.is_terminal:
        print_table("", ("query", "word", score), [(query, word, f"{value:.4f}") for query, pairs in results
                                                   for word, value in pairs])
        return
    for query, pairs in results:
        print_table(query, ("#", "word", score), [(rank, word, f"{value:.4f}")
                                                  for rank, (word, value) in enumerate(pairs, 1)],
                    justify=("right", "left", "right"))


def print_json(data) -> None:
    """JSON for scripts, coloured only on a terminal."""
    import json

    text = json.dumps(data, ensure_ascii=False, indent=2)
    if console.is_terminal:
        console.print_json(text)
    else:
        print(text)


def _percent(correct: int, answered: int) -> str:
    return f"{100 * correct / answered:.2f}%" if answered else "–"


def _correlation(value: float) -> str:
    return "–" if value != value else f"{value:.4f}"  # NaN: fewer than two pairs, or a constant column


def print_evaluation(analogies, pairs) -> None:
    """The evaluate report: analogy accuracy per section with semantic, syntactic and total rows, then one row
    of correlations per word-pair file (evaluate.AnalogyResult or None, a list of evaluate.PairsResult)."""
    if analogies is not None:
        method = {"add": "3CosAdd", "cosmul": "3CosMul"}[analogies.method]
        rows = [(s.name, s.correct, s.answered, s.skipped, _percent(s.correct, s.answered))
                for s in (*analogies.sections, analogies.semantic, analogies.syntactic, analogies.total)]
        print_table(f"Analogies ({method}, top {analogies.restrict_vocab} words)",
                    ("section", "correct", "answered", "skipped", "accuracy"), rows,
                    justify=("left", "right", "right", "right", "right"))
    if pairs:
        rows = [(p.source, p.pairs, p.skipped, _correlation(p.spearman), _correlation(p.pearson)) for p in pairs]
        print_table("Word pairs", ("file", "pairs", "skipped", "spearman", "pearson"), rows,
                    justify=("left", "right", "right", "right", "right"))


def print_warnings(warnings: Sequence[str], *, limit: int = 10) -> None:
    """Up to limit warnings on stderr, then how many more were left out."""
    for warning in warnings[:limit]:
        print_warning(warning)
    if len(warnings) > limit:
        print_warning(f"... and {len(warnings) - limit} more malformed lines, all skipped")
