"""Find character candidates on a photo of handwriting.

Everything is relative: the page is brought to a working size, the background is
estimated and removed (uneven light, shadows, dark photos), ruled and form lines
are erased, and size filters follow the detected text height, not fixed pixels.
"""
import dataclasses
import functools
from dataclasses import dataclass

import cv2
import numpy as np

from .box_rows import erase_box_rows
from .glyph_boxes import choose_joins, choose_splits, merge_pieces
from .ink_levels import ink_level
from .tick_boxes import erase_tick_boxes

WORK_LONG_SIDE = 1600  # big scans are read at this size; small photos are enlarged towards it
MIN_WORK_LONG_SIDE = 800
BACKGROUND_SCALE = 0.25
# smaller "text" at working size is grain, not writing (the classifier's 32 px input
# would be blown up from less than a fifth of it); a page thinner than this is blank
MIN_TEXT_HEIGHT = 6
# a sheet lying askew: its rules are erased at the slant of its long thin marks (at most MAX_RULES
# of them) when that is from MIN_RULE_SLANT to MAX_RULE_SLANT degrees
MAX_RULES = 20
RULE_FLATNESS = 0.2
RULE_THICKNESS = 4
MIN_RULE_SLANT, MAX_RULE_SLANT = 0.3, 10.0
# more candidates than this per working megapixel is a texture (noise, speckle, a
# dithered photo), not a page of handwriting; it also bounds the judging work. A
# narrow strip (a crop of one line) is allowed as many as this many megapixels would be.
MAX_CANDIDATES_PER_MEGAPIXEL = 1000
LEAST_TEXTURE_MEGAPIXELS = 0.25
# ... and so is a page this much covered in ink (writing leaves most of the paper bare);
# a crop cut tight around one line of bold writing may be up to half ink
MAX_INK_SHARE = 0.25
MAX_LINE_CROP_INK_SHARE = 0.5
# a character is less than this many text heights tall (taller ink is a rule, an edge, a drawing);
# in such a mark, straight runs CUT_RUN text heights long are pieces of rules (a margin line and a
# faint rule the eraser left in pieces, joining the letters they touch into one tall mark): cut away
MAX_GLYPH_HEIGHTS = 3.0
CUT_RUN = 1.5
# a photo is a crop of one line when a band of rows this many text heights tall, whose ink
# is this many times wider than the band is tall, holds this share of its ink
LINE_CROP_HEIGHTS, LINE_CROP_ASPECT, LINE_CROP_INK = 2.5, 1.5, 0.95
# a frame round writing: from FRAME_SIZES text heights on a side (no taller than a character:
# MAX_GLYPH_HEIGHTS), at most FRAME_ASPECT times longer than wide, each side inked along
# FRAME_SIDE of its length within FRAME_BAND of the box's size
FRAME_SIZES, FRAME_ASPECT, FRAME_SIDE, FRAME_BAND = (0.6, 3.0), 1.6, 0.85, 0.12
# a ring round writing (a circled list number) holds, apart from it, a mark RING_CONTENT times as
# tall as the ring or taller, and is no taller than a character (MAX_GLYPH_HEIGHTS); the ring goes
RING_CONTENT = 0.4
# a word wider than half the page is at most this many text heights tall, and crossed by at
# least MIN_CROSSINGS strokes per text height of its width
MAX_WORD_HEIGHTS = 2.0
MIN_CROSSINGS = 1.0


@dataclass
class Glyph:
    box: tuple  # x, y, w, h in original image pixels
    ink: np.ndarray  # ink strength (bright on dark) of the crop, at working scale


def working_scale(shape):
    """The factor from original to working pixels for an image of ``shape`` (h, w)."""
    long_side = max(shape[:2])
    if long_side > WORK_LONG_SIDE:
        return WORK_LONG_SIDE / long_side
    if long_side < MIN_WORK_LONG_SIDE:
        return MIN_WORK_LONG_SIDE / long_side
    return 1.0


