"""Photos of lines written with single glyphs: 28x28 white-on-black glyphs (UniPen,
MNIST) placed side by side as block capitals on paper, then lit and shot
(``photo.light``, ``photo.camera``)."""
import cv2
import numpy as np

from ..transforms.glyph import INK_BOX
from .photo import camera, light


class GlyphPool:
    """Glyph images by label; ``images`` (N, 28, 28) uint8 white on black. With
    ``jitter`` each glyph is slanted, turned, stretched and its stroke thinned or
    thickened a little: a classifier's own training glyphs then look like a new
    writer's to it (for validation)."""

    def __init__(self, images: np.ndarray, labels, jitter: bool = False):
        labels = np.asarray([str(label) for label in labels])
        self.images = images
        self.jitter = jitter
        self.by_label = {label: np.flatnonzero(labels == label) for label in np.unique(labels)}

    @property
    def chars(self) -> str:
        return "".join(sorted(self.by_label))

    def ink(self, rng, char: str) -> np.ndarray:
        """One glyph of ``char`` cut to its ink (float 0..1, ink bright)."""
        image = self.images[int(rng.choice(self.by_label[char]))].astype(np.float32) / 255.0
        if self.jitter:
            image = _jittered(rng, image)
        rows, cols = np.flatnonzero(image.max(1) > 0.1), np.flatnonzero(image.max(0) > 0.1)
        return image[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _jittered(rng, image):
    angle, shear, stretch = rng.uniform(-10, 10), rng.uniform(-0.25, 0.25), rng.uniform(0.8, 1.2)
    matrix = cv2.getRotationMatrix2D((14, 14), angle, 1.0)
    matrix[:, :2] = matrix[:, :2] @ np.array([[stretch, shear], [0, 1]], np.float32)
    matrix[:, 2] += np.array([14, 14]) - matrix[:, :2] @ np.array([14, 14])
    image = cv2.warpAffine(image, matrix, (28, 28), flags=cv2.INTER_LINEAR)
    stroke = rng.random()
    if stroke < 0.25:
        image = cv2.dilate(image, np.ones((2, 2), np.uint8))
    elif stroke < 0.4:
        image = cv2.erode(image, np.ones((2, 2), np.uint8))
    return image if image.max() > 0.1 else np.pad(np.ones((4, 4), np.float32), 12)


def _line_layer(rng, pool, text, height):
    """Ink (float, bright) of one line of ``text``, glyphs ``height`` px tall."""
    pieces, gap, row = [], max(3, int(height * rng.uniform(0.15, 0.4))), int(height * 1.5)
    for word in text.split():
        for char in word:
            ink = pool.ink(rng, char)
            # the source glyphs are fitted to a 20-px box by their long side: one scale keeps their shapes
            scale = min(height * rng.uniform(0.92, 1.08) / INK_BOX, row / ink.shape[0])
            h, w = (max(2, int(round(side * scale))) for side in ink.shape)
            glyph = np.zeros((row, w), np.float32)
            bottom = row - int(rng.integers(0, max(1, row - h + 1)) * 0.3)
            glyph[bottom - h:bottom] = cv2.resize(ink, (w, h), interpolation=cv2.INTER_LINEAR)
            pieces += [glyph, np.zeros((glyph.shape[0], gap), np.float32)]
        pieces.append(np.zeros((row, int(height * rng.uniform(0.7, 1.1))), np.float32))
    return np.concatenate(pieces[:-2], axis=1)


def glyph_photo(rng, pool: GlyphPool, lines: list[str]) -> np.ndarray:
    """A BGR uint8 photo of ``lines`` (each written with glyphs of ``pool``)."""
    height = int(rng.integers(36, 64))
    layers = [_line_layer(rng, pool, line, height) for line in lines]
    margin, pitch = int(height * rng.uniform(0.8, 1.5)), int(height * rng.uniform(1.6, 2.2))
    width = max(layer.shape[1] for layer in layers) + 2 * margin
    ink = np.zeros((2 * margin + pitch * (len(lines) - 1) + layers[0].shape[0], width), np.float32)
    for k, layer in enumerate(layers):
        top, left = margin + k * pitch, margin + int(rng.integers(0, max(1, width - 2 * margin - layer.shape[1] + 1)))
        ink[top:top + layer.shape[0], left:left + layer.shape[1]] = layer
    paper = np.array([rng.uniform(200, 250), rng.uniform(205, 250), rng.uniform(210, 252)], np.float32)
    pen = np.array([rng.uniform(20, 120), rng.uniform(10, 60), rng.uniform(0, 40)], np.float32)
    strength = np.clip(ink * rng.uniform(0.8, 1.0), 0, 1)[:, :, None]
    frame = paper * (1 - strength) + pen * strength
    light(rng, frame)
    return camera(rng, frame)
