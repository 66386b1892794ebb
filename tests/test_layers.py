"""The folder tree is the architecture: each layer imports only the layers before it, and only cli/ imports the
terminal and plotting libraries (README, "How the code is laid out")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "w2vcli"
LAYERS = ["math", "data", "vectors", "training", "cli"]  # each may import the ones before it
SHARED = {"errors", "files"}  # top-level modules every layer may import
FACE_ONLY = {"typer", "rich", "matplotlib", "click"}
MODULES = sorted(p for layer in LAYERS for p in (PACKAGE / layer).glob("*.py"))


def imports_of(source: str, package: list[str]) -> set[str]:
    """Absolute dotted names of everything source imports, relative imports resolved against its package."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def violations(source: str, layer: str) -> set[str]:
    """The w2vcli modules source imports that its layer may not import."""
    allowed = set(LAYERS[: LAYERS.index(layer) + 1]) | SHARED
    wrong = set()
    for name in imports_of(source, ["w2vcli", layer]):
        parts = name.split(".")
        if parts[0] == "w2vcli" and len(parts) > 1 and parts[1] not in allowed and parts[1] != "__version__":
            wrong.add(name)
    return wrong


def test_every_layer_has_modules():
    assert {p.parent.name for p in MODULES} == set(LAYERS)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_layer_imports_only_the_layers_before_it(path):
    wrong = violations(path.read_text(), path.parent.name)
    assert not wrong, f"{path.parent.name}/{path.name} imports {sorted(wrong)}"


@pytest.mark.parametrize("path", [p for p in MODULES if p.parent.name != "cli"],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_only_the_cli_imports_terminal_or_plotting_libraries(path):
    wrong = {n for n in imports_of(path.read_text(), ["w2vcli", path.parent.name]) if n.split(".")[0] in FACE_ONLY}
    assert not wrong, f"{path.parent.name}/{path.name} imports {sorted(wrong)}"


@pytest.mark.parametrize("line, layer", [("from ..training import config", "math"),
                                         ("from ..training.config import TrainConfig", "vectors"),
                                         ("import w2vcli.cli.commands", "data")])
def test_the_rule_catches_an_upward_import(line, layer):
    assert violations(line + "\n", layer)


def test_the_library_imports_no_terminal_or_plotting_library_at_run_time():
    """Importing every library module (all layers but cli) loads no typer, rich or matplotlib."""
    modules = ["w2vcli", *(f"w2vcli.{p.parent.name}.{p.stem}" for p in MODULES if p.parent.name != "cli")]
    code = ("import sys, importlib\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            f"print(sorted(m for m in {sorted(FACE_ONLY)!r} if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_importing_the_package_loads_no_numpy_until_a_name_is_used():
    """The console script chooses NumPy's BLAS threads before NumPy loads (console.py), so `import w2vcli` must
    not load it; the public names still import from the package, each on first use."""
    code = ("import sys, w2vcli, w2vcli.console\n"
            "before = 'numpy' in sys.modules\n"
            "from w2vcli import TrainConfig, skipgram, __version__\n"
            "print(before, 'numpy' in sys.modules, callable(skipgram), TrainConfig().dim, sorted(w2vcli.__all__) == "
            "sorted(set(w2vcli.__all__) & set(dir(w2vcli))))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "True", "True", "100", "True"]


@pytest.mark.parametrize("argv, environ, threads", [
    (["nearest", "king"], {}, "1"), (["--version"], {}, "1"), (["train", "c.txt", "--workers", "2"], {}, "1"),
    (["evaluate", "--model", "m.npz"], {}, None),  # every analogy against the vocabulary: all the cores
    (["plot", "--top", "2000", "--out", "map.html"], {}, None),
    (["nearest", "king"], {"OMP_NUM_THREADS": "2"}, None), (["nearest"], {"OPENBLAS_NUM_THREADS": "4"}, "4")])
def test_the_console_script_runs_one_blas_thread_unless_evaluating_or_told(argv, environ, threads):
    from w2vcli.console import choose_blas_threads

    environ = dict(environ)
    choose_blas_threads(argv, environ)
    assert environ.get("OPENBLAS_NUM_THREADS") == threads
