"""Hostile images through the whole reader: time and peak memory of each process.

    .venv/bin/python bench/bench_hostile.py [--runs 3] [--report bench/hostile.md]

Makes a set of hostile files (noise, speckle, textures, 1-bit, 16-bit, transparent,
thin strips, 40-megapixel photos) in a temporary folder, reads each with a fresh
``ocr_handwriting.py -i FILE --no-window --json`` and prints one markdown table,
each row checked against the targets (<= 3 s, <= 400 MB). bench/README.md says more.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile

import cv2
import numpy as np
from PIL import Image

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))   # the repository root, for pyimagesearch

from bench_reader import REPO, facts_line, log, machine_facts, run_child  # noqa: E402
from pyimagesearch.io.image import MAX_PIXELS  # noqa: E402
from pyimagesearch.io.atomic import write_text  # noqa: E402

TARGET_S = 3.0
TARGET_MB = 400.0
# the 40-megapixel photos: as big as the reader accepts
BIG = (6000, MAX_PIXELS // 6000)


def noise(shape, seed):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def speckle(shape, seed, share=0.05):
    page = np.full(shape, 255, np.uint8)
    page[np.random.default_rng(seed).random(shape) < share] = 0
    return page


def grain(shape, seed, sigma=2.0):
    """Noise blurred into grains of about ``sigma`` px, bigger than any speck filter."""
    blurred = cv2.GaussianBlur(noise(shape, seed).astype(np.float32), (0, 0), sigma)
    return cv2.normalize(blurred, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


def scribbles(shape, seed, count=1200):
    """White paper covered in small two-stroke marks about 10 px tall: the statistics of
    tiny writing, spread over the page (not a texture by any measure the segmenter uses)."""
    rng = np.random.default_rng(seed)
    page = np.full(shape, 255, np.uint8)
    for _ in range(count):
        x, y = int(rng.integers(10, shape[1] - 10)), int(rng.integers(10, shape[0] - 10))
        for _ in range(2):
            cv2.line(page, (x, y), (x + int(rng.integers(-7, 8)), y + int(rng.integers(-7, 8))), 0, 2)
    return page


def transparent(gray):
    """Black ink whose darkness is in the alpha channel, on transparent paper."""
    return np.dstack([np.zeros(gray.shape + (3,), np.uint8), 255 - gray])


# (file name, what it is, writer): each writer saves its image at the given path
CASES = [
    ("noise_1000x1000.png", "grey noise", lambda p: cv2.imwrite(p, noise((1000, 1000), 1))),
    ("noise_1600x1200.png", "grey noise", lambda p: cv2.imwrite(p, noise((1200, 1600), 2))),
    ("noise_2000x3000.png", "grey noise", lambda p: cv2.imwrite(p, noise((3000, 2000), 3))),
    ("noise_4000x4000.png", "grey noise", lambda p: cv2.imwrite(p, noise((4000, 4000), 4))),
    ("noise_6000x6000.png", "grey noise", lambda p: cv2.imwrite(p, noise((6000, 6000), 5))),
    ("colour_noise_1600x1200.jpg", "colour noise", lambda p: cv2.imwrite(p, noise((1200, 1600, 3), 6))),
    ("speckle_1600x1600.png", "5% black specks", lambda p: cv2.imwrite(p, speckle((1600, 1600), 7))),
    ("grain_1600x1200.png", "blurred noise", lambda p: cv2.imwrite(p, grain((1200, 1600), 8))),
    ("random_1bit_1600x1200.bmp", "1-bit noise", lambda p: Image.fromarray(noise((1200, 1600), 9) > 127).save(p)),
    ("thin_8x6000.png", "thin strip", lambda p: cv2.imwrite(p, np.full((6000, 8), 255, np.uint8))),
    ("thin_30000x8.png", "thin strip", lambda p: cv2.imwrite(p, np.full((8, 30000), 255, np.uint8))),
    ("thin_10x16000.png", "thin strip", lambda p: cv2.imwrite(p, np.full((16000, 10), 255, np.uint8))),
    ("big_noise_grey.png", "40 MP grey noise", lambda p: cv2.imwrite(p, noise(BIG, 10))),
    ("big_noise_rgb.jpg", "40 MP colour noise", lambda p: cv2.imwrite(p, noise(BIG + (3,), 11))),
    ("big_noise_rgba.png", "40 MP noise on transparent paper",
     lambda p: Image.fromarray(transparent(noise(BIG, 12))).save(p)),
    ("big_noise_16bit.png", "40 MP 16-bit grey noise",
     lambda p: Image.fromarray(noise(BIG, 13).astype(np.uint16) * 257).save(p)),
    ("big_1bit.bmp", "40 MP 1-bit noise", lambda p: Image.fromarray(noise(BIG, 14) > 127).save(p)),
    ("scribbles_1600x1600.png", "1200 tiny marks", lambda p: cv2.imwrite(p, scribbles((1600, 1600), 15))),
]


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per file, after one untimed (default 3)")
    ap.add_argument("--report", help="also write the markdown here (default: stdout only)")
    ap.add_argument("--only", nargs="+", help="only the files whose names contain one of these words")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    return args


def measure(path, runs):
    """Median wall time, highest peak RSS and the text of ``runs`` cold reads of ``path``."""
    cmd = [sys.executable, os.path.join(REPO, "ocr_handwriting.py"), "-i", path, "--no-window", "--json"]
    run_child(cmd)   # warms the OS file cache
    results = [run_child(cmd) for _ in range(runs)]
    text = json.loads(results[0].stdout)[0]["text"]
    return statistics.median(r.wall_s for r in results), max(r.peak_rss_mb for r in results), text


def row(name, what, size, wall, rss, text):
    verdict = "ok" if wall <= TARGET_S and rss <= TARGET_MB else "**over**"
    chars = len("".join(text.split()))
    return f"| {name} | {what} | {size} | {wall:.2f} | {rss:.0f} | {chars} | {verdict} |"


def markdown(facts, rows, runs):
    head = [f"# Hostile images: whole-process time and peak memory (targets <= {TARGET_S:g} s, "
            f"<= {TARGET_MB:g} MB)", "",
            facts_line(facts), "",
            f"`ocr_handwriting.py -i FILE --no-window --json`, the shipped models (LiteRT); median wall time "
            f"of {runs} fresh processes, highest peak RSS (os.wait4 ru_maxrss); characters = what the "
            "reader printed, whitespace not counted.", "",
            "| file | what | size (MB) | time (s) | peak RSS (MB) | characters | target |",
            "|---|---|---|---|---|---|---|"]
    return "\n".join(head + rows) + "\n"


def main(argv=None):
    args = parse_args(argv)
    facts = machine_facts()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, what, write in CASES:
            if args.only and not any(word in name for word in args.only):
                continue
            path = os.path.join(folder, name)
            write(path)
            size = f"{os.path.getsize(path) / 1e6:.1f}"
            log(f"{name} ({size} MB) x {args.runs + 1}")
            rows.append(row(name, what, size, *measure(path, args.runs)))
            os.remove(path)
    report = markdown(facts, rows, args.runs)
    print(report, end="")
    if args.report:
        write_text(args.report, report)
        log(f"wrote {args.report}")


if __name__ == "__main__":
    main()
