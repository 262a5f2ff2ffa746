"""Generated photos of pages with handwriting, and their exact truth.

    page = make_page(seed, PageSettings(split="train"))

is seeded (the same seed and settings give the same page) and cheap enough to
call inside training in worker processes: the sources (UniPen strokes, fonts,
text) are loaded once per process and settings. A page is made in four steps:
sheets (paper kind, ruling, printed forms), writing (one hand per sheet in its
slots), placement on a desk (perspective, rotation) and the camera (light,
glare, blur, noise, JPEG, a quarter turn).

Paper kinds (PAPER_KINDS): plain (sometimes under a few typed lines), ruled
(margin line, sometimes a printed 'Date / Page' header), squared, dotted, form
(title, labels, underlines), boxes (one capital or digit per box), table
(printed headings), whiteboard (marker, glare), sticky (notes on a desk) and
card (a card, note or sheet close up: a few lines of large writing, mostly
neat block capitals or digits, filling much of the frame, sometimes beside
printed words of the same size).
Any of them may be white, cream, grey or coloured, show print through from the
back, be written in pencil, or be seen as a small crop.

In worker processes, pass the settings (a frozen dataclass) and a seed:
``pool.map(functools.partial(make_page, settings=settings), seeds)``.
"""
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import InputError
from ..places import SHARED_FONTS, SHARED_LINES, SHARED_TEXT, SHARED_UNIPEN
from ..recognition.corpus import Corpus
from . import photo
from .fonts import font_table, smooth_field
from .capitals import CapitalWriters
from .handwriting import StrokeWriters, choose_hand, choose_neat_hand
from .paper import PAPER_KINDS, make_sheet
from .text import TextSource
from .writing import HandLine, ink_style, lay, pencil_grain, print_ink, uneven_flow, write

SPLITS = ("train", "test")


@dataclass(frozen=True)
class PageSettings:
    """What pages to make. Sizes are the long side of the image in px."""
    split: str = "train"                    # "test": UniPen test writers and held-out fonts only
    long_side: tuple = (512, 1024)          # ordinary photos and scans
    crop_share: float = 0.15                # small crops of one to three lines ...
    crop_side: tuple = (150, 400)           # ... this big
    large_share: float = 0.0                # big phone photos where the writing is a small part ...
    large_side: tuple = (2000, 4000)        # ... this big (slow: off by default)
    far_share: float = 0.1                  # ordinary photos taken from afar: the sheet a small part of the frame
    min_spacing: float = 28.0               # px between lines of writing at the least: a body of 7 px or more,
                                            # so what is written stays legible (0: no floor)
    empty_share: float = 0.05               # nothing handwritten (paper, print and show-through only)
    occlude_share: float = 0.08             # a hand or a pen hides part of the page
    turn_share: float = 0.2                 # turned by 90, 180 or 270 degrees
    stroke_share: float = 0.5               # written by UniPen writers (else by fonts)
    pencil_share: float = 0.12
    kind_weights: tuple = (2, 3, 1.5, 1, 2, 1, 1, 1, 1, 3)   # for PAPER_KINDS, in order
    neat_card_share: float = 0.75           # cards written in neat block capitals and digits (else any hand)
    neat_sticky_share: float = 0.5          # sticky notes written so too
    data_dir: str = SHARED_LINES
    unipen_dir: str = SHARED_UNIPEN         # single capitals and digits
    fonts_dir: str = SHARED_FONTS
    text_dir: str = SHARED_TEXT

    def only(self, kind: str) -> "PageSettings":
        """These settings making pages of paper ``kind`` only."""
        if kind not in PAPER_KINDS:
            raise ValueError(f"paper kind {kind!r}: not one of {PAPER_KINDS}")
        return replace(self, kind_weights=tuple(float(k == kind) for k in PAPER_KINDS))


