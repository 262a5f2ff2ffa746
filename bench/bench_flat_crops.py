"""Time and memory of the line recognizer on very flat crops (a rule, a 1-px sliver).

    .venv/bin/python bench/bench_flat_crops.py [-m line_model.tflite]

Each crop (paper grey 230 with a dark bar across its middle third) is read in a fresh
process, so the peak resident memory is that read's alone (with the model loaded):
its model-input width, seconds for ``read`` and peak RSS in MB. One markdown table
to stdout.
"""
import argparse
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = [(32, 400), (2, 200), (40, 9000), (3, 58667), (1, 58667)]

READ_ONE = r"""
import json, resource, sys, time
import numpy as np
from pyimagesearch.recognition.recognizer import LineRecognizer, fit_width
from pyimagesearch.recognition.preprocess import to_model_input
h, w = int(sys.argv[2]), int(sys.argv[3])
rec = LineRecognizer(sys.argv[1], lm_path=None)
crop = np.full((h, w), 230, np.uint8)
crop[h // 2, w // 3: 2 * w // 3] = 20
start = time.perf_counter()
rec.read(crop)
seconds = time.perf_counter() - start
width = to_model_input(fit_width(crop)[0]).shape[1]
print(json.dumps({"width": width, "seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(model, shape):
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, "-c", READ_ONE, model, *map(str, shape)], capture_output=True,
                          text=True, env=env, timeout=600)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default=os.path.join(REPO, "line_model.tflite"),
                        help="line model file (default: the shipped line_model.tflite)")
    args = parser.parse_args()
    print("| crop (h x w) | model input width | read s | peak RSS MB |")
    print("|---|---|---|---|")
    for shape in SHAPES:
        result = measure(args.model, shape)
        if result is None:
            print(f"| {shape[0]} x {shape[1]} | failed | | |")
            continue
        print(f"| {shape[0]} x {shape[1]} | {result['width']} | {result['seconds']:.2f} | {result['rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
