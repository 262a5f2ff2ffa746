"""Whole-line reading for the reader: the CTC line recognizer on each text line.

``HandwritingReader`` finds character boxes and groups them into lines
(``models.builder.reading_order``). Here each such line is cut out of the photo
and read in one pass by the line model (``recognition.recognizer``):

* ``PageInk``      the segmenter's own ink map of the photo (paper shading
                   removed, ruled lines erased), computed by ``detection.segment``
* ``line_crop``    a line's union box plus a margin relative to its character
                   height, keeping only the ink components that sit on that line,
                   as dark ink on white paper (what ``recognition.preprocess`` wants)
* ``cut_lines``    all the lines of a page through the recognizer's network
* ``decode_line``  one line's posteriors decoded into ``Line``/``Word``/``Character``
                   with photo boxes: words split on the spaces the model writes, each
                   character's x range from its CTC alignment, its y range from its
                   ink inside the line box
* ``choose``       the ``auto`` mode's rule: the character classifier where it is
                   strong (clean, uniform block capitals and digits it reads with
                   confidence), the line recognizer elsewhere

Nothing here imports TensorFlow; a ``.keras`` line model imports Keras when loaded.
"""
import os
import sys
from dataclasses import dataclass

import cv2
import numpy as np

from .detection.segment import components
from .errors import InputError
from .labels import charset_chars
from .metrics import levenshtein
from .io.elements import UNKNOWN, Character, Line, Word, union_box

MODES = ("chars", "lines", "auto")
ALTERNATIVES = 3

# the crop around a line's characters, in character heights
MARGIN_Y = 0.12
MARGIN_X = 0.35
REACH = 1.0      # a stroke this close to the line (sideways) belongs to it
OVERHANG = 0.8   # ascenders and descenders may reach this far above and below the boxes
SOFT_EDGE = 1    # px of ink kept around the mask's strokes (their anti-aliased edges)
TALLEST = 3.0    # taller ink is a page edge, a margin rule or a shadow, not a stroke
# a line whose characters are this much smaller than the page's, lying (mostly)
# across a bigger line, is a piece of it (a dot, a comma, the tail of a g)
FRAGMENT_HEIGHT = 0.6
FRAGMENT_OVERLAP = 0.5
FRAGMENT_REACH = 0.3   # ... or lying this close (in character heights) above or below it
SIDE_BY_SIDE_ROWS = 0.5  # lines sharing this much of their height, side by side, are one line
WORD_SPACE = 0.4   # an ink-free gap this wide (character heights) at a reading-order word gap ends a word

# ``auto`` keeps the classifier's line when its characters segment cleanly (no
# box much wider than tall, all of about one size) and it reads them confidently;
# measured on ../shared/images-dev and images/: block capitals and digits 0.73-0.99,
# mixed case and cursive 0.45-0.65 (see choose)
AUTO_MAX_ASPECT = 2.0          # width / height of the widest box
AUTO_MAX_HEIGHT_SPREAD = 0.2   # std / mean of the box heights
AUTO_SURE = 0.85               # mean classifier confidence: chars, whatever the line model says
AUTO_LIKELY = 0.70             # ... chars unless the line model reads lower case there
AUTO_MIN_UPPER_SHARE = 0.5     # capitals and digits among what the line model read
# the classifier's line is also kept when the line model reads the same capitals
AUTO_AGREE_UPPER_SHARE = 0.8
AUTO_MIN_AGREEMENT = 0.6


# ---------------------------------------------------------------- loading

def load_line_recognizer(path, runtime="auto"):
    """The line model at ``path``; like the classifier, a ``.tflite`` twin beside a
    ``.keras`` file runs on LiteRT (no TensorFlow) unless ``runtime`` is 'keras'."""
    from .models import store
    from .recognition.recognizer import LineRecognizer
    return store.load_with_runtime(path, runtime, _lite, LineRecognizer)


def _lite(path):
    from .recognition.recognizer import LineRecognizer
    try:
        return LineRecognizer(path)
    except (ValueError, RuntimeError) as e:
        raise InputError(f"{path}: not a valid LiteRT line model ({str(e).splitlines()[0]})") from None


