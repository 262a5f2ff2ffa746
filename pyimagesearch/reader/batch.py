"""Reading a batch: one function reads an image (and saves its picture), in this
process or in worker processes that each load the models once. Outcomes come back
in input order, so one process and N give the same output."""
import os
import sys
import time
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, first_line
from ..io.annotate import annotate, save
from ..io.elements import Page
from ..io.image import load_image
from ..io.outputs import make_parent
from ..models.lite import set_threads
from ..processes import settle_worker, spawn_context
from .loading import load_reader
from .options import ReaderOptions


@dataclass
class Outcome:
    """What became of one image."""
    path: str
    page: Page | None = None         # None when it could not be read
    error: str | None = None         # why it could not be read, or its picture not saved
    saved: str | None = None         # where its annotated picture went
    canvas: np.ndarray | None = None  # the annotated picture, kept for the window (this process only)


def read_one(reader, path: str, target: str | None, keep_canvas: bool = False) -> Outcome:
    """Read the image at ``path``; save its annotated picture at ``target`` (if any)."""
    try:
        image = load_image(path)
        page = reader.read(image, path)
    except InputError as e:
        return Outcome(path, error=str(e))
    if not (target or keep_canvas):
        return Outcome(path, page)
    canvas = annotate(image, page)
    outcome = Outcome(path, page, canvas=canvas if keep_canvas else None)
    if target:
        try:
            make_parent(target)
            outcome.saved = save(canvas, target)
        except InputError as e:
            outcome.error = str(e)
    return outcome


def outcomes(reader, options: ReaderOptions, tasks: list, jobs: int, keep_canvas: bool = False):
    """Yield an Outcome per (path, target) task, in order: here with ``reader`` when
    ``jobs`` is 1, else in ``jobs`` worker processes."""
    if jobs <= 1 or len(tasks) <= 1:
        for path, target in tasks:
            yield read_one(reader, path, target, keep_canvas)
        return
    with spawn_context().Pool(min(jobs, len(tasks)), initializer=_start_worker, initargs=(options,)) as pool:
        try:
            yield from pool.imap(_work, tasks, chunksize=1)
        except BaseException:
            pool.terminate()
            raise


_worker_reader = None
_worker_failure = None   # why this worker could not load the models


def _start_worker(options):
    settle_worker()
    set_threads(1)
    _load_worker_reader(options)


def _load_worker_reader(options):
    """Load the models once per worker. A failure is kept and reported for each of
    its images: a pool whose initializer raises starts new workers for ever."""
    global _worker_reader, _worker_failure
    try:
        _worker_reader = load_reader(options)
    except Exception as e:
        _worker_failure = f"a worker process could not load the models: {first_line(e)}"


def _work(task):
    if _worker_failure:
        return Outcome(task[0], error=_worker_failure)
    return read_one(_worker_reader, *task)


def default_jobs() -> int:
    """All the cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Progress:
    """Images done, rate and time left, on one line of a terminal."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total = total
        self.stream = stream
        self.done = 0
        self.start = time.monotonic()
        self.shown = total > 1 and hasattr(stream, "isatty") and stream.isatty()

    def step(self):
        self.done += 1
        if not self.shown:
            return
        seconds = time.monotonic() - self.start
        rate = self.done / max(seconds, 1e-9)
        left = (self.total - self.done) / rate
        self.stream.write(f"\r[INFO] {self.done}/{self.total} images, {rate:.1f}/s, "
                          f"ETA {int(left // 60)}:{int(left % 60):02d}  ")
        self.stream.flush()

    def finish(self):
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
