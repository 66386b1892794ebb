"""The fork transport of the scheduler (workers.py): worker processes sharing the parameters (Hogwild).

Measured on 2 cores: two training threads reach 1.17x one thread, because np.add.at and the Python between the
array operations hold the GIL; two processes reach 1.5x. So, where the OS can fork, workers are processes:
the parameters live in an anonymous shared mapping made before the fork (no named segment exists, so nothing can
be left behind), the token store's file is inherited, and tasks and slices travel through two queues.
Workers ignore Ctrl-C (the parent decides), and die with the parent even on SIGKILL (PR_SET_PDEATHSIG, and a
parent check between tasks). Not here: which task comes next (workers.Schedule).
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import queue
import signal
import warnings

import numpy as np

from ..errors import W2VError
from .trainer import Corpus, Trainer

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


def _next_task(tasks, parent_pid: int):
    while True:
        try:
            return tasks.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return None


def _worker(index: int, trainer: Trainer, corpus: Corpus, tasks, results, parent_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    from .workers import one_blas_thread

    with one_blas_thread():
        while (task := _next_task(tasks, parent_pid)) is not None:
            try:
                results.put(trainer.run_slice(corpus, task))
            except BaseException as error:  # noqa: BLE001  (sent to the parent, which raises it)
                if not isinstance(error, W2VError):  # only our own errors are sure to pickle
                    error = RuntimeError(f"training worker {index} failed: {type(error).__name__}: {error}")
                results.put(error)
                return


class ForkTransport:
    """params must be shared (shared_copy) before the trainers are made."""

    def __init__(self, trainers: list[Trainer], corpus: Corpus):
        self.trainers, self.corpus, self.capacity = trainers, corpus, len(trainers)
        self.processes = []

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        self.tasks, self.results = context.Queue(), context.Queue()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: workers use none of them
            self.processes = [context.Process(target=_worker, daemon=True, name=f"w2v-worker-{i}",
                                              args=(i, trainer, self.corpus, self.tasks, self.results, os.getpid()))
                              for i, trainer in enumerate(self.trainers)]
            for process in self.processes:
                process.start()

    def submit(self, task) -> None:
        self.tasks.put(task)

    def receive(self):
        while True:
            try:
                result = self.results.get(timeout=0.5)
                break
            except queue.Empty:
                dead = [p for p in self.processes if p.exitcode is not None]
                if dead:
                    raise RuntimeError(f"a training worker died (exit code {dead[0].exitcode})") from None
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
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
