"""UniPen pen trajectories -> ink images: any pen width, slant, and whole lines
composed from several words of one writer (no TensorFlow).

Points are in tablet units, x to the right, **y down**. Rendering draws the
strokes anti-aliased on a 4x canvas and shrinks it, so fractional pen widths
look right at 32 px.
"""
import os

import cv2
import numpy as np

from ..io.archives import NpzArchive
from .preprocess import HEIGHT

SUPERSAMPLE = 4
MARGIN = 2   # px above and below the ink, as in the shipped 32-px images
SHIPPED_PEN = 1.8   # pen width of the shipped 32-px images


class StrokeStore:
    """The strokes of one ``*_strokes.npz`` file, sample by sample."""

    def __init__(self, path):
        if not os.path.isfile(path):
            raise FileNotFoundError(path)
        with NpzArchive(path) as d:
            self.points = d.array("points_xy")
            self.stroke_lengths = d.array("stroke_lengths")
            self.strokes_per_sample = d.array("strokes_per_sample")
            self.stroke_offset = d.array("stroke_offset")
            self.point_offset = d.array("point_offset")
            self.ref_height = d.array("ref_height")

    def __len__(self):
        return len(self.strokes_per_sample)

    def strokes(self, i):
        """List of (n, 2) float32 point arrays, one per pen-down stroke."""
        return sample_strokes(self.points, self.stroke_lengths, int(self.stroke_offset[i]),
                              int(self.strokes_per_sample[i]), int(self.point_offset[i]))


def sample_strokes(points, stroke_lengths, first_stroke: int, count: int, first_point: int) -> list:
    """One sample's strokes out of a stroke file's flat arrays: ``count`` strokes from
    ``first_stroke`` (their lengths in ``stroke_lengths``), their points from
    ``first_point``; a list of (n, 2) float32 arrays."""
    lengths = stroke_lengths[first_stroke:first_stroke + count]
    pts = points[first_point:first_point + int(lengths.sum())].astype(np.float32)
    return np.split(pts, np.cumsum(lengths)[:-1]) if len(lengths) else []


def _bounds(strokes):
    pts = np.concatenate(strokes) if strokes else np.zeros((1, 2), np.float32)
    return pts.min(axis=0), pts.max(axis=0)


def compose(words, gap, rise):
    """Place words (each a list of strokes) left to right on one line.

    ``gap``: space before each word after the first, in tablet units (one value
    per word); ``rise``: vertical shift of each word in tablet units. Words are
    aligned on the median height of their points (about the middle of the
    lower-case letters), since each was written at its own place on the tablet."""
    line, cursor = [], 0.0
    for k, strokes in enumerate(words):
        if not strokes:
            continue
        (x0, _), (x1, _) = _bounds(strokes)
        middle = float(np.median(np.concatenate(strokes)[:, 1]))
        if k and line:
            cursor += float(gap[k])
        shift = np.array([cursor - x0, -middle + float(rise[k])], np.float32)
        line.extend(s + shift for s in strokes)
        cursor += x1 - x0
    return line


def render(strokes, pen_width=SHIPPED_PEN, slant=0.0, min_ink_height=0.0, x_scale=1.0, height=HEIGHT,
           margin=MARGIN):
    """Strokes -> uint8 (height, W) black ink on white.

    The ink box fills ``height - 2 * margin`` rows, except that it is never
    scaled as if it were taller than ``min_ink_height`` tablet units (so a dash
    or a word in x-height letters can stay small). ``slant`` shears x by
    ``-slant * y`` (positive leans right); ``pen_width`` is in output pixels;
    ``x_scale`` stretches the width."""
    if not strokes:
        return np.full((height, 2 * margin + 1), 255, np.uint8)
    pts = [np.asarray(s, np.float32).copy() for s in strokes]
    (_, y0), (_, y1) = _bounds(pts)
    middle = (y0 + y1) / 2.0
    for s in pts:
        s[:, 0] -= slant * (s[:, 1] - middle)
    (x0, y0), (x1, y1) = _bounds(pts)
    scale = (height - 2 * margin) / max(y1 - y0, min_ink_height, 1e-3)
    ink_h = (y1 - y0) * scale
    top = (height - ink_h) / 2.0
    width = int(np.ceil((x1 - x0) * scale * x_scale + 2 * margin + pen_width))
    s4 = SUPERSAMPLE
    canvas = np.full((height * s4, width * s4), 255, np.uint8)
    thickness = max(1, int(round(pen_width * s4)))
    offset = np.array([margin + pen_width / 2.0, top], np.float32)
    shift_bits = 2   # sub-pixel precision of cv2 drawing: coordinates in 1/4 px
    for s in pts:
        xy = (s - [x0, y0]) * [scale * x_scale, scale] + offset
        xy = np.round(xy * s4 * (1 << shift_bits)).astype(np.int32)
        if len(xy) == 1 or np.all(xy == xy[0]):
            cv2.circle(canvas, tuple(int(v) for v in xy[0]), thickness * (1 << shift_bits) // 2, 0, -1,
                       cv2.LINE_AA, shift_bits)
        else:
            cv2.polylines(canvas, [xy.reshape(-1, 1, 2)], False, 0, thickness, cv2.LINE_AA, shift_bits)
    return cv2.resize(canvas, (width, height), interpolation=cv2.INTER_AREA)


def render_crop(strokes, scale, pen_width=SHIPPED_PEN, **options):
    """``render`` at ``scale`` times the model's height, pen width and margin
    (given in 32-px units) scaled with it: the line as a photo crop bigger than
    the model's input shows it."""
    return render(strokes, pen_width=pen_width * scale, height=int(round(HEIGHT * scale)),
                  margin=int(round(MARGIN * scale)), **options)
