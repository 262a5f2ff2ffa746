"""Where ink begins on an ink map (0-255 ink strength, ``segment.ink_map``): the
page's level, and the level that splits one part of it (the writing the detector
finds) from its paper. Both come from one 256-bin histogram."""
import cv2
import numpy as np

# weaker ink than this (of 255) is never ink: the paper's grain
MIN_INK_LEVEL = 10


def ink_level(ink):
    """The ink strength above which a pixel is ink: Otsu, but never below a floor
    relative to the strongest ink; None on a blank page."""
    counts = _histogram(ink)
    strong = _percentile(counts, 99.7)
    if strong < 12:
        return None
    return max(_otsu(counts), 0.3 * strong)


def otsu_level(ink, where):
    """The ink strength (at least MIN_INK_LEVEL) that best splits the ink map's pixels
    inside ``where`` (a uint8 map, nonzero inside) in two: ink and paper."""
    return _otsu(_histogram(ink, where))


def _histogram(ink, where=None):
    """How many pixels of ``ink`` (inside ``where``, if given) have each strength 0..255."""
    return cv2.calcHist([ink], [0], where, [256], [0, 256]).ravel().astype(np.int64)


def _otsu(counts):
    """Otsu's level (at least MIN_INK_LEVEL) of the strengths ``counts`` counts: the one
    that splits them into the two classes farthest apart for their sizes."""
    share = np.cumsum(counts) / max(counts.sum(), 1)
    mean = np.cumsum(counts * np.arange(256)) / max(counts.sum(), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * share - mean) ** 2 / (share * (1.0 - share))
    return max(float(np.argmax(np.nan_to_num(between))), MIN_INK_LEVEL)


def _percentile(counts, q):
    """np.percentile (linear) of the strengths 0..255 counted by ``counts``, without sorting them."""
    position = q / 100.0 * (counts.sum() - 1)
    below = np.floor(position)
    cumulative = np.cumsum(counts)
    low, high = np.searchsorted(cumulative, [below, below + 1], side="right")
    return float(low + (position - below) * (min(high, 255) - low))
