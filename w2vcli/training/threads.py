"""Parallel training in worker threads that share the two parameter matrices without locks (Hogwild).

The fallback where processes cannot be forked (processes.py is used elsewhere: measured on 2 cores, two threads
reach only 1.17x one thread, as np.add.at and the Python between array operations hold the GIL). Like word2vec,
gensim and fastText, every worker trains its own chunks of the corpus, each chunk with its own random stream
(train.chunk_rng), while the learning rate follows the tokens done by all workers. Checkpoints pause the workers
at chunk boundaries, where the chunks done are exactly those before the next one to hand out.
With several workers the order of updates varies from run to run: results are statistically, not bitwise,
equal; one worker runs train.train, which is exact.
"""

from __future__ import annotations

import contextlib
import queue
import threading

from .config import TrainConfig, TrainProgress, TrainState
from .trainer import Corpus, Trainer, record, run_chunk
from ..data.vocab import Vocab


class ParallelRun:
    """Iterate it for TrainProgress events; `with run.paused():` gives a consistent (params, state) to save."""

    def __init__(self, config: TrainConfig, vocab: Vocab, corpus: Corpus, params, state: TrainState, workers: int):
        self.config, self.corpus, self.state, self.workers = config, corpus, state, workers
        self.trainers = [Trainer(config, vocab, params) for _ in range(workers)]  # same arrays, shared
        self.cond = threading.Condition()
        self.next = (state.epoch, state.chunk)  # the next chunk to hand out
        self.in_flight = 0
        self.pause_requests = 0
        self.stopping = False
        self.errors: list[BaseException] = []
        self.events: queue.Queue = queue.Queue()
        self.words_total = config.epochs * corpus.n_tokens

    def _take(self):
        """The next (epoch, chunk) to train, or None when all are handed out or the run is stopping."""
        with self.cond:
            while self.pause_requests and not self.stopping:
                self.cond.wait()
            epoch, chunk = self.corpus.position(*self.next)
            if self.stopping or epoch >= self.config.epochs:
                return None
            self.next = (epoch, chunk + 1)
            self.in_flight += 1
            return epoch, chunk

    def _work(self, trainer: Trainer) -> None:
        try:
            while (task := self._take()) is not None:
                epoch, chunk = task
                words, loss_sum, pairs, lr = run_chunk(trainer, self.corpus, epoch, chunk,
                                                       lambda: self.state.words_done)
                with self.cond:
                    self.in_flight -= 1
                    record(self.state, words, loss_sum, pairs)
                    self.cond.notify_all()
                self.events.put(TrainProgress(epoch + 1, self.state.words_done, self.words_total, lr,
                                              self.state.smoothed_loss))
        except BaseException as error:  # noqa: BLE001  (re-raised in the main thread)
            with self.cond:
                self.errors.append(error)
                self.stopping = True
                self.in_flight = max(0, self.in_flight - 1)
                self.cond.notify_all()
        finally:
            self.events.put(None)

    def __iter__(self):
        threads = [threading.Thread(target=self._work, args=(t,), daemon=True, name=f"w2v-worker-{i}")
                   for i, t in enumerate(self.trainers)]
        for thread in threads:
            thread.start()
        try:
            running = len(threads)
            while running:
                event = self.events.get()
                if event is None:
                    running -= 1
                elif not self.errors:
                    yield event
        finally:
            self.close()
            for thread in threads:
                thread.join()
        if self.errors:
            raise self.errors[0]
        self._sync_position()
        self.state.finished = True

    def close(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()

    def _sync_position(self) -> None:
        self.state.epoch, self.state.chunk = self.corpus.position(*self.next)

    @contextlib.contextmanager
    def paused(self):
        """Workers finish their chunks and wait; meanwhile params and state describe exactly the chunks done."""
        with self.cond:
            self.pause_requests += 1
            while self.in_flight:
                self.cond.wait()
            self._sync_position()
        try:
            yield
        finally:
            with self.cond:
                self.pause_requests -= 1
                self.cond.notify_all()
