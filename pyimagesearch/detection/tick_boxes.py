"""A form's tick boxes told and erased, with what is drawn in them.

A tick box is a lone square frame about the size of a character. What is drawn in
it (a cross, a tick, a blot) is a choice, not text: read, it comes out as R, X or
Illo, and a cross drawn past the frame joins the printed Yes or No beside it into
one mark the detector keeps as writing. The frame is found from its straight sides
(level and upright runs of ink, counted across the mark), so a tick drawn over it
or a word touching it does not hide it; the box is erased whole, with what of the
tick reaches out of it. Rows of character boxes are ``box_rows``' (told
before, their letters kept).
"""
import cv2
import numpy as np

# a tick box is from SIZES text heights on a side and at most ASPECT times longer than wide;
# its four sides are inked along SIDE of their length and meet at its corners (a round
# letter's are bare); BAND of its size is the breadth of its frame
SIZES, ASPECT, SIDE, BAND = (0.9, 3.0), 1.6, 0.85, 0.12
# marks up to MARK_SIZE text heights long are looked at (a box, its tick and a word touching it)
MARK_SIZE = 8.0
# its lines end at its corners: past them, along ALONE of its size, no row (or column) of its
# lines' is inked along ALONE_INK of the way (a table's or a grid's cell goes on)
ALONE, ALONE_INK = 0.5, 0.75
# what of the marks crossing a tick box lies within REACH of its size outside it is the tick's
REACH = 0.6
# a tick is a stroke or two: a frame round more marks than MAX_TICK_MARKS (SPECK px or more)
# holds writing (a box round a word; a sheet's edges round its writing, before the text height
# is known), and is left to ``segment.remove_frames``
MAX_TICK_MARKS, SPECK = 2, 4


def _runs(mask, length, level):
    """Where the level (or upright) runs of ink at least ``length`` long lie, a pixel
    of drift either way allowed (the thin sides of a box lying a little askew)."""
    run, drift = ((1, length), (3, 1)) if level else ((length, 1), (1, 3))
    # a margin of paper: OpenCV's opening takes what lies beyond the edge for ink
    widened = cv2.dilate(np.pad(mask, 1), np.ones(drift, np.uint8))
    return cv2.morphologyEx(widened, cv2.MORPH_OPEN, np.ones(run, np.uint8))[1:-1, 1:-1] > 0


