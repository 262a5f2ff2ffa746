# USAGE
# python ocr_handwriting.py --image images/hello_world.png
# python ocr_handwriting.py --model handwriting.model --image images/hello_world.png
# python ocr_handwriting.py --mode lines --line-model line_model.keras --image photo.jpg
"""Read the handwriting in one or more photos and print the text."""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# construct the argument parser and parse the arguments
ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("-i", "--image", required=True, nargs="+",
                help="path(s) to input image(s), or a folder of images")
ap.add_argument("-m", "--model", default=os.path.join(HERE, "handwriting.keras"),
                help="path to trained handwriting recognition model (.keras, .h5, .tflite or the 2020 file)")
ap.add_argument("-o", "--output", help="save the annotated image here (a folder for several images)")
ap.add_argument("--json", action="store_true", help="print one JSON array instead of [INFO] lines")
ap.add_argument("--charset", help="restrict the alphabet: digits, letters, alnum, or the characters themselves")
ap.add_argument("--min-confidence", type=float, default=0.0,
                help="characters less likely than this (0-1) are shown as '?'")
ap.add_argument("--mode", choices=["chars", "lines", "auto"], default="auto",
                help="chars: classify each character; lines: read each line whole with the line model; "
                     "auto (default): per line, the classifier where it is strong (block capitals, digits), "
                     "else the line model; chars when there is no line model")
ap.add_argument("--line-model", default=None,
                help="path to the line recognizer (.keras or .tflite; default: line_model.keras beside "
                     "this script, its .tflite twin when present)")
ap.add_argument("--seed-mode", action="store_true", help="the 2020 tutorial's pipeline, for comparison")
ap.add_argument("--runtime", choices=["auto", "litert", "keras"], default="auto",
                help="auto: LiteRT when a .tflite copy sits beside the model, else Keras")
ap.add_argument("--no-window", action="store_true", help="never open a window")
args = vars(ap.parse_args())

if not 0.0 <= args["min_confidence"] <= 1.0:
    print("[ERROR] --min-confidence must be between 0 and 1", file=sys.stderr)
    sys.exit(2)

# read every image with one model load; the library does the work
from pyimagesearch.ocr_app import run  # noqa: E402

line_model = args["line_model"] or os.path.join(HERE, "line_model.keras")
sys.exit(run(args["image"], args["model"], output=args["output"], as_json=args["json"],
             charset=args["charset"], min_confidence=args["min_confidence"], seed_mode=args["seed_mode"],
             runtime=args["runtime"], window=not args["no_window"], mode=args["mode"],
             line_model=line_model, line_model_explicit=args["line_model"] is not None))
