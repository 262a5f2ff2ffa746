"""How well the learned detector sees a photo's turn: every photo of the given
folders or files, turned each of the four ways, and the detector's call.

    python -m pyimagesearch.evaluation.turns images ../shared/images-dev [-o reports/detector_turns.txt]

Per true turn (quarter turns counter-clockwise): how many photos it calls with
exactly that turn, how many it calls sideways (a quarter turn either way: the
reader then also reads both quarter turns, ``HandwritingReader.read``), and how
many it is sure of (probability >= TURN_CONFIDENCE, read turned at once).
"""
import argparse
import sys

import numpy as np

from ..errors import cli_main


def turn_calls(detector, images) -> dict:
    """{true turn: (photos, exact calls, sideways calls, sure calls)} over ``images``
    (an iterable: one photo is held at a time)."""
    from ..detection.learned import TURN_CONFIDENCE
    counts = {turn: np.zeros(4, int) for turn in range(4)}
    for image in images:
        for turn in range(4):
            view = detector.look(np.ascontiguousarray(np.rot90(image, turn)))
            counts[turn] += (1, view.turn == turn, view.sideways, view.turn_probability >= TURN_CONFIDENCE)
    return {turn: tuple(int(n) for n in c) for turn, c in counts.items()}


def format_calls(calls: dict) -> str:
    out = [f"{'true turn':>9} {'photos':>6} {'exact':>5} {'sideways':>8} {'sure':>4}"]
    out += [f"{turn * 90:>8}° {n:6d} {exact:5d} {sideways:8d} {sure:4d}" for turn, (n, exact, sideways, sure) in
            calls.items()]
    return "\n".join(out)


@cli_main
def main(argv=None):
    from ..io.image import list_images, load_image
    from ..reader.loading import load_detector
    from ..reader.options import ReaderOptions
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", help="image files or folders")
    parser.add_argument("-o", "--report", help="also write the table to this file")
    args = parser.parse_args(argv)
    paths = list_images(args.paths)
    print(f"[INFO] {len(paths)} photos, each turned four ways...", file=sys.stderr)
    table = format_calls(turn_calls(load_detector(ReaderOptions()), (load_image(p) for p in paths)))
    print(table)
    if args.report:
        from ..io.atomic import write_text
        command = f"python -m pyimagesearch.evaluation.turns {' '.join(args.paths)}"
        write_text(args.report, f"{command}\n{len(paths)} photos; the shipped detector's call on each, "
                                f"turned each way\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
