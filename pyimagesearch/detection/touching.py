"""Lines that touch: a word whose descender runs into the word below is one
connected mark two text lines tall, which joins the two lines into one for the
layout and the line crops. Such a mark is cut at the row between the lines."""
import numpy as np

from .segment import PageScan

BRIDGE_HEIGHT = 1.8   # a mark at least this tall (text heights) ...
BRIDGE_WIDTH = 1.5    # ... and this wide may join two lines
LINE_MARK = (0.4, 1.3)  # the heights of the ordinary marks that show where the lines lie
NEAR = 3.0            # how far beside the mark (text heights) those marks are looked for
LINE_GAP = 0.9        # their centres, above and below, this far apart: two lines ...
LINE_MARKS = 2        # ... of this many marks each at least
CUT = 2               # rows of the mark erased at the cut


def separate_touching_lines(scan: PageScan) -> PageScan:
    """``scan`` with every mark that joins two text lines cut in two at the row
    between them where the page holds least ink; ``scan`` itself when none does."""
    if scan.height == 0:
        return scan
    labels, stats = scan.components
    h = scan.height
    heights, widths = stats[:, 3], stats[:, 2]
    ordinary = np.flatnonzero((heights >= LINE_MARK[0] * h) & (heights <= LINE_MARK[1] * h))
    centres = stats[ordinary, 1] + stats[ordinary, 3] / 2.0
    mask = None
    for k in np.flatnonzero((heights >= BRIDGE_HEIGHT * h) & (widths >= BRIDGE_WIDTH * h)):
        cut = _cut_row(scan, stats[k], ordinary, centres)
        if cut is None:
            continue
        mask = scan.mask.copy() if mask is None else mask
        x, _, w, _, _ = stats[k]
        band = mask[cut:cut + CUT, x:x + w]
        band[labels[cut:cut + CUT, x:x + w] == k + 1] = 0
    return scan if mask is None else scan.replaced(mask=mask)


def _cut_row(scan, bridge, ordinary, centres):
    """The row at which the mark ``bridge`` (its stats row) is cut, or None when the
    ordinary marks beside it do not lie in two lines across it."""
    x, y, w, height, _ = bridge
    reach = NEAR * scan.height
    stats = scan.components[1]
    beside = ((stats[ordinary, 0] + stats[ordinary, 2] >= x - reach) & (stats[ordinary, 0] <= x + w + reach)
              & (centres >= y) & (centres <= y + height))
    found = np.sort(centres[beside])
    if len(found) < 2 * LINE_MARKS:
        return None
    gaps = np.diff(found)
    split = int(np.argmax(gaps)) + 1
    if gaps[split - 1] < LINE_GAP * scan.height or min(split, len(found) - split) < LINE_MARKS:
        return None
    upper, lower = found[:split].mean(), found[split:].mean()
    a, b = int(upper + scan.height / 4), int(lower - scan.height / 4)
    if b <= a:
        return None
    x0, x1 = max(0, int(x - reach)), int(x + w + reach)
    profile = (scan.mask[a:b, x0:x1] > 0).sum(axis=1)
    return a + int(np.argmin(profile))
