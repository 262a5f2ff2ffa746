"""Training batches made in worker processes, so that sample making does not
share the training process' GIL with Keras' step loop.

``BatchStream(spec, workers)`` starts ``workers`` spawned processes (safe where
fork is not, and nothing of the parent's TensorFlow state is copied); each loads
the corpus and the fonts itself, makes ``data.mixed_batches`` with its own seed
(from ``spec.seed`` and its number) and puts them on one bounded queue. With 0
workers the batches are made in the calling process (the same batches as one
worker of the same seed). The stream counts what it hands out (samples, input
columns) for the training's speed log. Use it as a context manager: leaving it
stops the workers.
"""
import os
import queue
import traceback
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..processes import settle_worker, spawn_context
from . import data
from .charset import Charset
from .corpus import Corpus

QUEUE_BATCHES = 8          # batches waiting per worker at most
POLL_SECONDS = 5.0         # how often a waiting reader checks that the workers live
INPUT_ERROR, FAILURE = "input error", "failure"   # what a worker puts on the queue instead of a batch


@dataclass(frozen=True)
class StreamSpec:
    """What a worker needs to make the same kind of batches as the training asks for."""
    data_dir: str
    items: np.ndarray                  # the training items (indices into the corpus)
    options: data.SampleOptions
    batch_size: int
    seed: int
    fonts_dir: str = ""
    text_dir: str = ""
    font_share: float = 0.0
    page_share: float = 0.0


def batches_of(spec: StreamSpec, seed, corpus=None):
    """The endless batch generator ``spec`` describes, with ``seed``."""
    charset = Charset()
    corpus = corpus if corpus is not None else Corpus(spec.data_dir)
    texts = [charset.normalize(t) for t in corpus.text]
    maker = data.SampleMaker(corpus, spec.items, texts, charset, spec.options)
    return data.mixed_batches(maker, spec.items, spec.batch_size, seed, *_synthetic_lines(spec))


def _synthetic_lines(spec: StreamSpec) -> tuple:
    """(the source of the lines beside UniPen's, their share of a batch): font lines,
    lines cut from generated pages, both in proportion, or none (None, 0)."""
    from .font_lines import FontLines
    from .page_lines import PageLines
    sources = []
    if spec.font_share > 0:
        sources.append((FontLines(spec.fonts_dir, spec.text_dir), spec.font_share))
    if spec.page_share > 0:
        sources.append((PageLines("train"), spec.page_share))
    if not sources:
        return None, 0.0
    return MixedLines(sources), sum(share for _, share in sources)


class MixedLines:
    """Lines drawn from several sources (each with ``make(rng)`` -> (grey image, text)),
    in proportion to their weights: [(source, weight)]."""

    def __init__(self, weighted: list):
        self.sources = [source for source, _ in weighted]
        self.p = np.array([p for _, p in weighted], np.float64)
        self.p /= self.p.sum()

    def make(self, rng) -> tuple:
        return self.sources[int(rng.choice(len(self.sources), p=self.p))].make(rng)


def _put(out, item, parent) -> bool:
    """Put ``item`` on the queue once there is room; False when the parent has died
    meanwhile (killed, it could not stop its workers: they stop themselves)."""
    while True:
        try:
            out.put(item, timeout=POLL_SECONDS)
            return True
        except queue.Full:
            if os.getppid() != parent:
                out.cancel_join_thread()   # nobody reads the queue: exit without flushing it
                return False


def _work(spec, seed, out, parent):
    """A worker's life: make batches until stopped or orphaned; an error goes on the
    queue as text (bad input as its one-line message, anything else with its traceback)."""
    settle_worker()
    try:
        for batch in batches_of(spec, seed):
            if not _put(out, batch, parent):
                return
    except InputError as e:
        _put(out, (INPUT_ERROR, str(e)), parent)
    except Exception:   # noqa: BLE001 - whatever went wrong, the parent reports it
        _put(out, (FAILURE, traceback.format_exc()), parent)


def worker_seeds(seed: int, workers: int) -> list:
    """One independent seed per worker, the same for the same (seed, workers)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(max(workers, 1))]


def unpadded_widths(x: np.ndarray) -> np.ndarray:
    """Each input's width in a padded (B, H, W, 1) batch: up to its last column that is not 0."""
    used = np.any(x[..., 0] > 0, axis=1)
    return np.where(used.any(axis=1), x.shape[2] - np.argmax(used[:, ::-1], axis=1), 0)


class BatchStream:
    """Iterable of (x, y) training batches, made by ``workers`` processes (0: here)."""

    def __init__(self, spec: StreamSpec, workers: int = 1, corpus=None):
        self.spec, self.workers, self.corpus = spec, workers, corpus
        self.samples_made = self.columns_made = 0
        self.processes, self.queue, self.closed = [], None, False

    def __enter__(self):
        if self.workers > 0:
            context = spawn_context()
            self.queue = context.Queue(maxsize=QUEUE_BATCHES * self.workers)
            for seed in worker_seeds(self.spec.seed, self.workers):
                process = context.Process(target=_work, args=(self.spec, seed, self.queue, os.getpid()),
                                          daemon=True)
                process.start()
                self.processes.append(process)
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.closed = True
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.join(timeout=10)
        self.processes = []

    def __iter__(self):
        source = self._from_workers() if self.workers > 0 else \
            batches_of(self.spec, worker_seeds(self.spec.seed, 1)[0], self.corpus)
        for x, y in source:
            if self.closed:
                return
            self.samples_made += len(y)
            self.columns_made += int(np.sum(unpadded_widths(x)))
            yield x, y

    def _from_workers(self):
        while not self.closed:
            try:
                batch = self.queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not self.closed and not any(p.is_alive() for p in self.processes):
                    raise RuntimeError("every batch worker has stopped") from None
                continue
            if isinstance(batch[0], str):   # a worker's error, not a batch
                if batch[0] == INPUT_ERROR:
                    raise InputError(batch[1])
                raise RuntimeError(f"a batch worker failed:\n{batch[1]}")
            yield batch
