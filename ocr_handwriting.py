# USAGE
# python ocr_handwriting.py --image images/hello_world.png
# python ocr_handwriting.py --model handwriting.model --image images/hello_world.png
# python ocr_handwriting.py --mode lines --image photo.jpg
"""Read the handwriting in one or more photos and print the text."""
import argparse
import os
import sys

from pyimagesearch.reader.options import MODES, RUNTIMES, OutputOptions, ReaderOptions, add_detector_arguments

DEFAULTS = ReaderOptions()
OUTPUTS = OutputOptions()


def build_parser() -> argparse.ArgumentParser:
    """The command's flags (the defaults come from ReaderOptions and OutputOptions)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-i", "--image", required=True, nargs="+", action="extend",
                    help="path(s) to input image(s), or a folder of images (may be given several times)")
    ap.add_argument("-m", "--model", default=DEFAULTS.model,
                    help="path to trained handwriting recognition model (.keras, .h5, .tflite or the 2020 file; "
                         "default: the shipped handwriting.keras)")
    ap.add_argument("-o", "--output",
                    help="save the annotated image here (a folder, mirroring the inputs, for several images)")
    ap.add_argument("--json", action="store_true", help="print one JSON array instead of [INFO] lines")
    ap.add_argument("--jsonl", help="append one JSON line per image to this results file as each is read; "
                                    "run again, it skips the images already there")
    ap.add_argument("--overwrite", action="store_true", help="start the --jsonl file afresh")
    ap.add_argument("-r", "--recursive", action="store_true", help="read the images in sub-folders of folders too")
    ap.add_argument("-j", "--jobs", type=int, default=OUTPUTS.jobs,
                    help="worker processes for a batch (default: one per core)")
    ap.add_argument("--charset", help="restrict the alphabet: digits, letters, alnum, or the characters themselves")
    ap.add_argument("--min-confidence", type=float, default=DEFAULTS.min_confidence,
                    help="characters less likely than this (0-1) are shown as '?' (default: %(default)s)")
    ap.add_argument("--min-line-confidence", type=float, default=DEFAULTS.min_line_confidence,
                    help="lines read with a lower mean character confidence (0-1) are left out, as texture "
                         "rather than writing, unless no line on the page reaches it (then its surer lines stay); "
                         "0 keeps every line (default: %(default)s)")
    ap.add_argument("--mode", choices=MODES, default=DEFAULTS.mode,
                    help="chars: classify each character; lines: read each line whole with the line model; "
                         "auto (default): per line, the classifier where it is strong (block capitals, digits), "
                         "else the line model; chars when there is no line model")
    ap.add_argument("--line-model", default=DEFAULTS.line_model,
                    help="path to the line recognizer (.keras or .tflite; default: the shipped line_model.keras, "
                         "its .tflite twin when present)")
    ap.add_argument("--seed-mode", action="store_true", help="the 2020 tutorial's pipeline, for comparison")
    ap.add_argument("--runtime", choices=RUNTIMES, default=DEFAULTS.runtime,
                    help="auto (default): LiteRT when a .tflite copy sits beside the model, else Keras")
    add_detector_arguments(ap)
    ap.add_argument("--no-window", action="store_true", help="never open a window")
    return ap


def main():
    """Parse the flags, then read every image with one model load (the library does the work)."""
    args = vars(build_parser().parse_args())

    for flag in ("min_confidence", "min_line_confidence"):
        if not 0.0 <= args[flag] <= 1.0:
            print(f"[ERROR] --{flag.replace('_', '-')} must be between 0 and 1", file=sys.stderr)
            return 2
    if args["jobs"] < 0:
        print("[ERROR] --jobs must be 0 (one per core) or more", file=sys.stderr)
        return 2

    # read every image with one model load; the library does the work
    from pyimagesearch.reader.app import run

    options = ReaderOptions(model=args["model"], line_model=args["line_model"], mode=args["mode"],
                            charset=args["charset"], min_confidence=args["min_confidence"],
                            min_line_confidence=args["min_line_confidence"],
                            runtime=args["runtime"], seed_mode=args["seed_mode"], detector=args["detector"],
                            detector_model=args["detector_model"])
    outputs = OutputOptions(args["output"], args["json"], not args["no_window"], args["jsonl"], args["overwrite"],
                            args["jobs"], args["recursive"])
    return run(args["image"], options, outputs)


# worker processes (--jobs) import this file again: only the command itself reads
if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:   # what read our output went away (| head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