def working_gray(image):
    """Grayscale at the working size, and the factor from working to original pixels."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = working_scale(gray.shape)
    if scale != 1.0:
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interpolation)
    return gray, 1.0 / scale


def ink_map(gray, least_side=0):
    """Ink strength 0-255 after removing the paper's shading (dark ink on light paper).
    The paper is estimated with a kernel of 1/25 of the page's long side, or
    ``least_side`` px when that is wider: it must be wider than the strokes."""
    # the paper varies slowly: estimate it at a quarter of the size (16x less work)
    small = cv2.resize(gray, None, fx=BACKGROUND_SCALE, fy=BACKGROUND_SCALE, interpolation=cv2.INTER_AREA)
    page_side = max(5, (max(small.shape) // 25) | 1)
    side = max(page_side, int(least_side * BACKGROUND_SCALE) | 1)
    # a kernel as wide as a crop of one line is a rectangle: OpenCV closes with one in two
    # passes of a row and a column, where a disc that size takes 15 ms of a 30 ms read
    shape = cv2.MORPH_RECT if side > page_side else cv2.MORPH_ELLIPSE
    kernel = cv2.getStructuringElement(shape, (side, side))
    # closing erases strokes thinner than the kernel: what is left is the paper
    background = cv2.blur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (side, side))
    background = cv2.resize(background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    ink = cv2.subtract(background, gray).astype(np.float32)
    # normalise by the local paper brightness so dark photos get the same contrast
    ink *= 255.0 / np.maximum(background.astype(np.float32), 32.0)
    return np.clip(ink, 0, 255).astype(np.uint8)


def ink_mask(ink, faint=None):
    """Binary mask of the ink above ``ink_level``; ``faint``: (where, level), a boolean
    map where ink from a lower level counts too (writing fainter than the page's print)."""
    level = ink_level(ink)
    if level is None:
        return np.zeros_like(ink)
    mask = ink > level
    if faint is not None:
        where, faint_level = faint
        mask |= where & (ink > faint_level)
    return cv2.morphologyEx(mask.astype(np.uint8) * 255, cv2.MORPH_CLOSE, np.ones((2, 2), np.uint8))


def remove_rules(mask, long):
    """Erase straight lines at least ``long`` pixels long (ruled paper, form boxes, page
    edges), level or, on a sheet lying askew, at the slant of its long lines (``rule_slant``)."""
    long = int(max(15, long))
    lines = cv2.dilate(_straight_lines(mask, long), np.ones((3, 3), np.uint8))
    angle = rule_slant(cv2.bitwise_and(mask, cv2.bitwise_not(lines)), long)
    if angle:
        height, width = mask.shape
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        turned = _straight_lines(cv2.warpAffine(mask, turn, (width, height), flags=cv2.INTER_NEAREST), long)
        back = cv2.warpAffine(turned, cv2.invertAffineTransform(turn), (width, height), flags=cv2.INTER_NEAREST)
        lines |= cv2.dilate(back, np.ones((3, 3), np.uint8))
    return cv2.bitwise_and(mask, cv2.bitwise_not(lines))


def _straight_lines(mask, long):
    """The level and upright runs of ink at least ``long`` pixels long."""
    horizontal = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((1, long), np.uint8))
    vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((long, 1), np.uint8))
    return cv2.bitwise_or(horizontal, vertical)


