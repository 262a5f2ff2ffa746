"""Rows of character boxes (a form's comb fields, one box a letter) told and erased.

A row of boxes is one ink mark: a top and a bottom line joined by evenly spaced
upright sides. The rule eraser takes the two long lines away and leaves the sides,
which read as a row of I and 1 between the letters, and the whole mark, as tall as
a box and as wide as the row, outweighs the writing in the text height's vote. Here
the frame is erased and what is written inside stays. A column of boxes (a form
photographed sideways) is a row turned, and told the same way.
"""
import cv2
import numpy as np

# a row of boxes has MIN_BOX_BARS sides or more, each inked across BAR_SPAN of its height, on an
# even pitch (BAR_EVENNESS: the spread of the pitch within the row; when erasing, sides off the
# pitch by more than PITCH_SLACK of it are strokes, not sides), with a line inked along FRAME_LINE
# of its length at its top and at its bottom
MIN_BOX_BARS = 4
BAR_SPAN = (0.3, 0.7)
BAR_EVENNESS = 0.2
PITCH_SLACK = 0.15
FRAME_LINE = 0.8
# ... and the sides that frame the row span FULL_SPAN of its height: a word standing on a rule
# has upright strokes across its middle too, but only its tallest letters reach its top
FULL_SPAN = (0.1, 0.9)
# a mark is looked at as a row when it is this many times longer than it is tall, and this tall
MIN_ROW_ASPECT = 3.0
MIN_BOX_SIDE = 8


def _bars(blob, span) -> np.ndarray:
    """(start, end) columns of the runs of columns inked all across ``span`` of the blob's height."""
    height = blob.shape[0]
    across = blob[int(span[0] * height):int(np.ceil(span[1] * height))].all(axis=0).astype(np.int8)
    edges = np.diff(np.r_[0, across, 0])
    return np.stack([np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)], 1)


def is_box_row(blob) -> bool:
    """Whether a mark (a boolean image) is a row of character boxes: MIN_BOX_BARS or
    more upright bars across the middle of its height (BAR_SPAN of it) at an even
    pitch (a word on a rule has the strokes of its tall letters there too, unevenly)."""
    bars = _bars(blob, BAR_SPAN)[:, 0]
    if len(bars) < MIN_BOX_BARS:
        return False
    pitch = np.diff(bars)
    return float(pitch.std()) <= BAR_EVENNESS * float(pitch.mean())


def box_sides(blob) -> np.ndarray:
    """The (start, end) columns of the sides of a row of boxes framed by a top and a
    bottom line, on the pitch most of its sides keep; none when ``blob`` is no such row."""
    none = np.zeros((0, 2), int)
    height, width = blob.shape
    band = max(1, height // 4)
    if not (blob[:band].mean(axis=1).max() >= FRAME_LINE and blob[-band:].mean(axis=1).max() >= FRAME_LINE):
        return none
    bars = _bars(blob, FULL_SPAN)
    if len(bars) < MIN_BOX_BARS:
        return none
    centres = bars.mean(axis=1)
    pitch = float(np.median(np.diff(centres)))
    if pitch < MIN_BOX_SIDE:
        return none
    steps = (centres - centres[0]) / pitch
    on_pitch = np.abs(steps - np.round(steps)) <= PITCH_SLACK
    sides = bars[on_pitch]
    # most of the row's boxes have both their sides: not a few strokes that happen to line up
    if len(sides) < max(MIN_BOX_BARS, 0.6 * width / pitch):
        return none
    return sides


def erase_box_rows(mask: np.ndarray) -> np.ndarray:
    """``mask`` (uint8, ink 255) with the frames of its rows and columns of character
    boxes erased, at whatever slant the row lies (its least enclosing rectangle's):
    their upright sides and their top and bottom lines. Writing inside stays, less
    the pixels it shares with the frame."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    short, long = np.minimum(stats[:, 2], stats[:, 3]), np.maximum(stats[:, 2], stats[:, 3])
    # a row lying askew fills a fatter box than its own: its least enclosing rectangle decides
    candidates = np.flatnonzero((long >= 2 * short) & (long >= MIN_BOX_BARS * MIN_BOX_SIDE) & (short >= MIN_BOX_SIDE))
    for k in candidates[candidates > 0]:
        x, y, w, h = stats[k, :4]
        blob = (labels[y:y + h, x:x + w] == k).astype(np.uint8)
        frame = _frame_at_slant(blob)
        if frame is not None:
            mask[y:y + h, x:x + w][(frame > 0) & (blob > 0)] = 0
    return mask


def _frame_at_slant(blob):
    """The frame of a row of boxes (uint8 image of its pixels) lying at any slant, as
    a uint8 image of ``blob``'s size, or None when it is no such row."""
    (cx, cy), _, _ = rect = cv2.minAreaRect(cv2.findNonZero(blob))
    corners = cv2.boxPoints(rect)
    along, across = sorted((corners[(i + 1) % 4] - corners[i] for i in range(2)), key=lambda e: -np.hypot(*e))
    long, short = float(np.hypot(*along)), float(np.hypot(*across))
    if long < MIN_ROW_ASPECT * short or short < MIN_BOX_SIDE:
        return None
    angle = (float(np.degrees(np.arctan2(along[1], along[0]))) + 90.0) % 180.0 - 90.0
    # the row turned level onto a canvas of its own size
    size = (int(np.ceil(long)) + 2, int(np.ceil(short)) + 2)
    turn = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    turn[:, 2] += (size[0] / 2 - cx, size[1] / 2 - cy)
    level = cv2.warpAffine(blob, turn, size, flags=cv2.INTER_NEAREST)
    # a frame of one-pixel lines is told a pixel thicker: turned level, its lines step by a pixel
    frame = _frame(cv2.dilate(level, np.ones((3, 3), np.uint8)) > 0)
    if frame is None:
        return None
    back = cv2.warpAffine(frame, cv2.invertAffineTransform(turn), blob.shape[::-1], flags=cv2.INTER_NEAREST)
    return cv2.dilate(back, np.ones((3, 3), np.uint8))


def _frame(row):
    """The frame of a level row of boxes (a boolean image of its pixels), or None."""
    sides = box_sides(row)
    if len(sides) == 0:
        return None
    frame = np.zeros(row.shape, np.uint8)
    for start, end in sides:
        frame[:, start:end] = 1
    frame[row.mean(axis=1) >= FRAME_LINE] = 1
    return frame
