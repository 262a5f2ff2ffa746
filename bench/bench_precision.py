"""Training speed of the classifier in bf16 mixed precision and in float32.

    .venv/bin/python bench/bench_precision.py [--steps 200] [--width half] > reports/bench_precision.md

Each precision trains in a process of its own (the policy is global) as
``train_ocr_model.py`` compiles the network: batch 128 from ``digits_train.npz``,
shuffled and augmented tf.data; images/second over ``--steps`` steps after 20
untimed warm-up steps. Prints one markdown table.
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WARM_UP = 20

ONE_RUN = """
import json, sys, time
import numpy as np
from pyimagesearch.az_dataset import load_mnist_dataset
from pyimagesearch.training import data, trainer
from pyimagesearch.training.config import TrainConfig
from pyimagesearch.transforms import glyphs_to_inputs
precision, width, steps, warm = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
config = TrainConfig(architecture=width, precision=precision)
trainer.set_precision(precision)
images, labels = load_mnist_dataset("digits_train.npz")
ds = data.make_dataset(glyphs_to_inputs(images), labels, config.batch_size, True, 0).repeat()
model = trainer.build_model(config, steps + warm)
model.fit(ds, steps_per_epoch=warm, epochs=1, verbose=0)
start, cpu = time.time(), time.process_time()
model.fit(ds, steps_per_epoch=steps, epochs=1, verbose=0)
wall = time.time() - start
print(json.dumps({"images_per_s": steps * config.batch_size / wall, "cpu_s_per_1000": 1000 * (time.process_time() - cpu)
                  / (steps * config.batch_size)}))
"""


def measure(precision, width, steps):
    proc = subprocess.run([sys.executable, "-c", ONE_RUN, precision, width, str(steps), str(WARM_UP)], cwd=REPO,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": REPO})
    if proc.returncode != 0:
        sys.exit(f"[ERROR] the {precision} run failed: {proc.stderr.strip().splitlines()[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200, help="timed training steps per precision (default: 200)")
    parser.add_argument("--width", default="half", help="architecture (default: half, the trainer's default)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores\n")
    print("| precision | images/s | CPU s per 1000 images |\n|---|---|---|")
    for precision in ("float32", "bf16"):
        result = measure(precision, args.width, args.steps)
        print(f"| {precision} | {result['images_per_s']:.0f} | {result['cpu_s_per_1000']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
