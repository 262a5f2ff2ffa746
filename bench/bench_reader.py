"""Benchmark the handwriting reader and the trainer; print one markdown table.

    .venv/bin/python bench/bench_reader.py [--runs 7] [--skip-training] [--json-out bench.json]

Run it from anywhere with the project's virtualenv; progress goes to stderr, the
machine facts and the table to stdout. bench/README.md says what each row means.
"""
import argparse
import collections
import contextlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from unittest import mock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# `python bench/bench_reader.py` puts bench/, not the repository root, on sys.path
sys.path.insert(0, REPO)

from pyimagesearch.places import SHARED_IMAGES_DEV, SHARED_LINES  # noqa: E402
from pyimagesearch.io.image import list_images, load_image  # noqa: E402
from pyimagesearch.models import store  # noqa: E402

# the reader's latency target: <= 50 ms warm on LiteRT for a ~700 px photo of ~30 characters
TARGET_MS = 50.0
TARGET_LONG_SIDE = (500, 900)  # px, the photo's long side
TARGET_CHARS = (20, 40)  # characters found
SHIPPED_IMAGES = os.path.join(REPO, "images")
STAGES = ("segment", "normalise", "classify", "beam", "lines", "rest")
# per-line timing of the line model: this many UniPen test-writer lines
LINE_SAMPLES = 100
# training: enough glyphs for 35 distinct batches of 128; more would only slow the set-up
TRAIN_GLYPHS = 35 * 128


@dataclass
class Row:
    measure: str  # what was measured
    subject: str  # image and/or model
    runs: str  # how many timed runs (or steps, or photos)
    median: float = None  # None: the row was skipped, details say why
    best: float = None  # lowest time or memory, highest throughput
    unit: str = ""
    details: str = ""


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def rel(path):
    """A path relative to the repository root, unless the absolute one is shorter."""
    return min(os.path.relpath(path, REPO), os.path.abspath(path), key=len)


# ---------------------------------------------------------------- machine facts

def machine_facts():
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    versions = {}
    for package in ("tensorflow-cpu", "tensorflow", "keras", "ai-edge-litert", "opencv-python", "numpy"):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[package] = importlib.metadata.version(package)
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "python": platform.python_version(),
            "platform": platform.platform(), "load_average_at_start": os.getloadavg(),
            "packages": versions, "tesseract": tesseract_version()}


def facts_line(facts):
    """The machine facts as one line of a report."""
    return (f"CPU: {facts['cpu']}, {facts['cores']} cores, load average at start "
            f"{', '.join(f'{x:.2f}' for x in facts['load_average_at_start'])}; Python {facts['python']}; "
            + ", ".join(f"{k} {v}" for k, v in facts["packages"].items()))


def tesseract_version():
    if not shutil.which("tesseract"):
        return None
    result = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (result.stdout or result.stderr).splitlines()[0]


# ---------------------------------------------------------------- 1 and 3: whole processes

@dataclass
class ChildRun:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str
    warnings: list  # the child's [WARNING] lines, e.g. the reader falling back to Keras


# Python as users run it: it caches the project's bytecode on the first run (the untimed one of
# ``cold_runs``). With PYTHONDONTWRITEBYTECODE set, as on some build machines, every process would
# compile the project's modules again, about 50 ms of each cold read.
CHILD_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_child(cmd):
    """Run one process to its end; its wall time, CPU time, peak RSS and output."""
    # output goes to files, not pipes: a child blocked on a full pipe never exits while we wait4
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err, env=CHILD_ENV)
        # wait4 returns this child's own resource usage, so each peak RSS is its own,
        # not the maximum over every child this process has had (RUSAGE_CHILDREN)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if child.returncode != 0:
        sys.exit(f"[bench] {' '.join(cmd)} exited {child.returncode}:\n{stderr[-2000:]}")
    warnings = [line for line in stderr.splitlines() if line.startswith("[WARNING]")]
    # ru_maxrss is in KiB on Linux
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout, warnings)


def cold_runs(cmd, runs):
    """``runs`` fresh processes, after one untimed run that warms the OS file cache and
    leaves the bytecode cached."""
    log(f"cold: {' '.join(cmd)} x {runs + 1}")
    run_child(cmd)
    return [run_child(cmd) for _ in range(runs)]


