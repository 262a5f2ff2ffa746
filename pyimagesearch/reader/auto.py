"""The ``auto`` mode's rule, per line: the character classifier where it is strong
(clean, uniform block capitals and digits it reads with confidence), the line
recognizer elsewhere (joined-up or mixed-case writing, which the segmenter cuts
badly and whose lower case the classifier does not know)."""
from dataclasses import dataclass

import numpy as np

from ..metrics import aligned_pairs, levenshtein

# the classifier's line is kept when its characters segment cleanly (no box much
# wider than tall, all of about one size) and it reads them confidently; the
# thresholds were chosen on ../shared/images-dev and images/
AUTO_MAX_ASPECT = 2.0          # width / height of the widest box
AUTO_MAX_HEIGHT_SPREAD = 0.2   # std / mean of the box heights
AUTO_SURE = 0.85               # mean classifier confidence: chars, whatever the line model says
AUTO_LIKELY = 0.70             # ... chars unless the line model reads lower case there
AUTO_MIN_UPPER_SHARE = 0.5     # capitals and digits among what the line model read
# the classifier's line is also kept when the line model reads the same capitals
AUTO_AGREE_UPPER_SHARE = 0.8
AUTO_MIN_AGREEMENT = 0.6
# ... unless the line model is this much surer of its own, different reading (d18's boxed
# digits: the classifier at 0.60 reads "I1234467510", the line model at 0.89 "31234667890")
AUTO_LINE_SURER = 0.15
# where the two readings differ, a glyph takes the line model's character when the classifier
# gave it this share too (chosen on images-dev, the confusables test and the generated pages)
AUTO_SETTLE_SHARE = 0.2
# the line model's marks that are not letters or digits (- . , / : ( ) ...), which the classifier has
# no class for, join its line where they stand between its glyphs, read at least this surely, and
# where writing puts them: inside a word any, at a word's end or start these (a mark on its own is
# more often a speck than a dash)
AUTO_MARK_CONFIDENCE = 0.5
WORD_END_MARKS = set(".,):;!?%'\"")
WORD_START_MARKS = set("(\"'#$")


@dataclass
class LineEvidence:
    """What ``auto`` weighs for one line."""
    char_confidence: float   # mean top probability of the classifier's characters
    max_aspect: float        # widest box: width / height
    height_spread: float     # std / mean of the box heights
    chars_text: str          # the classifier's reading (no spaces)
    line_text: str           # the line model's reading (no spaces)
    line_confidence: float = 0.0   # mean confidence of the line model's characters

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


def evidence(boxes: list, confidences: list, chars_text: str, line_text: str,
             line_confidence: float = 0.0) -> LineEvidence:
    b = np.asarray(boxes, np.float64)
    heights = np.maximum(b[:, 3], 1.0)
    return LineEvidence(char_confidence=float(np.mean(confidences)),
                        max_aspect=float(np.max(b[:, 2] / heights)),
                        height_spread=float(np.std(heights) / np.mean(heights)),
                        chars_text="".join(chars_text.split()),
                        line_text="".join(line_text.split()), line_confidence=float(line_confidence))


def choose(ev: LineEvidence) -> str:
    """'chars' or 'lines' for one line: chars when the boxes are clean and the
    classifier is sure (>= AUTO_SURE), or fairly sure (>= AUTO_LIKELY) and the line
    model also reads mostly capitals and digits there; chars as well when the line
    model reads capitals that agree with the classifier, unless it is clearly surer of
    a reading that differs; else lines."""
    if ev.clean_segmentation:
        if ev.char_confidence >= AUTO_SURE:
            return "chars"
        if ev.char_confidence >= AUTO_LIKELY and ev.upper_share >= AUTO_MIN_UPPER_SHARE:
            return "chars"
    if ev.upper_share >= AUTO_AGREE_UPPER_SHARE and ev.agreement >= AUTO_MIN_AGREEMENT:
        surer_line = ev.agreement < 1.0 and ev.line_confidence >= ev.char_confidence + AUTO_LINE_SURER
        return "lines" if surer_line else "chars"
    return "lines"


def settle_by_line(characters: list, line_text: str, floor: float = 0.0) -> None:
    """The classifier's characters of a line, where the line model read another
    character in a glyph's place (aligned by edit distance, case ignored) that the
    classifier with its language model also gave AUTO_SETTLE_SHARE (and ``floor``,
    the reader's --min-confidence) or more: the glyph takes it (an A read 4 in
    'ALEJ4NDRO'). Two readers agreeing on an alternative outweigh one reader's first choice."""
    line = [c for c in line_text.upper() if c.isalnum()]
    own = [c.char for c in characters]
    for i, j in aligned_pairs(own, line):
        if own[i] != line[j]:
            share = dict(characters[i].alternatives).get(line[j], 0.0)
            if share >= max(AUTO_SETTLE_SHARE, floor):
                characters[i].char, characters[i].confidence = line[j], share


def add_marks(rows: list, read) -> None:
    """Put into the classifier's lines ``rows`` (the Lines of one line group) the
    marks that are not letters or digits which the line model read there (``read``,
    its Line), each one sure enough (AUTO_MARK_CONFIDENCE) whose centre lies in a
    row, outside its glyphs. A mark the line model wrote inside a word joins the
    classifier's words on either side ("352-07-1094"); one at a word's end or start
    joins that word ("Blvd.", "(617") if it is one of WORD_END_MARKS or WORD_START_MARKS."""
    for word in read.words:
        for k, mark in enumerate(word.characters):
            after_word, before_word = k > 0, k < len(word.characters) - 1
            placed = ((after_word and before_word) or (after_word and mark.char in WORD_END_MARKS)
                      or (before_word and mark.char in WORD_START_MARKS))
            if mark.char.isalnum() or mark.confidence < AUTO_MARK_CONFIDENCE or not placed:
                continue
            row = _row_holding(rows, mark.box)
            if row is not None:
                _insert(row, mark, after_word, before_word)


def _row_holding(rows, box):
    """The row whose box holds the centre of ``box`` vertically, or None."""
    middle = box[1] + box[3] / 2.0
    return next((row for row in rows if row.box[1] <= middle <= row.box[1] + row.box[3]), None)


def _insert(row, mark, after_word, before_word):
    """``mark`` into ``row`` between the glyphs left and right of its centre."""
    centre = mark.box[0] + mark.box[2] / 2.0
    places = [(w, i, c.box) for w, word in enumerate(row.words) for i, c in enumerate(word.characters)]
    if any(x <= centre <= x + width for _, _, (x, _, width, _) in places):
        return   # a glyph the classifier read stands there
    left = [(w, i) for w, i, box in places if box[0] + box[2] < centre]
    right = [(w, i) for w, i, box in places if box[0] > centre]
    words = row.words
    if left and right and left[-1][0] == right[0][0]:   # inside one of the classifier's words
        w, i = left[-1]
        words[w].characters.insert(i + 1, mark)
    elif left and right and after_word and before_word:   # between two words it joins
        w = left[-1][0]
        words[w].characters += [mark] + words[w + 1].characters
        del words[w + 1]
    elif left and after_word:
        words[left[-1][0]].characters.append(mark)
    elif right and before_word:
        words[right[0][0]].characters.insert(0, mark)