def rule_slant(mask, long):
    """The slant (degrees, as ``cv2.getRotationMatrix2D`` turns) that levels the
    ink's long thin marks running nearly level: components at least ``long`` wide,
    RULE_FLATNESS as tall or flatter, and in most of their columns RULE_THICKNESS px
    of ink or less (a rule, between the letters it runs through; not a word of
    cursive), a line fitted through each one's pixels in those columns, their
    median; 0 when there are none or they run level already."""
    labels, stats = components(mask)
    angles = []
    for k in np.flatnonzero((stats[:, 2] >= long) & (stats[:, 3] <= RULE_FLATNESS * stats[:, 2]))[:MAX_RULES]:
        x, y, w, h = stats[k, :4]
        blob = labels[y:y + h, x:x + w] == k + 1
        thin = np.count_nonzero(blob, axis=0) <= RULE_THICKNESS
        if np.mean(thin) < 0.5:
            continue
        ys, xs = np.nonzero(blob[:, thin])
        step = max(1, len(xs) // 2000)
        points = np.stack([np.flatnonzero(thin)[xs[::step]], ys[::step]], 1).astype(np.float32)
        vx, vy = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01)[:2, 0]
        angles.append(np.degrees(np.arctan2(vy, vx)))
    if not angles:
        return 0.0
    angle = float(np.median(np.mod(np.array(angles) + 90.0, 180.0) - 90.0))
    return angle if MIN_RULE_SLANT <= abs(angle) <= MAX_RULE_SLANT else 0.0


def components(mask):
    """Connected components as rows [x, y, w, h, area]."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return labels, stats[1:count]


def text_height(stats, specks_vote=True):
    """Typical character height: the area-weighted median of component heights;
    when that is a text's (MIN_TEXT_HEIGHT or more), the median of the components
    at least MIN_TEXT_HEIGHT tall only: shorter ones (grain, specks, the dots of
    dotted paper) cannot be text, yet they pull the median under the writing's.
    A page that is mostly such marks stays under MIN_TEXT_HEIGHT, a blank page:
    noise and speckle (and dotted paper whose dots outweigh small writing), unless
    ``specks_vote`` is False: then the tall marks' median is taken at once."""
    height = _weighted_median_height(stats)
    if height < MIN_TEXT_HEIGHT and specks_vote:
        return height
    return _weighted_median_height(stats[stats[:, 3] >= MIN_TEXT_HEIGHT])


def _weighted_median_height(stats):
    if len(stats) == 0:
        return 0.0
    order = np.argsort(stats[:, 3])
    cumulative = np.cumsum(stats[order, 4])
    return float(stats[order[np.searchsorted(cumulative, cumulative[-1] / 2)], 3])


def plausible(found, height=0.0):
    """The stats of ``found`` (labels, stats) without page edges and shadows (huge
    blobs) and specks (a few pixels). Once the text ``height`` is known, a blob
    taller than half the page is a letter when it is not much taller than the text
    (a tight crop of a word, whose H and l fill it), and a blob wider than half the
    page is a word when it is about as tall as the text, clear of the photo's edges,
    and written across (a joined-up word written large; not a rule, frame or edge)."""
    labels, stats = found
    page_h, page_w = labels.shape
    x, y, w, h = stats[:, :4].T
    tall, wide = h >= 0.5 * page_h, w >= 0.5 * page_w
    keep = ~tall | (h <= MAX_GLYPH_HEIGHTS * height)
    inside = (x > 0) & (y > 0) & (x + w < page_w) & (y + h < page_h)
    for k in np.flatnonzero(wide & keep):
        keep[k] = (height > 0 and inside[k] and 0.5 * height <= h[k] <= MAX_WORD_HEIGHTS * height
                   and _crossings(labels[y[k]:y[k] + h[k], x[k]:x[k] + w[k]] == k + 1) >= MIN_CROSSINGS * w[k] / height)
    return stats[keep & (stats[:, 4] >= 4)]


def _crossings(blob):
    """The most strokes that one row through the middle of ``blob`` (a boolean image) crosses."""
    rows = blob[(np.array([0.3, 0.4, 0.5, 0.6, 0.7]) * blob.shape[0]).astype(int)].astype(np.int8)
    return int((np.count_nonzero(np.diff(rows, axis=1) == 1, axis=1) + rows[:, 0]).max())