@dataclass
class GeneratedPage:
    """A generated photo and its truth. ``image`` is (H, W, 3) uint8 BGR (as
    cv2.imread gives); ``hand_mask`` the handwriting's ink coverage and
    ``print_mask`` the printed text's (not handwriting), both (H, W) uint8
    0..255; ``lines`` each handwritten line's outline and text, in reading
    order per sheet; ``turn``: the image is the upright page turned ``turn``
    quarter turns counter-clockwise (``np.rot90(image, -turn)`` is upright);
    ``kind`` the paper kind (one of PAPER_KINDS); ``printed_text`` the strings
    printed on the sheets (labels, titles, typed lines; not show-through),
    some maybe partly out of the frame or hidden."""
    image: np.ndarray
    hand_mask: np.ndarray
    print_mask: np.ndarray
    lines: list = field(default_factory=list)
    turn: int = 0
    kind: str = "plain"
    printed_text: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Sources:
    """What the writing is made from: fonts (FontSpec list), UniPen writers (or
    None), text and UniPen writers' single capitals and digits (or None)."""
    fonts: list
    writers: StrokeWriters
    text: TextSource
    capitals: CapitalWriters = None

    @classmethod
    def load(cls, settings: PageSettings) -> "Sources":
        """The fonts, UniPen writers and text of ``settings.split``; InputError when ../shared lacks them."""
        if settings.split not in SPLITS:
            raise InputError(f"split must be one of {', '.join(SPLITS)}, not {settings.split!r}")
        fonts = font_table(settings.fonts_dir, settings.split)
        corpus = Corpus(settings.data_dir, with_pixels=False)
        try:
            capitals = CapitalWriters(settings.unipen_dir, settings.split)
        except FileNotFoundError as e:
            raise InputError(f"{e.filename or settings.unipen_dir}: missing (UniPen capitals and digits; "
                             "see ../shared/data/README.md)") from None
        return cls(fonts, StrokeWriters(corpus, settings.split), TextSource(settings.text_dir), capitals)


_LOADED = {}


def sources_for(settings: PageSettings) -> Sources:
    """The sources for ``settings``, loaded once per process."""
    key = (settings.split, settings.data_dir, settings.fonts_dir, settings.text_dir, settings.unipen_dir)
    if key not in _LOADED:
        _LOADED[key] = Sources.load(settings)
    return _LOADED[key]


@dataclass
class SheetPlan:
    """One sheet in the frame: its size (w, h) in px, the spacing of its lines of
    writing, the most lines to write, and where it lies (centre, rotation in
    radians, perspective as a fraction of its size)."""
    size: tuple
    spacing: float
    lines: int
    centre: tuple
    angle: float = 0.0
    tilt: float = 0.0


def _crop(rng, s, kind):
    """A small crop of one to three lines: the sheet just overfills the frame."""
    long = rng.uniform(*s.crop_side)
    w, h = int(long), max(60, int(long / rng.uniform(1.2, 4.0)))
    spacing = max(h / rng.uniform(1.2, 3.2), 28.0)   # a body of 8 px or more
    if kind in ("form", "boxes", "table"):   # room for a printed label and its field
        spacing = max(28.0, min(spacing, w / 10))
    grow = rng.uniform(1.0, 1.08)
    return (w, h), [SheetPlan((int(w * grow), int(h * grow)), spacing, 3, (w / 2, h / 2), rng.normal(0, 0.02))]


