"""The one crop normalisation shared by training and reading.

Training glyphs (MNIST, UniPen, the A-Z CSV) are MNIST style: ink fitted in a
20x20 box, anti-aliased, centred by mass in 28x28. A crop cut from a photo is
turned into exactly that, then both go to the network's 32x32 input the same way.
"""
import cv2
import numpy as np

GLYPH_SIDE = 28
INK_BOX = 20
MODEL_SIDE = 32


def normalize_glyph(ink):
    """Turn an ink map (bright ink on dark, any size, any dtype) into a 28x28
    uint8 MNIST-style glyph. An empty map gives an empty glyph."""
    ink = np.asarray(ink, dtype=np.float32)
    rows = np.flatnonzero(ink.max(axis=1) > 0) if ink.size else []
    cols = np.flatnonzero(ink.max(axis=0) > 0) if ink.size else []
    if len(rows) == 0:
        return np.zeros((GLYPH_SIDE, GLYPH_SIDE), np.uint8)
    ink = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    ink *= 255.0 / ink.max()
    # fit the long side to the 20-px box; INTER_AREA anti-aliases when shrinking
    h, w = ink.shape
    scale = INK_BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = cv2.resize(ink, size, interpolation=interpolation)
    # put the centre of mass at the centre of the 28x28 frame, as MNIST does
    mass = small.sum()
    cy = (small.sum(axis=1) @ np.arange(small.shape[0])) / mass
    cx = (small.sum(axis=0) @ np.arange(small.shape[1])) / mass
    centre = (GLYPH_SIDE - 1) / 2
    shift = np.float32([[1, 0, centre - cx], [0, 1, centre - cy]])
    glyph = cv2.warpAffine(small, shift, (GLYPH_SIDE, GLYPH_SIDE), flags=cv2.INTER_LINEAR)
    return np.clip(glyph, 0, 255).astype(np.uint8)


def glyph_batch(glyphs):
    """(N, 28, 28) uint8 glyphs -> (N, 32, 32, 1) float32 in [0, 1], the network input."""
    glyphs = np.asarray(glyphs)
    if glyphs.ndim == 2:
        glyphs = glyphs[None]
    out = np.empty((len(glyphs), MODEL_SIDE, MODEL_SIDE, 1), np.float32)
    for i, glyph in enumerate(glyphs):
        out[i, :, :, 0] = cv2.resize(glyph, (MODEL_SIDE, MODEL_SIDE), interpolation=cv2.INTER_LINEAR)
    out *= 1.0 / 255.0
    return out


def glyphs_to_inputs(images):
    """Glyphs or ink crops of any size -> the network's (N, 32, 32, 1) input: the
    normalisation above, the same for training glyphs and a photo's crops."""
    if len(images) == 0:
        return np.zeros((0, MODEL_SIDE, MODEL_SIDE, 1), np.float32)
    return glyph_batch(np.stack([normalize_glyph(g) for g in images]))
