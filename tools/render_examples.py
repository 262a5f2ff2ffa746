"""Render the example photos in images/ from real handwriting (offline, run once).

Each character is a real pen trajectory from a UniPen *test* writer (never used in
training), drawn as ink on a paper-like background with uneven light, texture,
a slight tilt and camera blur, so the examples look photographed. UniPen is
CC BY 4.0 (Guyon et al. 1994); these renderings are shipped under the same licence.
"""
import argparse
import csv
import io
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyimagesearch.errors import InputError, cli_main  # noqa: E402
from pyimagesearch.io.archives import read_arrays  # noqa: E402
from pyimagesearch.io.atomic import refuse_existing, writable_folder, write_image, write_text  # noqa: E402
from pyimagesearch.places import SHARED_DATA  # noqa: E402
from pyimagesearch.recognition.strokes import sample_strokes  # noqa: E402

EXAMPLES = [  # file, lines of text, style, writer seed, character height in px
    ("hello_world.png", ["HELLO", "WORLD"], "caps", 1, 60),
    ("pack_my_box.png", ["PACK MY BOX", "WITH FIVE DOZEN", "LIQUOR JUGS"], "caps", 2, 38),
    ("digits.png", ["0123456789", "2026"], "digits", 3, 44),
]


def load_strokes(shared):
    data = read_arrays(os.path.join(shared, "unipen", "unipen_train_r01_v07_28x28.npz"),
                       ("labels", "writer", "writer_split_test", "quality", "category"))
    strokes = read_arrays(os.path.join(shared, "unipen", "unipen_train_r01_v07_strokes.npz"),
                          ("points_xy", "stroke_lengths", "strokes_per_sample"))
    per_sample = strokes["strokes_per_sample"]
    stroke_start = np.concatenate([[0], np.cumsum(per_sample)])
    point_start = np.concatenate([[0], np.cumsum(strokes["stroke_lengths"])])
    usable = data["writer_split_test"] & (data["quality"] == "OK") & np.isin(data["category"], ["1a", "1b"])

    def sample(i):
        first = int(stroke_start[i])
        return sample_strokes(strokes["points_xy"], strokes["stroke_lengths"], first, int(per_sample[i]),
                              int(point_start[first]))

    return data["labels"], data["writer"], usable, sample


def pick_writer(labels, writers, usable, text, rng):
    """A test writer who wrote every character needed, when there is one."""
    needed = set("".join(text).replace(" ", ""))
    candidates = [w for w in np.unique(writers[usable])
                  if needed <= set(labels[usable & (writers == w)])]
    return rng.choice(candidates) if candidates else None


def render_page(lines, labels, writers, usable, sample, rng, char_h):
    writer = pick_writer(labels, writers, usable, lines, rng)
    margin = char_h
    height = int(margin * 2 + len(lines) * char_h * 1.9)
    width = int(margin * 3 + max(len(t) for t in lines) * char_h * 1.2)
    ink = np.zeros((height, width), np.float32)
    pen = max(2, int(round(char_h * 0.06)))
    for row, text in enumerate(lines):
        x = margin + rng.uniform(0, char_h)
        baseline = margin + char_h + row * char_h * 1.9
        for ch in text:
            if ch == " ":
                x += char_h * 0.9
                continue
            pool = np.flatnonzero(usable & (labels == ch) & ((writers == writer) if writer else True))
            pool = pool if len(pool) else np.flatnonzero(usable & (labels == ch))
            strokes = sample(int(rng.choice(pool)))
            points = np.concatenate(strokes)
            low, high = points.min(axis=0), points.max(axis=0)
            scale = char_h * rng.uniform(0.85, 1.05) / max(high[1] - low[1], 1)
            for stroke in strokes:
                xy = (stroke - low) * scale + [x, baseline - (high[1] - low[1]) * scale]
                cv2.polylines(ink, [np.round(xy * 4).astype(np.int32)], False, 1.0, pen, cv2.LINE_AA, shift=2)
            x += (high[0] - low[0]) * scale + char_h * rng.uniform(0.25, 0.45)
    # crop the page to the writing plus a margin
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    return ink[:, :min(width, int(cols[-1] + margin))]


def photograph(ink, rng):
    """Ink on paper under uneven light, tilted slightly, slightly out of focus."""
    h, w = ink.shape
    paper = np.array([214, 226, 232], np.float32) + rng.normal(0, 4, 3)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.78 + 0.22 * (xx / w * rng.uniform(0.5, 1) + yy / h * rng.uniform(0, 0.6)) / 1.6
    texture = cv2.GaussianBlur(rng.normal(0, 6, (h, w)).astype(np.float32), (0, 0), 1.2)
    page = paper[None, None, :] * light[..., None] + texture[..., None]
    ink_colour = np.array([92, 40, 28], np.float32)  # dark blue ballpoint, BGR
    alpha = np.clip(cv2.GaussianBlur(ink, (0, 0), 0.8) * rng.uniform(0.8, 0.95), 0, 1)[..., None]
    photo = page * (1 - alpha) + ink_colour * alpha
    tilt = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-2, 2), 1.0)
    photo = cv2.warpAffine(photo, tilt, (w, h), borderMode=cv2.BORDER_REFLECT)
    photo += rng.normal(0, 3, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8)


def truth_table(rows) -> str:
    text = io.StringIO()
    writer = csv.writer(text, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n")
    writer.writerow(["file", "text", "style", "source", "license"])
    writer.writerows(rows)
    return text.getvalue()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=SHARED_DATA,
                        help="the shared data folder, with unipen/ (default: %(default)s)")
    parser.add_argument("--out", default="images", help="folder to write the photos in (default: %(default)s)")
    parser.add_argument("--overwrite", action="store_true", help="replace output files that exist already")
    args = parser.parse_args(argv)
    truth = os.path.join(args.out, "truth.tsv")
    if not args.overwrite:
        refuse_existing([*(os.path.join(args.out, example[0]) for example in EXAMPLES), truth])
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        raise InputError(f"{args.out}: cannot make the folder ({e.strerror or e})") from None
    writable_folder(truth)
    labels, writers, usable, sample = load_strokes(args.shared)
    rows = []
    for name, lines, style, seed, char_h in EXAMPLES:
        rng = np.random.default_rng(seed)
        photo = photograph(render_page(lines, labels, writers, usable, sample, rng, char_h), rng)
        write_image(os.path.join(args.out, name), photo)
        rows.append([name, "\\n".join(lines), style,
                     "rendered by tools/render_examples.py from UniPen test-writer pen strokes", "CC BY 4.0"])
        print(f"[INFO] {name}: {photo.shape[1]}x{photo.shape[0]}")
    write_text(truth, truth_table(rows))


if __name__ == "__main__":
    sys.exit(cli_main(main)())