def _sticky_notes(rng, w, h, far):
    """One to three notes side by side in cells of a 2x2 grid, so that none hides another's writing."""
    plans = []
    for cell in rng.permutation(4)[:int(rng.integers(1, 4))]:
        side = int(min(w, h) * rng.uniform(0.28, 0.4) * (0.4 if far else 1.0))
        centre = (w * (0.27 + 0.46 * (cell % 2)) + rng.normal(0, 0.02) * w,
                  h * (0.27 + 0.46 * (cell // 2)) + rng.normal(0, 0.02) * h)
        plans.append(SheetPlan((side, side), side / rng.uniform(4, 6), 5, centre, rng.normal(0, 0.15), 0.03))
    return plans


def _one_sheet(rng, w, h, kind, far):
    """A board or a sheet of paper (A4-shaped), filling much of the frame or, from afar, little of it."""
    if kind == "whiteboard":
        sw = int(w * rng.uniform(0.8, 1.15))
        size, spacing, lines = (sw, int(sw * 0.7)), sw * 0.7 / rng.uniform(6, 12), 6
    else:
        portrait = rng.random() < 0.8
        fill = rng.uniform(0.15, 0.45) if far else rng.uniform(0.6, 1.0)
        sw0, sh0 = (1.0, 1.414) if portrait else (1.414, 1.0)
        scale = fill * min(w / sw0, h / sh0)
        size = (int(sw0 * scale), int(sh0 * scale))
        spacing = size[1] / rng.uniform(12, 28)
        lines = int(rng.integers(1, 7)) if far else int(rng.integers(3, 26))
    centre = (w / 2 + rng.normal(0, 0.05) * w, h / 2 + rng.normal(0, 0.05) * h)
    angle = rng.normal(0, 0.04) if rng.random() < 0.8 else rng.normal(0, 0.2)
    return SheetPlan(size, spacing, lines, centre, angle, rng.uniform(0, 0.06))


def _card(rng, s):
    """A card or note close up: one to four lines across a frame (often wide) that it
    fills or overfills, from small crops to big scans."""
    roll = rng.random()
    long = rng.uniform(*(s.crop_side if roll < 0.2 else s.large_side if roll < 0.27 else s.long_side))
    w, h = int(long), max(60, int(long / rng.uniform(1.0, 4.0)))
    if rng.random() < 0.15:
        w, h = h, w
    lines = int(rng.integers(1, 5))
    spacing = max(h / rng.uniform(lines + 0.5, lines + 3.0), 28.0)
    grow = rng.uniform(1.02, 1.2) if rng.random() < 0.7 else rng.uniform(0.75, 0.95)   # or on a desk
    centre = (w / 2 + rng.normal(0, 0.02) * w, h / 2 + rng.normal(0, 0.02) * h)
    return (w, h), [SheetPlan((int(w * grow), int(h * grow)), spacing, lines, centre, rng.normal(0, 0.02),
                              rng.uniform(0, 0.03))]


def _frame_and_sheets(rng, s: PageSettings, kind):
    """The frame's size (w, h) and the plans of the sheets in it, the writing legible."""
    if kind == "card":
        return _legible(*_card(rng, s), s)
    roll = rng.random()
    if roll < s.crop_share:
        return _legible(*_crop(rng, s, kind), s)
    large = roll < s.crop_share + s.large_share
    long = rng.uniform(*(s.large_side if large else s.long_side))
    far = large or rng.random() < s.far_share
    w, h = (int(long), int(long * 0.75)) if rng.random() < 0.5 else (int(long * 0.75), int(long))
    if kind == "sticky":
        return _legible((w, h), _sticky_notes(rng, w, h, far), s)
    return _legible((w, h), [_one_sheet(rng, w, h, kind, far)], s)


def _legible(frame, plans, s: PageSettings):
    """The frame and its sheets taken with more pixels (up to ``s.large_side``'s
    top) until their lines of writing are ``s.min_spacing`` px apart; where that
    top is reached, the writing itself grows instead."""
    least = min(plan.spacing for plan in plans)
    if least >= s.min_spacing:
        return frame, plans
    k = max(1.0, min(s.min_spacing / least, s.large_side[1] / max(frame)))
    grown = [replace(plan, size=(int(plan.size[0] * k), int(plan.size[1] * k)),
                     spacing=max(plan.spacing * k, s.min_spacing), centre=(plan.centre[0] * k, plan.centre[1] * k))
             for plan in plans]
    return (int(frame[0] * k), int(frame[1] * k)), grown


def _sheet_layers(rng, s, kind, plan, sources):
    """One sheet made, written and inked: (paper float BGR, hand cover, printed cover, lines, printed strings)."""
    sheet = make_sheet(rng, kind, plan.size, plan.spacing, plan.lines, sources.text)
    marker = kind in ("whiteboard", "sticky") and rng.random() < 0.8
    # one letter per box needs a font: UniPen words cannot be cut into the boxes
    share = 0.0 if kind == "boxes" and sources.fonts else s.stroke_share
    neat_share = {"card": s.neat_card_share, "sticky": s.neat_sticky_share}.get(kind, 0.0)
    if neat_share and rng.random() < neat_share:
        marker = marker or (kind == "card" and rng.random() < 0.35)
        hand = choose_neat_hand(rng, sources.fonts, sources.capitals, marker=marker)
    else:
        hand = choose_hand(rng, sources.fonts, sources.writers, share, marker=marker)
    if rng.random() < s.empty_share:
        sheet.slots = []
    cover, hand_lines = write(rng, sheet, hand, sources.text)
    paper = sheet.paper.astype(np.float32)
    printed = sheet.printed.astype(np.float32) / 255.0
    lay(paper, printed, print_ink(rng), rng.uniform(0.85, 1.0))
    colour, opacity, pencil = ink_style(rng, kind, s.pencil_share)
    lay(paper, pencil_grain(rng, cover) if pencil else uneven_flow(rng, cover), colour, opacity)
    return paper, cover, printed, hand_lines, sheet.printed_text


def _occlude(rng, frame, masks, lines):
    """A hand or pen over the frame: the masks lose what it hides, the lines it touches are incomplete."""
    mask, colour = photo.occluder(rng, frame.shape[1::-1])
    shade = 1.0 + 0.15 * smooth_field(rng, mask.shape, max(mask.shape) / 6)
    hidden = mask.astype(bool)
    frame[hidden] = (shade[hidden, None] * colour).clip(0, 255)
    for m in masks:
        m[hidden] = 0
    h, w = mask.shape
    for line in lines:
        x0, y0 = np.clip(np.floor(line.polygon.min(axis=0)).astype(int), 0, [w, h])
        x1, y1 = np.clip(np.ceil(line.polygon.max(axis=0)).astype(int) + 1, 0, [w, h])
        if hidden[y0:y1, x0:x1].any():
            line.complete = False


def make_page(seed, settings: PageSettings = None, sources: Sources = None) -> GeneratedPage:
    """A generated page for ``seed`` (an int or a numpy Generator)."""
    s = settings or PageSettings()
    sources = sources or sources_for(s)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    weights = np.asarray(s.kind_weights, np.float64)
    if weights.shape != (len(PAPER_KINDS),) or weights.min() < 0 or weights.sum() <= 0:
        raise ValueError(f"kind_weights: {len(PAPER_KINDS)} weights, one per {PAPER_KINDS}, not {s.kind_weights}")
    kind = str(PAPER_KINDS[int(rng.choice(len(PAPER_KINDS), p=weights / weights.sum()))])
    (w, h), plans = _frame_and_sheets(rng, s, kind)
    frame = photo.desk(rng, (w, h), "wall" if kind == "whiteboard" else "")
    hand_mask = np.zeros((h, w), np.float32)
    print_mask = np.zeros((h, w), np.float32)
    lines, printed_text = [], []
    for k, plan in enumerate(plans):
        paper, cover, printed, hand_lines, texts = _sheet_layers(rng, s, kind, plan, sources)
        printed_text += texts
        matrix = photo.placement(rng, plan.size, plan.centre, plan.angle, plan.tilt)
        photo.drop_shadow(rng, frame, matrix, plan.size)
        photo.warp(paper, matrix, (w, h), onto=frame)
        if k:   # a later sheet covers what lies under it
            under = 1.0 - photo.warp(np.ones(paper.shape[:2], np.float32), matrix, (w, h))
            hand_mask *= under
            print_mask *= under
        hand_mask = np.maximum(hand_mask, photo.warp(cover, matrix, (w, h)))
        print_mask = np.maximum(print_mask, photo.warp(printed, matrix, (w, h)))
        for line in hand_lines:
            polygon = photo.points(matrix, line.polygon)
            inside = line.complete and bool(np.all((polygon >= 0) & (polygon <= [w, h])))
            lines.append(HandLine(line.text, polygon, inside))
    if rng.random() < s.occlude_share:
        _occlude(rng, frame, (hand_mask, print_mask), lines)
    photo.light(rng, frame)
    if kind == "whiteboard" or rng.random() < 0.1:
        photo.glare(rng, frame, rng.uniform(0.3, 0.9) if kind == "whiteboard" else rng.uniform(0.1, 0.4))
    image = photo.camera(rng, frame)
    masks = [np.round(m * 255).astype(np.uint8) for m in (hand_mask, print_mask)]
    turn = int(rng.integers(1, 4)) if rng.random() < s.turn_share else 0
    if turn:
        for line in lines:
            line.polygon = photo.turn_points(line.polygon, turn, (w, h))
        image, masks = np.ascontiguousarray(np.rot90(image, turn)), [np.ascontiguousarray(np.rot90(m, turn))
                                                                      for m in masks]
    return GeneratedPage(image, masks[0], masks[1], lines, turn, kind, printed_text)
