"""Parallel workers: same quality, consistent checkpoints, nothing left behind on errors, Ctrl-C or SIGKILL."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from w2vcli.training import processes, session as run_module, trainer as train_module, workers
from w2vcli.vectors.checkpoint import load_model
from w2vcli.training.session import run_training
from w2vcli.training.config import TrainConfig

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "corpus.txt"


@pytest.fixture(params=["threads", "processes"])
def kind(request, monkeypatch):
    """Run each test with worker threads and with worker processes."""
    if request.param == "threads":
        monkeypatch.setattr(run_module, "can_fork", lambda: False)
    elif not processes.can_fork():
        pytest.skip("no fork on this platform")
    return request.param


class Quiet:
    def report(self, progress, rate):
        pass


def _run(out, config, workers, **kwargs):
    options = dict(reporter=Quiet(), checkpoint_every=0.0, should_stop=lambda: False, on_preflight=lambda p: None)
    options.update(kwargs)
    return run_training(EXAMPLE, config, None, out, workers=workers, **options)


def _royal_neighbours(path):
    model = load_model(path)
    vectors = model.center_vectors / np.linalg.norm(model.center_vectors, axis=1, keepdims=True)
    king = vectors[model.words.index("king")]
    return {model.words[i] for i in np.argsort(-(vectors @ king))[1:4]}


def test_two_workers_learn_as_well_as_one(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 10_000)  # enough chunks for both threads
    config = TrainConfig(dim=30, epochs=3)
    summary = _run(tmp_path / "m.npz", config, workers=2)
    assert summary.finished and summary.tokens_trained == 3 * 246_246
    assert _royal_neighbours(tmp_path / "m.npz") <= {"queen", "prince", "princess", "lord", "lady"}
    state = load_model(tmp_path / "m.npz").state
    assert (state["epoch"], state["chunk"], state["words_done"]) == (3, 0, 3 * 246_246)


def test_checkpoints_pause_the_workers_at_a_consistent_point(tmp_path, monkeypatch, kind):
    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 10_000)
    n_chunks = -(-(246_246 + 30_000) // 10_000)  # tokens plus one marker per sentence
    saved = []
    original = workers.Schedule.paused

    def spy(self):
        context = original(self)

        class Spy:
            def __enter__(inner):
                context.__enter__()
                assert self.in_flight == 0
                done = self.state.epoch * n_chunks + self.state.chunk
                ahead = [e * n_chunks + c for e, c, _, _, _, finished in self.state.started if finished]
                saved.append((done, ahead, self.state.words_done))

            def __exit__(inner, *exc):
                return context.__exit__(*exc)

        return Spy()

    monkeypatch.setattr(workers.Schedule, "paused", spy)
    _run(tmp_path / "m.npz", TrainConfig(dim=10, epochs=2), workers=2, checkpoint_every=1e-9)
    assert len(saved) > 5
    chunks = _chunks(tmp_path, 2 * n_chunks)
    for done, ahead, words_done in saved:  # the tokens done are exactly those of the chunks finished
        assert words_done == sum(np.count_nonzero(chunks[i] >= 0) for i in [*range(done), *ahead])


def _chunks(tmp_path, done):
    from w2vcli.data.corpus import scan_corpus

    store = scan_corpus(EXAMPLE)
    n = -(-store.n_items // train_module.CHUNK_ITEMS)
    out = [store.read(k * train_module.CHUNK_ITEMS, min((k + 1) * train_module.CHUNK_ITEMS, store.n_items))
           for k in range(n)]
    store.close()
    return [out[i % n] for i in range(done)]


def test_an_error_in_a_worker_stops_the_run_and_leaves_nothing_running(tmp_path, monkeypatch, kind):
    calls = []
    real = train_module.Trainer.run_slice

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(self, *args)

    monkeypatch.setattr(train_module, "CHUNK_ITEMS", 10_000)
    monkeypatch.setattr(train_module.Trainer, "run_slice", failing)
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="disk on fire"):
        _run(tmp_path / "m.npz", TrainConfig(dim=10, epochs=2), workers=2)
    assert threading.active_count() == before
    assert _children(os.getpid()) == []
    assert not (tmp_path / "m.npz").exists()


def _children(pid):
    """Live child processes of pid, read from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            children.append(stat.parent.name)
    return children


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_stopping_a_parallel_run_leaves_nothing_behind(tmp_path, how):
    out = tmp_path / "m.npz"
    run = subprocess.Popen([sys.executable, "-m", "w2vcli", "train", str(EXAMPLE), "--out", str(out), "--workers", "2",
                            "--epochs", "400", "--dim", "30", "--checkpoint-every", "0.2", "--quiet"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline:  # the event: a first checkpoint
        time.sleep(0.02)
    expected = 2 if processes.can_fork() else 0
    while len(workers := _children(run.pid)) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(workers) == expected
    run.send_signal(signal.SIGINT if how == "SIGINT" else signal.SIGKILL)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == (130 if how == "SIGINT" else -9), stderr
    assert "Traceback" not in stderr
    deadline = time.monotonic() + 5
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if _alive(pid)] == []  # no orphans, even after SIGKILL
    state = load_model(out).state  # the checkpoint stays loadable
    assert not state["finished"] and state["words_done"] > 0
    assert [p for p in os.listdir(tmp_path) if p != "m.npz"] == []
    shm = Path("/dev/shm")
    assert not shm.exists() or not [p for p in shm.iterdir() if "w2v" in p.name]
