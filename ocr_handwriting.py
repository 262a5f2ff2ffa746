# USAGE
# python ocr_handwriting.py --image images/hello_world.png
# python ocr_handwriting.py --model handwriting.model --image images/hello_world.png
# python ocr_handwriting.py --mode lines --image photo.jpg
"""Read the handwriting in one or more photos and print the text."""
import argparse
import sys

from pyimagesearch.reader.options import MODES, RUNTIMES, OutputOptions, ReaderOptions

DEFAULTS = ReaderOptions()

# construct the argument parser and parse the arguments
ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("-i", "--image", required=True, nargs="+", action="extend",
                help="path(s) to input image(s), or a folder of images (may be given several times)")
ap.add_argument("-m", "--model", default=DEFAULTS.model,
                help="path to trained handwriting recognition model (.keras, .h5, .tflite or the 2020 file; "
                     "default: the shipped handwriting.keras)")
ap.add_argument("-o", "--output",
                help="save the annotated image here (a folder, mirroring the inputs, for several images)")
ap.add_argument("--json", action="store_true", help="print one JSON array instead of [INFO] lines")
ap.add_argument("--charset", help="restrict the alphabet: digits, letters, alnum, or the characters themselves")
ap.add_argument("--min-confidence", type=float, default=DEFAULTS.min_confidence,
                help="characters less likely than this (0-1) are shown as '?' (default: %(default)s)")
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
ap.add_argument("--no-window", action="store_true", help="never open a window")
args = vars(ap.parse_args())

if not 0.0 <= args["min_confidence"] <= 1.0:
    print("[ERROR] --min-confidence must be between 0 and 1", file=sys.stderr)
    sys.exit(2)

# read every image with one model load; the library does the work
try:
    from pyimagesearch.reader.app import run  # noqa: E402
except KeyboardInterrupt:
    sys.exit(130)

options = ReaderOptions(model=args["model"], line_model=args["line_model"], mode=args["mode"],
                        charset=args["charset"], min_confidence=args["min_confidence"],
                        runtime=args["runtime"], seed_mode=args["seed_mode"])
sys.exit(run(args["image"], options, OutputOptions(args["output"], args["json"], not args["no_window"])))
