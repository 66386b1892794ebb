"""What every command promises (README, "Exit codes" and "JSON output"): the exit-code table walked command by
command, valid JSON from every --json, and words from files shown as data, never as terminal controls or markup."""

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

from w2vcli.cli import app, display
from w2vcli.vectors.checkpoint import ModelFile, save_model

runner = CliRunner()
README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"
WORDS = ["man", "woman", "king", "queen", "apple", "rain", "snow"]
VECTORS = np.array([[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [1, 0, 1, 0, 0], [0, 1, 1, 0, 0], [0, 0, 0, 3, 0],
                    [0, 0, 0, 0, 1], [0, 0, 0, 0.5, 1]], dtype=np.float32)
HOSTILE = ["\x1b]0;HACKED\x07\x1b[2J", "[bold]x[/bold]", "tab\there", "new\nline", ":smile:", "back\\slash",
           "c1\x9b31m", "rtl\u202eevil"]


def save(path, words=WORDS, vectors=VECTORS, config=None, state=None, losses=(4.0, 2.5)):
    save_model(path, ModelFile(vectors, vectors, words, np.arange(len(words), 0, -1), config or {"lowercase": True},
                               state or {}, np.array(losses, dtype=np.float64)))
    return path


@pytest.fixture
def files(tmp_path):
    save(tmp_path / "m.npz")
    (tmp_path / "q.txt").write_text(": family\nman woman king queen\n")
    (tmp_path / "p.tsv").write_text("man\twoman\t8\nking\tqueen\t9\nman\tapple\t1\n")
    (tmp_path / "exists.txt").write_text("precious")
    return tmp_path


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _broken_gradients(monkeypatch):
    from w2vcli.math import core

    correct = core.neg_sampling_loss_and_gradient

    def broken(*args, **kwargs):
        loss, grad_center, grad_outside = correct(*args, **kwargs)
        return loss, 1.1 * grad_center, grad_outside

    monkeypatch.setattr(core, "neg_sampling_loss_and_gradient", broken)


# (command, code, arguments; {m} is the model, {d} the folder), and what to break for the case
Q, P = "-a {d}/q.txt", "-p {d}/p.tsv"
CASES = [
    ("nearest", 0, "king -m {m}"), ("nearest", 1, "kingdom -m {m}"), ("nearest", 2, "king -k 0 -m {m}"),
    ("analogy", 0, "man king woman -m {m}"), ("analogy", 1, "man king zebra -m {m}"),
    ("analogy", 2, "man king woman --method best -m {m}"),
    ("similarity", 0, "king queen -m {m}"), ("similarity", 1, "king queen -m {d}/missing.npz"),
    ("similarity", 2, "king -m {m}"),
    ("info", 0, "-m {m}"), ("info", 1, "-m {d}/q.txt"), ("info", 2, "-m {m} --verbose"),
    ("export", 0, "{m} {d}/v.txt"), ("export", 1, "{d}/missing.npz {d}/v.txt"), ("export", 2, "{m} {d}/exists.txt"),
    ("evaluate", 0, f"-m {{m}} {Q} {P}"), ("evaluate", 1, "-m {m} -a {d}/missing.txt"), ("evaluate", 2, "-m {m}"),
    ("gradcheck", 0, "--dim 3"), ("gradcheck", 1, "--dim 3"), ("gradcheck", 2, "--dim 0"),
    ("plot", 0, "--words king,queen,man -o {d}/w.png -m {m}"), ("plot", 1, "--words zebra,yak -o {d}/w.png -m {m}"),
    ("plot", 2, "-o {d}/w.jpg -m {m}"),
    ("train", 0, f"{EXAMPLE} --dim 4 --epochs 1 --workers 1 -q -o {{d}}/t.npz"),
    ("train", 1, "{d}/missing.txt -o {d}/t.npz"), ("train", 2, f"{EXAMPLE} --dim 0 -o {{d}}/t.npz"),
    ("odd", 0, "man woman king -m {m}"), ("odd", 1, "man woman zebra -m {m}"), ("odd", 2, "man woman -m {m}"),
    ("rank", 0, "king queen man -m {m}"), ("rank", 1, "king zebra -m {m}"), ("rank", 2, "king -m {m}"),
    ("phrases", 0, f"{EXAMPLE} -o {{d}}/ph.txt"), ("phrases", 1, "{d}/missing.txt -o {d}/ph.txt"),
    ("phrases", 2, f"{EXAMPLE} -o {{d}}/exists.txt"),
]
COMMANDS = sorted({command for command, _, _ in CASES})
# Where Ctrl-C lands in each command: the first slow thing it calls.
INTERRUPT_AT = {"nearest": "w2vcli.cli.vectors.load_vectors", "analogy": "w2vcli.cli.vectors.load_vectors",
                "similarity": "w2vcli.cli.vectors.load_vectors", "export": "w2vcli.cli.vectors.load_vectors",
                "evaluate": "w2vcli.cli.vectors.load_vectors", "info": "w2vcli.cli.info.load_model",
                "gradcheck": "w2vcli.math.gradcheck.run_checks", "plot": "w2vcli.cli.plot.load_vectors",
                "train": "w2vcli.training.session.run_training", "odd": "w2vcli.cli.vectors.load_vectors",
                "rank": "w2vcli.cli.vectors.load_vectors", "phrases": "w2vcli.data.phrases.learn_phrases"}
SUCCEEDING = {command: args for command, code, args in CASES if code == 0}
CASES += [(command, 130, SUCCEEDING[command]) for command in COMMANDS]


def readme_exit_codes() -> dict[int, str]:
    section = README[README.index("## Exit codes"):]
    section = section[:section.index("\n## ", 1)]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d+) \| ([^|]+) \|", section, re.M)}


