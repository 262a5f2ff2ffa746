"""Level a page whose lines run at a slant (a sheet lying askew on a desk, a photo
taken at an angle): the slant is the angle at which the ink's row profile is
sharpest (lines of writing as narrow, dense bands), and the page scan is turned by
it so that lines fall into rows again for grouping and line reading.
"""
import dataclasses

import cv2
import numpy as np

from .segment import MAX_GLYPH_HEIGHTS, PageScan

# slants searched, in degrees either way: beyond this a page is turned, not askew
MAX_SKEW = 15.0
# a page slanted less than this is read as it is: its lines' boxes still hold one line each
MIN_SKEW = 1.0
# ... and so is one whose profile is not this much sharper at the slant than level (one word, a
# column of digits, a sketch: no lines to line up). Askew pages of lines measured 1.24-3.45 (held-out
# generated pages, d22), level photos and boards up to 1.19 (d14)
MIN_SHARPER = 1.25
# the components measured: up to this many text heights wide (and MAX_GLYPH_HEIGHTS tall), and
# at least MIN_PIECE_HEIGHT of a text height tall (not a dot or a speck)
MAX_WORD_WIDTH = 8.0
MIN_PIECE_HEIGHT = 0.3
# the ink pixels the profile is measured on, at most: enough for a page, bounded work
MAX_POINTS = 10_000


@dataclasses.dataclass(frozen=True)
class Levelling:
    """How a page scan was levelled: turned onto a canvas whose original-pixel
    ``shape`` holds all of it; ``to_levelled`` maps original pixels of the page onto
    the canvas's."""
    to_levelled: np.ndarray   # 2x3 affine, original pixels -> levelled original pixels
    shape: tuple              # the levelled canvas's (height, width) in original pixels

    def box_on_page(self, box: list, page_shape: tuple) -> list:
        """A box [x, y, w, h] of the levelled canvas as the box that holds it on the page (``page_shape``: (h, w))."""
        x, y, w, h = box
        corners = np.array([[x, y], [x + w, y], [x, y + h], [x + w, y + h]], np.float64)
        back = cv2.invertAffineTransform(self.to_levelled)
        on_page = corners @ back[:, :2].T + back[:, 2]
        x0, y0 = np.floor(on_page.min(axis=0)).astype(int)
        x1, y1 = np.ceil(on_page.max(axis=0)).astype(int)
        height, width = page_shape[:2]
        x0, y0 = min(max(x0, 0), width - 1), min(max(y0, 0), height - 1)
        x1, y1 = min(max(x1, x0 + 1), width), min(max(y1, y0 + 1), height)
        return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


def slant(scan: PageScan) -> float:
    """The angle (degrees, counter-clockwise in the image) that levels the lines of
    ``scan``'s ink: 0 when they run level, down the photo, or no slant lines them up clearly.

    Each ink component of about a word's size or less weighs the same in the row
    profile, however much ink it has: a board's tray or a desk's edge, broken into
    a few long pieces, would otherwise set the slant by itself."""
    if scan.height == 0:
        return 0.0
    labels, stats = scan.components
    word_sized = ((stats[:, 2] <= MAX_WORD_WIDTH * scan.height) & (stats[:, 3] <= MAX_GLYPH_HEIGHTS * scan.height)
                  & (stats[:, 3] >= MIN_PIECE_HEIGHT * scan.height))
    if word_sized.sum() < 2:
        return 0.0
    weights = np.r_[0.0, np.where(word_sized, 1.0 / np.maximum(stats[:, 4], 1), 0.0)]
    ys, xs = np.nonzero(weights[labels] > 0)
    step = int(np.ceil(len(ys) / MAX_POINTS))
    ys, xs = ys[::step], xs[::step]
    weight = weights[labels[ys, xs]]
    points = np.stack([xs, ys], axis=1).astype(np.float64)
    points -= points.mean(axis=0)
    bin_size = max(1.0, scan.height / 4)

    def sharpness(angle):
        t = np.radians(angle)
        rows = points[:, 1] * np.cos(t) - points[:, 0] * np.sin(t)
        counts = np.bincount(((rows - rows.min()) / bin_size).astype(np.int64), weights=weight)
        return float(np.dot(counts, counts))

    level_ones = np.arange(-MAX_SKEW, MAX_SKEW + 0.5, 1.0)
    coarse = max(np.r_[level_ones, level_ones + 90.0], key=sharpness)
    if coarse > MAX_SKEW:   # the lines run down the photo: a turned page, whose turn is read, not levelled
        return 0.0
    best = max(np.clip(np.arange(coarse - 0.75, coarse + 0.8, 0.25), -MAX_SKEW, MAX_SKEW), key=sharpness)
    if abs(best) < MIN_SKEW or sharpness(best) < MIN_SHARPER * sharpness(0.0):
        return 0.0
    return float(best)


def _turn(shape: tuple, angle: float) -> tuple:
    """(2x3 affine, canvas size (w, h)): working pixels of a page of ``shape`` turned
    by ``angle`` degrees onto a canvas that holds all of it."""
    height, width = shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    canvas = (int(np.ceil(height * cos + width * sin)), int(np.ceil(width * cos + height * sin)))
    turn[:, 2] += [(canvas[1] - width) / 2, (canvas[0] - height) / 2]
    return turn, (canvas[1], canvas[0])


def _turned_mask(mask: np.ndarray, angle: float) -> np.ndarray:
    turn, size = _turn(mask.shape, angle)
    return cv2.warpAffine(mask, turn, size, flags=cv2.INTER_NEAREST, borderValue=0)


def level(scan: PageScan, angle: float) -> tuple:
    """(``scan`` turned so that lines slanted by ``angle`` degrees run level, on a canvas
    that holds all of it, its text height measured again; the Levelling)."""
    turn, size = _turn(scan.mask.shape, angle)
    ink = cv2.warpAffine(scan.ink, turn, size, flags=cv2.INTER_LINEAR, borderValue=0)
    gray = cv2.warpAffine(scan.gray, turn, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    factor = scan.to_original
    to_levelled = turn.copy()
    to_levelled[:, 2] *= factor   # the same turn in original pixels: x_work = x_orig / factor
    shape = (int(round(size[1] * factor)), int(round(size[0] * factor)))
    levelled = scan.replaced(ink=ink, mask=_turned_mask(scan.mask, angle), shape=shape, gray=gray)
    return levelled, Levelling(to_levelled, shape)


def level_like(levelled: PageScan, kept: PageScan, angle: float) -> PageScan:
    """``kept`` (the same photo's scan with another mask, e.g. the detector's) levelled
    as ``levelled`` was by ``level``: only its mask is turned again, the ink and the
    grey are ``levelled``'s."""
    return dataclasses.replace(levelled, height=kept.height).replaced(mask=_turned_mask(kept.mask, angle))
