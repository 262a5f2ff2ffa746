"""The flags and the report of the commands that score a line model on a held-out
generated test set (``font_lines``, ``page_lines``): -m, --count, --beam, --no-lm, -o."""
import argparse
import os

from ..errors import InputError
from ..reader.options import SHIPPED_LINE_MODEL


def held_out_parser(description, count):
    """An argument parser for scoring a line model on a generated test set of ``count`` lines."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default=SHIPPED_LINE_MODEL,
                        help=".keras or .tflite line model (default: the shipped line_model.keras)")
    parser.add_argument("--count", type=int, default=count, help="lines in the test set (default: %(default)s)")
    parser.add_argument("--beam", type=int, default=None,
                        help="beam width (0: greedy; default: the language model's, or greedy without one)")
    parser.add_argument("--no-lm", action="store_true", help="ignore the language model beside the model file")
    parser.add_argument("-o", "--output", help="also write the report to this text file")
    return parser


def print_held_out_report(args, make_report):
    """Check ``held_out_parser``'s flags, then print ``make_report(model, count, beam, lm_path)``
    and write it to ``-o``."""
    if not os.path.isfile(args.model):
        raise InputError(f"{args.model}: no such model file")
    if args.count < 1:
        raise InputError(f"--count {args.count}: must be at least 1")
    text = make_report(args.model, args.count, args.beam, None if args.no_lm else "auto")
    print(text)
    if args.output:
        from ..io.atomic import write_text
        write_text(args.output, text + "\n")
        print(f"[INFO] report written to {args.output}")
