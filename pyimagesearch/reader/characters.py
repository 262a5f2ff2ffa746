"""The character classifier's posteriors -> Characters: the --charset restriction,
and a beam search with a character language model of block capitals and digits
(``block_lm``) for the characters a lone glyph cannot settle (0/O, 1/I, 2/Z, 5/S):
each line's glyphs, with its word gaps as spaces, are read as the text the
classifier and the language model together find most likely."""
import os
import sys

import numpy as np

from ..errors import InputError
from ..io.elements import UNKNOWN, Character, Line, Word
from ..labels import charset_mask, restrict
from ..recognition.glyph_decode import glyph_beam_search
from ..recognition.language import CharNgram, lm_path_for

ALTERNATIVES = 3


class CharacterDecoder:
    """Turns a classifier's posteriors into characters, words and lines; ``lm``: a
    ``CharNgram`` over the classifier's labels and the space (None: each glyph's
    most likely class)."""

    def __init__(self, labels, charset=None, min_confidence=0.0, lm=None):
        self.labels = list(labels)
        mask = charset_mask(charset, self.labels)
        self.allowed = np.ones(len(self.labels), bool) if mask is None else mask
        self.min_confidence = min_confidence
        self.lm = lm
        self.lm_weight = float(lm.decoding["lm_weight"]) if lm is not None else 0.0
        self.beam_width = int(lm.decoding["beam_width"]) if lm is not None else 0
        # the classifier's tilt between digits and letters, undone (block_lm tunes it with the weight)
        digit_bias = float(lm.decoding.get("digit_bias", 0.0)) if lm is not None else 0.0
        self.prior = digit_bias * np.array([label.isdigit() for label in self.labels], np.float64)
        self.switch_cost = float(lm.decoding.get("switch_cost", 0.0)) if lm is not None else 0.0

    def restrict(self, probs: np.ndarray) -> np.ndarray:
        """Posteriors over the classes --charset allows."""
        return restrict(probs, self.allowed)

    def line(self, probs: np.ndarray, boxes: list, row: list[list[int]]) -> Line:
        """One reading-order line (words of glyph indices) -> Line; ``probs`` and
        ``boxes`` are the page's, by glyph index."""
        glyphs = [i for word in row for i in word]
        gaps = [k > 0 and j == 0 for k, word in enumerate(row) for j in range(len(word))]
        reading = glyph_beam_search(probs[glyphs], self.labels, gaps, self.lm, self.lm_weight,
                                    prior=self.prior, switch_cost=self.switch_cost, **({"beam_width": self.beam_width} if self.beam_width else {}))
        characters = iter(self._character(reading, k, boxes[i]) for k, i in enumerate(glyphs))
        return Line([Word([next(characters) for _ in word]) for word in row], source="chars")

    def _character(self, reading, k, box):
        candidates, shares = reading.candidates[k], reading.posteriors[k]
        choice = int(reading.choices[k])
        confidence = float(shares[np.flatnonzero(candidates == choice)[0]])
        order = np.argsort(-shares, kind="stable")[:ALTERNATIVES]
        char = self.labels[choice] if confidence >= self.min_confidence else UNKNOWN
        return Character(char, confidence, box, [[self.labels[candidates[j]], float(shares[j])] for j in order])


def load_glyph_lm(classifier_path: str | None, labels, err=sys.stderr) -> CharNgram | None:
    """The language model beside a classifier file (``handwriting.lm.npz`` beside
    ``handwriting.keras``), or None when there is none. A broken one, or one that
    lacks a label or the space, is a warning: the reader goes on without it."""
    if not classifier_path:
        return None
    path = lm_path_for(classifier_path)
    if not os.path.isfile(path):
        return None
    try:
        lm = CharNgram.load(path)
        if lm.indices(list(labels) + [" "]) is None:
            raise InputError(f"{path}: it does not know all of the classifier's characters and the space")
    except InputError as e:
        print(f"[WARNING] {e}; reading characters without a language model", file=err)
        return None
    return lm
