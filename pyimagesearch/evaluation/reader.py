"""Character error rate of the whole reader on a folder of labelled photos.

    python -m pyimagesearch.evaluation.reader ../shared/images-dev [--seed-mode]
    python -m pyimagesearch.evaluation.reader ../shared/images-dev --mode auto [--line-model line_model.keras]

The folder holds a ``truth.tsv`` (columns file, text, style; lines joined by the
two characters ``\\n``). CER = Levenshtein distance / truth length, whitespace
removed; "lines" keeps the line breaks so reading order counts. Case is ignored
for the ``mixed`` and ``cursive`` styles.
"""
import argparse
import csv
import os
import sys
import time

import numpy as np

from ..errors import InputError, cli_main
from ..metrics import levenshtein

CASELESS_STYLES = ("mixed", "cursive")
BLOCK_STYLES = ("caps", "digits")



def comparable(text, style, keep_lines=False):
    """Text as scored: whitespace removed (line breaks too unless kept), case folded if caseless."""
    lines = text.split("\n")
    joined = ("\n" if keep_lines else "").join("".join(line.split()) for line in lines)
    return joined.upper() if style in CASELESS_STYLES else joined


TRUTH_COLUMNS = ("file", "text", "style")
LINE_BREAK = "\\n"   # truth.tsv joins a photo's lines with these two characters


def read_truth(folder: str) -> list:
    """The rows of ``folder/truth.tsv``: UTF-8, tab-separated, a header naming at
    least the columns file, text and style, a file name and a style on every row;
    anything else is an InputError that names the line."""
    path = os.path.join(folder, "truth.tsv")
    if not os.path.isfile(path):
        raise InputError(f"{folder}: no truth.tsv there")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
            if not set(TRUTH_COLUMNS) <= set(reader.fieldnames or ()):
                raise InputError(f"{path}: needs the columns file, text and style")
            rows = [_truth_row(row, path, reader.line_num) for row in reader]
    except UnicodeDecodeError:
        raise InputError(f"{path}: line {_first_line_not_utf8(path)} is not UTF-8 text") from None
    except csv.Error as e:
        # line_num counts the lines read whole: the bad one is the next
        raise InputError(f"{path}: line {reader.line_num + 1}: {e}") from None
    if not rows:
        raise InputError(f"{path}: no rows under its header")
    return rows


def _first_line_not_utf8(path):
    """Read again only to report an error; a UTF-8 character never spans a newline."""
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _truth_row(row, path, line):
    if any(row.get(key) is None for key in TRUTH_COLUMNS):
        raise InputError(f"{path}: line {line}: needs a file, a text and a style, separated by tabs")
    if not row["file"] or not row["style"]:
        raise InputError(f"{path}: line {line}: the file name or the style is empty")
    row["text"] = row["text"].replace(LINE_BREAK, "\n")
    return row


def score_page(truth, predicted, style):
    flat_truth, flat_pred = comparable(truth, style), comparable(predicted, style)
    line_truth, line_pred = comparable(truth, style, True), comparable(predicted, style, True)
    return {"length": len(flat_truth), "errors": levenshtein(flat_truth, flat_pred),
            "line_length": len(line_truth), "line_errors": levenshtein(line_truth, line_pred)}


def evaluate_folder(read, folder):
    """``read(path) -> text`` on every truth row; returns per-image rows with scores."""
    results = []
    for row in read_truth(folder):
        start = time.perf_counter()
        text = read(os.path.join(folder, row["file"]))
        seconds = time.perf_counter() - start
        results.append({**row, "predicted": text, "seconds": seconds, **score_page(row["text"], text, row["style"])})
    return results


def total_cer(results, key="errors", length="length", styles=None):
    chosen = [r for r in results if styles is None or r["style"] in styles]
    total = sum(r[length] for r in chosen)
    return sum(r[key] for r in chosen) / total if total else 0.0


def format_results(results, with_text=True):
    """The per-photo table and the totals; ``with_text`` adds what was read."""
    out = [f"{'file':34} {'style':8} {'CER':>6} {'CER lines':>9}" + ("  text read" if with_text else "")]
    for r in results:
        out.append(f"{r['file']:34} {r['style']:8} {r['errors'] / max(r['length'], 1):6.3f} "
                   f"{r['line_errors'] / max(r['line_length'], 1):9.3f}" + (f"  {r['predicted']!r}" if with_text else ""))
    for name, styles in (("caps + digits", BLOCK_STYLES), ("all", None)):
        out.append(f"{'total ' + name:43} {total_cer(results, styles=styles):6.3f} "
                   f"{total_cer(results, 'line_errors', 'line_length', styles):9.3f}")
    return "\n".join(out)


def write_report(path, header, results):
    """The table without the texts read (some photos' licences do not allow sharing
    what they say), under a ``header`` that says how it was measured."""
    from ..io.atomic import write_text
    write_text(path, f"{header}\n{len(results)} photos; CER = edit distance / truth length, whitespace removed "
                     f"(lines: line breaks kept)\n\n{format_results(results, with_text=False)}\n")


@cli_main
def main(argv=None):
    from ..io.image import load_image
    from ..reader.loading import load_reader
    from ..reader.options import MODES, RUNTIMES, ReaderOptions, add_detector_arguments
    defaults = ReaderOptions()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="folder with the photos and truth.tsv")
    parser.add_argument("-m", "--model", default=defaults.model, help="the classifier (default: the shipped one)")
    parser.add_argument("--runtime", choices=RUNTIMES, default=defaults.runtime)
    parser.add_argument("--mode", choices=MODES, default=defaults.mode,
                        help="chars: the character classifier; lines: the line model on every line; "
                             "auto: per line (chars when there is no line model)")
    parser.add_argument("--line-model", default=defaults.line_model,
                        help="line recognizer for --mode lines/auto (default: the shipped line_model.keras)")
    parser.add_argument("--seed-mode", action="store_true", help="score the 2020 pipeline instead")
    add_detector_arguments(parser)
    parser.add_argument("--turn", type=int, choices=range(4), default=0,
                        help="read each photo turned this many quarter turns counter-clockwise, to score "
                             "how the reader finds the page's turn (default: 0, as it is)")
    parser.add_argument("-o", "--report", help="also write the table (without the texts read) to this file")
    args = parser.parse_args(argv)
    options = ReaderOptions(model=args.model, line_model=args.line_model, mode=args.mode, runtime=args.runtime,
                            seed_mode=args.seed_mode, detector=args.detector, detector_model=args.detector_model)
    reader = load_reader(options)

    def read(path):
        return reader.read(np.ascontiguousarray(np.rot90(load_image(path), args.turn))).text

    print(f"mode: {'seed' if args.seed_mode else reader.mode}, detector: {args.detector}")
    results = evaluate_folder(read, args.folder)
    print(format_results(results))
    if args.report:
        command = "python -m pyimagesearch.evaluation.reader " + " ".join(argv or sys.argv[1:])
        write_report(args.report, f"{command}\nmode: {'seed' if args.seed_mode else reader.mode}, detector: {args.detector}", results)
        print(f"[INFO] report written to {args.report}")


if __name__ == "__main__":
    sys.exit(main())