def resolve_mode(mode, line_model, runtime="auto", explicit=False, err=sys.stderr):
    """(effective mode, recognizer or None). ``auto`` without a line model file is
    ``chars`` (a warning only when the path was given explicitly); ``lines``
    without one is an InputError."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r}: choose one of {', '.join(MODES)}")
    if mode == "chars":
        return "chars", None
    if not line_model:
        if mode == "lines":
            raise InputError("--mode lines needs a line model (--line-model PATH)")
        return "chars", None
    if not os.path.isfile(line_model):
        if mode == "lines":
            raise InputError(f"{line_model}: no such line model file (needed by --mode lines)")
        if explicit:
            print(f"[WARNING] {line_model}: no such line model file; reading characters only", file=err)
        return "chars", None
    return mode, load_line_recognizer(line_model, runtime)


# ---------------------------------------------------------------- the page's ink

@dataclass
class PageInk:
    ink: np.ndarray        # ink strength 0-255 at working scale
    labels: np.ndarray     # connected components of the ink mask, rules erased
    stats: np.ndarray      # their rows [x, y, w, h, area] (component k is labels == k + 1)
    to_original: float     # working -> original pixels

    @classmethod
    def of(cls, scan):
        """The components of the segmenter's own scan of the page (a PageScan)."""
        labels, stats = components(scan.mask)
        return cls(scan.ink, labels, stats, scan.to_original)


def line_crop(page_ink, boxes, margin_x=None, margin_y=None):
    """Cut the line holding the character ``boxes`` (original pixels).

    The ink kept is that of the components whose centre lies inside the boxes'
    rows (so the lines above and below stay out) and that reach the boxes, or a
    component reaching them, within a gap of ``REACH`` character heights (the
    strokes the segmenter dropped, like the tall l of a cursive word, come back).
    Returns (uint8 dark ink on white paper, (x0, y0) of the crop in working
    pixels), or None when there is no ink."""
    margin_x = MARGIN_X if margin_x is None else margin_x
    margin_y = MARGIN_Y if margin_y is None else margin_y
    s = page_ink.to_original
    height = float(np.median([b[3] for b in boxes])) / s
    x, y, w, h = (v / s for v in union_box(boxes))
    st = page_ink.stats
    if len(st) == 0:
        return None
    cy = st[:, 1] + st[:, 3] / 2.0
    H, W = page_ink.ink.shape
    candidates = np.flatnonzero((cy >= y) & (cy <= y + h) & (st[:, 4] >= max(4.0, (0.05 * height) ** 2))
                                & (st[:, 2] < 0.5 * W) & (st[:, 3] <= max(TALLEST * height, h)))
    left, right = x, x + w
    chosen = set()
    while True:   # grow the line sideways, one reachable component at a time
        added = False
        for k in candidates:
            if k in chosen:
                continue
            a, b = st[k, 0], st[k, 0] + st[k, 2]
            if a <= right + REACH * height and b >= left - REACH * height:
                chosen.add(k)
                left, right = min(left, a), max(right, b)
                added = True
        if not added:
            break
    if not chosen:
        return None
    chosen = np.array(sorted(chosen))
    top = max(float(st[chosen, 1].min()), y - OVERHANG * height)
    bottom = min(float((st[chosen, 1] + st[chosen, 3]).max()), y + h + OVERHANG * height)
    top, bottom = min(top, y), max(bottom, y + h)
    margin_y *= height
    x0, x1 = max(0, int(left - margin_x * height)), min(W, int(np.ceil(right + margin_x * height)))
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
    return (255 - ink).astype(np.uint8), (x0, y0)


# ---------------------------------------------------------------- fragments

