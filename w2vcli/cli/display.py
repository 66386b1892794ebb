"""All terminal rendering: the two consoles, the one-line error, tables, JSON, and the gradcheck report.

Rich when stdout is a terminal; plain tab-separated lines when it is not (pipes, files, CI logs), so output stays
quiet and greppable. Words come from files, so they are data: every word, path and message is shown through
visible() (control characters as backslash escapes, never raw; rich markup and emoji codes never interpreted), and
--json output is one valid JSON object built by print_result_json. Not here: any computation; commands hand
finished values to these functions.
"""

from __future__ import annotations

import json
import math
import re
from typing import Sequence

from rich.console import Console
from rich.highlighter import JSONHighlighter
from rich.table import Table
from rich.text import Text

console = Console(highlight=False, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

# Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional overrides that can
# reorder what a terminal shows; backslash too, so that an escaped word reads back as exactly one word.
_UNSAFE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def visible(text) -> str:
    """text with backslash, tab, newline and every other control character written as a backslash escape
    (\\\\, \\t, \\n, \\r, \\xNN, \\uNNNN): safe on a terminal, one field in a tab-separated line, reversible."""
    return _UNSAFE.sub(_escaped, str(text))


def print_error(message: str) -> None:
    """The one line a user reads when something they gave us is wrong."""
    err_console.print(Text("error: ", style="bold red") + Text(visible(message)))


def print_warning(message: str) -> None:
    err_console.print(Text("warning: ", style="yellow") + Text(visible(message)))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], *,
                justify: Sequence[str] | None = None) -> None:
    """A rich table on a terminal; otherwise a header line and one tab-separated line per row. Cells are
    shown through visible(): a tab or newline in a word cannot split a row."""
    cells = [[visible(cell) for cell in row] for row in rows]
    if not console.is_terminal:
        print("\t".join(columns))
        for row in cells:
            print("\t".join(row))
        return
    table = Table(title=Text(visible(title)) if title else None, title_justify="left")
    for i, column in enumerate(columns):
        table.add_column(column, justify=(justify[i] if justify else "left"))
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))
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


def json_ready(value):
    """value with NaN and infinities as None, tuples as lists and numpy scalars as Python numbers."""
    if isinstance(value, dict):
        return {str(key): json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(data) -> str:
    """Valid JSON always (allow_nan=False after json_ready); characters a terminal could act on, which json.dumps
    leaves raw, are written as \\u escapes (they can only occur inside strings)."""
    text = json.dumps(json_ready(data), ensure_ascii=False, indent=2, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def print_result_json(command: str, data: dict) -> None:
    """The --json output of every command: one object, "command" first, then the command's fields (README,
    "JSON output"). Coloured on a terminal, never wrapped."""
    text = json_text({"command": command, **data})
    if console.is_terminal:
        console.print(JSONHighlighter()(text), soft_wrap=True)
    else:
        print(text)


def _percent(correct: int, answered: int) -> str:
    return f"{100 * correct / answered:.2f}%" if answered else "–"


def _correlation(value: float) -> str:
    return "–" if value != value else f"{value:.4f}"  # NaN: fewer than two pairs, or a constant column


def print_evaluation(analogies, pairs, note: str = "") -> None:
    """The evaluate report: analogy accuracy per section with semantic, syntactic and total rows, then one row
    of correlations per word-pair file (evaluate.AnalogyResult or None, a list of evaluate.PairsResult); note
    ends each title (on a terminal) or stands on a line of its own before the report (otherwise)."""
    if note and not console.is_terminal:
        print(f"# {note.strip()}")
    if analogies is not None:
        method = {"add": "3CosAdd", "cosmul": "3CosMul"}[analogies.method]
        rows = [(s.name, s.correct, s.answered, s.skipped, _percent(s.correct, s.answered))
                for s in (*analogies.sections, analogies.semantic, analogies.syntactic, analogies.total)]
        print_table(f"Analogies ({method}, top {analogies.restrict_vocab} words){note}",
                    ("section", "correct", "answered", "skipped", "accuracy"), rows,
                    justify=("left", "right", "right", "right", "right"))
    if pairs:
        rows = [(p.source, p.pairs, p.skipped, _correlation(p.spearman), _correlation(p.pearson)) for p in pairs]
        print_table(f"Word pairs{note}", ("file", "pairs", "skipped", "spearman", "pearson"), rows,
                    justify=("left", "right", "right", "right", "right"))


def print_warnings(warnings: Sequence[str], *, limit: int = 10) -> None:
    """Up to limit warnings on stderr, then how many more were left out."""
    for warning in warnings[:limit]:
        print_warning(warning)
    if len(warnings) > limit:
        print_warning(f"... and {len(warnings) - limit} more malformed lines, all skipped")
