from typer.testing import CliRunner

from w2vcli import __version__
from w2vcli.math import core
from w2vcli.cli import app

runner = CliRunner()


def test_gradcheck_verifies_every_gradient():
    result = runner.invoke(app, ["gradcheck", "--dim", "3", "--vocab-size", "5", "--seed", "2"])
    assert result.exit_code == 0, result.output
    assert "30 of 30 gradients verified" in result.output
    assert result.output.count("\tpass") == 30 and "FAIL" not in result.output


def test_gradcheck_exits_1_when_a_gradient_is_wrong(monkeypatch):
    correct = core.naive_softmax_loss_and_gradient

    def broken(center_vec, outside_idx, outside_vectors):
        loss, grad_center, grad_outside = correct(center_vec, outside_idx, outside_vectors)
        return loss, 1.1 * grad_center, grad_outside

    monkeypatch.setattr(core, "naive_softmax_loss_and_gradient", broken)
    result = runner.invoke(app, ["gradcheck"])
    assert result.exit_code == 1
    assert "FAIL" in result.output and "FAILED" in result.output


def test_impossible_option_is_a_usage_error():
    result = runner.invoke(app, ["gradcheck", "--dim", "0"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"w2v {__version__}"


def test_python_dash_m_runs_the_app():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "w2vcli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"w2v {__version__}"
