"""Where line-model training time goes: making samples, or the network's steps.

    .venv/bin/python bench/bench_line_training.py [--batches 30] [--lstm-units 96] [--filters 16 32 48 64]

Makes ``--batches`` training batches as ``train_line_model.py`` does (its default
sample options, one process), then times ``train_on_batch`` on those ready batches
for the given architecture (default: the shipped one) after 3 untimed steps.
``fit`` makes samples in a tf.data thread of its own process while it steps, so
it trains at between the harmonic sum of the two rows (no overlap) and the slower
row (full overlap).
Needs ``../shared/data/lines`` (``--data``). Run it on a quiet machine: progress
goes to stderr, one markdown table to stdout.
"""
import argparse
import contextlib
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# `python bench/bench_line_training.py` puts bench/, not the repository root, on sys.path
sys.path.insert(0, REPO)

import numpy as np  # noqa: E402

from pyimagesearch.recognition import data  # noqa: E402
from pyimagesearch.recognition.charset import Charset  # noqa: E402
from pyimagesearch.recognition.config import LineTrainConfig  # noqa: E402
from pyimagesearch.recognition.train import prepare_data  # noqa: E402

WARM_UP_STEPS = 3


def make_batches(config, count):
    """``count`` training batches and the samples/s it took to make them."""
    with contextlib.redirect_stdout(sys.stderr):   # its [INFO] lines are progress, not results
        _, train_items, _, maker, _ = prepare_data(config, Charset())
    batches = data.train_batches(maker, train_items, config.batch_size, config.seed)
    start = time.perf_counter()
    made = [next(batches) for _ in range(count)]
    return made, count * config.batch_size / (time.perf_counter() - start)


def step_rate(config, batches):
    """Samples/s of ``train_on_batch`` on ready batches (after the warm-up steps)."""
    import keras
    from pyimagesearch.recognition.model import build_line_model, compile_line_model
    keras.utils.set_random_seed(config.seed)
    model = build_line_model(Charset().num_classes, tuple(config.filters), config.lstm_units)
    compile_line_model(model, config.learning_rate, 1000)
    for x, y in batches[:WARM_UP_STEPS]:
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for x, y in batches[WARM_UP_STEPS:]:
        model.train_on_batch(x, y)
    seconds = time.perf_counter() - start
    return (len(batches) - WARM_UP_STEPS) * config.batch_size / seconds, model.count_params()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "lines"))
    ap.add_argument("--batches", type=int, default=30, help=f"batches made and stepped ({WARM_UP_STEPS} untimed)")
    ap.add_argument("--lstm-units", type=int, default=LineTrainConfig.lstm_units)
    ap.add_argument("--filters", type=int, nargs=4, default=LineTrainConfig.filters)
    args = ap.parse_args(argv)
    if args.batches <= WARM_UP_STEPS:
        ap.error(f"--batches must be more than {WARM_UP_STEPS}")
    if not os.path.isdir(args.data):
        ap.error(f"{args.data}: no such data folder")
    config = LineTrainConfig(data_dir=args.data, lstm_units=args.lstm_units, filters=tuple(args.filters))
    print(f"[INFO] making {args.batches} batches of {config.batch_size}...", file=sys.stderr)
    batches, making = make_batches(config, args.batches)
    width = np.mean([x.shape[2] for x, _ in batches])
    print("[INFO] timing training steps...", file=sys.stderr)
    stepping, weights = step_rate(config, batches)
    both = 1.0 / (1.0 / making + 1.0 / stepping)
    print(f"| line-model training, {os.cpu_count()} cores, batch {config.batch_size}, mean padded width "
          f"{width:.0f} px | samples/s |\n|---|---|\n"
          f"| making samples (one process, default sample options) | {making:.0f} |\n"
          f"| training steps on ready batches (filters {tuple(config.filters)}, LSTM {config.lstm_units}, "
          f"{weights:,} weights) | {stepping:.0f} |\n"
          f"| training, bounds: harmonic sum (no overlap) - slower row (full overlap) | "
          f"{both:.0f} - {min(making, stepping):.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
