"""LiteRT threads per model: worker processes that share the cores take one each."""
import os

import cv2
import numpy as np
import pytest

from pyimagesearch import processes
from pyimagesearch.models import lite
from pyimagesearch.reader import batch
from pyimagesearch.reader.options import ReaderOptions

CLASSIFIER_TWIN = os.path.join(os.path.dirname(os.path.dirname(__file__)), "handwriting.tflite")
pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")


def _threads_after_a_run(count):
    """Threads this process gains by loading and running a model with ``count`` LiteRT threads."""
    lite.set_threads(count)
    before = len(os.listdir("/proc/self/task"))
    model = lite.LiteModel(CLASSIFIER_TWIN)
    model.run(np.zeros((4, 32, 32, 1), np.float32))
    gained = len(os.listdir("/proc/self/task")) - before
    del model
    return gained


def test_models_take_the_threads_set_for_the_process():
    try:
        assert _threads_after_a_run(3) >= 2
        assert _threads_after_a_run(1) == 0
    finally:
        lite.set_threads(2)


def test_a_worker_process_loads_its_models_with_one_thread(monkeypatch):
    monkeypatch.setattr(lite, "_threads", 2)
    monkeypatch.setattr(processes.signal, "signal", lambda *a: None)
    cv2_threads = cv2.getNumThreads()
    try:
        batch._start_worker(ReaderOptions(mode="chars"))
        assert lite._threads == 1
        assert batch._worker_reader is not None
    finally:
        cv2.setNumThreads(cv2_threads)
        monkeypatch.setattr(batch, "_worker_reader", None)
