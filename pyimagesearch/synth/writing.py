"""Filling a sheet's slots with handwriting, and laying ink and print on the paper."""
from dataclasses import dataclass

import cv2
import numpy as np

from .fonts import smooth_field
from .text import NUMERIC_KINDS

PEN_INKS = ((35, 30, 30), (140, 60, 25), (100, 40, 15), (45, 40, 170), (70, 110, 30), (20, 20, 20))
MARKER_INKS = ((40, 40, 40), (170, 90, 20), (45, 45, 200), (60, 140, 40))
PENCIL = (95, 95, 95)
PRINT_INKS = ((25, 25, 25), (40, 30, 25), (110, 50, 20), (30, 30, 140))


@dataclass
class HandLine:
    """One handwritten line's truth: its text and its ink's outline, a
    quadrilateral (4, 2) in image pixels, corners in the writing's own order
    (top-left, top-right, bottom-right, bottom-left of the upright text).
    ``complete``: the whole line is inside the image."""
    text: str
    polygon: np.ndarray
    complete: bool = True

    @property
    def box(self) -> tuple:
        """Axis-aligned (x, y, w, h) around the polygon."""
        x0, y0 = self.polygon.min(axis=0)
        x1, y1 = self.polygon.max(axis=0)
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


def _fit(line, max_width):
    """Shrink a line that overflows its slot to at most half its size; None if it still does not fit."""
    w = line.ink.shape[1]
    if w <= max_width:
        return line
    f = max_width / w
    if f < 0.5:
        return None
    h = max(1, int(round(line.ink.shape[0] * f)))
    line.ink = cv2.resize(line.ink, (max(1, int(max_width)), h), interpolation=cv2.INTER_AREA)
    line.baseline *= f
    line.start *= f
    return line


def _ink_corners(ink):
    """The corners of the box round the ink (coverage above 0.2), clockwise from top-left; None without ink."""
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.2), np.flatnonzero(ink.max(axis=0) > 0.2)
    if not len(rows):
        return None
    x0, y0, x1, y1 = cols[0], rows[0], cols[-1] + 1, rows[-1] + 1
    return np.float32([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def _tilt(line, degrees):
    """Rotate the line about its start on the baseline (writing that drifts up
    or down); returns the 2x3 matrix from the old canvas to the new one."""
    h, w = line.ink.shape
    pad = int(np.ceil(abs(np.sin(np.radians(degrees))) * w)) + 1
    matrix = cv2.getRotationMatrix2D((float(line.start), float(line.baseline)), degrees, 1.0)
    matrix[1, 2] += pad
    line.ink = cv2.warpAffine(line.ink, matrix, (w, h + 2 * pad), flags=cv2.INTER_LINEAR, borderValue=0)
    line.baseline += pad
    return matrix


def _paste(cover, ink, x, y):
    """Ink (h, w) onto ``cover`` with its top-left at (x, y), clipped; True if all of it fits."""
    h, w = cover.shape
    ih, iw = ink.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + iw, w), min(y + ih, h)
    if x1 > x0 and y1 > y0:
        region = cover[y0:y1, x0:x1]
        np.maximum(region, ink[y0 - y:y1 - y, x0 - x:x1 - x], out=region)
    return (x0, y0, x1, y1) == (x, y, x + iw, y + ih)


def write(rng, sheet, hand, text, tilt_share=0.4) -> tuple:
    """Write every slot of ``sheet`` with ``hand``: (ink coverage (h, w) float32,
    [HandLine] in sheet px, in reading order: a table's row by row). ``tilt_share`` of
    the lines drift up or down a little."""
    h, w = sheet.paper.shape[:2]
    cover = np.zeros((h, w), np.float32)
    lines = []
    # slots are written in the order the sheet made them (a table's column by column), which
    # the random draws follow
    for slot in sheet.slots:
        def text_for(chars, slot=slot):
            return text.line(rng, slot.kind, chars, slot.caps)
        room = slot.x1 - slot.x0
        line = hand.line(rng, slot.body, room, text_for, pitch=slot.pitch, numeric=slot.kind in NUMERIC_KINDS)
        line = _fit(line, room + line.start + (slot.pitch or slot.body))
        corners = None if line is None or not line.text.strip() else _ink_corners(line.ink)
        if corners is None:
            continue
        if not slot.pitch and rng.random() < tilt_share:
            matrix = _tilt(line, rng.normal(0, 1.0))
            corners = corners @ matrix[:, :2].T.astype(np.float32) + matrix[:, 2].astype(np.float32)
        x, y = int(round(slot.x0 - line.start)), int(round(slot.baseline - line.baseline))
        inside = _paste(cover, line.ink, x, y)
        polygon = corners + np.float32([x, y])
        if inside or np.any((polygon >= 0).all(axis=1) & (polygon <= [w, h]).all(axis=1)):
            lines.append((slot.row, HandLine(line.text, polygon, inside)))
    return cover, [line for _, line in sorted(lines, key=lambda ranked: ranked[0])]


def ink_style(rng, kind, pencil_share):
    """(BGR colour, opacity, pencil?) of a page's writing."""
    if (kind in ("whiteboard", "sticky") and rng.random() < 0.8) or (kind == "card" and rng.random() < 0.35):
        colour = MARKER_INKS[int(rng.integers(len(MARKER_INKS)))]
        return np.array(colour, np.float32), rng.uniform(0.8, 1.0), False
    if kind != "whiteboard" and rng.random() < pencil_share:
        return np.array(PENCIL, np.float32) * rng.uniform(0.7, 1.2), rng.uniform(0.4, 0.75), True
    colour = PEN_INKS[int(rng.integers(len(PEN_INKS)))]
    return np.array(colour, np.float32) * rng.uniform(0.8, 1.2), rng.uniform(0.75, 1.0), False


def lay(paper: np.ndarray, cover: np.ndarray, colour, opacity: float) -> None:
    """Ink of ``colour`` over ``paper`` (float32 BGR) where ``cover`` (0..1) says, in place."""
    rows, cols = np.flatnonzero(cover.any(axis=1)), np.flatnonzero(cover.any(axis=0))
    if not len(rows):
        return
    box = slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1)
    alpha = (opacity * cover[box])[:, :, None]
    region = paper[box]
    region *= 1.0 - alpha
    region += alpha * np.asarray(colour, np.float32)


def pencil_grain(rng, cover):
    """Pencil on paper: the graphite catches only part of the tooth."""
    grain = 0.75 + 0.25 * smooth_field(rng, cover.shape, 1.5)
    return cover * np.clip(grain, 0.5, 1.0)


def uneven_flow(rng, cover):
    """A pen's ink is darker where it pooled and lighter where it ran dry."""
    flow = 1.0 - rng.uniform(0.0, 0.3) * np.abs(smooth_field(rng, cover.shape, rng.uniform(8, 40)))
    return cover * flow


def print_ink(rng):
    return np.array(PRINT_INKS[int(rng.integers(len(PRINT_INKS)))], np.float32)