def json_chars(stdout):
    """Characters the reader found, from its --json output (whitespace not counted)."""
    return sum(len("".join(page["text"].split())) for page in json.loads(stdout))


def cold_rows(label, subject, cmd, runs, count_chars):
    """The time row of section 1 and the memory row of section 3, from the same runs."""
    results = cold_runs(cmd, runs)
    walls = [r.wall_s for r in results]
    rss = [r.peak_rss_mb for r in results]
    chars = count_chars(results[0].stdout)
    timing = Row(f"1 cold read, {label}", subject, str(runs), statistics.median(walls), min(walls), "s",
                 f"{chars} chars; CPU {statistics.median(r.cpu_s for r in results):.2f} s (user+sys)"
                 + "".join(f"; {w}" for w in results[0].warnings))
    memory = Row(f"3 peak RSS, {label}", subject, str(runs), statistics.median(rss), min(rss), "MB",
                 "whole process, os.wait4 ru_maxrss")
    return timing, memory


def whole_process_section(image, model, runs):
    kind = store.sniff_format(model)
    has_lite = kind == "tflite" or store.lite_twin(model) is not None
    reader_cmd = [sys.executable, "ocr_handwriting.py", "-i", image, "-m", model, "--no-window", "--json"]
    subject = f"{rel(image)} · {rel(model)}"
    timings, memories = [], []
    for label, wanted, extra, missing in [
            ("fast path (LiteRT)", has_lite, [], "no .tflite twin beside the model"),
            ("Keras path", kind != "tflite", ["--runtime", "keras"], "the model is a .tflite file")]:
        if wanted:
            timing, memory = cold_rows(label, subject, reader_cmd + extra, runs, json_chars)
        else:
            timing = Row(f"1 cold read, {label}", subject, "0", details=f"skipped: {missing}")
            memory = Row(f"3 peak RSS, {label}", subject, "0", details=f"skipped: {missing}")
        timings.append(timing)
        memories.append(memory)
    if shutil.which("tesseract"):
        timing, memory = cold_rows("tesseract (reference)", rel(image), ["tesseract", image, "stdout"],
                                   runs, lambda text: len("".join(text.split())))
        timing.details += f"; {tesseract_version()}, default English model"
        timings.append(timing)
        memories.append(memory)
    else:
        timings.append(Row("1 cold read, tesseract (reference)", rel(image), "0",
                           details="skipped: no tesseract binary (Debian: apt-get install tesseract-ocr)"))
    return timings, memories


# ---------------------------------------------------------------- 2: warm, in-process

