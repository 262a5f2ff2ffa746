"""Handwritten lines for the pages: UniPen writers' strokes or a handwriting font.

A page is written by one ``Hand``: a UniPen writer (their text lines, or their
words composed into lines, re-rendered with the page's pen width and slant), a
UniPen writer's single capitals and digits (``capitals``) or a font (any text;
see ``fonts``). Training pages use the UniPen training writers
and the training fonts, test pages only the test writers and held-out fonts.
"""
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ..recognition.charset import Charset
from ..recognition.corpus import LINE, WORD, Corpus
from ..recognition.strokes import compose, render
from .capitals import CapitalWriters
from .fonts import CAPS_BODIES, FontSpec, InkLine, render_line, trim

NUMBER = re.compile(r"[0-9.,/:()-]*[0-9][0-9.,/:()-]*")
BODY_PER_REF = 0.45   # x-height per UniPen writer's median word height (measured on rendered lines)
MAX_LINE_REFS = 3.0   # a UniPen line item is at most this many median word heights tall (1% of test items are taller)


class StrokeWriters:
    """The UniPen writers of one split, with their usable lines and words (by
    corpus index). Keeps only the strokes and these items' texts, not the
    corpus's columns (a worker process holds one of these)."""

    def __init__(self, corpus: Corpus, split: str):
        charset = Charset()
        self.lines_of, self.words_of, self.numbers_of = defaultdict(list), defaultdict(list), defaultdict(list)
        self._texts, self._where, self._stores = {}, {}, corpus.strokes
        chosen = corpus.test if split == "test" else ~corpus.test
        for i in np.flatnonzero(chosen & (corpus.quality != "BAD")):
            text = " ".join(str(corpus.text[i]).split())
            if not corpus.has_strokes(i) or not charset.normalize(text):
                continue
            i, writer, kind = int(i), corpus.writer[i], int(corpus.kind[i])
            (self.lines_of if kind == LINE else self.words_of)[writer].append(i)
            if kind == WORD and NUMBER.fullmatch(text):
                self.numbers_of[writer].append(i)
            self._texts[i], self._where[i] = text, (kind, int(corpus.row[i]))
        self.writers = sorted(w for w in self.words_of if len(self.words_of[w]) >= 3)
        self._ref = {w: float(np.median([corpus.ref_height(i) for i in self.words_of[w][:20]])) for w in self.writers}

    def __len__(self):
        return len(self.writers)

    def items(self) -> list:
        """The corpus indices of every usable line and word."""
        return sorted(self._texts)

    def text(self, i):
        return self._texts[i]

    def strokes(self, i):
        kind, row = self._where[i]
        return self._stores[kind].strokes(row)

    def ref_height(self, writer):
        """The writer's median word height in tablet units."""
        return self._ref[writer]


