"""The thread transport of the scheduler (workers.py): worker threads sharing the parameter arrays (Hogwild).

The fallback where processes cannot be forked (processes.py is used elsewhere: measured on 2 cores, two threads
reach only 1.17x one thread, as np.add.at and the Python between array operations hold the GIL). Each thread
takes a Task, trains its slice (trainer.Trainer.run_slice) and puts the Slice, or its error, on the results queue.
Not here: which task comes next (workers.Schedule).
"""

from __future__ import annotations

import queue
import threading

from .trainer import Corpus, Trainer


class ThreadTransport:
    def __init__(self, trainers: list[Trainer], corpus: Corpus):
        self.trainers, self.corpus, self.capacity = trainers, corpus, len(trainers)
        self.tasks: queue.Queue = queue.Queue()
        self.results: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []

    def _work(self, trainer: Trainer) -> None:
        while (task := self.tasks.get()) is not None:
            try:
                self.results.put(trainer.run_slice(self.corpus, task))
            except BaseException as error:  # noqa: BLE001  (re-raised in the main thread by receive)
                self.results.put(error)
                return

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._work, args=(t,), daemon=True, name=f"w2v-worker-{i}")
                        for i, t in enumerate(self.trainers)]
        for thread in self.threads:
            thread.start()

    def submit(self, task) -> None:
        self.tasks.put(task)

    def receive(self):
        result = self.results.get()
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join()
