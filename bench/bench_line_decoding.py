"""The line model's decoding: time per line, and what the language model does to numbers and codes.

    .venv/bin/python bench/bench_line_decoding.py [-m line_model.tflite] [--report bench/line_decoding.md]

Two tables, printed and (``--report``) written atomically as markdown:

1. Time to read one UniPen test-writer line (32 px high, LINE_WIDTHS px wide) with
   ``LineRecognizer.read`` on the model's runtime (a .tflite runs on LiteRT): greedy
   decoding, then the beam search with the language model beside the model file.
   Median wall and CPU milliseconds per line, and the decoder's share (the beam
   search's time minus greedy's). The load average goes with it: on a shared
   machine the wall times grow with the load.
2. Generated numbers and codes (dates, phone numbers, amounts, IDs: ``synth.text``),
   each set in a held-out handwriting font (``../shared/fonts``), read by the line
   model once; its posteriors decoded greedily, by the beam search without a
   language model, and with it. CER per kind, and how many lines the language
   model read worse or better than the same beam search without it: the language
   model must not turn digits into the letters they look like. Once more with the
   other way of weighing digits inside a number (``digits_alike``, see
   ``beam._Fusion``).
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# `python bench/bench_line_decoding.py` puts bench/, not the repository root, on sys.path
sys.path.insert(0, REPO)

from pyimagesearch.places import SHARED_FONTS, SHARED_LINES  # noqa: E402
from pyimagesearch.errors import InputError, cli_main  # noqa: E402
from pyimagesearch.metrics import cer, levenshtein  # noqa: E402
from pyimagesearch.io.atomic import write_text  # noqa: E402
from pyimagesearch.recognition import decode as ctc  # noqa: E402

LINE_WIDTHS = (400, 500)   # px at 32 px high: the 450-px line of the per-line target
LINES = 60
CODES_PER_KIND = 60
BODY_PX = 12               # x-height of the rendered codes (the recognizer scales any crop to 32 px high)


def line_times(recognizer, crops):
    """{decoding: (median wall ms, median CPU ms)} of ``read`` per crop, greedy and as the model file says."""
    recognizer.read(crops[0])   # untimed: LiteRT allocation, Keras tracing, the language model's first pages
    out = {}
    for beam in (0, None):
        walls, cpus = [], []
        for crop in crops:
            wall, cpu = time.perf_counter(), time.process_time()
            recognizer.read(crop, beam)
            walls.append(1000 * (time.perf_counter() - wall))
            cpus.append(1000 * (time.process_time() - cpu))
        out[recognizer.describe_decoding(beam)] = (statistics.median(walls), statistics.median(cpus))
    return out


def test_lines(data_dir, count):
    """Up to ``count`` UniPen test-writer text lines LINE_WIDTHS wide (32-px images)."""
    from pyimagesearch.recognition.corpus import LINE, Corpus
    corpus = Corpus(data_dir, with_strokes=False)
    picks = np.flatnonzero(corpus.test & (corpus.kind == LINE) & (corpus.width >= LINE_WIDTHS[0])
                           & (corpus.width <= LINE_WIDTHS[1]))[:count]
    return [corpus.image(i) for i in picks]


def code_lines(fonts_dir, count, seed=0):
    """[(kind, text, grey image)]: ``count`` generated texts of each numeric kind, each
    in a held-out font (cycled), dark ink on white."""
    from pyimagesearch.synth.fonts import font_table, render_line
    from pyimagesearch.synth.text import GENERATORS, NUMERIC_KINDS
    fonts = font_table(fonts_dir, "test")
    rng = np.random.default_rng(seed)
    out = []
    for kind in sorted(NUMERIC_KINDS):
        for k in range(count):
            text = GENERATORS[kind](rng)
            ink = render_line(fonts[k % len(fonts)], text, BODY_PX, rng).ink
            out.append((kind, text, (255 * (1 - np.clip(ink, 0, 1))).astype(np.uint8)))
    return out


def codes_table(recognizer, codes):
    """Markdown rows: per kind, CER greedy / beam / beam + language model, and lines made worse / better."""
    posteriors = [p for p, _ in recognizer.posteriors([image for _, _, image in codes])]
    settings = recognizer.lm.decoding
    reads = {"greedy": [ctc.greedy(p, recognizer.charset).text for p in posteriors],
             "beam": [ctc.beam_search(p, recognizer.charset, settings["beam_width"]).text for p in posteriors],
             "beam + LM": [recognizer.decode(p).text for p in posteriors]}
    alike = settings.get("digits_alike", 0)
    settings["digits_alike"] = 1 - alike   # the other way of weighing digits inside a number
    reads["other digits"] = [recognizer.decode(p).text for p in posteriors]
    settings["digits_alike"] = alike
    other = "digits alike" if not alike else "digits as the n-grams say"
    rows = [f"| kind | lines | CER greedy | CER beam | CER beam + LM | LM worse | LM better | CER beam + LM, {other} "
            f"| example (truth -> beam -> beam + LM) |", "|---|---|---|---|---|---|---|---|---|"]
    for kind in sorted({k for k, _, _ in codes}) + ["all"]:
        picks = [j for j, (k, _, _) in enumerate(codes) if kind in (k, "all")]
        truth = [codes[j][1] for j in picks]
        scores = {name: 100 * cer(truth, [texts[j] for j in picks]) for name, texts in reads.items()}
        change = [levenshtein(reads["beam + LM"][j], codes[j][1]) - levenshtein(reads["beam"][j], codes[j][1])
                  for j in picks]
        shown = next((j for j in picks if reads["beam + LM"][j] != reads["beam"][j]), picks[0])
        example = f"`{codes[shown][1]}` -> `{reads['beam'][shown]}` -> `{reads['beam + LM'][shown]}`"
        rows.append(f"| {kind} | {len(picks)} | {scores['greedy']:.2f}% | {scores['beam']:.2f}% | "
                    f"{scores['beam + LM']:.2f}% | {sum(c > 0 for c in change)} | {sum(c < 0 for c in change)} | "
                    f"{scores['other digits']:.2f}% | {example.replace('|', '/')} |")
    return rows


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-m", "--model", default=os.path.join(REPO, "line_model.tflite"),
                    help="line model with its language model beside it (default: line_model.tflite)")
    ap.add_argument("--data", default=SHARED_LINES,
                    help="UniPen lines folder (default: ../shared/data/lines)")
    ap.add_argument("--fonts", default=SHARED_FONTS,
                    help="handwriting fonts folder (default: ../shared/fonts)")
    ap.add_argument("--lines", type=int, default=LINES, help=f"test lines timed (default: {LINES})")
    ap.add_argument("--codes", type=int, default=CODES_PER_KIND,
                    help=f"generated lines per kind of number or code (default: {CODES_PER_KIND})")
    ap.add_argument("--report", help="also write the tables to this markdown file")
    return ap.parse_args(argv)


@cli_main
def main(argv=None):
    from pyimagesearch.recognition.recognizer import LineRecognizer
    args = parse_args(argv)
    if args.lines < 1 or args.codes < 1:
        raise InputError("--lines and --codes must be positive")
    recognizer = LineRecognizer(args.model)
    if recognizer.lm is None:
        raise InputError(f"{args.model}: no language model beside it (see lm_build)")
    load = os.getloadavg()
    crops = test_lines(args.data, args.lines)
    if not crops:
        raise InputError(f"{args.data}: no test lines {LINE_WIDTHS[0]}-{LINE_WIDTHS[1]} px wide")
    print(f"[INFO] timing {len(crops)} test lines on {recognizer.kind}", file=sys.stderr, flush=True)
    times = line_times(recognizer, crops)
    runtime = "LiteRT" if recognizer.kind == "tflite" else "Keras"
    lines = [f"{os.path.basename(args.model)} on {runtime}, {len(os.sched_getaffinity(0))} cores, load average "
             f"{load[0]:.1f} at the start (the wall times grow with the load)", "",
             f"| decoding | lines ({LINE_WIDTHS[0]}-{LINE_WIDTHS[1]} px) | median wall ms | median CPU ms |",
             "|---|---|---|---|"]
    lines += [f"| {name} | {len(crops)} | {wall:.1f} | {cpu:.1f} |" for name, (wall, cpu) in times.items()]
    (greedy_wall, greedy_cpu), (beam_wall, beam_cpu) = times.values()
    lines += ["", f"decoder's share (beam search with the language model minus greedy): "
                  f"{beam_wall - greedy_wall:.1f} ms wall, {beam_cpu - greedy_cpu:.1f} ms CPU per line", ""]
    print(f"[INFO] reading {args.codes} generated lines per kind", file=sys.stderr, flush=True)
    lines += [f"generated numbers and codes in the held-out fonts ({recognizer.describe_decoding()}):", ""]
    lines += codes_table(recognizer, code_lines(args.fonts, args.codes))
    text = "\n".join(lines)
    print(text)
    if args.report:
        write_text(args.report, text + "\n")
        print(f"[INFO] report written to {args.report}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