def _bands(counts, least):
    """(first, last) indices of the runs of ``counts`` at least ``least``."""
    edges = np.diff(np.r_[0, (counts >= least).astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def _covered(runs) -> float:
    """The share of the rows of ``runs`` (a side along its length) with ink in them."""
    return float(runs.any(axis=1).mean()) if runs.size else 0.0


def _straightest(window) -> float:
    """The most that one row of ``window`` is inked along (a line going on fills one;
    the tip of a cross drawn past a corner crosses each row briefly)."""
    return float(window.mean(axis=1).max()) if window.size else 0.0


def _breadth(short) -> int:
    """The breadth of the frame of a box whose shorter side is ``short`` px (BAND of it)."""
    return max(2, round(BAND * short))


def _is_frame(blob, upright, level, sides, lines, height) -> bool:
    """Whether the column bands ``sides`` (l0, l1, r0, r1) and the row bands ``lines``
    (t0, t1, b0, b1) of a mark frame a lone box of a tick box's size."""
    l0, l1, r0, r1 = sides
    t0, t1, b0, b1 = lines
    short, long = sorted((r1 + 1 - l0, b1 + 1 - t0))
    if short < SIZES[0] * height or long > SIZES[1] * height or long > ASPECT * short:
        return False
    # sharp corners: where each line's rows cross each side's columns there is ink
    corners = [blob[top:bottom + 1, left:right + 1] for top, bottom in ((t0, t1), (b0, b1))
               for left, right in ((l0, l1), (r0, r1))]
    if not all(corner.any() for corner in corners):
        return False
    band = _breadth(short)
    edges = (upright[t0:b1 + 1, l0:l1 + 1], upright[t0:b1 + 1, r0:r1 + 1],
             level[t0:t1 + 1, l0:r1 + 1].T, level[b0:b1 + 1, l0:r1 + 1].T)
    if min(_covered(edge) for edge in edges) < SIDE:
        return False
    reach = max(2, round(ALONE * short))
    before, after = slice(max(0, l0 - band - reach), max(0, l0 - band)), slice(r1 + band, r1 + band + reach)
    above, below = slice(max(0, t0 - band - reach), max(0, t0 - band)), slice(b1 + band, b1 + band + reach)
    going_on = [blob[rows, across] for rows in (slice(t0, t1 + 1), slice(b0, b1 + 1)) for across in (before, after)]
    going_on += [blob[along, columns].T for columns in (slice(l0, l1 + 1), slice(r0, r1 + 1)) for along in (above, below)]
    return max(_straightest(run) for run in going_on) < ALONE_INK


def _frame(blob, upright, level, height):
    """The largest box (x0, y0, x1, y1) framed in one mark (a boolean image; its
    upright and level runs: a cross's strokes make bands of their own), or None."""
    least = SIDE * SIZES[0] * height
    columns, rows = _bands(upright.sum(axis=0), least), _bands(level.sum(axis=1), least)
    boxes = [(left[0], top[0], right[1] + 1, bottom[1] + 1)
             for i, left in enumerate(columns) for right in columns[i + 1:]
             for j, top in enumerate(rows) for bottom in rows[j + 1:]
             if _is_frame(blob, upright, level, left + right, top + bottom, height)]
    return max(boxes, key=lambda box: (box[2] - box[0]) * (box[3] - box[1]), default=None)


def tick_boxes(mask, height) -> list:
    """The tick boxes (x0, y0, x1, y1) of a binary ink mask whose text is ``height`` tall."""
    length = max(4, int(np.ceil(SIDE * SIZES[0] * height)))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    short, long = np.minimum(stats[:, 2], stats[:, 3]), np.maximum(stats[:, 2], stats[:, 3])
    sized = (short >= SIZES[0] * height) & (long <= MARK_SIZE * height)
    sized[0] = False   # the background
    boxes = []
    for k in np.flatnonzero(sized):
        x, y, w, h = stats[k, :4]
        blob = labels[y:y + h, x:x + w] == k
        ink = blob.astype(np.uint8)
        box = _frame(blob, _runs(ink, length, False) & blob, _runs(ink, length, True) & blob, height)
        if box is not None:
            box = (x + box[0], y + box[1], x + box[2], y + box[3])
            boxes += [box] if _marks_inside(mask, box) <= MAX_TICK_MARKS else []
    return boxes


def _marks_inside(mask, box) -> int:
    """How many marks (SPECK px or more) lie inside a box, clear of its frame."""
    x0, y0, x1, y1 = box
    band = _breadth(min(x1 - x0, y1 - y0))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask[y0 + band:y1 - band, x0 + band:x1 - band])
    return int(np.count_nonzero(stats[1:count, 4] >= SPECK))


def erase_tick_boxes(mask, height):
    """``mask`` without its tick boxes, what is drawn in them, and what of the marks
    crossing their frames (a tick drawn past it) lies within REACH of them (erased
    in place; also returned). Marks that do not touch a box stay."""
    boxes = tick_boxes(mask, height)
    if not boxes:
        return mask
    _, labels = cv2.connectedComponents(mask, connectivity=8)
    for x0, y0, x1, y1 in boxes:
        reach = round(REACH * max(x1 - x0, y1 - y0))
        near = (slice(max(0, y0 - reach), y1 + reach), slice(max(0, x0 - reach), x1 + reach))
        crossing = np.unique(labels[y0:y1, x0:x1])
        mask[near][np.isin(labels[near], crossing[crossing > 0])] = 0
    return mask
