"""Whole-line reading: each line group cut out of the page (``detection.crops``),
read in one pass by the CTC line recognizer (``recognition.recognizer``) and
placed back on the photo (``recognition.elements``)."""
from dataclasses import dataclass

import numpy as np

from ..detection.crops import LineCrop, PageInk, line_crop
from ..detection.layout import LineGroup
from ..detection.segment import PageScan, is_line_crop
from ..io.elements import Line, union_box
from ..labels import charset_mask, restrict
from ..recognition.elements import to_line
from ..recognition.preprocess import HEIGHT, placed

# the line model reads at most this many model-input columns a page (a whole form
# of writing takes well under half): past it, lines keep the classifier's reading,
# so that a page of thousands of marks cannot take minutes
LINE_COLUMN_BUDGET = 24_000


@dataclass
class LineCut:
    """One line cut out of the page and the line model's posteriors for it."""
    crop: LineCrop
    probs: np.ndarray      # (frames, classes), restricted to --charset
    stretch: float         # how much the recognizer widened the crop's input


def line_crops(scan: PageScan, boxes: list, groups: list[LineGroup]) -> list["LineCrop | None"]:
    """One LineCrop per group, cut from the page's ink (``PageInk``, measured again
    for a photo of one line). Specks far from any line are not cut (None): the
    line model makes words of anything."""
    page_ink = PageInk.of(scan, one_line=is_line_crop(scan))
    return [None if group.small else
            line_crop(page_ink, [boxes[i] for i in group.glyphs], group.core,
                      [other.core for other in groups if other is not group and not other.small])
            for group in groups]


class LineReader:
    """The line recognizer (a ``LineRecognizer``, or anything with its ``charset``,
    ``posteriors`` and ``decode``) on a page's line groups."""

    def __init__(self, recognizer, charset=None, min_confidence=0.0):
        self.recognizer = recognizer
        self.chars = list(recognizer.charset.chars)
        mask = charset_mask(charset, self.chars, always=" ")
        self.allowed = None if mask is None else np.append(mask, True)   # the blank is always allowed
        self.min_confidence = min_confidence

    def affordable(self, boxes: list, groups: list[LineGroup]) -> list[bool]:
        """Per group, in reading order, whether the line model reads it within the
        page's ``LINE_COLUMN_BUDGET`` (by the width its character boxes give at the
        model's height; specks are never read whole and cost nothing)."""
        spent, fits = 0.0, []
        for group in groups:
            if not group.small:
                _, _, w, h = union_box([boxes[i] for i in group.glyphs])
                spent += HEIGHT * w / max(h, 1)
            fits.append(group.small or spent <= LINE_COLUMN_BUDGET)
        return fits

    def cut(self, scan: PageScan, boxes: list, groups: list[LineGroup]) -> list["LineCut | None"]:
        """One ``LineCut`` per LineGroup (None where there is nothing to cut): the
        crops (``line_crops``), read by the network in one batch."""
        crops = line_crops(scan, boxes, groups)
        present = [g for g, crop in enumerate(crops) if crop is not None]
        cuts = [None] * len(groups)
        if not present:
            return cuts
        posteriors = self.recognizer.posteriors([crops[g].image for g in present])
        for g, (probs, stretch) in zip(present, posteriors):
            cuts[g] = LineCut(crops[g], restrict(np.asarray(probs, np.float64), self.allowed), stretch)
        return cuts

    def decode(self, cut: "LineCut | None", boxes: list, group: LineGroup, beam_width: int = None) -> "Line | None":
        """A ``LineCut`` decoded (``beam_width`` None: the recognizer's own decoding,
        0: greedy) into a Line in photo pixels, or None when nothing was read.

        Where a word gap of the reading order is also empty of ink in the crop, the
        words are split even if the line model wrote no space."""
        if cut is None:
            return None
        decoded = placed(self.recognizer.decode(cut.probs, beam_width), cut.crop.image.shape[0], cut.stretch)
        line_boxes = [boxes[i] for i in group.glyphs]
        splits = cut.crop.word_splits(group.word_gaps, float(np.median([b[3] for b in line_boxes])))
        return to_line(decoded, cut.probs, self.chars, cut.crop, union_box(line_boxes), splits,
                       self.min_confidence)
