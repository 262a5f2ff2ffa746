"""Block capitals and digits written with UniPen writers' single characters
(categories 1a and 1b of ``../shared/data/unipen``): one writer's own letters
side by side, the neat lettering people put on cards, labels and forms.

Training pages use the training writers only, test pages the test writers
(``writer_split_test``).
"""
import os
from collections import defaultdict

import numpy as np

from ..io.archives import NpzArchive
from ..recognition.strokes import render, sample_strokes
from .block_text import block
from .fonts import InkLine, trim

CATEGORIES = ("1a", "1b")   # digits, capitals
MIN_CHARS = 30              # a writer needs this many distinct capitals and digits
# a sample whose ink is flatter than this (height / width) is no capital or digit but a slip of
# the pen, and a flat one would be scaled to an unbounded width when drawn at a capital's height
FLATTEST = 0.1


class CapitalWriters:
    """The single capitals and digits of one split's UniPen writers, by writer and character."""

    def __init__(self, unipen_dir: str, split: str):
        with NpzArchive(os.path.join(unipen_dir, "unipen_train_r01_v07_strokes.npz")) as d:
            self._points = d.array("points_xy")
            self._lengths = d.array("stroke_lengths")
            per_sample = d.array("strokes_per_sample")
            labels, category, writer = d.array("labels"), d.array("category"), d.array("writer")
        with NpzArchive(os.path.join(unipen_dir, "unipen_train_r01_v07_28x28.npz")) as d:
            test = d.array("writer_split_test")
        self._first_stroke = np.concatenate([[0], np.cumsum(per_sample)])
        self._first_point = np.concatenate([[0], np.cumsum(self._lengths)])
        self._per_sample = per_sample
        chosen = np.isin(category, CATEGORIES) & (test == (split == "test")) & self._drawable()
        by_writer = defaultdict(lambda: defaultdict(list))
        for i in np.flatnonzero(chosen):
            by_writer[str(writer[i])][str(labels[i])].append(int(i))
        self.samples = {w: dict(chars) for w, chars in by_writer.items() if len(chars) >= MIN_CHARS}
        self.writers = sorted(self.samples)

    def _drawable(self) -> np.ndarray:
        """Per sample: it has ink, and its ink box is not flat (FLATTEST)."""
        starts = self._first_point[self._first_stroke[:-1]]
        ends = self._first_point[self._first_stroke[1:]]
        drawable = ends > starts
        low = np.minimum.reduceat(self._points, starts[drawable], axis=0)
        high = np.maximum.reduceat(self._points, starts[drawable], axis=0)
        width, height = (high.astype(np.float64) - low).T
        drawable[drawable] = (height > 0) & (height >= FLATTEST * width)
        return drawable

    def __len__(self):
        return len(self.writers)

    def strokes(self, i: int) -> list:
        first = int(self._first_stroke[i])
        return sample_strokes(self._points, self._lengths, first, int(self._per_sample[i]),
                              int(self._first_point[first]))

    def line(self, rng, writer: str, text: str, cap: float, pen: float, slant: float, gap: float) -> InkLine:
        """``text`` in block capitals by ``writer`` (characters they never wrote are left
        out), capitals ``cap`` px tall, ``gap`` px between letters."""
        chars = self.samples[writer]
        text = " ".join("".join(ch for ch in word if ch in chars) for word in block(text).split()).strip()
        margin = int(np.ceil(pen)) + 2
        height = int(np.ceil(cap * 1.6)) + 2 * margin
        baseline = margin + cap * 1.3
        pieces, x = [], float(margin)
        for ch in text:
            if ch == " ":
                x += cap * rng.uniform(0.5, 1.0)
                continue
            picks = chars[ch]
            tall = cap * rng.uniform(0.9, 1.08)
            ink = 1.0 - render(self.strokes(picks[int(rng.integers(len(picks)))]), pen_width=pen,
                               slant=slant, height=int(round(tall)) + 2 * margin, margin=margin) / 255.0
            top = int(round(baseline - tall - margin + rng.normal(0, 0.04) * cap))
            pieces.append((int(round(x)), top, ink.astype(np.float32)))
            x += ink.shape[1] - 2 * margin + gap * rng.uniform(0.7, 1.3)
        canvas = np.zeros((height + int(cap), int(x) + 2 * margin + 2), np.float32)
        for left, top, ink in pieces:
            region = canvas[max(top, 0):top + ink.shape[0], left:left + ink.shape[1]]
            np.maximum(region, ink[max(-top, 0):max(-top, 0) + region.shape[0], :region.shape[1]], out=region)
        return trim(InkLine(canvas, baseline, text, start=float(margin)), margin=margin)
