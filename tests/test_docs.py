"""Every command has help with an example, and the README mentions it (sqlite-utils' docs meta-test)."""

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
