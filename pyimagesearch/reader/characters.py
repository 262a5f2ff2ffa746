"""The character classifier's posteriors -> Characters: the --charset restriction,
and the context rules for characters a lone glyph cannot settle (0/O, 1/I, 2/Z, 5/S)."""
import numpy as np

from ..io.elements import UNKNOWN, Character, Line, Word
from ..labels import CONFUSABLE_PAIRS, charset_mask, restrict

ALTERNATIVES = 3
# a re-decision by context needs the other reading to be at least this likely
CONTEXT_MIN_PROBABILITY = 0.01


class CharacterDecoder:
    """Turns a classifier's posteriors into characters, words and lines."""

    def __init__(self, labels, charset=None, min_confidence=0.0):
        self.labels = list(labels)
        mask = charset_mask(charset, self.labels)
        self.allowed = np.ones(len(self.labels), bool) if mask is None else mask
        self.min_confidence = min_confidence
        self.is_digit = np.array([label.isdigit() for label in self.labels])
        confusables = {c for pair in CONFUSABLE_PAIRS for c in pair}
        self.confusable = np.array([label in confusables for label in self.labels])

    def restrict(self, probs: np.ndarray) -> np.ndarray:
        """Posteriors over the classes --charset allows."""
        return restrict(probs, self.allowed)

    def line(self, probs: np.ndarray, boxes: list, row: list[list[int]]) -> Line:
        """One reading-order line (words of glyph indices) -> Line; ``probs`` and
        ``boxes`` are the page's, by glyph index."""
        line_kind = self._kind(probs[[i for word in row for i in word]])
        words = []
        for word in row:
            # a word with no telling character takes the kind of its line
            kind = self._kind(probs[word]) or line_kind
            words.append(Word([self._character(probs[i], boxes[i], kind) for i in word]))
        return Line(words, source="chars")

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