def test_the_readme_table_is_the_one_the_commands_follow():
    assert sorted(readme_exit_codes()) == [0, 1, 2, 130]
    assert {code for _, code, _ in CASES} == set(readme_exit_codes())
    import typer.main

    missing = set(typer.main.get_command(app).commands) - set(COMMANDS)
    assert not missing, f"give {sorted(missing)} a case for each exit code in CASES (and INTERRUPT_AT)"
    for command in COMMANDS:
        assert {code for c, code, _ in CASES if c == command} == {0, 1, 2, 130}, command


@pytest.mark.parametrize("command, code, args", CASES, ids=[f"{c}-{code}" for c, code, _ in CASES])
def test_every_command_follows_the_exit_code_table(files, monkeypatch, command, code, args):
    if code == 130:
        monkeypatch.setattr(INTERRUPT_AT[command], _interrupt)
    if command == "gradcheck" and code == 1:
        _broken_gradients(monkeypatch)
    argv = [command, *args.format(m=files / "m.npz", d=files).split()]
    result = runner.invoke(app, argv)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    if code in (1, 130) and not (command == "gradcheck" and code == 1):
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: "), result.stderr
    if code == 130:
        assert "interrupted" in result.stderr


@pytest.mark.parametrize("name", ["c.txt", "link.txt", "sub/../c.txt"])
def test_train_never_writes_over_its_corpus(tmp_path, name):
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.txt").hardlink_to(corpus)
    result = runner.invoke(app, ["train", str(corpus), "-o", str(tmp_path / name), "--force", "--dim", "4"])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: --out {tmp_path / name} is the corpus file")
    assert corpus.read_bytes() == EXAMPLE.read_bytes()


JSON_COMMANDS = [
    ("nearest", "king queen -k 2 -m {m}", {"results"}),
    ("analogy", "man king woman -m {m}", {"answers"}),
    ("similarity", "king queen -m {m}", {"score"}),
    ("info", "-m {m}", {"training", "vocabulary"}),
    ("info", "-m {d}/v.txt", {"training", "vocabulary"}),
    ("evaluate", f"-m {{m}} {Q} {P}", {"analogies", "pairs"}),
    ("gradcheck", "--dim 3", {"checks", "passed"}),
    ("export", "{m} {d}/out.bin", {"files"}),
]


