"""The reader: a photo in, a Page of lines, words and characters out.

It composes the stages: detection (segment) -> the shared crop normalisation ->
the classifier -> context rules for confusable characters -> reading order.
With a line model (``line_reading``), each line found that way can instead be
read whole by the CTC line recognizer: ``mode`` 'lines' does it for every line,
'auto' picks per line, 'chars' never does.
No TensorFlow here: the classifier and the line model may run on LiteRT.
"""

import cv2
import numpy as np

from .detection.segment import PageScan, find_glyphs
from .errors import InputError
from .labels import CONFUSABLE_PAIRS, charset_chars
from .io.elements import UNKNOWN, Character, Line, Page, Word
from .line_reading import MODES, PageInk, absorb_fragments, choose, cut_lines, decode_line, evidence
from .models.builder import reading_order
from .transforms import glyphs_to_inputs

ALTERNATIVES = 3
# a re-decision by context needs the other reading to be at least this likely
CONTEXT_MIN_PROBABILITY = 0.01


class HandwritingReader:
    """``line_recognizer``: a ``recognition.recognizer.LineRecognizer`` (or None);
    ``mode``: 'chars', 'lines' (needs the recognizer) or 'auto' ('chars' without one).
    After each ``read``, ``decisions`` holds one dict per line group: which path
    read it and the evidence ``auto`` weighed."""

    def __init__(self, classifier, charset=None, min_confidence=0.0, line_recognizer=None, mode="chars"):
        self.classifier = classifier
        self.labels = list(classifier.labels)
        self.charset = charset
        self.allowed = self._allowed_mask(charset)
        self.min_confidence = min_confidence
        if mode not in MODES:
            raise InputError(f"mode {mode!r}: choose one of {', '.join(MODES)}")
        if mode == "lines" and line_recognizer is None:
            raise InputError("mode 'lines' needs a line model")
        self.line_recognizer = line_recognizer
        self.mode = mode if line_recognizer is not None else "chars"
        self.decisions = []
        self.is_digit = np.array([label.isdigit() for label in self.labels])
        confusables = {c for pair in CONFUSABLE_PAIRS for c in pair}
        self.confusable = np.array([label in confusables for label in self.labels])

    def _allowed_mask(self, charset):
        if not charset:
            return np.ones(len(self.labels), bool)
        chars = charset_chars(charset)
        mask = np.array([label in chars for label in self.labels])
        if not mask.any():
            raise InputError(f"--charset {charset!r}: none of its characters is a class of this model")
        return mask

    def read(self, image, name=""):
        """Read a BGR (or gray) image; returns a Page."""
        scan = PageScan.of(image)
        glyphs = find_glyphs(image, judge=self._confidences, scan=scan)
        if not glyphs:
            return Page(name, [])
        inputs = glyphs_to_inputs([g.ink for g in glyphs])
        probs = self._restrict(self.classifier.predict(inputs))
        boxes = [list(g.box) for g in glyphs]
        order = reading_order(boxes)
        char_lines = [self._chars_line(probs, boxes, line) for line in order]
        self.decisions = []
        if self.mode == "chars":
            return Page(name, char_lines)
        return Page(name, self._whole_lines(scan, boxes, order, char_lines))

    def _chars_line(self, probs, boxes, line):
        line_kind = self._kind(probs[[i for word in line for i in word]])
        words = []
        for word in line:
            # a word with no telling character takes the kind of its line
            kind = self._kind(probs[word]) or line_kind
            words.append(Word([self._character(probs[i], boxes[i], kind) for i in word]))
        return Line(words)

    def _whole_lines(self, scan, boxes, order, char_lines):
        """Each line (with the pieces lying across it) read by the line model; in
        'auto' mode the classifier's reading is kept where ``choose`` says so.

        ``choose`` weighs the line model's greedy reading (its thresholds were
        measured on it), so in 'auto' mode only the lines it gives to the line
        model pay for the language model's beam search."""
        groups, small = absorb_fragments(boxes, order)
        members = [[i for k in group for word in order[k] for i in word] for group in groups]
        gaps = [[(max(boxes[i][0] + boxes[i][2] for i in a), min(boxes[i][0] for i in b))
                 for k in group for a, b in zip(order[k], order[k][1:])] for group in groups]
        page_ink = PageInk.of(scan)
        # specks far from any line are not read whole: the line model makes words of anything
        wanted = [g for g in range(len(groups)) if not small[g]]
        cuts = [None] * len(groups)
        for g, cut in zip(wanted, cut_lines(self.line_recognizer, page_ink, boxes, [members[g] for g in wanted],
                                            self.charset)):
            cuts[g] = cut

        def read(g, beam_width=None):
            return decode_line(self.line_recognizer, cuts[g], page_ink, boxes, members[g], self.min_confidence,
                               beam_width, gaps[g])

        lines = []
        for g, group in enumerate(groups):
            by_chars = [char_lines[k] for k in group]
            path, line = "lines", None
            if self.mode == "auto":
                first = read(g, beam_width=0)
                ev = evidence([boxes[i] for i in members[g]],
                              [c.confidence for ln in by_chars for w in ln.words for c in w.characters],
                              "".join(ln.text for ln in by_chars), first.text if first is not None else "")
                path = choose(ev)
                self.decisions.append({"path": path, **vars(ev),
                                       "upper_share": ev.upper_share, "agreement": ev.agreement})
            else:
                self.decisions.append({"path": path})
            if path == "chars":
                lines.extend(by_chars)
            else:
                line = read(g)
                if line is not None:   # the line model read nothing there: no line
                    lines.append(line)
        return lines

    def _confidences(self, inks):
        """How sure the classifier is of each ink crop (to judge splits of wide blobs)."""
        inputs = glyphs_to_inputs(inks)
        return self._restrict(self.classifier.predict(inputs)).max(axis=1)

    def _restrict(self, probs):
        probs = probs * self.allowed
        return probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)

    def _character(self, p, box, kind):
        best = self._decide_in_context(p, kind)
        order = np.argsort(-p)[:ALTERNATIVES]
        char = self.labels[best] if p[best] >= self.min_confidence else UNKNOWN
        return Character(char, float(p[best]), box, [[self.labels[k], float(p[k])] for k in order])

    def _kind(self, probs):
        """'digits' or 'letters' by the characters that cannot be mistaken (not 0/O, 1/I...),
        None when they don't tell."""
        tops = probs.argmax(axis=1)
        telling = tops[~self.confusable[tops]]
        digits = int(self.is_digit[telling].sum())
        letters = len(telling) - digits
        if digits == letters:
            return None
        return "digits" if digits > letters else "letters"

    def _decide_in_context(self, p, kind):
        """Inside a word of letters an O is O; inside a run of digits a 1 is 1."""
        best = int(np.argmax(p))
        if kind is None:
            return best
        wanted = self.is_digit if kind == "digits" else ~self.is_digit
        if wanted[best]:
            return best
        candidate = int(np.argmax(np.where(wanted, p, -1.0)))
        return candidate if p[candidate] >= CONTEXT_MIN_PROBABILITY else best


