"""How fast the page generator makes pages, in one process.

    .venv/bin/python bench/bench_synth.py [--pages 60] [--large 5] [--split train] [--threads 1]

Rows: loading the sources (UniPen strokes, fonts, text: once per worker
process), pages/s at the typical working size (long side 1024, no crops), pages/s
with the default settings (long side 512-1024 and 15% crops of 150-400 px), and
the same for 4000-px photos (``large_share=1``). Each rate follows 3 untimed pages;
the CPU time per page is this process's own, a fairer figure on a busy machine.
OpenCV runs on ``--threads`` threads (1: as in one worker process of many).
Needs ``../shared``. Progress goes to stderr, one markdown table to stdout.
"""
import argparse
import os
import sys
import time
from dataclasses import replace

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# `python bench/bench_synth.py` puts bench/, not the repository root, on sys.path
sys.path.insert(0, REPO)

import cv2  # noqa: E402

from pyimagesearch.synth.pages import PageSettings, make_page, sources_for  # noqa: E402

WARM_UP = 3


def rate(settings, count, first_seed=1000):
    """(pages/s of wall time, CPU s per page, mean megapixels) over ``count``
    pages after the warm-up pages."""
    for k in range(WARM_UP):
        make_page(first_seed + k, settings)
    start, cpu, pixels = time.perf_counter(), time.process_time(), 0
    for k in range(count):
        page = make_page(first_seed + WARM_UP + k, settings)
        pixels += page.image.shape[0] * page.image.shape[1]
    return count / (time.perf_counter() - start), (time.process_time() - cpu) / count, pixels / count / 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=60, help="pages timed per row (default 60)")
    ap.add_argument("--large", type=int, default=5, help="4000-px photos timed (default 5; 0 to skip)")
    ap.add_argument("--split", default="train", choices=("train", "test"), help="writers and fonts (default train)")
    ap.add_argument("--threads", type=int, default=1, help="OpenCV threads (default 1)")
    args = ap.parse_args(argv)
    cv2.setNumThreads(args.threads)
    base = PageSettings(split=args.split)
    start = time.perf_counter()
    sources_for(base)
    load = time.perf_counter() - start
    rows = [("load the sources (once per process)", f"{load:.1f} s", "")]
    cases = [("long side 1024, no crops", replace(base, long_side=(1024, 1024), crop_share=0.0), args.pages),
             ("default settings", base, args.pages)]
    if args.large:
        cases.append(("4000-px photos", replace(base, large_share=1.0, large_side=(4000, 4000), crop_share=0.0),
                      args.large))
    for name, settings, count in cases:
        print(f"[INFO] {name}: {count} pages", file=sys.stderr)
        pages_per_s, cpu, megapixels = rate(settings, count)
        rows.append((name, f"{pages_per_s:.1f} pages/s ({1000 / pages_per_s:.0f} ms/page)",
                     f"{1000 * cpu:.0f} ms CPU/page, {count} pages, mean {megapixels:.2f} MP"))
    print(f"split {args.split}, OpenCV threads {args.threads}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print("| what | speed | details |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