def timed(fn, repeats):
    """Seconds per call of ``fn``, after one untimed call (lazy set-up, caches)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


@contextlib.contextmanager
def stage_clock(reader):
    """Wrap what HandwritingReader.read calls, so real reads report where their time goes.

    segment = find_glyphs (with the classifications it asks for), normalise = glyphs_to_inputs, classify =
    classifier.predict, beam = the glyph beam search (``characters.line``), lines = the line model's
    posteriors (auto mode only); the wrappers cost well under 0.1 ms per read.
    """
    from pyimagesearch.reader import predictor
    spent = collections.defaultdict(float)
    active = []   # the stage being clocked: a call nested in it (the segmenter's judge) counts for it

    def clocked(stage, fn):
        def wrapper(*args, **kwargs):
            if active:
                return fn(*args, **kwargs)
            active.append(stage)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[stage] += time.perf_counter() - start
                active.pop()
        return wrapper

    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch.object(predictor, "find_glyphs", clocked("segment", predictor.find_glyphs)))
        patches.enter_context(mock.patch.object(predictor, "glyphs_to_inputs",
                                                clocked("normalise", predictor.glyphs_to_inputs)))
        patches.enter_context(mock.patch.object(reader.classifier, "predict",
                                                clocked("classify", reader.classifier.predict)))
        patches.enter_context(mock.patch.object(reader.characters, "line",
                                                clocked("beam", reader.characters.line)))
        if reader.lines is not None:
            patches.enter_context(mock.patch.object(reader.lines.recognizer, "posteriors",
                                                    clocked("lines", reader.lines.recognizer.posteriors)))
        yield spent


def read_times(reader, image, reads):
    """Per-read seconds, and per-stage seconds of each read ('rest' = reading order, context, Page)."""
    reader.read(image)  # untimed: LiteRT allocates tensors for a new batch size, Keras traces
    totals, stages = [], []
    with stage_clock(reader) as spent:
        for _ in range(reads):
            spent.clear()
            start = time.perf_counter()
            page = reader.read(image)
            totals.append(time.perf_counter() - start)
            stages.append({**spent, "rest": totals[-1] - sum(spent.values())})
    return totals, stages, len(page.characters)


def in_target_class(shape, chars):
    return (TARGET_LONG_SIDE[0] <= max(shape[:2]) <= TARGET_LONG_SIDE[1]
            and TARGET_CHARS[0] <= chars <= TARGET_CHARS[1])


class WarmPhotos:
    """Warm decode + read of photos with one loaded reader; each photo is measured once."""

    def __init__(self, reader, reads):
        self.reader, self.reads = reader, reads
        self.measured = {}  # path -> (row, median s, best s) of decode + read

    def label(self):
        """The classifier's runtime, and the reading mode when it is not chars only."""
        mode = "" if self.reader.mode == "chars" else f" · {self.reader.mode} mode"
        return self.reader.classifier.runtime + mode

    def row(self, path, measure):
        if path not in self.measured:
            self.measured[path] = self._measure(path, measure)
        return self.measured[path][0]

    def _measure(self, path, measure):
        runtime = self.label()
        log(f"warm: {rel(path)} x {self.reads} on {runtime}")
        decode = timed(lambda: load_image(path), self.reads)
        image = load_image(path)
        totals, stages, chars = read_times(self.reader, image, self.reads)
        ms = {stage: 1000 * statistics.median(s.get(stage, 0.0) for s in stages) for stage in STAGES}
        details = (f"{image.shape[1]}x{image.shape[0]}, {chars} chars; "
                   f"decode {1000 * statistics.median(decode):.1f} ms; "
                   + " / ".join(f"{stage} {ms[stage]:.1f}" for stage in STAGES) + " ms")
        if in_target_class(image.shape, chars):
            verdict = "met" if 1000 * statistics.median(totals) <= TARGET_MS else "MISSED"
            details += f"; ~700 px, ~30 chars: target <= {TARGET_MS:.0f} ms {verdict}"
        row = Row(measure, f"{rel(path)} · {runtime}", str(self.reads),
                  1000 * statistics.median(totals), 1000 * min(totals), "ms", details)
        return row, statistics.median(decode) + statistics.median(totals), min(decode) + min(totals)

    def folder_rows(self, folder):
        """A row per photo not shown yet, then the folder's photos/second (decode + read, in turn)."""
        if not os.path.isdir(folder):
            return [Row("2 warm folder throughput", rel(folder), "0", details="skipped: no such folder")]
        paths = list_images([folder])
        rows = [self.row(path, "2 warm read, per photo") for path in paths if path not in self.measured]
        medians = [self.measured[path][1] for path in paths]
        bests = [self.measured[path][2] for path in paths]
        rows.append(Row("2 warm folder throughput", f"{rel(folder)} · {self.label()}",
                        f"{len(paths)} photos", len(paths) / sum(medians), len(paths) / sum(bests), "photos/s",
                        "photos / sum of per-photo (median decode + median read)"))
        return rows


def warm_section(image, model, folders, reads, line_model):
    from pyimagesearch.recognition.recognizer import load_line_recognizer
    from pyimagesearch.models.classifier import load_classifier
    from pyimagesearch.reader.predictor import HandwritingReader
    classifier = load_classifier(model)
    photos = WarmPhotos(HandwritingReader(classifier), reads)
    rows = [photos.row(image, "2 warm read, example")]
    for folder in folders:
        rows += photos.folder_rows(folder)
    if line_model:
        # the CLI's default: auto mode, lines that do not segment cleanly read whole
        auto = WarmPhotos(HandwritingReader(classifier, line_recognizer=load_line_recognizer(line_model),
                                            mode="auto"), reads)
        rows.append(auto.row(image, "2 warm read, example"))
        for folder in folders:
            rows += auto.folder_rows(folder)
    if photos.reader.classifier.runtime != "keras" and store.sniff_format(model) != "tflite":
        # the same photo on Keras, for comparison (this imports TensorFlow into the benchmark)
        keras_photos = WarmPhotos(HandwritingReader(load_classifier(model, "keras")), reads)
        rows.append(keras_photos.row(image, "2 warm read, example"))
    return rows


