"""The one chunk scheduler: hands out slices of chunks to workers, records what they report, keeps the position.

Every run of the corpus trainer, one worker or many, goes through Schedule. It hands out Tasks (trainer.py) to a
transport — Inline (this thread: `--workers 1`, bit for bit reproducible), threads.ThreadTransport or
processes.ForkTransport (Hogwild: the workers share the parameter arrays without locks, as word2vec, gensim and
fastText do) — keeping one task in flight per worker, and turns each Slice that comes back into a TrainProgress.

The position it keeps in TrainState: (epoch, chunk) is the first chunk not finished (every chunk before it is),
and `started` lists the chunks from there on that a worker began: [epoch, chunk, blocks done, loss sum, pairs,
finished]. `with schedule.paused():` collects every slice in flight (each ends within trainer.SLICE_SECONDS), so
that params and state describe exactly the work done and may be saved; a resumed run continues the started chunks
first, from their next block. Not here: the SGD itself (trainer.py, step.py), files and clocks (session.py).
"""

from __future__ import annotations

import contextlib
from collections import deque
from dataclasses import dataclass

from threadpoolctl import threadpool_limits

from .config import TrainConfig, TrainProgress, TrainState
from .trainer import Corpus, Slice, Task, Trainer, record, words_total


def one_blas_thread():
    """The BLAS thread limit of every training worker, set here only.

    subtle: BLAS's own threads only slow these small products, and collapse (10x) when another process holds a
    core; one BLAS thread per training worker is measured fastest (README, "Dependencies").
    """
    return threadpool_limits(limits=1, user_api="blas")


class Inline:
    """The transport of one worker: the task runs in this thread when its result is asked for."""

    capacity = 1

    def __init__(self, trainer: Trainer, corpus: Corpus):
        self.trainer, self.corpus, self.tasks = trainer, corpus, deque()

    def start(self) -> None:
        pass

    def submit(self, task: Task) -> None:
        self.tasks.append(task)

    def receive(self) -> Slice:
        return self.trainer.run_slice(self.corpus, self.tasks.popleft())

    def close(self) -> None:
        self.tasks.clear()


@dataclass
class _Started:
    block: int
    loss_sum: float
    pairs: int
    done: bool = False
    words: int = 0
    fraction: float = 0.0


class Schedule:
    """Iterate it for TrainProgress events; `with schedule.paused():` gives a consistent (params, state) to save."""

    def __init__(self, config: TrainConfig, corpus: Corpus, state: TrainState, transport):
        self.config, self.corpus, self.state, self.transport = config, corpus, state, transport
        self.started = {(e, c): _Started(b, loss_sum, pairs, done) for e, c, b, loss_sum, pairs, done in state.started}
        self.waiting = deque(key for key in sorted(self.started) if not self.started[key].done)
        self.next = max(self.started, default=None)
        self.next = (self.next[0], self.next[1] + 1) if self.next else (state.epoch, state.chunk)
        self.in_flight, self.feeding = 0, True
        self.words_total = words_total(config, corpus)

    def _task(self) -> Task | None:
        if self.waiting:
            epoch, chunk = self.waiting.popleft()
            begun = self.started[(epoch, chunk)]
            return Task(epoch, chunk, begun.block, begun.loss_sum, begun.pairs, self.state.words_done)
        epoch, chunk = self.corpus.position(*self.next)
        if epoch >= self.config.epochs:
            return None
        self.next = (epoch, chunk + 1)
        self.started[(epoch, chunk)] = _Started(0, 0.0, 0)
        return Task(epoch, chunk, words_before=self.state.words_done)

    def _feed(self) -> None:
        while self.feeding and self.in_flight < self.transport.capacity and (task := self._task()) is not None:
            self.transport.submit(task)
            self.in_flight += 1

    def _collect(self) -> TrainProgress:
        result = self.transport.receive()
        self.in_flight -= 1
        begun = self.started[(result.epoch, result.chunk)]
        begun.block, begun.loss_sum, begun.pairs = result.block, result.loss_sum, result.pairs
        begun.words, begun.fraction, begun.done = result.words, result.fraction, result.done
        if result.done:
            record(self.state, result.words, result.loss_sum, result.pairs)
        else:
            self.waiting.append((result.epoch, result.chunk))
        self._sync_position()
        partial = sum(b.words * b.fraction for b in self.started.values() if not b.done)
        return TrainProgress(result.epoch + 1, self.state.words_done + int(partial), self.words_total, result.lr,
                             self.state.smoothed_loss, epochs=self.config.epochs)

    def _sync_position(self) -> None:
        """state.(epoch, chunk) to the first unfinished chunk; finished chunks before it leave `started`."""
        unfinished = [key for key, begun in self.started.items() if not begun.done]
        first = min(unfinished) if unfinished else self.corpus.position(*self.next)
        for key in [key for key in self.started if key < first]:
            del self.started[key]
        self.state.epoch, self.state.chunk = first
        self.state.started = [[e, c, b.block, b.loss_sum, b.pairs, b.done] for (e, c), b in sorted(self.started.items())]

    def __iter__(self):
        self.transport.start()
        try:
            self._feed()
            while self.in_flight:
                yield self._collect()
                self._feed()
        finally:
            self.transport.close()
        self.state.finished = True

    @contextlib.contextmanager
    def paused(self):
        """Collect every slice in flight and hand out nothing; meanwhile params and state describe the work done."""
        self.feeding = False
        try:
            while self.in_flight:
                self._collect()
            yield
        finally:
            self.feeding = True
