"""normalize_glyph / glyph_batch: the one crop normalisation shared by training and reading."""
import cv2
import numpy as np
import pytest

from conftest import DIGITS, GLYPHS
from pyimagesearch.transforms import normalize_glyph, glyph_batch


def ink_box(glyph, level=1):
    ys, xs = np.nonzero(glyph >= level)
    return ys.max() - ys.min() + 1, xs.max() - xs.min() + 1


def centre_of_mass(glyph):
    m = glyph.astype(np.float64)
    return (m.sum(axis=1) @ np.arange(m.shape[0])) / m.sum(), (m.sum(axis=0) @ np.arange(m.shape[1])) / m.sum()


def shapes():
    """Ink maps of every kind the reader hands over: real glyphs at odd sizes and dtypes, strokes, dots."""
    with np.load(GLYPHS) as d:
        glyphs = d["images"][::9]
    out = []
    for k, g in enumerate(glyphs):
        big = cv2.resize(g, (28 * (k + 2), 28 * (k % 3 + 2)), interpolation=cv2.INTER_NEAREST)
        out.append(big)
        out.append(g.astype(np.float32) / 255.0)
    bar = np.zeros((9, 300), np.uint8)
    bar[3:6, :] = 200
    pole = bar.T.copy()
    dot = np.zeros((1, 1), np.uint8) + 7
    blob = np.zeros((400, 50), bool)
    blob[100:300, 10:40] = True
    return out + [bar, pole, dot, blob]


@pytest.mark.parametrize("ink", shapes(), ids=lambda a: f"{a.shape[0]}x{a.shape[1]}-{a.dtype}")
def test_output_is_mnist_style(ink):
    glyph = normalize_glyph(ink)
    assert glyph.shape == (28, 28) and glyph.dtype == np.uint8
    # the strongest ink is rescaled to full white (a 1-px stroke may be split over two rows)
    assert glyph.max() >= 120
    # the ink's long side is fitted to the 20 px box; sub-pixel centring may add a faint fringe
    assert 19 <= max(ink_box(glyph)) <= 21
    if glyph.max() >= 128:
        assert max(ink_box(glyph, level=128)) <= 20
    cy, cx = centre_of_mass(glyph)
    assert abs(cy - 13.5) < 0.5 and abs(cx - 13.5) < 0.5
    # the aspect ratio survives: a wide ink map stays wide, a tall one tall
    h0, w0 = ink_box(np.asarray(ink, np.float32), level=1e-6)
    h1, w1 = ink_box(glyph)
    if h0 >= 2 * w0:
        assert h1 >= 2 * w1 - 2
    if w0 >= 2 * h0:
        assert w1 >= 2 * h1 - 2


@pytest.mark.parametrize("ink", [np.zeros((40, 30)), np.zeros((0, 0)), np.zeros((5, 5), np.uint8),
                                 -np.ones((10, 10), np.float32)], ids=["zeros", "no-pixels", "uint8", "negative"])
def test_empty_input_gives_an_empty_glyph(ink):
    glyph = normalize_glyph(ink)
    assert glyph.shape == (28, 28) and glyph.dtype == np.uint8 and not glyph.any()


def test_mnist_glyph_stays_close_to_itself():
    with np.load(DIGITS) as d:
        digits = d["images"]
    correlations = []
    for g in digits:
        n = normalize_glyph(g)
        # same ink box (MNIST is already fitted to 20 px) and the same centre of mass
        assert abs(max(ink_box(n, 64)) - max(ink_box(g, 64))) <= 1
        assert np.allclose(centre_of_mass(n), centre_of_mass(g), atol=1.0)
        correlations.append(np.corrcoef(n.ravel().astype(float), g.ravel().astype(float))[0, 1])
    assert np.mean(correlations) > 0.8 and np.min(correlations) > 0.4
    # and a second pass changes (almost) nothing: the normalisation is idempotent
    for g in digits[:50]:
        once = normalize_glyph(g)
        twice = normalize_glyph(once)
        assert np.corrcoef(once.ravel().astype(float), twice.ravel().astype(float))[0, 1] > 0.9


def test_position_and_scale_do_not_matter():
    """The same letter cut from a page at two sizes and places normalises to the same glyph."""
    with np.load(GLYPHS) as d:
        glyphs = d["images"][::6]
    for g in glyphs:
        small = np.zeros((120, 90), np.uint8)
        small[30:58, 40:68] = g
        large = np.zeros((400, 500), np.uint8)
        large[100:100 + 170, 250:250 + 170] = cv2.resize(g, (170, 170), interpolation=cv2.INTER_NEAREST)
        a, b = normalize_glyph(small), normalize_glyph(large)
        assert np.corrcoef(a.ravel().astype(float), b.ravel().astype(float))[0, 1] > 0.9


def test_glyph_batch():
    with np.load(GLYPHS) as d:
        glyphs = np.stack([normalize_glyph(g) for g in d["images"][:10]])
    x = glyph_batch(glyphs)
    assert x.shape == (10, 32, 32, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and np.isclose(x.max(), 1.0, atol=0.02)
    one = glyph_batch(glyphs[0])
    assert one.shape == (1, 32, 32, 1) and np.array_equal(one[0], x[0])
    assert glyph_batch(np.zeros((0, 28, 28), np.uint8)).shape == (0, 32, 32, 1)
