"""Where line-model training time goes: making samples, or the network's steps,
and what ``fit`` reaches with the batches made in the training process or in workers.

    .venv/bin/python bench/bench_line_training.py [--batches 30] [--lstm-units 96] [--filters 16 32 48 64]
                                                  [--font-share 0.25] [--fit-steps 40] [--workers 0 1]

Rows:

* making samples in one process: UniPen samples, font lines, and the mixed
  batches training makes (``--font-share`` of each batch set in the fonts);
* ``train_on_batch`` on ``--batches`` ready mixed batches for the given
  architecture (default: the shipped one) after 3 untimed steps;
* ``fit`` as ``train_line_model.py`` runs it, with the batches made by each
  ``--workers`` count (0: in the training process, sharing its GIL with the step
  loop): one untimed epoch of ``--fit-steps`` steps (graph tracing, workers
  starting), then a timed one; "cores" is the CPU time of the training process
  and its workers over that epoch's wall time.

Needs ``../shared/data/lines`` (``--data``), ``../shared/fonts`` and
``../shared/text``. Run it on a quiet machine: progress goes to stderr, one
markdown table to stdout.
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

from pyimagesearch.places import SHARED_FONTS, SHARED_LINES, SHARED_TEXT  # noqa: E402
from pyimagesearch.recognition import data  # noqa: E402
from pyimagesearch.recognition.charset import Charset  # noqa: E402
from pyimagesearch.recognition.config import LineTrainConfig  # noqa: E402
from pyimagesearch.recognition.font_lines import FontLines  # noqa: E402
from pyimagesearch.recognition.train import prepare_data, stream_spec  # noqa: E402
from pyimagesearch.recognition.workers import BatchStream  # noqa: E402

WARM_UP_STEPS = 3
SAMPLES_TIMED = 200


def rate(make, count):
    """Samples/s of calling ``make()`` ``count`` times."""
    start = time.perf_counter()
    for _ in range(count):
        make()
    return count / (time.perf_counter() - start)


def making_rates(config, corpus, train_items, maker, count):
    """{row: samples/s} of sample making in this process, and ``count`` mixed batches."""
    rng = np.random.default_rng(config.seed)
    fonts = FontLines(config.fonts_dir, config.text_dir)
    picks = iter(rng.choice(train_items, SAMPLES_TIMED))
    rates = {"UniPen samples": rate(lambda: maker.example(next(picks), rng), SAMPLES_TIMED),
             "font lines": rate(lambda: data.to_example(*fonts.make(rng), maker.charset), SAMPLES_TIMED)}
    with BatchStream(stream_spec(config, train_items, maker.options, config.seed), 0, corpus) as stream:
        batches = iter(stream)
        next(batches)   # the first pool's cost lands on the first batch: start after it
        start = time.perf_counter()
        made = [next(batches) for _ in range(count)]
    rates[f"mixed batches ({config.font_share:.0%} font lines)"] = \
        count * config.batch_size / (time.perf_counter() - start)
    return rates, made


def new_model(config):
    import keras
    from pyimagesearch.recognition.model import build_line_model, compile_line_model
    keras.utils.set_random_seed(config.seed)
    model = build_line_model(Charset().num_classes, tuple(config.filters), config.lstm_units)
    return compile_line_model(model, config.learning_rate, 1000)


def step_rate(config, batches):
    """Samples/s of ``train_on_batch`` on ready batches (after the warm-up steps)."""
    model = new_model(config)
    for x, y in batches[:WARM_UP_STEPS]:
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for x, y in batches[WARM_UP_STEPS:]:
        model.train_on_batch(x, y)
    seconds = time.perf_counter() - start
    return (len(batches) - WARM_UP_STEPS) * config.batch_size / seconds, model.count_params()


def cpu_seconds(pids):
    """User + system CPU seconds of this process (all its threads) and of ``pids``."""
    own = os.times()
    total = own.user + own.system
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick   # utime, stime
    return total


def fit_rate(config, corpus, train_items, options, workers, steps):
    """(samples/s, cores used) of ``fit``'s second epoch of ``steps`` steps."""
    import keras
    model = new_model(config)
    with BatchStream(stream_spec(config, train_items, options, config.seed), workers, corpus) as stream:
        pids = [p.pid for p in stream.processes]
        marks = {}

        class Clock(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                marks[epoch] = (time.perf_counter(), cpu_seconds(pids), stream.samples_made)

            def on_epoch_end(self, epoch, logs=None):
                marks[f"end {epoch}"] = (time.perf_counter(), cpu_seconds(pids), stream.samples_made)

        model.fit(data.train_dataset(stream), epochs=2, steps_per_epoch=steps, callbacks=[Clock()], verbose=0,
                  shuffle=False)
    (t0, c0, _), (t1, c1, _) = marks[1], marks["end 1"]
    return steps * config.batch_size / (t1 - t0), (c1 - c0) / (t1 - t0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=SHARED_LINES)
    ap.add_argument("--fonts", default=SHARED_FONTS)
    ap.add_argument("--text", default=SHARED_TEXT)
    ap.add_argument("--batches", type=int, default=30, help=f"batches made and stepped ({WARM_UP_STEPS} untimed)")
    ap.add_argument("--lstm-units", type=int, default=LineTrainConfig.lstm_units)
    ap.add_argument("--filters", type=int, nargs=4, default=LineTrainConfig.filters)
    ap.add_argument("--font-share", type=float, default=LineTrainConfig.font_share)
    ap.add_argument("--fit-steps", type=int, default=40, help="steps of each timed fit epoch (0: no fit rows)")
    ap.add_argument("--workers", type=int, nargs="*", default=[0, LineTrainConfig.workers],
                    help="worker counts to time fit with")
    args = ap.parse_args(argv)
    if args.batches <= WARM_UP_STEPS:
        ap.error(f"--batches must be more than {WARM_UP_STEPS}")
    for folder in (args.data, args.fonts, args.text):
        if not os.path.isdir(folder):
            ap.error(f"{folder}: no such data folder")
    config = LineTrainConfig(data_dir=args.data, fonts_dir=args.fonts, text_dir=args.text,
                             lstm_units=args.lstm_units, filters=tuple(args.filters), font_share=args.font_share)
    with contextlib.redirect_stdout(sys.stderr):   # its [INFO] lines are progress, not results
        corpus, train_items, _, maker, _ = prepare_data(config, Charset())
    print(f"[INFO] making samples and {args.batches} batches of {config.batch_size}...", file=sys.stderr)
    rates, batches = making_rates(config, corpus, train_items, maker, args.batches)
    width = np.mean([x.shape[2] for x, _ in batches])
    print("[INFO] timing training steps...", file=sys.stderr)
    stepping, weights = step_rate(config, batches)
    rows = [f"| making {name} (one process) | {value:.0f} | |" for name, value in rates.items()]
    rows.append(f"| training steps on ready batches (filters {tuple(config.filters)}, LSTM {config.lstm_units}, "
                f"{weights:,} weights) | {stepping:.0f} | |")
    for workers in args.workers if args.fit_steps else []:
        print(f"[INFO] timing fit, {workers} batch workers...", file=sys.stderr)
        speed, cores = fit_rate(config, corpus, train_items, maker.options, workers, args.fit_steps)
        where = f"{workers} worker process{'es' if workers != 1 else ''}" if workers else "the training process"
        rows.append(f"| fit, {args.fit_steps} steps, batches made by {where} | {speed:.0f} | {cores:.2f} |")
    load = os.getloadavg()[0]
    print(f"| line-model training, {os.cpu_count()} cores (load {load:.1f} at the end), batch "
          f"{config.batch_size}, mean padded width {width:.0f} px | samples/s | cores |\n|---|---|---|\n"
          + "\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
