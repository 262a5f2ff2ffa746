"""Image -> line-model input, shared by training and reading (no TensorFlow).

The network sees **white ink on black**, float32 in [0, 1], height 32, any
width: right padding with 0 is then plain background. Each 4 columns of input
give one CTC frame (``frames(width) = width // 4``).
"""
import dataclasses

import cv2
import numpy as np

HEIGHT = 32
STRIDE = 4          # input columns per output frame
MIN_WIDTH = 16      # narrower inputs are padded with background
MIN_CONTRAST = 40.0  # grey levels: below this, a crop is treated as nearly blank

# Densely written lines, under about 3 CTC frames per character, read much worse
# (UniPen test lines under 9 px per character: CER 41%, the others 12-18%). Such a
# line is read a second time from its crop widened to TARGET_PX_PER_CHAR input
# columns per character it was first read with. The numbers were chosen on the
# validation persons' lines.
DENSE_PX_PER_CHAR = 11.0
TARGET_PX_PER_CHAR = 13.0
MAX_STRETCH = 1.8


def frames(width):
    """Number of CTC frames the network gives for an input ``width`` px wide."""
    return int(width) // STRIDE


def dense_stretch(width, chars):
    """How much to widen a line whose model input is ``width`` columns wide and
    holds ``chars`` characters: 1.0 unless it is densely written."""
    if chars <= 0 or width / chars >= DENSE_PX_PER_CHAR:
        return 1.0
    return min(MAX_STRETCH, TARGET_PX_PER_CHAR * chars / width)


def widen(gray, stretch):
    """A crop made ``stretch`` times wider, at its own resolution (so a photo's
    detail survives, which widening the 32-px model input would blur away)."""
    gray = np.asarray(gray)
    h, w = gray.shape[:2]
    return cv2.resize(gray, (max(1, int(round(w * stretch))), h), interpolation=cv2.INTER_LINEAR)


def resize_to_height(gray, height=HEIGHT):
    """Scale a grey image (any size) to ``height`` rows, keeping the aspect ratio."""
    gray = np.asarray(gray)
    if gray.ndim == 3:
        gray = cv2.cvtColor(gray, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape[:2]
    if h == height:
        return gray
    new_w = max(1, int(round(w * height / float(h))))
    interpolation = cv2.INTER_AREA if h > height else cv2.INTER_LINEAR
    return cv2.resize(gray, (new_w, height), interpolation=interpolation)


def to_model_input(gray):
    """Dark ink on light paper (uint8 or float 0..255, any height) -> float32
    (32, W) white ink on black in [0, 1].

    The paper level is the median grey (ink covers well under half a line crop),
    the ink level the 1st percentile; both are mapped to 0 and 1, so exposure and
    ink colour do not matter. Uneven lighting is left to the network (training
    augments it)."""
    g = resize_to_height(gray).astype(np.float32)
    paper = float(np.median(g))
    ink = float(np.percentile(g, 1.0))
    scale = max(paper - ink, MIN_CONTRAST)
    return np.clip((paper - g) / scale, 0.0, 1.0).astype(np.float32)


def pad_batch(inputs, multiple=STRIDE, min_width=MIN_WIDTH):
    """List of (32, W_i) inputs -> (B, 32, W, 1) float32, right-padded with 0 to
    the widest (rounded up to ``multiple``), and the original widths."""
    widths = np.array([x.shape[1] for x in inputs], dtype=np.int64)
    width = max(int(widths.max()), min_width)
    width = -(-width // multiple) * multiple
    batch = np.zeros((len(inputs), HEIGHT, width, 1), np.float32)
    for i, x in enumerate(inputs):
        batch[i, :, :x.shape[1], 0] = x
    return batch, widths


def span_to_columns(span, scale=1.0):
    """CTC frame span (first, last) -> column range [x0, x1) in the image it was
    read from (``scale``: image columns per model-input column)."""
    first, last = span
    return first * STRIDE * scale, (last + 1) * STRIDE * scale


def placed(decoded, crop_height, stretch=1.0):
    """``decoded`` with its ``columns``: each character's [x0, x1) in the crop it was
    read from, ``crop_height`` rows high and read widened by ``stretch``."""
    scale = crop_height / float(HEIGHT) / stretch
    return dataclasses.replace(decoded, columns=[span_to_columns(span, scale) for span in decoded.spans])
