"""Reading an archive: a batch killed and resumed, images per second against worker
processes, a worker's memory over the batch, and the Ray path.

    .venv/bin/python bench/bench_archive.py [--count 1000] [--report reports/archive.md]

Makes a batch of ``--count`` copies of the photos in images/ (and ../shared/images-dev
when present) in a temporary folder, then:
1. reads it whole with ``--jsonl`` (the reference), and again killed with SIGKILL at a
   random point (after 10-90% of the images) and run once more: the resumed file must hold each image once, with
   the reference's texts;
2. reads the first ``--scaling`` images with ``--jobs 1`` and ``--jobs 2``: images/s;
3. samples the resident memory of the reading processes after 100 images and after
   nine tenths of the batch (in the reference run);
4. with Ray installed, reads 50 images on a local Ray and compares the texts with the
   reference; its start-up and per-image time.
Prints one markdown report (bench/README.md says more).
"""
import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(BENCH))

from bench_reader import REPO, facts_line, log, machine_facts  # noqa: E402
from pyimagesearch.places import SHARED_IMAGES_DEV  # noqa: E402
from pyimagesearch.io.image import IMAGE_EXTENSIONS  # noqa: E402

OCR = os.path.join(REPO, "ocr_handwriting.py")
SOURCES = [os.path.join(REPO, "images"), SHARED_IMAGES_DEV]
RAY_IMAGES = 50


def make_batch(folder, count):
    """``count`` copies of the source photos, spread over sub-folders of 100."""
    photos = sorted(p for source in SOURCES if os.path.isdir(source)
                    for p in glob.glob(os.path.join(source, "*")) if p.lower().endswith(IMAGE_EXTENSIONS))
    for k in range(count):
        target = os.path.join(folder, f"box{k // 100:02d}", f"img{k:04d}{os.path.splitext(photos[k % len(photos)])[1]}")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(photos[k % len(photos)], target)
    return len(photos)


def command(folder, results, jobs):
    return [sys.executable, OCR, "-r", "-i", folder, "--jsonl", results, "-j", str(jobs)]