# ---------------------------------------------------------------- 5: line model

def line_rows(line_model, data_dir, count):
    """Milliseconds per text line read by the line model alone (crop -> input ->
    posteriors -> text), one line at a time, on each runtime it has; decoded as
    the reader does (the language model's beam search when it is beside the
    model), and on the first runtime also greedily, for the decoder's cost."""
    from pyimagesearch.recognition.corpus import LINE, Corpus
    from pyimagesearch.recognition.recognizer import LineRecognizer
    measure = "5 line model, per line"
    if not line_model:
        return [Row(measure, "—", "0", details="skipped: no line model")]
    try:
        corpus = Corpus(data_dir, with_strokes=False)
    except Exception as e:  # the shared data is optional
        return [Row(measure, rel(line_model), "0", details=f"skipped: {e}")]
    picks = [i for i in range(len(corpus)) if corpus.test[i] and corpus.kind[i] == LINE][:count]
    crops = [corpus.image(i) for i in picks]
    mean_width = sum(c.shape[1] for c in crops) / len(crops)
    paths = list(dict.fromkeys(p for p in (store.lite_twin(line_model), line_model) if p))
    rows = []
    for path, beam in [(p, None) for p in paths] + [(paths[0], 0)]:
        recognizer = LineRecognizer(path)
        runtime = "litert" if recognizer.kind == "tflite" else "keras"
        decoding = recognizer.describe_decoding(beam)
        log(f"line model: {len(crops)} test lines on {runtime}, {decoding}")
        recognizer.read(crops[0], beam)   # untimed: LiteRT allocation, Keras tracing
        times = []
        for crop in crops:
            start = time.perf_counter()
            recognizer.read(crop, beam)
            times.append(time.perf_counter() - start)
        median = 1000 * statistics.median(times)
        rows.append(Row(measure, f"{rel(path)} · {runtime}", f"{len(crops)} lines", median, 1000 * min(times), "ms",
                        f"{decoding}; UniPen test-writer lines, 32 px high, mean width {mean_width:.0f} px; "
                        f"{100 * sum(times) / sum(c.shape[1] for c in crops) * 1000:.2f} ms per 100 px"))
    return rows


# ---------------------------------------------------------------- 4: training

def training_row(warmup, steps, architecture="half"):
    """Images/second of model.fit on an architecture (the default one unless told), as
    train_ocr_model.py sets it up."""
    import keras
    import numpy as np
    from pyimagesearch.az_dataset import load_mnist_dataset
    from pyimagesearch.labels import TUTORIAL_LABELS
    from pyimagesearch.models.architectures import ARCHITECTURES
    from pyimagesearch.training import data
    from pyimagesearch.transforms import glyphs_to_inputs
    from pyimagesearch.training.trainer import TrainConfig, build_model

    config = TrainConfig(architecture=architecture)
    source = config.digits[0]
    log(f"training: {config.architecture}, batch {config.batch_size}, {warmup} + {steps} steps")
    keras.utils.set_random_seed(config.seed)
    images, labels = load_mnist_dataset(os.path.join(REPO, source))
    images, labels = images[:TRAIN_GLYPHS], labels[:TRAIN_GLYPHS]
    inputs = glyphs_to_inputs(images)
    # as the trainer does with --steps-per-epoch: shuffled, augmented, repeated
    dataset = data.make_dataset(inputs, labels, config.batch_size, True, config.seed).repeat()
    model = build_model(config, warmup + steps)

    ends = []
    clock = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: ends.append(time.perf_counter()))
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[clock],
              class_weight=data.class_weights(labels, len(TUTORIAL_LABELS)))
    # a step is the time from one batch's end to the next: input pipeline, forward, backward, update
    step_s = np.diff(ends[warmup - 1:])
    overall = config.batch_size * steps / (ends[-1] - ends[warmup - 1])
    return Row("4 training throughput", f"{config.architecture} {ARCHITECTURES[config.architecture][1]} · "
               f"{source} (first {len(labels)} glyphs), augmented",
               f"{steps} steps", config.batch_size / float(np.median(step_s)), config.batch_size / float(step_s.min()),
               "img/s", f"batch {config.batch_size}, after {warmup} warm-up steps; mean over the "
               f"{steps} steps {overall:.0f} img/s; {model.count_params():,} params")


