"""Worker processes, made the same way everywhere: spawned, never forked (a fork
copies a parent whose TensorFlow or LiteRT threads do not survive it), and each
set up by ``settle_worker``."""
import multiprocessing
import signal


def spawn_context():
    """The multiprocessing context every worker pool and process uses."""
    return multiprocessing.get_context("spawn")


def settle_worker():
    """First thing in a worker: Ctrl-C is the parent's to handle (it stops the
    workers), and OpenCV takes one thread, since the processes share the cores."""
    import cv2
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cv2.setNumThreads(1)
