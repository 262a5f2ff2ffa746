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
    margin = MARGIN_SHARE * max(right - left, bottom - top)
    height, width = scan.shape
    f = scan.to_original
    x0, y0 = max(0, int((left - margin) * f)), max(0, int((top - margin) * f))
    x1, y1 = min(width, int(np.ceil((right + margin) * f))), min(height, int(np.ceil((bottom + margin) * f)))
    # only a photo the reader brings down gains: a small part is not enlarged by more than a photo is
    zoom = min(1.0, working_scale((y1 - y0, x1 - x0))) / min(1.0, working_scale(scan.shape))
    return (x0, y0, x1, y1) if zoom >= MIN_ZOOM else None
