"""The reader: a photo in, a Page of lines, words and characters out.

It composes the stages: detection (``segment``: character boxes; ``layout``:
reading order and line groups) -> the shared glyph normalisation -> the
classifier (``characters``: --charset and the context rules) -> with a line model,
whole-line reading (``lines``) per line group: 'lines' mode for every group,
'auto' where ``auto.choose`` says so, 'chars' never.
No TensorFlow here: the classifier and the line model may run on LiteRT.
"""
import numpy as np

from ..detection.focus import focus, text_focus
from ..detection.handwriting_ink import keep_handwriting, kept_share
from ..detection.layout import line_groups, reading_order
from ..detection.learned import TURN_CONFIDENCE, box_in_photo
from ..detection.segment import PageScan, find_glyphs, is_covered, is_line_crop
from ..detection.skew import level, level_like, slant
from ..detection.touching import separate_touching_lines
from ..errors import InputError
from ..io.elements import Page
from ..transforms import glyphs_to_inputs
from .auto import add_marks, choose, evidence, settle_by_line
from .characters import CharacterDecoder, load_glyph_lm
from .lines import LineReader
from .options import MODES


# a page read less surely than this (mean character confidence) is read upside down as well, and
# that reading is taken when it is surer by the margin: upside down, a code of S, Z, 8 and I or the
# digits 0522 1859 read as well as upright (docs/detector.md)
UPSIDE_DOWN_BELOW = 0.9
UPSIDE_DOWN_MARGIN = 0.1
# ... and when it reads at least this share of the characters read upright: the same ink read the
# other way round is as many marks, and a reading of a few sure letters is another scan of the page
# (a squared page's grid upside down measured a text height twenty times the writing's)
UPSIDE_DOWN_SAME_INK = 0.5
# the second reading doubles the work: a page read as more characters than this (a sheet of marks,
# a page of dense writing) is read one way round only, so its time stays within the hostile bench's
UPSIDE_DOWN_MAX_CHARACTERS = 400
# a line read where the detector kept less than this share of the ink (its box's) is left out: what
# the detector kept of a printed line (d10's "IA TR"), not a handwritten line beside printed labels
# (d18's digits keep 0.35 of their box's ink)
MIN_KEPT_SHARE = 0.25
# a page whose lines that reach the floor (``min_line_confidence``) hold less than UNSURE_SHARE of
# the characters it read keeps those this share of it sure or surer: small, blurred or faint writing
# reads unsurely throughout, and the detector has already left out most of what is not writing
# (docs/detector.md); a few short, sure lines (a number, a word in capitals) say nothing of the rest
UNSURE_PAGE_FLOOR = 0.5
UNSURE_SHARE = 0.3
# a line read as one of these characters alone, on a page with other lines, is one stroke with
# nothing beside it: the piece of a rule, a margin or a notebook's stripe, a tick, far more often
# than writing (on a page of nothing else it is the photo of a 1 or an I)
LONE_STROKES = "1lI|/\\!"


