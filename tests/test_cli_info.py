"""`w2v info` tells a model's story, and every query on an unfinished checkpoint says so in one stderr line."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from w2vcli.cli import app
from w2vcli.vectors.checkpoint import ModelFile, save_model

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"
WORDS = ["man", "woman", "king", "queen", "apple"]
SKIPGRAM = {"model": "skipgram", "loss": "neg", "dim": 3, "window": 5, "negatives": 5, "epochs": 5, "lr": 0.025,
            "min_lr": 0.0001, "min_count": 5, "max_vocab": 0, "sample": 0.001, "ns_exponent": 0.75,
            "batch_size": 0, "shared_negatives": 64, "max_repeats": 8, "seed": 1, "lowercase": True, "preset": "",
            "iterations": 40000, "windows_per_step": 50, "anneal_every": 20000}  # as files before the schedule moved
STOPPED = {"finished": False, "epoch": 1, "chunk": 3, "words_done": 300, "corpus": "my corpus.txt",
           "corpus_tokens": 100, "corpus_bytes": 2048, "train_seconds": 2.0}


def save(path, config, state):
    vectors = np.random.default_rng(0).normal(size=(len(WORDS), 3)).astype(np.float32)
    save_model(path, ModelFile(vectors, vectors, WORDS, np.arange(5, 0, -1), config, state, np.array([3.0, 2.5])))
    return path


def info_rows(path) -> dict:
    result = runner.invoke(app, ["info", "-m", str(path)])
    assert result.exit_code == 0, result.output
    return dict(line.split("\t") for line in result.stdout.splitlines()[1:])


def test_a_trained_model_tells_its_story(tmp_path):
    out = tmp_path / "m.npz"
    result = runner.invoke(app, ["train", str(EXAMPLE), "--dim", "4", "--epochs", "1", "--workers", "1", "-q",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = info_rows(out)
    assert rows["status"] == "finished, epoch 1 of 1" and rows["corpus"].startswith(str(EXAMPLE))
    assert "resume with" not in rows and int(rows["tokens trained"].replace(",", "")) > 200_000
    assert rows["--dim"] == "4" and rows["--model"] == "skipgram" and rows["--lowercase"] == "true"
    assert not {"--preset", "--iterations", "--windows-per-step", "--anneal-every"} & set(rows)
    story = json.loads(runner.invoke(app, ["info", "-m", str(out), "--json"]).stdout)
    assert story["training"]["finished"] is True and story["training"]["resume_command"] is None
    assert "iterations" not in story["training"]["options"] and story["training"]["options"]["dim"] == 4


def test_an_unfinished_checkpoint_says_where_it_stopped_and_how_to_resume(tmp_path):
    path = save(tmp_path / "stopped.npz", SKIPGRAM, STOPPED)
    rows = info_rows(path)
    assert rows["corpus"] == "my corpus.txt (2.0 KB, 100 tokens)"
    assert rows["status"] == "unfinished: stopped in epoch 2 of 5 (60% of the tokens)"
    assert rows["resume with"] == f"w2v train 'my corpus.txt' --resume {path}"
    assert rows["tokens trained"] == "300" and rows["training time"] == "2.0 s (150 tokens/s)"
    assert rows["final loss"] == "2.5000"
    training = json.loads(runner.invoke(app, ["info", "-m", str(path), "--json"]).stdout)["training"]
    assert (training["done"], training["total"], training["epoch"], training["epochs"]) == (300, 500, 2, 5)
    assert (training["corpus_bytes"], training["train_seconds"], training["per_second"]) == (2048, 2.0, 150.0)


def test_a_continued_run_names_the_model_it_started_from(tmp_path):
    rows = info_rows(save(tmp_path / "more.npz", SKIPGRAM, {"finished": True, "epoch": 5, "init": "base.npz"}))
    assert rows["continued from"] == "base.npz"


def test_an_older_file_shows_what_it_has(tmp_path):
    path = save(tmp_path / "old.npz", SKIPGRAM, {"finished": True, "epoch": 5, "words_done": 500, "corpus": "c.txt"})
    rows = info_rows(path)
    assert rows["corpus"] == "c.txt" and rows["status"] == "finished, epoch 5 of 5"
    assert "training time" not in rows


def test_cs224n_shows_its_own_options_and_steps(tmp_path):
    config = SKIPGRAM | {"preset": "cs224n", "epochs": 1, "loss": "softmax"}
    path = save(tmp_path / "sst.npz", config, {"finished": False, "step": 12000, "corpus": "sst.txt"})
    rows = info_rows(path)
    assert rows["status"] == "unfinished: stopped in step 12,000 of 40,000" and rows["SGD steps"] == "12,000"
    assert "--preset" in rows  # its schedule is the procedure's, not options: files that saved it show it no more
    assert not {"--iterations", "--windows-per-step", "--anneal-every"} & set(rows)
    assert not {"--epochs", "--min-lr", "--batch-size", "--max-repeats", "--sample", "--negatives",
                "--shared-negatives"} & set(rows)


def test_softmax_shows_no_negative_sampling_options(tmp_path):
    rows = info_rows(save(tmp_path / "s.npz", SKIPGRAM | {"loss": "softmax"}, {"finished": True}))
    assert rows["--loss"] == "softmax" and not {"--negatives", "--ns-exponent", "--shared-negatives"} & set(rows)


def test_subword_options_only_on_a_subword_model(tmp_path):
    subwords = {"subwords": False, "min_n": 3, "max_n": 6, "buckets": 1000}
    rows = info_rows(save(tmp_path / "plain.npz", SKIPGRAM | subwords, {"finished": True}))
    assert not {"--subwords", "--min-n", "--max-n", "--buckets"} & set(rows)
    out = tmp_path / "sub.npz"
    result = runner.invoke(app, ["train", str(EXAMPLE), "--subwords", "--buckets", "1000", "--dim", "4", "--epochs",
                                 "1", "--workers", "1", "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = info_rows(out)
    assert (rows["--subwords"], rows["--min-n"], rows["--max-n"], rows["--buckets"]) == ("true", "3", "6", "1000")


def test_a_word2vec_file_tells_its_size(tmp_path):
    (tmp_path / "v.txt").write_text("2 2\na 1 0\nb 0 1\n")
    rows = info_rows(tmp_path / "v.txt")
    assert (rows["format"], rows["vocabulary"], rows["dimension"], rows["lowercase"]) == (
        "word2vec text", "2", "2", "true")
    assert json.loads(runner.invoke(app, ["info", "-m", str(tmp_path / "v.txt"), "--json"]).stdout)[
        "training"] is None


QUERIES = [["nearest", "king"], ["analogy", "man", "king", "woman"], ["similarity", "king", "queen"],
           ["evaluate", "-p", "{d}/p.tsv"], ["export", "{m}", "{d}/v.txt"]]


@pytest.mark.parametrize("args", QUERIES, ids=[q[0] for q in QUERIES])
def test_queries_on_an_unfinished_checkpoint_warn_once(tmp_path, args):
    (tmp_path / "p.tsv").write_text("man\twoman\t8\nking\tqueen\t9\n")
    path = save(tmp_path / "stopped.npz", SKIPGRAM, STOPPED)
    argv = [arg.format(m=path, d=tmp_path) for arg in args]
    model = [] if args[0] == "export" else ["-m", str(path)]
    result = runner.invoke(app, [*argv, *model])
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"warning: {path} is an unfinished checkpoint, stopped in epoch 2 of 5 (60% of the "
                             f"tokens); its vectors are not final. Resume with: w2v train 'my corpus.txt' --resume "
                             f"{path}\n")
    finished = save(tmp_path / "done.npz", SKIPGRAM, STOPPED | {"finished": True, "epoch": 5})
    argv = [arg.format(m=finished, d=tmp_path).replace("v.txt", "w.txt") for arg in args]
    result = runner.invoke(app, [*argv, *([] if args[0] == "export" else ["-m", str(finished)])])
    assert result.exit_code == 0 and result.stderr == ""
