"""Synthetic handwriting pages for the reader tests: real glyphs from tests/fixtures
drawn as dark ink on white paper at known positions, so the expected reading order
(lines, words, characters and their boxes) is known exactly."""
import os

import cv2
import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_fixture_glyphs():
    with np.load(os.path.join(FIXTURES, "glyphs.npz")) as d:
        return d["images"], d["labels"]


def single_stroke_glyphs():
    """{label: 28x28 glyph} for each label that has a glyph made of one connected stroke
    (so a correct segmenter must find exactly one box for it)."""
    images, labels = load_fixture_glyphs()
    chosen = {}
    for image, label in zip(images, labels):
        if label in chosen:
            continue
        count, _ = cv2.connectedComponents((image > 40).astype(np.uint8), connectivity=8)
        if count - 1 == 1:
            chosen[str(label)] = image
    return chosen


def _ink_crop(glyph):
    ys, xs = np.nonzero(glyph > 0)
    return glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def render_page(glyphs, lines, height=100, gap=0.3, word_gap=1.4, pitch=2.2, margin=1.0):
    """Draw ``lines`` (a list of lines, each a list of words, each a string of labels in
    ``glyphs``) with characters ``height`` px tall.

    Returns (gray page uint8, expected) where expected is lines -> words -> list of
    (label, [x, y, w, h]) boxes of the drawn ink.
    """
    placed, expected = [], []
    y_centre = margin * height + height / 2
    widest = 0
    for line in lines:
        x = margin * height
        line_boxes = []
        for k, word in enumerate(line):
            if k:
                x += word_gap * height
            word_boxes = []
            for j, label in enumerate(word):
                if j:
                    x += gap * height
                crop = _ink_crop(glyphs[label]).astype(np.float32)
                scale = height / crop.shape[0]
                w = max(1, int(round(crop.shape[1] * scale)))
                ink = cv2.resize(crop, (w, height), interpolation=cv2.INTER_LINEAR)
                top = int(round(y_centre - height / 2))
                placed.append((int(round(x)), top, ink))
                word_boxes.append((label, [int(round(x)), top, w, height]))
                x += w
            line_boxes.append(word_boxes)
        widest = max(widest, x)
        expected.append(line_boxes)
        y_centre += pitch * height
    page_w = int(round(widest + margin * height))
    page_h = int(round(y_centre - pitch * height + height / 2 + margin * height))
    darkness = np.zeros((page_h, page_w), np.float32)
    for x, y, ink in placed:
        region = darkness[y:y + ink.shape[0], x:x + ink.shape[1]]
        np.maximum(region, ink[:region.shape[0], :region.shape[1]], out=region)
    # paper 235, ink down to 30: a dark pen on slightly grey paper
    page = 235.0 - darkness / 255.0 * 205.0
    return np.clip(page, 0, 255).astype(np.uint8), expected


def scale_page(page, expected, width):
    """Resize a rendered page to ``width`` px wide, scaling the expected boxes with it."""
    factor = width / page.shape[1]
    size = (width, max(1, int(round(page.shape[0] * factor))))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    scaled = cv2.resize(page, size, interpolation=interpolation)
    boxes = [[[(label, [v * factor for v in box]) for label, box in word] for word in line]
             for line in expected]
    return scaled, boxes


def flatten(expected):
    return [item for line in expected for word in line for item in word]


def box_centre(box):
    return box[0] + box[2] / 2.0, box[1] + box[3] / 2.0


def inside(point, box, slack):
    x, y = point
    return (box[0] - slack <= x <= box[0] + box[2] + slack) and (box[1] - slack <= y <= box[1] + box[3] + slack)


def shape_of(page_or_expected):
    """[[characters per word] per line] of a Page (or of an expected layout)."""
    if hasattr(page_or_expected, "lines"):
        return [[len(w.characters) for w in line.words] for line in page_or_expected.lines]
    return [[len(word) for word in line] for line in page_or_expected]


class TemplateClassifier:
    """A stand-in classifier that recognises the fixture glyphs by nearest template.

    It knows only the glyphs the page was drawn with, through the same normalisation as
    the reader, so a page reads back exactly when segmentation, normalisation and reading
    order are all right; no trained network is involved."""
    runtime = "template"

    def __init__(self, glyphs):
        from pyimagesearch.transforms import glyphs_to_inputs
        self.labels = sorted(glyphs)
        self.templates = glyphs_to_inputs([glyphs[label] for label in self.labels]).reshape(len(self.labels), -1)

    def predict(self, inputs):
        inputs = np.asarray(inputs, np.float32).reshape(len(inputs), 1, -1)
        distance = ((inputs - self.templates[None]) ** 2).sum(axis=-1)
        z = -(distance - distance.min(axis=1, keepdims=True)) / 2.0
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
