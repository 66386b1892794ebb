"""Parallel training in worker processes that share the parameters through anonymous shared memory (Hogwild).

Measured on 2 cores: two training threads reach 1.17x one thread, because np.add.at and the Python between the
array operations hold the GIL; two processes reach 1.5x. So, where the OS can fork, workers are processes:
the parameters live in an anonymous shared mapping made before the fork (no named segment exists, so nothing can
be left behind), the token store's file is inherited, and the parent hands out (epoch, chunk) tasks, keeping one
in flight per worker. Pausing for a checkpoint means handing out nothing and collecting what is in flight.
Workers ignore Ctrl-C (the parent decides), and die with the parent even on SIGKILL (PR_SET_PDEATHSIG, and a
parent check between tasks). Elsewhere parallel.py's threads do the same job.
"""

from __future__ import annotations

import contextlib
import ctypes
import mmap
import multiprocessing
import os
import queue
import signal
import warnings

import numpy as np

from ..errors import W2VError
from .config import TrainConfig, TrainProgress, TrainState
from .trainer import Corpus, Trainer, record, run_chunk
from ..data.vocab import Vocab

PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def shared_copy(array: np.ndarray) -> np.ndarray:
    """A copy of array in anonymous shared memory: seen by forked workers, freed with the last process using it."""
    buffer = mmap.mmap(-1, max(array.nbytes, 1))
    shared = np.frombuffer(buffer, dtype=array.dtype, count=array.size).reshape(array.shape)
    shared[...] = array
    return shared


def _die_with_parent(parent_pid: int) -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the parent check between tasks still ends the worker
    if os.getppid() != parent_pid:
        os._exit(1)


def _worker(index: int, trainer: Trainer, corpus: Corpus, tasks, results, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        while True:
            try:
                task = tasks.get(timeout=1.0)
            except queue.Empty:
                if os.getppid() != parent_pid:
                    return
                continue
            if task is None:
                return
            epoch, chunk, words_before = task
            try:
                words, loss_sum, pairs, lr = run_chunk(trainer, corpus, epoch, chunk, lambda: words_before)
            except BaseException as error:  # noqa: BLE001  (sent to the parent, which raises it)
                if not isinstance(error, W2VError):  # only our own errors are sure to pickle
                    error = RuntimeError(f"training worker {index} failed: {type(error).__name__}: {error}")
                results.put(("error", index, error))
                return
            results.put(("done", index, epoch, words, loss_sum, pairs, lr))


class ProcessRun:
    """Iterate it for TrainProgress events; `with run.paused():` gives a consistent (params, state) to save.

    params must be shared (shared_copy) before the run starts.
    """

    def __init__(self, config: TrainConfig, vocab: Vocab, corpus: Corpus, params, state: TrainState, workers: int):
        self.config, self.vocab, self.corpus, self.params, self.state = config, vocab, corpus, params, state
        self.workers = workers
        self.next = (state.epoch, state.chunk)
        self.in_flight = 0
        self.words_total = config.epochs * corpus.n_tokens
        self.last_lr = config.lr

    def _feed(self) -> None:
        while self.in_flight < self.workers:
            epoch, chunk = self.corpus.position(*self.next)
            if epoch >= self.config.epochs:
                return
            self.tasks.put((epoch, chunk, self.state.words_done))
            self.next = (epoch, chunk + 1)
            self.in_flight += 1

    def _receive(self) -> TrainProgress:
        while True:
            try:
                message = self.results.get(timeout=0.5)
                break
            except queue.Empty:
                dead = [p for p in self.processes if p.exitcode is not None]
                if dead:
                    raise RuntimeError(f"a training worker died (exit code {dead[0].exitcode})") from None
        self.in_flight -= 1
        if message[0] == "error":
            raise message[2]
        _, _, epoch, words, loss_sum, pairs, self.last_lr = message
        record(self.state, words, loss_sum, pairs)
        return TrainProgress(epoch + 1, self.state.words_done, self.words_total, self.last_lr,
                             self.state.smoothed_loss)

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        self.tasks, self.results = context.Queue(), context.Queue()
        trainers = [Trainer(self.config, self.vocab, self.params) for _ in range(self.workers)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: workers use none of them
            self.processes = [context.Process(target=_worker, daemon=True, name=f"w2v-worker-{i}",
                                              args=(i, trainer, self.corpus, self.tasks, self.results, os.getpid()))
                              for i, trainer in enumerate(trainers)]
            for process in self.processes:
                process.start()

    def _stop(self) -> None:
        for _ in self.processes:
            self.tasks.put(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.exitcode is None:
                process.kill()
                process.join()
        for channel in (self.tasks, self.results):
            channel.close()
            channel.join_thread()

    def __iter__(self):
        self._start()
        try:
            self._feed()
            while self.in_flight:
                yield self._receive()
                self._feed()
        finally:
            self._stop()
        self.state.epoch, self.state.chunk = self.corpus.position(*self.next)
        self.state.finished = True

    @contextlib.contextmanager
    def paused(self):
        """Collect every chunk in flight; meanwhile params and state describe exactly the chunks done."""
        while self.in_flight:
            self._receive()
        self.state.epoch, self.state.chunk = self.corpus.position(*self.next)
        yield