def absorb_fragments(boxes, lines):
    """Group the reader's lines (each a list of words of box indices) for whole-line
    reading: a line of small pieces lying across (or just above or below) a bigger
    line joins it, and lines side by side at the same height (one sloping or
    unevenly written line that the reading order cut in two) join each other,
    since each would otherwise be cut out with the other's ink.

    Returns (groups, small): the groups as lists of indices into ``lines``, in
    reading order, and for each whether it is made of such pieces only (specks,
    marks far from any text line: not read whole)."""
    if not lines:
        return [], []
    members = [[i for word in line for i in word] for line in lines]
    heights = [float(np.median([boxes[i][3] for i in m])) for m in members]
    spans = [union_box([boxes[i] for i in m]) for m in members]
    page_height = float(np.median([b[3] for b in boxes]))
    big = [hk >= FRAGMENT_HEIGHT * page_height for hk in heights]
    groups = {k: [k] for k in range(len(lines))}
    for k in range(len(lines)):
        if big[k]:
            continue
        _, y, _, h = spans[k]
        best, best_overlap = None, FRAGMENT_OVERLAP * h
        reach = FRAGMENT_REACH * page_height
        for j in range(len(lines)):
            if j == k or j not in groups or not big[j]:
                continue
            overlap = min(y + h, spans[j][1] + spans[j][3] + reach) - max(y, spans[j][1] - reach)
            if overlap > best_overlap:
                best, best_overlap = j, overlap
        if best is not None:
            groups[best].append(k)
            del groups[k]
    boxes_of = {k: union_box([spans[m] for m in g]) for k, g in groups.items()}
    merged = True
    while merged:   # side by side: overlapping rows, a gap a line crop would bridge
        merged = False
        keys = sorted(groups)
        for a in keys:
            for b in keys:
                if a >= b or a not in groups or b not in groups or not (big[a] and big[b]):
                    continue
                A, B = boxes_of[a], boxes_of[b]
                rows = min(A[1] + A[3], B[1] + B[3]) - max(A[1], B[1])
                gap = max(A[0], B[0]) - min(A[0] + A[2], B[0] + B[2])
                if rows >= SIDE_BY_SIDE_ROWS * min(A[3], B[3]) and gap <= REACH * page_height:
                    groups[a] = groups[a] + groups.pop(b)
                    boxes_of[a] = union_box([A, B])
                    merged = True
    order = sorted(groups, key=lambda k: boxes_of[k][1] + boxes_of[k][3] / 2.0)
    result = [sorted(groups[k], key=lambda m: (spans[m][0], spans[m][1])) for k in order]
    small = [not any(big[m] for m in g) for g in result]
    return result, small


# ---------------------------------------------------------------- reading

def allowed_classes(charset, recognizer_chars):
    """Mask over the line model's classes (+ blank) for --charset, or None."""
    if not charset:
        return None
    chars = charset_chars(charset)
    mask = np.array([c in chars or c == " " for c in recognizer_chars] + [True])
    if not mask[:-1].any():
        return None
    return mask


@dataclass
class LineCut:
    """One line cut out of the page and the line model's posteriors for it."""
    image: np.ndarray      # the crop, dark ink on white
    origin: tuple          # its top-left corner at working scale
    probs: np.ndarray      # (frames, classes), restricted to --charset
    stretch: float         # how much the recognizer widened the crop's input


def cut_lines(recognizer, page_ink, boxes, groups, charset=None):
    """One ``LineCut`` (or None when there is nothing to cut) per group of box
    indices: the crops, read by the network in one batch."""
    crops = [line_crop(page_ink, [boxes[i] for i in group]) for group in groups]
    present = [g for g, crop in enumerate(crops) if crop is not None]
    cuts = [None] * len(groups)
    if not present:
        return cuts
    posteriors = recognizer.posteriors([crops[g][0] for g in present])
    allowed = allowed_classes(charset, list(recognizer.charset.chars))
    for g, (probs, stretch) in zip(present, posteriors):
        probs = np.asarray(probs, np.float64)
        if allowed is not None:
            probs = probs * allowed
            probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
        cuts[g] = LineCut(crops[g][0], crops[g][1], probs, stretch)
    return cuts