class HandwritingReader:
    """``line_recognizer``: a ``recognition.recognizer.LineRecognizer`` (or None);
    ``mode``: 'chars', 'lines' (needs the recognizer) or 'auto' ('chars' without one);
    ``detector``: a ``detection.learned.LearnedDetector`` that picks the handwriting
    out of the segmenter's ink (None: all the ink is read)."""

    def __init__(self, classifier, charset=None, min_confidence=0.0, line_recognizer=None, mode="chars",
                 detector=None, min_line_confidence=0.0):
        if mode not in MODES:
            raise InputError(f"mode {mode!r}: choose one of {', '.join(MODES)}")
        if mode == "lines" and line_recognizer is None:
            raise InputError("mode 'lines' needs a line model")
        self.classifier = classifier
        lm = load_glyph_lm(getattr(classifier, "path", None), classifier.labels)
        self.characters = CharacterDecoder(classifier.labels, charset, min_confidence, lm)
        self.lines = LineReader(line_recognizer, charset, min_confidence) if line_recognizer else None
        self.mode = mode if line_recognizer is not None else "chars"
        self.detector = detector
        self.min_line_confidence = min_line_confidence

    def read(self, image: np.ndarray, name: str = "") -> Page:
        """Read a BGR (or gray) image; returns a Page (boxes in the image's pixels)
        without the lines read less surely than ``min_line_confidence`` (on a page
        where those reaching it hold less than UNSURE_SHARE of the characters read,
        than UNSURE_PAGE_FLOOR of it), nor, beside other lines, those read as one
        stroke alone (``LONE_STROKES``). A photo whose ink lies in a small part of it
        is read from that part (``focus``; with a detector, also one whose text does,
        ``_read_oriented``). The way round is chosen on every line read
        (``_read_oriented``): a page that lost its least sure lines would look surer
        than it is beside another reading."""
        scan = PageScan.of(image)
        region = focus(scan)
        page = self._read_oriented(image, name, scan) if region is None else self._read_part(image, region, name)
        return self._above_floor(page)

    def _read_part(self, image: np.ndarray, region: tuple, name: str) -> Page:
        """The part ``region`` (x0, y0, x1, y1) of the photo read, its boxes placed on the photo."""
        x0, y0, x1, y1 = region
        page = self._read_oriented(np.ascontiguousarray(image[y0:y1, x0:x1]), name)
        for character in page.characters:
            character.box = [character.box[0] + x0, character.box[1] + y0, character.box[2], character.box[3]]
        return page

    def _above_floor(self, page: Page) -> Page:
        floor = self.min_line_confidence
        read = [(len(line.text), line.confidence >= floor) for line in page.lines]
        if sum(n for n, sure in read if sure) < UNSURE_SHARE * sum(n for n, _ in read):
            floor *= UNSURE_PAGE_FLOOR
        lines = [line for line in page.lines if line.confidence >= floor]
        writing = [line for line in lines if not _lone_stroke(line)]
        return Page(page.image, writing or lines)

    def _read_oriented(self, image: np.ndarray, name: str, scan: PageScan = None) -> Page:
        """The page, every line read, the way round it reads best. With a detector,
        only what it calls handwriting is read (all the ink of a crop of one line,
        ``segment.is_line_crop``), and a page it finds turned is read upright: at
        once when it is sure of the turn; when it only finds the text running down
        the photo, both quarter turns are read as well, and the surer of those (mean
        character confidence) is taken over the photo's own when it is surer still.
        A page whose lines above the floor read with less confidence than
        UPSIDE_DOWN_BELOW (and as no more than UPSIDE_DOWN_MAX_CHARACTERS) is read
        upside down as well, and that reading taken when it is clearly surer and
        reads about as many characters (UPSIDE_DOWN_SAME_INK). A photo whose text,
        as the detector sees it, lies in a small part of the frame is read from that
        part (``text_focus``): a card on a curtain or a patterned desk, whose ink is
        everywhere. ``scan``: the photo's PageScan, when the caller has made it."""
        scan = PageScan.of(image) if scan is None else scan
        # a blank page, or noise, holds no text: neither the detector nor a turn is tried. A page
        # whose only ink is grains, specks or pieces of rules may hold writing fainter than them,
        # or writing too small to outweigh them (on dotted paper), which the detector finds
        if not scan.mask.any() or (scan.height == 0 and (self.detector is None or is_covered(scan))):
            return self._read(image, scan, name)
        # nor is the detector asked about a crop of one line: the user chose that ink, and there
        # is no page around it
        view = None if self.detector is None or is_line_crop(scan) else self.detector.look(image)
        region = None if view is None else text_focus(view.text_cells, image.shape)
        if region is not None:
            return self._read_part(image, region, name)
        if view is not None and view.turn_probability >= TURN_CONFIDENCE:
            return self._read_turned(image, view, view.turn, name, scan)
        page = self._read_turned(image, view, 0, name, scan)
        if view is not None and view.sideways:
            best = max((self._read_turned(image, view, turn, name, scan) for turn in (1, 3)),
                       key=lambda turned: turned.confidence)
            if best.confidence > page.confidence:
                return best
        # a clean card sure of what it shows is not read twice for the specks under the floor
        if (self._above_floor(page).confidence < UPSIDE_DOWN_BELOW
                and len(page.characters) <= UPSIDE_DOWN_MAX_CHARACTERS):
            flipped = self._read_turned(image, view, 2, name, scan)
            if (flipped.confidence > page.confidence + UPSIDE_DOWN_MARGIN
                    and len(flipped.characters) >= UPSIDE_DOWN_SAME_INK * len(page.characters)):
                return flipped
        return page

    def _read_turned(self, image, view, turn, name, scan):
        """The page read as if the photo were the upright page turned ``turn``
        quarter turns counter-clockwise; boxes in the photo's pixels. ``scan`` is
        the photo's own, scanned again when turned; ``view`` the detector's (None:
        all the ink is read), whose lines keep MIN_KEPT_SHARE of their box's ink or more."""
        upright = np.ascontiguousarray(np.rot90(image, -turn))
        scan = scan if turn == 0 else PageScan.of(upright)
        kept = scan if view is None else keep_handwriting(scan, view.upright(turn))
        # lines written askew are read levelled
        angle, levelling = slant(kept), None
        if angle:
            levelled, levelling = level(scan, angle)
            kept = levelled if view is None else level_like(levelled, kept, angle)
            scan = levelled
        page = self._read(upright, separate_touching_lines(kept), name)
        if view is not None:
            # a line whose box holds mostly ink the detector dropped is what is left of a printed line
            page = Page(page.image, [line for line in page.lines
                                     if kept_share(scan, kept, line.box) >= MIN_KEPT_SHARE])
        for character in page.characters:
            box = levelling.box_on_page(character.box, upright.shape) if levelling else character.box
            character.box = box_in_photo(box, turn, upright.shape)
        return page

    def _read(self, image, scan, name):
        glyphs = find_glyphs(image, judge=self._confidences, scan=scan)
        if not glyphs:
            return Page(name, [])
        boxes = [list(g.box) for g in glyphs]
        order = reading_order(boxes)
        lines = (self._char_lines(glyphs, boxes, order) if self.mode == "chars"
                 else self._whole_lines(scan, glyphs, boxes, order))
        return Page(name, lines)

    def _char_lines(self, glyphs, boxes, order):
        """Every reading-order line as the classifier reads it."""
        return self._classified(glyphs, boxes, order)[1]

    def _classified(self, glyphs, boxes, order):
        """(the classifier's posteriors by glyph, every reading-order line decoded from them)."""
        probs = self.characters.restrict(self.classifier.predict(glyphs_to_inputs([g.ink for g in glyphs])))
        return probs, [self.characters.line(probs, boxes, row) for row in order]

    def _whole_lines(self, scan, glyphs, boxes, order):
        """Each line group read by the line model; in auto mode the classifier's
        reading is kept where ``choose`` says so (its glyphs taking the line model's
        characters that both find likely, ``settle_by_line``), and in both modes where
        the page's line-model budget is spent.

        ``choose`` weighs the line model's greedy reading (its thresholds were
        measured on it), so in auto mode only the lines it gives to the line
        model pay for the language model's beam search."""
        groups = line_groups(boxes, order)
        fits = self.lines.affordable(boxes, groups)
        # lines mode never classifies what it will not use
        probs, char_lines = (self._classified(glyphs, boxes, order) if self.mode == "auto" or not all(fits)
                             else (None, None))
        cuts = iter(self.lines.cut(scan, boxes, [g for g, ok in zip(groups, fits) if ok]))
        lines = []
        for group, ok in zip(groups, fits):
            if not ok:
                lines.extend(char_lines[k] for k in group.rows)
                continue
            cut = next(cuts)
            if self.mode == "auto":
                by_chars = [char_lines[k] for k in group.rows]
                first = self.lines.decode(cut, boxes, group, beam_width=0)
                ev = evidence([boxes[i] for i in group.glyphs],
                              # the classifier's own confidence: choose's thresholds were measured on it
                              probs[group.glyphs].max(axis=1),
                              "".join(ln.text for ln in by_chars), first.text if first is not None else "",
                              first.confidence if first is not None else 0.0)
                if choose(ev) == "chars":
                    if first is not None:
                        settle_by_line([c for ln in by_chars for c in ln.characters], first.text,
                                       self.characters.min_confidence)
                        add_marks(by_chars, first)
                    lines.extend(by_chars)
                    continue
            line = self.lines.decode(cut, boxes, group)
            if line is not None:   # the line model read nothing there: no line
                lines.append(line)
        return lines

    def _confidences(self, inks):
        """How sure the classifier is of each ink crop (to judge splits of wide blobs)."""
        return self.characters.restrict(self.classifier.predict(glyphs_to_inputs(inks))).max(axis=1)


def _lone_stroke(line) -> bool:
    """Whether ``line`` is one LONE_STROKES character and nothing else."""
    text = line.text.strip()
    return len(text) == 1 and text in LONE_STROKES
