"""A decoded line -> Line of Words of Characters in photo pixels (the line recognizer's
side of the reader's output)."""
import numpy as np

from ..detection.crops import LineCrop
from ..io.elements import UNKNOWN, Character, Line, Word
from .decode import Decoded

ALTERNATIVES = 3


def to_line(decoded: Decoded, probs: np.ndarray, chars: list, crop: LineCrop, line_box: list, splits=(),
            min_confidence: float = 0.0) -> "Line | None":
    """A ``decode.Decoded`` placed in ``crop`` (a ``detection.crops.LineCrop``; see
    ``preprocess.placed``) -> Line in photo pixels, or None when nothing was read.

    ``probs``: the posteriors it was decoded from, over ``chars`` + blank. Words end
    at the spaces the model wrote and at ``splits`` (crop columns). ``line_box`` is
    the union of the line's character boxes (photo pixels); the characters' boxes
    stay inside it and the ink the crop kept (strokes the segmenter dropped, like
    the last l of a cursive word, are in the crop too). Characters less sure than
    ``min_confidence`` are written as UNKNOWN."""
    ink = crop.inked()
    columns = np.flatnonzero(ink.any(axis=0))
    if not decoded.text.strip() or len(columns) == 0:
        return None
    extent = _extent(crop, ink, line_box)
    # each character owns the columns from halfway to its left neighbour to halfway to its right one
    centres = [(x0 + x1) / 2.0 for x0, x1 in decoded.columns]
    bounds = [float(columns[0])] + [(a + b) / 2.0 for a, b in zip(centres, centres[1:])] + [float(columns[-1] + 1)]
    words, current = [], []
    previous = None   # centre of the word's last character
    for n, ch in enumerate(decoded.text):
        gap = current and any(previous < cut < centres[n] for cut in splits)
        if (ch == " " or gap) and current:
            words.append(Word(current))
            current = []
        if ch == " ":
            continue
        previous = centres[n]
        box = _character_box(crop, ink, bounds[n], bounds[n + 1], extent)
        first, last = decoded.spans[n]
        frame = first + int(np.argmax(probs[first:last + 1, decoded.indices[n]]))
        alternatives = [[chars[c], float(probs[frame, c])] for c in np.argsort(-probs[frame])
                        if c < len(chars)][:ALTERNATIVES]
        conf = decoded.confidences[n]
        current.append(Character(ch if conf >= min_confidence else UNKNOWN, float(conf), box, alternatives))
    if current:
        words.append(Word(current))
    return Line(words, source="lines") if words else None


def _extent(crop, ink, line_box):
    """(x0, y0, x1, y1) photo pixels that hold both the line's boxes and the crop's ink."""
    columns = np.flatnonzero(ink.any(axis=0))
    rows = np.flatnonzero(ink.any(axis=1))
    return (min(line_box[0], crop.photo_x(columns[0])), min(line_box[1], crop.photo_y(rows[0])),
            max(line_box[0] + line_box[2], crop.photo_x(columns[-1] + 1)),
            max(line_box[1] + line_box[3], crop.photo_y(rows[-1] + 1)))


def _character_box(crop, ink, left, right, extent):
    """The photo box of the ink between crop columns ``left`` and ``right`` (none:
    the line's rows), inside ``extent``."""
    a = min(max(0, int(np.floor(left))), ink.shape[1] - 1)
    b = max(a + 1, min(int(np.ceil(right)), ink.shape[1]))
    cols = np.flatnonzero(ink[:, a:b].any(axis=0))
    rows = np.flatnonzero(ink[:, a:b].any(axis=1))
    if len(cols):
        a, b = a + int(cols[0]), a + int(cols[-1]) + 1
    x0, x1 = crop.photo_x(a), crop.photo_x(b)
    y0, y1 = (crop.photo_y(rows[0]), crop.photo_y(rows[-1] + 1)) if len(rows) else (extent[1], extent[3])
    return _box_inside((x0, y0, x1, y1), extent)


def _box_inside(box, extent):
    """[x, y, w, h] integers of ``box`` (x0, y0, x1, y1) clipped to ``extent``, at least 1 x 1."""
    lx0, ly0, lx1, ly1 = (int(np.floor(extent[0])), int(np.floor(extent[1])),
                          int(np.ceil(extent[2])), int(np.ceil(extent[3])))
    x0 = min(max(int(round(box[0])), lx0), lx1 - 1)
    y0 = min(max(int(round(box[1])), ly0), ly1 - 1)
    x1 = max(min(int(round(box[2])), lx1), x0 + 1)
    y1 = max(min(int(round(box[3])), ly1), y0 + 1)
    return [x0, y0, x1 - x0, y1 - y0]
