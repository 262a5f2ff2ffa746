"""Where on a photo to read: a photo whose ink lies in a small part of the frame (a
card on a desk, a few words in a 4000-px phone photo) is read from that part, so that
the working sizes (the segmenter's and the detector's) hold its writing larger."""
import numpy as np

from .segment import PageScan, plausible, working_scale

# the part is read instead of the whole photo when it is read at least this much larger
MIN_ZOOM = 1.5
# paper kept round the ink, a share of the ink's long side: the detector judges writing by what
# surrounds it (text heights would not do: on a card lying on a dark desk, the page's text height
# is the card's edge's)
MARGIN_SHARE = 0.1


def focus(scan: PageScan) -> "tuple | None":
    """(x0, y0, x1, y1) in the photo's pixels: the part of the photo that holds all
    its ink (components of text size or larger, not specks) with a margin, when
    reading it alone brings its writing to the working size MIN_ZOOM times larger
    than reading the whole photo does; None otherwise."""
    if scan.height == 0:
        return None
    stats = plausible(scan.components, scan.height)
    if len(stats) == 0:
        return None
    left, top = stats[:, 0].min(), stats[:, 1].min()
    right, bottom = (stats[:, 0] + stats[:, 2]).max(), (stats[:, 1] + stats[:, 3]).max()
    f = scan.to_original
    return _enlarging((left * f, top * f, right * f, bottom * f), scan.shape)


def text_focus(text_cells: np.ndarray, shape: tuple) -> "tuple | None":
    """As ``focus``, for the part of a photo of ``shape`` that holds the cells a
    detector finds text on (``text_cells``, a boolean map over the whole photo):
    the ink's box takes in the folds of a curtain or the grain of a desk that a
    card lies on, the detector's text does not."""
    rows, cols = np.nonzero(text_cells)
    if len(rows) == 0:
        return None
    cell_h, cell_w = shape[0] / text_cells.shape[0], shape[1] / text_cells.shape[1]
    return _enlarging((cols.min() * cell_w, rows.min() * cell_h, (cols.max() + 1) * cell_w,
                       (rows.max() + 1) * cell_h), shape)


def _enlarging(box: tuple, shape: tuple) -> "tuple | None":
    """``box`` (left, top, right, bottom in the photo's pixels) with its margin, as
    whole pixels inside the photo, when reading it alone brings its writing to the
    working size at least MIN_ZOOM times larger than the whole photo; None otherwise."""
    left, top, right, bottom = box
    margin = MARGIN_SHARE * max(right - left, bottom - top)
    height, width = shape[:2]
    x0, y0 = max(0, int(left - margin)), max(0, int(top - margin))
    x1, y1 = min(width, int(np.ceil(right + margin))), min(height, int(np.ceil(bottom + margin)))
    # only a photo the reader brings down gains: a small part is not enlarged by more than a photo is
    zoom = min(1.0, working_scale((y1 - y0, x1 - x0))) / min(1.0, working_scale(shape))
    return (x0, y0, x1, y1) if zoom >= MIN_ZOOM else None
