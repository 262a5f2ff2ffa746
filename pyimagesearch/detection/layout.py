"""Page layout, in one place: character boxes -> lines (top to bottom) -> words ->
characters (left to right), and the groups of those lines that whole-line reading
cuts out. Tolerances are relative to the character height, never pixels."""
from dataclasses import dataclass

import numpy as np

from ..io.elements import union_box

# a box continues a line when its centre is this close (in character heights) to the
# line's nearest box; a gap wider than WORD_GAP x the line's usual gap starts a word
LINE_TOLERANCE = 0.6
WORD_GAP = 1.8
MIN_WORD_GAP = 0.3
# a line whose characters are this much smaller than the page's, lying (mostly)
# across a bigger line, is a piece of it (a dot, a comma, the tail of a g)
FRAGMENT_HEIGHT = 0.6
FRAGMENT_OVERLAP = 0.5
FRAGMENT_REACH = 0.3   # ... or lying this close (in character heights) above or below it
SIDE_BY_SIDE_ROWS = 0.5  # lines sharing this much of their height, side by side, are one line
# ... unless their core rows lie one above the other and each holds this many marks (a
# line of fewer is the pieces of its neighbour's descenders)
STACKED_LINE = 3
# ... or their marks stand over one another in this share of the narrower's inked columns:
# lines written so close that one's descenders reach below the next one's ascenders (one
# line the reading order cut in two has its words side by side, not one above the other)
STACKED_COLUMNS = 0.5
REACH = 1.0      # ink this close to a line (sideways, in character heights) belongs to it


def group_lines(boxes: list) -> list[list[int]]:
    """Indices of ``boxes`` ([x, y, w, h]) grouped into lines, top line first, each left to right."""
    if not boxes:
        return []
    height = float(np.median([b[3] for b in boxes]))
    lines = []  # each: list of indices, in x order
    for i in sorted(range(len(boxes)), key=lambda k: boxes[k][0]):
        cy = boxes[i][1] + boxes[i][3] / 2
        best, best_distance = None, LINE_TOLERANCE * height
        for line in lines:
            last = boxes[line[-1]]
            distance = abs(cy - (last[1] + last[3] / 2))
            if distance < best_distance:
                best, best_distance = line, distance
        if best is None:
            lines.append([i])
        else:
            best.append(i)
    lines.sort(key=lambda line: np.mean([boxes[i][1] + boxes[i][3] / 2 for i in line]))
    return lines


def split_words(boxes: list, line: list[int]) -> list[list[int]]:
    """Split one line (indices in x order) into words by the gaps between boxes."""
    if len(line) < 2:
        return [list(line)]
    height = float(np.median([boxes[i][3] for i in line]))
    gaps = [boxes[b][0] - (boxes[a][0] + boxes[a][2]) for a, b in zip(line, line[1:])]
    threshold = max(MIN_WORD_GAP * height, WORD_GAP * max(float(np.median(gaps)), 0.0))
    words, current = [], [line[0]]
    for index, gap in zip(line[1:], gaps):
        if gap > threshold:
            words.append(current)
            current = []
        current.append(index)
    words.append(current)
    return words


def reading_order(boxes: list) -> list[list[list[int]]]:
    """Lines of words of box indices, in the order a person reads them."""
    return [split_words(boxes, line) for line in group_lines(boxes)]


@dataclass
class LineGroup:
    """Lines of the reading order that whole-line reading cuts out as one text line."""
    rows: list[int]     # indices into the reading order's lines, left to right
    glyphs: list[int]   # the glyph indices of those lines, in reading order
    word_gaps: list[tuple[int, int]]  # (x end, x start): photo columns between consecutive words of each line
    small: bool         # made of specks only (marks far from any text line): not read whole
    core: tuple         # (top, bottom): its glyphs' ``core_rows``


def line_groups(boxes: list, order: list) -> list[LineGroup]:
    """``order`` (``reading_order(boxes)``) grouped for whole-line reading: a line of
    small pieces lying across (or just above or below) a bigger line joins it, and
    lines side by side at the same height (one sloping or unevenly written line
    that the reading order cut in two) join each other, since each would otherwise
    be cut out with the other's ink. Returns LineGroups, in reading order."""
    if not order:
        return []
    big, page_height = _big_rows(boxes, order)
    groups = []
    for rows, extent in _join_rows(boxes, order, big, page_height):
        glyphs = [i for k in rows for word in order[k] for i in word]
        gaps = [(max(boxes[i][0] + boxes[i][2] for i in a), min(boxes[i][0] for i in b))
                for k in rows for a, b in zip(order[k], order[k][1:])]
        groups.append(LineGroup(rows, glyphs, gaps, not any(big[k] for k in rows), extent.core))
    return groups


