"""Benchmark the learned handwriting detector: what it adds to a warm read.

    .venv/bin/python bench/bench_detector.py [--reads 7] [-o report.md]

For each photo (``images/`` and, when present, ``../shared/images-dev``), brought
to about one megapixel: the median ms of the detector alone (``LearnedDetector.look``),
of a warm read with ``--detector classic`` and with ``--detector learned`` (the
model loaded once, one untimed read first). Writes one markdown table (stdout,
and ``-o``) after the machine facts line.
"""
import argparse
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

import cv2  # noqa: E402

from pyimagesearch.places import SHARED_IMAGES_DEV  # noqa: E402
from pyimagesearch.io.image import list_images, load_image  # noqa: E402
from pyimagesearch.reader.loading import load_reader  # noqa: E402
from pyimagesearch.reader.options import ReaderOptions  # noqa: E402

MEGAPIXEL = 1_000_000


def one_megapixel(image):
    scale = (MEGAPIXEL / (image.shape[0] * image.shape[1])) ** 0.5
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def median_ms(action, reads):
    action()
    times = []
    for _ in range(reads):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def machine_facts():
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reads", type=int, default=7, help="timed warm reads per photo (default 7)")
    parser.add_argument("--images-dev", default=SHARED_IMAGES_DEV,
                        help="more photos (skipped when absent)")
    parser.add_argument("-o", "--output", help="also write the table here")
    args = parser.parse_args(argv)
    classic = load_reader(ReaderOptions(detector="classic"))
    learned = load_reader(ReaderOptions(detector="learned"))
    folders = [os.path.join(REPO, "images")] + ([args.images_dev] if os.path.isdir(args.images_dev) else [])
    paths = list_images(folders)
    rows = ["| photo | size | detector ms | classic read ms | learned read ms | added ms |", "|---|---|---|---|---|---|"]
    added = []
    for path in paths:
        image = one_megapixel(load_image(path))
        look = median_ms(lambda: learned.detector.look(image), args.reads)
        a = median_ms(lambda: classic.read(image), args.reads)
        b = median_ms(lambda: learned.read(image), args.reads)
        added.append(b - a)
        rows.append(f"| {os.path.basename(path)} | {image.shape[1]}x{image.shape[0]} | {look:.1f} | {a:.1f} | "
                    f"{b:.1f} | {b - a:+.1f} |")
        print(f"[bench] {rows[-1]}", file=sys.stderr, flush=True)
    rows.append(f"| median of {len(paths)} |  |  |  |  | {statistics.median(added):+.1f} |")
    text = "\n".join([machine_facts(), "", *rows]) + "\n"
    print(text)
    if args.output:
        with open(args.output, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
