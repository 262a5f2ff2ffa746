"""Line crops: a text line cut out of the page's ink as dark ink on white paper (what
``recognition.preprocess`` wants), with the one scale from its pixels to the photo's."""
import functools
from dataclasses import dataclass

import cv2
import numpy as np

from ..io.elements import union_box
from .layout import REACH
from .segment import ink_map

# the crop around a line's characters, in character heights
MARGIN_Y = 0.12
MARGIN_X = 0.35
OVERHANG = 0.8   # ascenders and descenders may reach this far above and below the boxes
SOFT_EDGE = 1    # px of ink kept around the mask's strokes (their anti-aliased edges)
TALLEST = 3.0    # taller ink is a page edge, a margin rule or a shadow, not a stroke
WORD_SPACE = 0.4   # an ink-free gap this wide (character heights) at a reading-order word gap ends a word
# ink weaker than this (0-255) is not writing: show-through and faint marks
INK_FLOOR = 127


@dataclass
class PageInk:
    """The segmenter's own ink map of the page (paper shading removed, rules erased)."""
    ink: np.ndarray        # ink strength 0-255 at working scale
    labels: np.ndarray     # connected components of the ink mask, rules erased
    stats: np.ndarray      # their rows [x, y, w, h, area] (component k is labels == k + 1)
    to_original: float     # working -> original pixels

    @classmethod
    def of(cls, scan, one_line=False):
        """The components of a ``segment.PageScan`` of the page. ``one_line``: the
        photo is a crop of one line (``segment.is_line_crop``), whose ink is measured
        again against paper estimated with a kernel as tall as the photo: the page's
        kernel follows the photo's width, and on a crop cut tight round large writing
        it is narrower than the strokes, so it takes their middles for paper."""
        labels, stats = scan.components
        ink = ink_map(scan.gray, least_side=scan.gray.shape[0]) if one_line else scan.ink
        return cls(ink, labels, stats, scan.to_original)

    @functools.cached_property
    def floor(self) -> int:
        """The ink strength above which a pixel is ink on this page: ``INK_FLOOR``,
        unless the page's writing itself (the 90th percentile of its ink mask) is
        fainter than that (pencil, a dim photo): then half of its strength."""
        strokes = self.ink[self.labels > 0]
        writing = float(np.percentile(strokes, 90)) if strokes.size else 255.0
        return INK_FLOOR if writing > INK_FLOOR else int(writing // 2)


@dataclass
class LineCrop:
    """One text line cut out of the page: dark ink on white, at working scale."""
    image: np.ndarray
    origin: tuple          # (x0, y0): its top-left corner at working scale
    to_original: float     # working -> photo pixels
    ink_floor: int = INK_FLOOR   # ink strength above which a pixel is ink (``PageInk.floor``)

    def photo_x(self, column: float) -> float:
        return (self.origin[0] + column) * self.to_original

    def photo_y(self, row: float) -> float:
        return (self.origin[1] + row) * self.to_original

    def inked(self) -> np.ndarray:
        """The pixels that hold ink (stronger than ``ink_floor``)."""
        return self.image < 255 - self.ink_floor

    def word_splits(self, gaps: list, height: float) -> list[float]:
        """Crop columns where a word ends: the middle of the widest ink-free run of
        columns inside each of ``gaps`` ((x end, x start) photo columns), when it is
        at least ``WORD_SPACE`` character heights (``height``, photo pixels) wide."""
        empty = ~self.inked().any(axis=0)
        height /= self.to_original
        splits = []
        for g0, g1 in gaps:
            a = max(0, int(np.ceil(g0 / self.to_original - self.origin[0])))
            b = min(len(empty), int(np.floor(g1 / self.to_original - self.origin[0])))
            run, start = _widest_run(empty, a, b)
            if run >= WORD_SPACE * height:
                splits.append(start + run / 2.0)
        return sorted(splits)


def _widest_run(flags, a, b):
    """(length, start) of the longest run of True in ``flags[a:b]`` ((0, 0) when none)."""
    best, run, start = (0, 0), 0, a
    for c in range(a, b):
        if flags[c]:
            if run == 0:
                start = c
            run += 1
            if run > best[0]:
                best = (run, start)
        else:
            run = 0
    return best


def line_crop(page_ink: PageInk, boxes: list, core: tuple, other_lines: list = ()) -> "LineCrop | None":
    """Cut the line holding the character ``boxes`` (photo pixels; ``core``: their
    ``layout.core_rows``), or None when there is no ink.

    The ink kept is that of the components whose centre lies inside the boxes'
    rows (so the lines above and below stay out) and are the line's, not those of
    ``other_lines`` (``_of_the_line``), and that reach the boxes, or a
    component reaching them, within a gap of ``REACH`` character heights (the
    strokes the segmenter dropped, like the tall l of a cursive word, come back)."""
    s = page_ink.to_original
    height = float(np.median([b[3] for b in boxes])) / s
    x, y, w, h = (v / s for v in union_box(boxes))
    st = page_ink.stats
    if len(st) == 0:
        return None
    cy = st[:, 1] + st[:, 3] / 2.0
    H, W = page_ink.ink.shape
    candidates = np.flatnonzero((cy >= y) & (cy <= y + h) & _of_the_line(st, core, s, other_lines)
                                & (st[:, 4] >= max(4.0, (0.05 * height) ** 2))
                                & (st[:, 2] <= max(0.5 * W, w)) & (st[:, 3] <= max(TALLEST * height, h)))
    chosen, left, right = _reachable(st, candidates, x, x + w, height)
    if not chosen:
        return None
    chosen = np.array(sorted(chosen))
    top = max(float(st[chosen, 1].min()), y - OVERHANG * height)
    bottom = min(float((st[chosen, 1] + st[chosen, 3]).max()), y + h + OVERHANG * height)
    top, bottom = min(top, y), max(bottom, y + h)
    margin_y = MARGIN_Y * height
    x0, x1 = max(0, int(left - MARGIN_X * height)), min(W, int(np.ceil(right + MARGIN_X * height)))
    y0, y1 = max(0, int(round(top - margin_y))), min(H, int(round(bottom + margin_y)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    keep = np.zeros(len(st) + 1, bool)
    keep[chosen + 1] = True
    mask = keep[page_ink.labels[y0:y1, x0:x1]]
    if SOFT_EDGE:   # the ink's own soft edges around the kept strokes
        side = 2 * SOFT_EDGE + 1
        mask = cv2.dilate(mask.astype(np.uint8), np.ones((side, side), np.uint8)) > 0
    ink = page_ink.ink[y0:y1, x0:x1] * mask
    if not ink.any():
        return None
    return LineCrop((255 - ink).astype(np.uint8), (x0, y0), s, page_ink.floor)


def _of_the_line(stats, core, to_original, other_lines):
    """Which components (``stats``, working pixels) may be the line's: not those
    whose centre lies in the core rows of one of ``other_lines`` and outside the
    line's own ``core`` (``layout.core_rows``, photo pixels): a long descender's rows
    may hold the next line's words."""
    cy = (stats[:, 1] + stats[:, 3] / 2.0) * to_original
    top, bottom = core
    elsewhere = np.zeros(len(stats), bool)
    for other_top, other_bottom in other_lines:
        elsewhere |= (cy >= other_top) & (cy <= other_bottom)
    return ~elsewhere | ((cy >= top) & (cy <= bottom))


def _reachable(stats, candidates, left, right, height):
    """The candidate components that reach [left, right] (working columns), growing
    the line sideways one reachable component at a time; and its new extent."""
    chosen = set()
    while True:
        added = False
        for k in candidates:
            if k in chosen:
                continue
            a, b = stats[k, 0], stats[k, 0] + stats[k, 2]
            if a <= right + REACH * height and b >= left - REACH * height:
                chosen.add(k)
                left, right = min(left, a), max(right, b)
                added = True
        if not added:
            break
    return chosen, left, right