# ---------------------------------------------------------------- output

def format_value(value, unit):
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s"
    if unit in ("ms", "photos/s"):
        return f"{value:.1f} {unit}"
    return f"{value:.0f} {unit}"


def markdown(facts, rows):
    packages = ", ".join(f"{name} {version}" for name, version in facts["packages"].items())
    lines = [f"- CPU: {facts['cpu']}, {facts['cores']} cores available",
             f"- Python {facts['python']} on {facts['platform']}; {packages}",
             f"- tesseract: {facts['tesseract'] or 'not installed'}",
             "- load average at start: " + ", ".join(f"{x:.2f}" for x in facts["load_average_at_start"]),
             "",
             "| measure | image · model | runs | median | best | details |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        cells = [row.measure, row.subject, row.runs, format_value(row.median, row.unit),
                 format_value(row.best, row.unit), row.details]
        lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(lines)


# the shipped photo the README's main command reads: 798 px wide, 32 characters
DEFAULT_IMAGE = os.path.join(SHIPPED_IMAGES, "pack_my_box.png")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--image", default=DEFAULT_IMAGE,
                    help="the photo for the cold and example rows (default: images/pack_my_box.png)")
    ap.add_argument("--model", default=os.path.join(REPO, "handwriting.keras"),
                    help="the model; its .tflite twin beside it is the fast path (default: handwriting.keras)")
    ap.add_argument("--line-model", default=os.path.join(REPO, "line_model.keras"),
                    help="line model for the auto-mode and per-line rows (default: line_model.keras; "
                         "its .tflite twin is the fast path; 'none' leaves those rows out)")
    ap.add_argument("--line-data", default=SHARED_LINES,
                    help="UniPen lines folder for the per-line rows (skipped when absent)")
    ap.add_argument("--runs", type=int, default=7, help="cold processes per command (at least 5)")
    ap.add_argument("--reads", type=int, default=15, help="warm reads (and decodes) per photo")
    ap.add_argument("--images-dev", default=SHARED_IMAGES_DEV,
                    help="folder of development photos read warm, one row each (skipped when absent)")
    ap.add_argument("--skip-training", action="store_true", help="leave out the training throughput row")
    ap.add_argument("--train-steps", type=int, default=30, help="timed training steps, after 5 warm-up steps")
    ap.add_argument("--train-width", default="half", help="architecture for the training row (tutorial: the 2020 net)")
    ap.add_argument("--json-out", help="also write the facts and rows here as JSON")
    args = ap.parse_args(argv)
    if args.runs < 5:
        ap.error("--runs must be at least 5")
    if args.reads < 1 or args.train_steps < 1:
        ap.error("--reads and --train-steps must be positive")
    if not args.image or not os.path.isfile(args.image):
        ap.error(f"no image at {args.image}: pass --image PHOTO")
    if not os.path.isfile(args.model):
        ap.error(f"no model at {args.model}: train one (train_ocr_model.py) or pass --model")
    if args.line_model == "none":
        args.line_model = None
    elif not os.path.isfile(args.line_model):
        ap.error(f"no line model at {args.line_model}: train one (train_line_model.py) or pass --line-model none")
    args.image, args.model = os.path.abspath(args.image), os.path.abspath(args.model)
    return args


def main(argv=None):
    args = parse_args(argv)
    facts = machine_facts()
    timings, memories = whole_process_section(args.image, args.model, args.runs)
    # the shipped examples are read warm too: they include the ~700 px, ~30 character case
    folders = [SHIPPED_IMAGES, os.path.abspath(args.images_dev)]
    rows = timings + warm_section(args.image, args.model, folders, args.reads, args.line_model) + memories
    rows += line_rows(args.line_model, args.line_data, LINE_SAMPLES)
    if not args.skip_training:
        rows.append(training_row(warmup=5, steps=args.train_steps, architecture=args.train_width))
    print(markdown(facts, rows))
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": facts, "rows": [asdict(row) for row in rows]}, f, indent=1)
        log(f"wrote {args.json_out}")


if __name__ == "__main__":
    main()