def lines_in(path):
    if not os.path.isfile(path):
        return 0
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def tree_rss_mb(pid):
    """Resident memory of ``pid`` and of each of its children, in MB."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    sizes = {}
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                sizes[p] = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
        except (OSError, StopIteration):
            pass
    return sizes


def reference_run(folder, results, count, jobs):
    """The whole batch in one run; its time and the readers' memory at 100 and ``count`` images."""
    start = time.monotonic()
    child = subprocess.Popen(command(folder, results, jobs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = {}
    while child.poll() is None:
        done = lines_in(results)
        for mark in (100, count * 9 // 10):   # before the last images, while every worker still runs
            if done >= mark and mark not in samples:
                samples[mark] = tree_rss_mb(child.pid)
        time.sleep(0.02)
    return time.monotonic() - start, child.returncode, samples


def killed_and_resumed(folder, results, jobs, count, seed):
    """Kill a run at a random point (after 10-90% of its images), run it again;
    (lines when killed, the rerun's status)."""
    child = subprocess.Popen(command(folder, results, jobs), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = int(random.Random(seed).uniform(0.1, 0.9) * count)
    while child.poll() is None and lines_in(results) < target:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    killed_at = lines_in(results)
    rerun = finished(command(folder, results, jobs))
    return killed_at, rerun.returncode


def finished(cmd):
    """Run a reading to its end; its last error lines go to the log when it fails."""
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode:
        log(f"exit {proc.returncode}: {' | '.join(proc.stderr.splitlines()[-3:])}")
    return proc


def texts(path):
    """{image: text} and how many records each image has."""
    by_image, counts = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if isinstance(record, dict) and "page" in record:   # a Ray row: the page as JSON
                record = {**json.loads(record["page"]), "image": record["image"]}
            by_image[record["image"]] = record.get("text")
            counts[record["image"]] = counts.get(record["image"], 0) + 1
    return by_image, counts


def scaling(folder, work, count):
    """Images per second of the first ``count`` images with 1 and 2 worker processes."""
    subset = os.path.join(work, "subset")
    os.makedirs(subset)
    for k, path in enumerate(sorted(glob.glob(os.path.join(folder, "*", "*")))[:count]):
        os.link(path, os.path.join(subset, f"{k:04d}{os.path.splitext(path)[1]}"))
    rates = {}
    for jobs in (1, 2):
        results = os.path.join(work, f"scaling{jobs}.jsonl")
        start = time.monotonic()
        finished(command(subset, results, jobs))
        rates[jobs] = count / (time.monotonic() - start)
    return rates


def ray_check(folder, work, reference):
    """(start-up s, per-image s, texts equal) of the Ray path on RAY_IMAGES images, or None."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return None
    listing = os.path.join(work, "ray_list.txt")
    chosen = sorted(reference)[:RAY_IMAGES]
    with open(listing, "w") as f:
        f.write("\n".join(chosen) + "\n")
    out = os.path.join(work, "ray_out")
    proc = subprocess.run([sys.executable, "-m", "pyimagesearch.reader.cluster", "-i", listing, "-o", out],
                          cwd=REPO, capture_output=True, text=True)
    started = next((float(line.split()[4]) for line in proc.stdout.splitlines() if "Ray started in" in line), None)
    total = next((float(line.split()[5]) for line in proc.stdout.splitlines() if "images read in" in line), None)
    read = {}
    for name in glob.glob(os.path.join(out, "*.json")):
        read.update(texts(name)[0])
    same = read == {image: reference[image] for image in chosen}
    if started is None or total is None:
        return (None, None, False)
    return started, (total - started) / len(chosen), same


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1000, help="images in the batch (default 1000)")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes of the batch runs (default 2)")
    ap.add_argument("--scaling", type=int, default=100, help="images of the --jobs 1 / 2 comparison (default 100)")
    ap.add_argument("--seed", type=int, default=0, help="where the kill falls (default 0)")
    ap.add_argument("--report", help="also write the markdown here")
    args = ap.parse_args(argv)
    if args.count < 100 or args.scaling < 2 or args.jobs < 1:
        ap.error("--count must be at least 100, --scaling at least 2, --jobs at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, "batch")
        photos = make_batch(folder, args.count)
        log(f"{args.count} images made from {photos} photos; reading the whole batch")
        reference_file = os.path.join(work, "reference.jsonl")
        seconds, status, memory = reference_run(folder, reference_file, args.count, args.jobs)
        reference, _ = texts(reference_file)
        log(f"read in {seconds:.0f} s; killing a second run at a random point")
        resumed_file = os.path.join(work, "resumed.jsonl")
        killed_at, rerun_status = killed_and_resumed(folder, resumed_file, args.jobs, args.count, args.seed)
        resumed, counts = texts(resumed_file)
        log("images per second with 1 and 2 workers")
        rates = scaling(folder, work, args.scaling)
        log("the Ray path")
        ray = ray_check(folder, work, reference)
    rows = [
        "# Reading an archive",
        "",
        facts_line(machine_facts()),
        "",
        f"`python bench/bench_archive.py {' '.join(argv if argv is not None else sys.argv[1:])}`: "
        f"{args.count} copies of {photos} photos, `ocr_handwriting.py -r -i BATCH --jsonl FILE -j {args.jobs}`.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| whole batch, uninterrupted | {seconds:.0f} s, {args.count / seconds:.2f} images/s, exit {status} | |",
        f"| killed (SIGKILL) after {killed_at} results, run again | exit {rerun_status}; {len(resumed)} images, "
        f"each {'once' if set(counts.values()) == {1} else 'more than once'}; texts "
        f"{'equal to' if resumed == reference else 'differ from'} the uninterrupted run's | each image once, same texts |",
        f"| images/s, first {args.scaling} images, `--jobs 1` / `--jobs 2` | {rates[1]:.2f} / {rates[2]:.2f} "
        f"({rates[2] / rates[1]:.2f}x) | >= 1.7x |",
    ]
    for mark, sizes in sorted(memory.items()):
        rows.append(f"| resident memory after {mark} images (MB, each reading process) | "
                    f"{', '.join(f'{mb:.0f}' for mb in sizes.values())} | flat |")
    if ray is None:
        rows.append("| Ray, local | not installed (requirements-cluster.txt) | |")
    else:
        started, per_image, same = ray
        rows.append(f"| Ray, local, {RAY_IMAGES} images | start-up {started} s, {per_image and round(per_image, 3)} "
                    f"s per image; texts {'equal to' if same else 'differ from'} the CLI's | same texts |")
    report = "\n".join(rows) + "\n"
    print(report)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write(report)


if __name__ == "__main__":
    main()
