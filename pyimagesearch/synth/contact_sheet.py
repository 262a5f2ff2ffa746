"""A PNG of generated pages beside their truth, to look at what the generator makes.

    python -m pyimagesearch.synth.contact_sheet -o pages.png [--count 12] [--seed 0] [--split test]

Each page is shown as the photo and, beside it, its truth: the handwriting's
ink in red, the printed text's in cyan and each handwritten line's outline in
green (over the darkened photo). Needs ../shared (UniPen strokes, fonts, text).
"""
import argparse
import os
import sys
from dataclasses import dataclass, replace

import cv2
import numpy as np

from ..errors import InputError, cli_main
from ..io.atomic import writable_folder, write_image
from .pages import SPLITS, PageSettings, make_page


@dataclass(frozen=True)
class SheetOptions:
    count: int = 12
    seed: int = 0
    split: str = "train"
    cell_height: int = 300
    per_row: int = 2


def truth_view(page) -> np.ndarray:
    """The page darkened, with handwriting red, print cyan and line outlines green."""
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY).astype(np.float32) * 0.35
    view = np.repeat(grey[:, :, None], 3, axis=2)
    for mask, colour in ((page.print_mask, (255, 255, 0)), (page.hand_mask, (40, 40, 255))):
        alpha = mask.astype(np.float32)[:, :, None] / 255.0
        view = view * (1 - alpha) + alpha * np.float32(colour)
    view = view.astype(np.uint8)
    thick = max(1, round(max(view.shape[:2]) / 500))
    for line in page.lines:
        colour = (0, 220, 0) if line.complete else (0, 140, 140)
        cv2.polylines(view, [np.round(line.polygon).astype(np.int32)], True, colour, thick, cv2.LINE_AA)
    return view


def cell(page, seed, height) -> np.ndarray:
    """Photo and truth side by side at ``height`` px, with a caption. The masks
    are thickened as much as the page is shrunk, so that thin ink stays visible."""
    h, w = page.image.shape[:2]
    width = max(1, round(w * height / h))
    grow = np.ones((int(np.ceil(h / height)),) * 2, np.uint8)
    shown = replace(page, hand_mask=cv2.dilate(page.hand_mask, grow), print_mask=cv2.dilate(page.print_mask, grow))
    pair = [cv2.resize(v, (width, height), interpolation=cv2.INTER_AREA) for v in (page.image, truth_view(shown))]
    caption = np.full((22, 2 * width + 6, 3), 255, np.uint8)
    label = f"seed {seed}: {page.kind}, {w}x{h}, turn {page.turn * 90}, {len(page.lines)} lines"
    cv2.putText(caption, label, (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    body = np.hstack([pair[0], np.full((height, 6, 3), 255, np.uint8), pair[1]])
    return np.vstack([caption, body])


def contact_sheet(options: SheetOptions, settings: PageSettings) -> np.ndarray:
    cells = [cell(make_page(options.seed + k, settings), options.seed + k, options.cell_height)
             for k in range(options.count)]
    rows = [cells[k:k + options.per_row] for k in range(0, len(cells), options.per_row)]
    width = max(sum(c.shape[1] + 10 for c in row) for row in rows)
    out = []
    for row in rows:
        line = np.hstack([np.pad(c, ((0, 0), (0, 10), (0, 0)), constant_values=255) for c in row])
        out.append(np.pad(line, ((0, 10), (0, width - line.shape[1]), (0, 0)), constant_values=255))
    return np.vstack(out)


def parse_args(argv=None):
    d = SheetOptions()
    parser = argparse.ArgumentParser(description="Write a PNG of generated pages beside their truth masks.")
    parser.add_argument("-o", "--output", required=True, help="the PNG to write (replaced if it exists)")
    parser.add_argument("--count", type=int, default=d.count, help=f"pages to show (default {d.count})")
    parser.add_argument("--seed", type=int, default=d.seed, help=f"seed of the first page (default {d.seed})")
    parser.add_argument("--cell-height", type=int, default=d.cell_height,
                        help=f"height of each page in the sheet, px (default {d.cell_height})")
    parser.add_argument("--split", choices=SPLITS, default=d.split,
                        help=f"train: training writers and fonts; test: held-out ones (default {d.split})")
    return parser.parse_args(argv)


@cli_main
def main(argv=None):
    args = parse_args(argv)
    if not args.output.lower().endswith(".png"):
        raise InputError(f"{args.output}: the contact sheet is a PNG: give a name ending in .png")
    if not 1 <= args.count <= 200:
        raise InputError(f"--count must be between 1 and 200, not {args.count}")
    if not 50 <= args.cell_height <= 2000:
        raise InputError(f"--cell-height must be between 50 and 2000, not {args.cell_height}")
    writable_folder(args.output)   # before the pages are made, not after
    settings = PageSettings(split=args.split)
    for folder in (settings.data_dir, settings.fonts_dir):
        if not os.path.isdir(folder):
            raise InputError(f"{folder}: missing (the generator needs ../shared: UniPen strokes and fonts)")
    print(f"[INFO] making {args.count} {args.split} pages from seed {args.seed}")
    options = SheetOptions(count=args.count, seed=args.seed, split=args.split, cell_height=args.cell_height)
    image = contact_sheet(options, settings)
    write_image(args.output, image, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"[INFO] wrote {args.output} ({image.shape[1]}x{image.shape[0]})")


if __name__ == "__main__":
    sys.exit(main())