def decode_line(recognizer, cut, page_ink, boxes, group, min_confidence=0.0, beam_width=None, word_gaps=None):
    """A ``LineCut`` decoded (``beam_width`` None: the recognizer's own decoding,
    0: greedy) into a ``Line`` in photo pixels, or None when nothing was read.

    ``word_gaps``: the (x end, x start) photo columns between the words the
    reading order found on the line; where such a gap is also empty of ink in
    the crop, the words are split even if the line model wrote no space."""
    if cut is None:
        return None
    decoded = recognizer.decode(cut.probs, beam_width)
    splits = []
    if word_gaps:
        height = float(np.median([boxes[i][3] for i in group])) / page_ink.to_original
        splits = empty_gaps(cut.image, cut.origin, page_ink.to_original, word_gaps, height)
    return to_line(decoded, cut.probs, list(recognizer.charset.chars), cut.image, cut.origin,
                   page_ink.to_original, union_box([boxes[i] for i in group]), min_confidence, splits, cut.stretch)


def empty_gaps(image, origin, to_original, gaps, height):
    """Crop columns where a word ends: the middle of the widest ink-free run of
    columns inside each of ``gaps`` (photo columns), when it is at least
    ``WORD_SPACE`` character heights (``height``, crop pixels) wide."""
    empty = ~(image < 128).any(axis=0)
    splits = []
    for g0, g1 in gaps:
        a = max(0, int(np.ceil(g0 / to_original - origin[0])))
        b = min(len(empty), int(np.floor(g1 / to_original - origin[0])))
        best, run, start = (0, 0), 0, a
        for c in range(a, b):
            if empty[c]:
                if run == 0:
                    start = c
                run += 1
                if run > best[0]:
                    best = (run, start)
            else:
                run = 0
        if best[0] >= WORD_SPACE * height:
            splits.append(best[1] + best[0] / 2.0)
    return sorted(splits)


def to_line(decoded, probs, chars, image, origin, to_original, line_box, min_confidence=0.0, splits=(),
            stretch=1.0):
    """A decoded line -> Line of Words of Characters in photo pixels, or None.

    Words end at the spaces the model wrote and at ``splits`` (crop columns).
    ``line_box`` is the union of the line's character boxes (photo pixels); the
    characters' boxes stay inside it and the ink the crop kept (strokes the
    segmenter dropped, like the last l of a cursive word, are in the crop too).
    ``stretch``: how much the recognizer widened the crop's input (``posteriors``)."""
    from .recognition.preprocess import HEIGHT, STRIDE
    ink = image < 128
    columns = np.flatnonzero(ink.any(axis=0))
    rows = np.flatnonzero(ink.any(axis=1))
    if not decoded.text.strip() or len(columns) == 0:
        return None
    ox, oy = origin
    kept = [(ox + columns[0]) * to_original, (oy + rows[0]) * to_original,
            (ox + columns[-1] + 1) * to_original, (oy + rows[-1] + 1) * to_original]
    lx0, ly0 = min(line_box[0], kept[0]), min(line_box[1], kept[1])
    lx1, ly1 = max(line_box[0] + line_box[2], kept[2]), max(line_box[1] + line_box[3], kept[3])
    # each character owns the columns from halfway to its left neighbour to halfway to its right one
    scale = image.shape[0] / float(HEIGHT) / stretch   # crop columns per input column
    centres = [((first + last + 1) / 2.0) * STRIDE * scale for first, last in decoded.spans]
    bounds = [float(columns[0])] + [(a + b) / 2.0 for a, b in zip(centres, centres[1:])] + [float(columns[-1] + 1)]
    words, current = [], []
    previous = None   # centre of the word's last character
    for n, (ch, conf, (first, last)) in enumerate(zip(decoded.text, decoded.confidences, decoded.spans)):
        gap = current and any(previous < cut < centres[n] for cut in splits)
        if (ch == " " or gap) and current:
            words.append(Word(current))
            current = []
        if ch == " ":
            continue
        previous = centres[n]
        a = min(max(0, int(np.floor(bounds[n]))), image.shape[1] - 1)
        b = max(a + 1, min(int(np.ceil(bounds[n + 1])), image.shape[1]))
        # tightened to the ink inside the character's columns (none: the line's rows)
        cols = np.flatnonzero(ink[:, a:b].any(axis=0))
        rws = np.flatnonzero(ink[:, a:b].any(axis=1))
        if len(cols):
            a, b = a + int(cols[0]), a + int(cols[-1]) + 1
        x0, x1 = (ox + a) * to_original, (ox + b) * to_original
        y0, y1 = ((oy + rws[0]) * to_original, (oy + rws[-1] + 1) * to_original) if len(rws) else (ly0, ly1)
        box = _box_inside(x0, y0, x1, y1, lx0, ly0, lx1, ly1)
        frame = first + int(np.argmax(probs[first:last + 1, decoded.indices[n]]))
        alternatives = [[chars[c], float(probs[frame, c])] for c in np.argsort(-probs[frame])
                        if c < len(chars)][:ALTERNATIVES]
        char = ch if conf >= min_confidence else UNKNOWN
        current.append(Character(char, float(conf), box, alternatives))
    if current:
        words.append(Word(current))
    return Line(words) if words else None