def is_texture(scan, stats):
    """Far more ink, or far more ink marks (``stats``), than a page of writing (or a
    crop of one line) holds: noise, speckle, a pattern or a photo of something else."""
    mask = scan.mask
    if len(stats) > MAX_CANDIDATES_PER_MEGAPIXEL * max(mask.size / 1e6, LEAST_TEXTURE_MEGAPIXELS):
        return True
    return is_covered(scan)


def is_covered(scan):
    """Far more of the page covered in ink than writing leaves (or a crop of one line): noise."""
    inked = np.count_nonzero(scan.mask)
    return inked > MAX_INK_SHARE * scan.mask.size and not (inked <= MAX_LINE_CROP_INK_SHARE * scan.mask.size
                                                          and is_line_crop(scan))


def clean_mask(ink, faint=None, specks_vote=True):
    """The ink mask (``ink_mask``) with rules erased, and the text height (0 on a blank
    page, and on one whose only marks were rules and empty boxes; ``specks_vote``: as
    ``text_height``'s)."""
    mask = erase_box_rows(ink_mask(ink, faint))
    # rules that touch the writing would join a whole line into one blob: erase
    # page-long lines before measuring the text, then anything much longer than it
    height = text_height(plausible(components(remove_rules(mask, min(mask.shape) / 2))), specks_vote)
    if height < MIN_TEXT_HEIGHT:
        return mask, 0.0
    mask = erase_tick_boxes(remove_rules(mask, 2.5 * height), height)
    # frames are no taller than a character (FRAME_SIZES) and tall marks are taller: each stage
    # erases only its own marks' ink, so one labelling of the components serves both
    found = components(mask)
    mask = cut_tall_marks(remove_rings(remove_frames(mask, height, found), height, found), height, found)
    return mask, (height if mask.any() else 0.0)


def cut_tall_marks(mask, height, found=None, run_height=None):
    """Erase the straight runs CUT_RUN times ``run_height`` (default: the text
    ``height``) long from the marks as tall as MAX_GLYPH_HEIGHTS text heights (the
    glyph finder drops them whole), so the letters they join come apart (in place).
    ``found``: the mask's (labels, stats), when the caller has them."""
    labels, stats = found or components(mask)
    long = max(3, round(CUT_RUN * (run_height or height)))
    for k in np.flatnonzero(stats[:, 3] >= MAX_GLYPH_HEIGHTS * height):
        x, y, w, h = stats[k, :4]
        # a margin of paper: OpenCV's opening takes what lies beyond the edge for ink
        blob = np.pad(labels[y:y + h, x:x + w] == k + 1, 1).astype(np.uint8) * 255
        runs = cv2.dilate(_straight_lines(blob, long), np.ones((3, 3), np.uint8))[1:-1, 1:-1]
        mask[y:y + h, x:x + w][(blob[1:-1, 1:-1] > 0) & (runs > 0)] = 0
    return mask


def remove_frames(mask, height, found=None):
    """Erase the frames of boxes about the size of a character round writing (a tick
    box, with its tick, is ``tick_boxes``'): a mark whose four sides are each inked
    along FRAME_SIDE of their length, within a band of FRAME_BAND of its size. What is
    drawn inside stays. ``found``: the mask's (labels, stats), when the caller has them."""
    labels, stats = found or components(mask)
    short, long = np.minimum(stats[:, 2], stats[:, 3]), np.maximum(stats[:, 2], stats[:, 3])
    sized = (short >= FRAME_SIZES[0] * height) & (long <= FRAME_SIZES[1] * height) & (long <= FRAME_ASPECT * short)
    for k in np.flatnonzero(sized):
        x, y, w, h = stats[k, :4]
        blob = labels[y:y + h, x:x + w] == k + 1
        band = max(2, round(FRAME_BAND * min(w, h)))
        sides = (blob[:band].any(axis=0), blob[-band:].any(axis=0),
                 blob[:, :band].any(axis=1), blob[:, -band:].any(axis=1))
        if min(side.mean() for side in sides) >= FRAME_SIDE:
            frame = np.zeros_like(blob)
            frame[:band], frame[-band:], frame[:, :band], frame[:, -band:] = True, True, True, True
            mask[y:y + h, x:x + w][blob & frame] = 0
    return mask