def _big_rows(boxes, order):
    """Whether each line is of the page's character size (not a line of pieces), and that size."""
    page_height = float(np.median([b[3] for b in boxes]))
    heights = [float(np.median([boxes[i][3] for word in line for i in word])) for line in order]
    return [h >= FRAGMENT_HEIGHT * page_height for h in heights], page_height


def _join_rows(boxes, order, big, page_height):
    """Indices of ``order``'s lines, grouped as ``line_groups`` says, in reading order,
    each group with its ``_Extent``."""
    spans = [union_box([boxes[i] for word in line for i in word]) for line in order]
    groups = {k: [k] for k in range(len(order))}
    reach = FRAGMENT_REACH * page_height
    for k in range(len(order)):
        if big[k]:
            continue
        _, y, _, h = spans[k]
        best, best_overlap = None, FRAGMENT_OVERLAP * h
        for j in range(len(order)):
            if j == k or j not in groups or not big[j]:
                continue
            overlap = min(y + h, spans[j][1] + spans[j][3] + reach) - max(y, spans[j][1] - reach)
            if overlap > best_overlap:
                best, best_overlap = j, overlap
        if best is not None:
            groups[best].append(k)
            del groups[k]
    extents = {k: _Extent.of([boxes[i] for m in g for word in order[m] for i in word]) for k, g in groups.items()}
    merged = True
    while merged:   # side by side: one line the reading order cut in two
        merged = False
        keys = sorted(groups)
        for a in keys:
            for b in keys:
                if a >= b or a not in groups or b not in groups or not (big[a] and big[b]):
                    continue
                if extents[a].side_by_side(extents[b], page_height):
                    groups[a] = groups[a] + groups.pop(b)
                    extents[a] = _Extent.of(extents[a].boxes + extents.pop(b).boxes)
                    merged = True
    ordered = sorted(groups, key=lambda k: extents[k].box[1] + extents[k].box[3] / 2.0)
    return [(sorted(groups[k], key=lambda m: (spans[m][0], spans[m][1])), extents[k]) for k in ordered]


@dataclass
class _Extent:
    """Where a group of lines lies: its boxes, their union and core rows."""
    boxes: list
    box: list           # [x, y, w, h]
    core: tuple         # ``core_rows``

    @classmethod
    def of(cls, boxes):
        return cls(boxes, union_box(boxes), core_rows(boxes))

    def side_by_side(self, other: "_Extent", page_height: float) -> bool:
        """Whether the two are one line: the gap between them is one a line crop would
        bridge, their rows overlap by SIDE_BY_SIDE_ROWS of the shorter's height, and
        their core rows do not lie one above the other nor their marks in the same
        columns (STACKED_COLUMNS), unless one of them holds fewer than STACKED_LINE
        marks (the pieces of its neighbour's descenders); with less overlap, when one
        is a mark hanging from the other's core rows (``_hangs_from``)."""
        (xa, ya, wa, ha), (xb, yb, wb, hb) = self.box, other.box
        rows = min(ya + ha, yb + hb) - max(ya, yb)
        gap = max(xa, xb) - min(xa + wa, xb + wb)
        if gap > REACH * page_height:
            return False
        if rows < SIDE_BY_SIDE_ROWS * min(ha, hb):
            return self._hangs_from(other) or other._hangs_from(self)
        stacked = (min(self.core[1], other.core[1]) <= max(self.core[0], other.core[0])
                   or _shared_columns(self.boxes, other.boxes) >= STACKED_COLUMNS)
        return not stacked or min(len(self.boxes), len(other.boxes)) < STACKED_LINE

    def _hangs_from(self, other: "_Extent") -> bool:
        """Whether this is one mark that starts inside the other's core rows and ends
        below them: a letter with a long descender beside a line's end, which alone
        is no line."""
        _, y, _, h = self.box
        return len(self.boxes) == 1 and other.core[0] <= y <= other.core[1] < y + h


def _shared_columns(a: list, b: list) -> float:
    """The share of the columns under the boxes of ``a`` or of ``b`` (whichever covers
    fewer) that the other's boxes cover too."""
    left, _, width, _ = union_box(a + b)
    cover = np.zeros((2, width), bool)
    for row, boxes in enumerate((a, b)):
        for x, _, w, _ in boxes:
            cover[row, int(x) - left:int(x + w) - left] = True
    return float((cover[0] & cover[1]).sum()) / max(1, int(cover.sum(axis=1).min()))


def core_rows(boxes: list) -> tuple[float, float]:
    """(top, bottom) of a line of ``boxes``: their median top and bottom, which a long
    descender or a tall capital does not stretch onto the next line."""
    return float(np.median([b[1] for b in boxes])), float(np.median([b[1] + b[3] for b in boxes]))
