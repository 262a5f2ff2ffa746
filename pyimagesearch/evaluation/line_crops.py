"""A test set of photographed line crops, for the whole reader: a user's crop of one
line of writing, often small, thin and wide, or noisy.

    python -m pyimagesearch.evaluation.line_crops /tmp/crops [--count 100]
    python -m pyimagesearch.evaluation.reader /tmp/crops

writes ``count`` lines set in the held-out fonts (``recognition.font_lines``: every
glyph jittered, the line photographed, sometimes by a low-resolution camera) and
``count`` lines cut from held-out generated pages (``recognition.page_lines``: UniPen
test writers and held-out fonts on the paper kinds), each as a PNG, with a
``truth.tsv`` (style ``mixed``: case is not scored) that ``evaluation.reader`` scores.
Nothing of these fonts, writers or texts is trained on. The line model's own scores
on the same lines: ``python -m pyimagesearch.recognition.font_lines`` and ``page_lines``.
"""
import argparse

from ..errors import InputError, cli_main
from ..places import SHARED_FONTS, SHARED_TEXT
from .test_folder import write_folder

DEFAULTS = {"count": 100}


def photos(count: int, fonts_dir: str = SHARED_FONTS, text_dir: str = SHARED_TEXT):
    """(name, grey image, [text], style) of ``count`` font lines, then ``count`` page lines."""
    from ..recognition import font_lines, page_lines
    for k, line in enumerate(font_lines.held_out_lines(fonts_dir, text_dir, count)):
        yield f"font{k:03d}.png", line.image, [line.text], "mixed"
    for k, (image, text) in enumerate(page_lines.held_out_lines(count)):
        yield f"page{k:03d}.png", image, [text], "mixed"


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="where to write the crops and truth.tsv (no truth.tsv there yet)")
    parser.add_argument("--count", type=int, default=DEFAULTS["count"],
                        help=f"lines of each source (default: {DEFAULTS['count']})")
    args = parser.parse_args(argv)
    if args.count < 1:
        raise InputError(f"--count {args.count}: give at least 1")
    written = write_folder(args.folder, photos(args.count))
    print(f"[INFO] {written} line crops and truth.tsv written to {args.folder}")


if __name__ == "__main__":
    raise SystemExit(main())