def remove_rings(mask, height, found=None):
    """Erase the rings round writing (``remove_frames`` erases square frames): a mark
    no taller than MAX_GLYPH_HEIGHTS text heights, at most FRAME_ASPECT times longer
    than wide, with a hole holding a mark of its own RING_CONTENT times as tall as it
    or taller (a round letter holds none). ``found``: the mask's (labels, stats)."""
    labels, stats = found or components(mask)
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return mask
    widths, heights = stats[:, 2], stats[:, 3]
    ring_sized = ((heights >= MIN_TEXT_HEIGHT) & (heights <= MAX_GLYPH_HEIGHTS * height)
                  & (np.maximum(widths, heights) <= FRAME_ASPECT * np.minimum(widths, heights)))
    # RETR_CCOMP: a hole's parent is the outer boundary of the mark round it
    for hole, parent in ((c, p) for c, p in zip(contours, hierarchy[0][:, 3]) if p >= 0):
        column, row = contours[parent][0, 0]
        ring = labels[row, column]
        if not ring_sized[ring - 1]:
            continue
        x, y, w, h = stats[ring - 1, :4]
        hx, hy, hw, hh = cv2.boundingRect(hole)
        inside = np.unique(labels[hy:hy + hh, hx:hx + hw])
        inside = inside[(inside != 0) & (inside != ring)]
        if any(stats[k - 1, 3] >= RING_CONTENT * h and _within(stats[k - 1, :4], (hx, hy, hw, hh)) for k in inside):
            mask[y:y + h, x:x + w][labels[y:y + h, x:x + w] == ring] = 0
    return mask


def _within(box, outer):
    x, y, w, h = box
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


@dataclass
class PageScan:
    """A page at working size: its ink map, the ink mask with rules erased, the text
    height, the factor from working to original pixels, and the grey photo the ink
    map was made from. Computed once per photo."""
    ink: np.ndarray
    mask: np.ndarray
    height: float
    to_original: float
    shape: tuple  # the original image's (height, width)
    gray: np.ndarray

    @classmethod
    def of(cls, image):
        shape = image.shape[:2]
        scale = working_scale(shape)
        if min(shape) * scale < MIN_TEXT_HEIGHT:  # no room for a line of text (nor for resizing)
            blank = np.zeros((max(1, round(shape[0] * scale)), max(1, round(shape[1] * scale))), np.uint8)
            return cls(blank, blank, 0.0, 1.0 / scale, shape, blank + 255)
        gray, to_original = working_gray(image)
        ink = ink_map(gray)
        mask, height = clean_mask(ink)
        return cls(ink, mask, height, to_original, shape, gray)

    @functools.cached_property
    def components(self):
        """(labels, stats) of the ink mask's connected components, found once per page."""
        return components(self.mask)

    def with_faint_ink(self, where, level) -> "PageScan":
        """This scan with the ink inside the boolean map ``where`` taken from ``level``
        (under the page's ``ink_level``), rules erased and the text height measured again."""
        mask, height = clean_mask(self.ink, (where, level))
        return dataclasses.replace(self, mask=mask, height=height)

    def without_specks(self) -> "PageScan":
        """This scan with its text height voted by the marks MIN_TEXT_HEIGHT tall or
        taller alone and rules erased against it: a page whose specks outweigh its
        writing (small writing on dotted paper) once something else (the learned
        detector) tells which of its ink is writing."""
        mask, height = clean_mask(self.ink, specks_vote=False)
        return dataclasses.replace(self, mask=mask, height=height)

    def replaced(self, **changes) -> "PageScan":
        """This scan with ``changes`` (a new mask among them), its text height measured
        again on the new mask (0 when what is left is too small to be text)."""
        scan = dataclasses.replace(self, **changes)
        height = text_height(plausible(scan.components, self.height))
        scan.height = height if height >= MIN_TEXT_HEIGHT else 0.0
        return scan

    def with_tall_marks_cut(self, run_height) -> "PageScan":
        """This scan with its marks too tall for a character at its own text height
        cut along runs CUT_RUN times ``run_height`` long (``cut_tall_marks``): after
        part of the ink is dropped (print, drawings), the text height measured again
        on the writing is smaller than the page's, and a mark the page's cut left may
        now be too tall. The runs stay as long as the page's cut: at the writing's
        height a tall letter's stem would count as one. Its text height is kept."""
        labels, stats = self.components
        if self.height == 0 or not np.any(stats[:, 3] >= MAX_GLYPH_HEIGHTS * self.height):
            return self
        mask = cut_tall_marks(self.mask.copy(), self.height, (labels, stats), run_height)
        return dataclasses.replace(self, mask=mask)