@dataclass
class Hand:
    """Who writes a page and with what pen: a UniPen writer (their lines and words,
    or with ``capitals`` their single capitals and digits) or a font."""
    pen: float                  # pen width in body units
    slant: float
    writer: str = ""
    font: FontSpec = None
    writers: StrokeWriters = None
    capitals: CapitalWriters = None
    gap: float = 0.0            # extra space between letters in body units (letter-spaced capitals)

    def line(self, rng, body: float, max_width: float, text_for, pitch: float = 0.0,
             numeric: bool = False) -> InkLine:
        """One line at most about ``max_width`` px wide; ``text_for(max_chars)``
        gives the text when the hand is a font; ``numeric``: a UniPen writer
        writes their numbers there when they wrote any."""
        if self.capitals is not None:
            chars = int(max_width / (body * (1.0 + self.gap)))
            return self.capitals.line(rng, self.writer, text_for(max(chars, 1)), body * CAPS_BODIES,
                                      max(0.8, self.pen * body), self.slant, self.gap * body)
        if self.font is None:
            return self._stroke_line(rng, body, max_width, numeric)
        chars = int(max_width / (body * (0.62 + self.gap))) if not pitch else int(max_width / pitch)
        gap = self.gap * body
        line = render_line(self.font, text_for(max(chars, 1)), body, rng, pitch=pitch, gap=gap)
        overflow = (line.ink.shape[1] - 2 * line.start) / max_width
        if overflow > 1 and not pitch:   # capitals and wide fonts: fewer characters
            line = render_line(self.font, text_for(max(int(chars / overflow * 0.9), 1)), body, rng, gap=gap)
        return line

    def _stroke_line(self, rng, body, max_width, numeric):
        w = self.writers
        lines, words = w.lines_of.get(self.writer, []), w.words_of[self.writer]
        numbers = w.numbers_of.get(self.writer, []) if numeric else []
        ref = w.ref_height(self.writer)
        scale = body / (BODY_PER_REF * ref)
        if numbers:
            words, lines = numbers, []
        if lines and rng.random() < 0.4:
            i = lines[int(rng.integers(len(lines)))]
            strokes = w.strokes(i)
            width, height = _extent(strokes)
            # a taller item was written as rows (a list, a column of dates), not as one line
            if width * scale <= max_width and height <= MAX_LINE_REFS * ref:
                return self._render(strokes, w.text(i), scale, body)
        picks, width = [], 0.0
        gaps = ref * rng.uniform(0.35, 0.9, 12)
        for k, j in enumerate(rng.permutation(len(words))[:3 if numbers else 12]):
            item = words[int(j)]
            grown = width + (gaps[k] if picks else 0) + _extent(w.strokes(item))[0]
            if picks and grown * scale > max_width:
                continue
            picks.append(item)
            width = grown
        strokes = compose([w.strokes(i) for i in picks], gaps[:len(picks)],
                          ref * rng.uniform(-0.06, 0.06, len(picks)))
        return self._render(strokes, " ".join(w.text(i) for i in picks), scale, body)

    def _render(self, strokes, text, scale, body):
        """Strokes at ``scale`` px per tablet unit; the baseline is put half a body
        below the median of the points (about the middle of the lower case)."""
        (_, height), (y0, middle) = _extent(strokes), _middle(strokes)
        pen = max(0.8, self.pen * body)
        margin = int(np.ceil(pen)) + 2
        ink = render(strokes, pen_width=pen, slant=self.slant, height=int(round(height * scale)) + 2 * margin,
                     margin=margin)
        line = InkLine(1.0 - ink.astype(np.float32) / 255.0, margin + (middle - y0) * scale + 0.5 * body, text,
                       start=margin)
        return trim(line, margin=margin)


def _extent(strokes):
    pts = np.concatenate(strokes)
    return pts.max(axis=0) - pts.min(axis=0) + 1e-3


def _middle(strokes):
    pts = np.concatenate(strokes)
    return float(pts[:, 1].min()), float(np.median(pts[:, 1]))


def choose_hand(rng, fonts: list, writers: StrokeWriters, stroke_share: float, marker: bool = False) -> Hand:
    """A page's hand: a UniPen writer with probability ``stroke_share`` (when
    there are any), else a font; ``marker`` gives a broad pen and, mostly, a marker-style font."""
    pen = rng.uniform(0.18, 0.32) if marker else rng.uniform(0.07, 0.17)
    slant = float(rng.normal(0.05, 0.15))
    use_strokes = writers is not None and len(writers) and (not fonts or rng.random() < stroke_share)
    if use_strokes:
        return Hand(pen, slant, writer=writers.writers[int(rng.integers(len(writers)))], writers=writers)
    if not fonts:
        raise ValueError("no handwriting source: neither UniPen strokes nor fonts")
    markers = [f for f in fonts if f.style == "marker"]
    pool = markers if marker and markers and rng.random() < 0.7 else fonts
    return Hand(pen, slant, font=pool[int(rng.integers(len(pool)))])


def choose_neat_hand(rng, fonts: list, capitals: CapitalWriters, marker: bool = False) -> Hand:
    """A hand for neat block capitals and digits on cards and notes: a UniPen
    writer's single letters (when ``capitals`` has writers) or a font, mostly a
    capitals-only one, upright, often letter-spaced; ``marker`` gives a broad pen."""
    pen = rng.uniform(0.16, 0.3) if marker else rng.uniform(0.05, 0.14)
    slant = float(rng.normal(0.0, 0.08))
    gap = 0.0 if rng.random() < 0.35 else float(rng.uniform(0.1, 1.4))
    if capitals is not None and len(capitals) and (not fonts or rng.random() < 0.45):
        return Hand(pen, slant, writer=capitals.writers[int(rng.integers(len(capitals)))], capitals=capitals,
                    gap=gap)
    if not fonts:
        raise ValueError("no handwriting source: neither UniPen capitals nor fonts")
    caps = [f for f in fonts if f.caps_only]
    pool = caps if caps and rng.random() < 0.5 else fonts
    return Hand(pen, slant, font=pool[int(rng.integers(len(pool)))], gap=gap)