def _box_inside(x0, y0, x1, y1, lx0, ly0, lx1, ly1):
    """[x, y, w, h] integers of the box clipped to the line's, at least 1 x 1."""
    lx0, ly0, lx1, ly1 = int(np.floor(lx0)), int(np.floor(ly0)), int(np.ceil(lx1)), int(np.ceil(ly1))
    x0 = min(max(int(round(x0)), lx0), lx1 - 1)
    y0 = min(max(int(round(y0)), ly0), ly1 - 1)
    x1 = max(min(int(round(x1)), lx1), x0 + 1)
    y1 = max(min(int(round(y1)), ly1), y0 + 1)
    return [x0, y0, x1 - x0, y1 - y0]


# ---------------------------------------------------------------- auto

@dataclass
class LineEvidence:
    """What ``auto`` weighs for one line."""
    char_confidence: float   # mean top probability of the classifier's characters
    max_aspect: float        # widest box: width / height
    height_spread: float     # std / mean of the box heights
    chars_text: str          # the classifier's reading (no spaces)
    line_text: str           # the line model's reading (no spaces)

    @property
    def upper_share(self):
        """Share of capitals and digits among the line model's letters and digits."""
        alnum = [c for c in self.line_text if c.isalnum()]
        return sum(c.isupper() or c.isdigit() for c in alnum) / len(alnum) if alnum else 0.0

    @property
    def agreement(self):
        """1 - normalised edit distance between the two readings, case ignored."""
        a, b = self.chars_text.upper(), "".join(c for c in self.line_text.upper() if c.isalnum())
        if not a and not b:
            return 1.0
        return 1.0 - levenshtein(a, b) / max(len(a), len(b))

    @property
    def clean_segmentation(self):
        return self.max_aspect <= AUTO_MAX_ASPECT and self.height_spread <= AUTO_MAX_HEIGHT_SPREAD


def evidence(boxes, confidences, chars_text, line_text):
    b = np.asarray(boxes, np.float64)
    heights = np.maximum(b[:, 3], 1.0)
    return LineEvidence(char_confidence=float(np.mean(confidences)),
                        max_aspect=float(np.max(b[:, 2] / heights)),
                        height_spread=float(np.std(heights) / np.mean(heights)),
                        chars_text="".join(chars_text.split()),
                        line_text="".join(line_text.split()))


def choose(ev):
    """'chars' or 'lines' for one line in ``auto`` mode.

    The classifier wins on isolated block capitals and digits, the line model on
    joined-up or mixed-case writing (which the segmenter cuts badly, and whose
    lower case the classifier does not know). So: chars when the boxes are clean
    and the classifier is sure (>= AUTO_SURE), or fairly sure (>= AUTO_LIKELY) and
    the line model also reads mostly capitals and digits there; chars as well when
    the line model reads capitals that agree with the classifier; else lines."""
    if ev.clean_segmentation:
        if ev.char_confidence >= AUTO_SURE:
            return "chars"
        if ev.char_confidence >= AUTO_LIKELY and ev.upper_share >= AUTO_MIN_UPPER_SHARE:
            return "chars"
    if ev.upper_share >= AUTO_AGREE_UPPER_SHARE and ev.agreement >= AUTO_MIN_AGREEMENT:
        return "chars"
    return "lines"