@pytest.mark.parametrize("command, args, keys", JSON_COMMANDS, ids=[c for c, _, _ in JSON_COMMANDS])
def test_every_json_output_parses_as_one_object(files, command, args, keys):
    runner.invoke(app, ["export", str(files / "m.npz"), str(files / "v.txt")])
    result = runner.invoke(app, [command, *args.format(m=files / "m.npz", d=files).split(), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert isinstance(data, dict) and list(data)[0] == "command" and data["command"] == command
    assert keys <= set(data)


def test_non_finite_numbers_become_null(tmp_path):
    save(tmp_path / "m.npz", losses=(np.nan, -np.inf))
    result = runner.invoke(app, ["info", "-m", str(tmp_path / "m.npz"), "--json"])
    assert "Infinity" not in result.stdout and "NaN" not in result.stdout
    assert json.loads(result.stdout)["training"]["final_loss"] is None
    assert json.loads(display.json_text({"x": [float("nan"), float("inf"), -float("inf"), 1.5]})) == {
        "x": [None, None, None, 1.5]}


@pytest.fixture
def hostile(tmp_path):
    rng = np.random.default_rng(0)
    words = WORDS + HOSTILE
    return save(tmp_path / "hostile.npz", words, rng.normal(size=(len(words), 4)).astype(np.float32),
                {"lowercase": False})


def test_plain_output_escapes_words_and_keeps_three_fields(hostile):
    result = runner.invoke(app, ["nearest", "king", "-k", "14", "-m", str(hostile)])
    assert result.exit_code == 0
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.stdout)
    lines = result.stdout.splitlines()
    assert len(lines) == 15 and all(line.count("\t") == 2 for line in lines)
    shown = {line.split("\t")[1] for line in lines[1:]}
    assert {r"\x1b]0;HACKED\x07\x1b[2J", "[bold]x[/bold]", r"tab\there", r"new\nline", ":smile:",
            r"back\\slash", r"c1\x9b31m", r"rtl\u202eevil"} <= shown


def test_terminal_tables_show_words_as_data(hostile, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(display, "console", Console(file=screen, force_terminal=True, width=120, highlight=False,
                                                    emoji=False))
    result = runner.invoke(app, ["nearest", "king", "-k", "14", "-m", str(hostile)])
    assert result.exit_code == 0
    text = screen.getvalue()
    assert "\x07" not in text and "\x1b]0" not in text and "\x1b[2J" not in text and "\x9b" not in text
    assert r"\x1b]0;HACKED\x07\x1b[2J" in text and "[bold]x[/bold]" in text and ":smile:" in text


def test_json_keeps_words_exactly_and_the_terminal_safe(hostile):
    result = runner.invoke(app, ["nearest", "king", "-k", "14", "-m", str(hostile), "--json"])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.stdout)
    words = {n["word"] for n in json.loads(result.stdout)["results"][0]["neighbours"]}
    assert set(HOSTILE) <= words


def test_an_unknown_hostile_word_is_escaped_in_the_error(hostile):
    result = runner.invoke(app, ["nearest", "\x1b[2Jzebra", "-m", str(hostile)])
    assert result.exit_code == 1 and result.stderr.startswith(r"error: unknown word '\x1b[2Jzebra'")
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("text, shown", [("a\tb", r"a\tb"), ("a\\tb", r"a\\tb"), ("\x00\x7f\x85", r"\x00\x7f\x85"),
                                         ("\u2028\r\n", r"\u2028\r\n")])
def test_visible_escapes_reversibly(text, shown):
    import codecs

    assert display.visible(text) == shown
    assert codecs.decode(shown, "unicode_escape") == text
    assert display.visible("café ∂J/∂v") == "café ∂J/∂v"
