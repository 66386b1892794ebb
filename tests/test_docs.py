"""Every command has help with an example, and the README mentions it (sqlite-utils' docs meta-test)."""

import re
from pathlib import Path

import pytest
import typer.main

from w2vcli.cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
COMMANDS = sorted(typer.main.get_command(app).commands)


def test_there_are_commands():
    assert "gradcheck" in COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_example_and_readme_entry(name):
    command = typer.main.get_command(app).commands[name]
    assert command.help and len(command.help.splitlines()[0]) > 10
    assert "Example:" in command.help, f"{name} --help shows no example"
    assert f"w2v {name}" in README, f"README never shows `w2v {name}`"


def piped_help(name: str, columns: int = 80) -> str:
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_piped_help_is_plain_fits_80_columns_and_never_cuts_an_option_name(name):
    text = piped_help(name)
    command = typer.main.get_command(app).commands[name]
    assert "╭" not in text and "…" not in text
    assert max(map(len, text.splitlines())) <= 80, text
    for param in command.params:
        for option in (*param.opts, *param.secondary_opts):
            if option.startswith("--"):
                assert re.search(rf"(^|[\s,/]){re.escape(option)}([\s,=]|$)", text, re.M), f"{option} cut or missing"
    assert f"Example: w2v {name}" in text


@pytest.mark.parametrize("name", COMMANDS)
def test_usage_names_arguments_in_caps_and_defaults_plainly(name):
    text = piped_help(name, 200)
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: ") and "{" not in usage and f" {name} [OPTIONS]" in usage
    command = typer.main.get_command(app).commands[name]
    for param in command.params:
        if param.param_type_name == "argument":
            assert param.name.upper() in usage
    assert "[default: (" not in text


def test_specific_help_texts():
    assert "word1<TAB>word2<TAB>score" in piped_help("evaluate")
    gradcheck = piped_help("gradcheck")
    assert "--fd-step" in gradcheck and not re.search(r"--h\b", gradcheck)
    assert piped_help("export", 200).splitlines()[0] == "Usage: w2v export [OPTIONS] MODEL OUT"
    assert piped_help("nearest", 200).splitlines()[0] == "Usage: w2v nearest [OPTIONS] WORDS..."


def test_help_on_a_terminal_keeps_the_tabs(monkeypatch):
    import io

    from rich.console import Console
    from typer.testing import CliRunner

    from w2vcli.cli import display

    monkeypatch.setattr(display, "console", Console(file=io.StringIO(), force_terminal=True))
    result = CliRunner().invoke(app, ["evaluate", "--help"])
    assert "╭" in result.stdout and "word1<TAB>word2<TAB>score" in result.stdout


def test_plain_help_keeps_the_panels():
    from typing import Annotated

    from typer.testing import CliRunner

    from w2vcli.cli.commands import HelpfulCommand

    demo = typer.Typer()

    @demo.command(cls=HelpfulCommand)
    def go(size: Annotated[int, typer.Option(rich_help_panel="Model", show_default="one")] = 1,
           name: Annotated[str, typer.Argument()] = "x") -> None:
        """Example: go --size 2"""

    text = CliRunner().invoke(demo, ["--help"]).stdout
    assert text.splitlines()[0].endswith("[OPTIONS] [NAME]")
    assert "\nModel:\n  --size <int>  [default: one]\n" in text and "\nOptions:\n" in text