def is_line_crop(scan: PageScan) -> bool:
    """Whether the photo is a crop of one line of writing: (almost) all its ink lies
    in one band of rows at most LINE_CROP_HEIGHTS text heights tall (rows closer than
    a third of a text height count as one band), and the band's ink is wider than tall."""
    if scan.height == 0:
        return False
    ink_rows = (scan.mask > 0).sum(axis=1)
    rows = np.flatnonzero(ink_rows)
    starts = np.r_[0, np.flatnonzero(np.diff(rows) > max(1.0, scan.height / 3)) + 1]
    bands = [(rows[a], rows[b - 1] + 1) for a, b in zip(starts, np.r_[starts[1:], len(rows)])]
    top, bottom = max(bands, key=lambda band: ink_rows[band[0]:band[1]].sum())
    columns = np.flatnonzero(scan.mask[top:bottom].any(axis=0))
    return (bottom - top <= LINE_CROP_HEIGHTS * scan.height
            and columns[-1] - columns[0] >= LINE_CROP_ASPECT * (bottom - top)
            and ink_rows[top:bottom].sum() >= LINE_CROP_INK * ink_rows.sum())


def find_glyphs(image, judge=None, scan=None):
    """Character candidates of a BGR or gray image, each with its ink crop.

    ``judge`` (optional) scores ink crops, e.g. by classifier confidence, to decide
    whether a wide blob is one character or several touching ones, and whether two
    touching narrow pieces are one character. ``scan`` is the
    page's PageScan when the caller already has it."""
    scan = scan or PageScan.of(image)
    ink, mask, height, to_original = scan.ink, scan.mask, scan.height, scan.to_original
    if height == 0:
        return []
    stats = plausible(scan.components, height)
    stats = stats[stats[:, 3] * np.maximum(stats[:, 2], 1) >= (0.06 * height) ** 2 * 4]
    if is_texture(scan, stats):
        return []
    boxes = [tuple(b) for b in merge_pieces([tuple(s[:4]) for s in stats], height)]

    def crop(box):
        x, y, w, h = box
        return ink[y:y + h, x:x + w] * (mask[y:y + h, x:x + w] > 0)

    boxes = choose_splits(boxes, mask, height, crop, judge)
    boxes = choose_joins(boxes, height, crop, judge)
    # what is left of a character: at least a third of the text height, or a real mark
    boxes = [b for b in boxes if b[3] >= 0.3 * height and b[3] < MAX_GLYPH_HEIGHTS * height]
    return [Glyph(_to_original(box, to_original, scan.shape), crop(box)) for box in boxes]


def _to_original(box, factor, shape):
    """A working-scale box in original pixels: inside the image, at least 1x1."""
    height, width = shape
    x, y, w, h = box
    x0 = min(int(x * factor), width - 1)
    y0 = min(int(y * factor), height - 1)
    x1 = min(max(x0 + 1, int(round((x + w) * factor))), width)
    y1 = min(max(y0 + 1, int(round((y + h) * factor))), height)
    return (x0, y0, x1 - x0, y1 - y0)