def read_seed_mode(classifier, image, name=""):
    """The 2020 tutorial's pipeline, unchanged, for comparison: Canny edges, external
    contours sorted left to right over the whole image, fixed pixel size limits,
    Otsu crops resized to 32 on the long side and padded. One line of text."""
    import imutils
    from imutils.contours import sort_contours
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    edged = cv2.Canny(blurred, 30, 150)
    cnts = imutils.grab_contours(cv2.findContours(edged.copy(), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE))
    if not cnts:
        return Page(name, [])
    cnts = sort_contours(cnts, method="left-to-right")[0]
    chars, boxes = [], []
    for c in cnts:
        (x, y, w, h) = cv2.boundingRect(c)
        if (5 <= w <= 150) and (15 <= h <= 120):
            roi = gray[y:y + h, x:x + w]
            thresh = cv2.threshold(roi, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
            (tH, tW) = thresh.shape
            thresh = imutils.resize(thresh, width=32) if tW > tH else imutils.resize(thresh, height=32)
            (tH, tW) = thresh.shape
            dX, dY = int(max(0, 32 - tW) / 2.0), int(max(0, 32 - tH) / 2.0)
            padded = cv2.copyMakeBorder(thresh, top=dY, bottom=dY, left=dX, right=dX,
                                        borderType=cv2.BORDER_CONSTANT, value=(0, 0, 0))
            padded = cv2.resize(padded, (32, 32))
            chars.append(padded.astype("float32") / 255.0)
            boxes.append([x, y, w, h])
    if not chars:
        return Page(name, [])
    probs = classifier.predict(np.array(chars, dtype="float32")[..., None])
    characters = []
    for p, box in zip(probs, boxes):
        order = np.argsort(-p)[:ALTERNATIVES]
        characters.append(Character(classifier.labels[order[0]], float(p[order[0]]), box,
                                    [[classifier.labels[k], float(p[k])] for k in order]))
    return Page(name, [Line([Word(characters)])])
