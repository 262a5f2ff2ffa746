"""Property tests: random small images of every kind through HandwritingReader.read.

The property is about segmentation robustness, so a stand-in classifier is used: it has
.labels and .predict and answers a deterministic distribution computed from the input."""
import time

import cv2
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.reader.predictor import HandwritingReader


class InputCheckingClassifier:
    labels = list(TUTORIAL_LABELS)
    runtime = "fake"

    def __init__(self):
        self.calls = 0

    def predict(self, inputs):
        inputs = np.asarray(inputs)
        assert inputs.ndim == 4 and inputs.shape[1:] == (32, 32, 1) and inputs.dtype == np.float32
        assert inputs.min() >= 0.0 and inputs.max() <= 1.0
        self.calls += 1
        flat = inputs.reshape(len(inputs), -1)
        logits = 8.0 * flat[:, (np.arange(36) * 29) % flat.shape[1]]
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


READER = HandwritingReader(InputCheckingClassifier())


def make_image(h, w, seed, kind, colour):
    rng = np.random.default_rng(seed)
    if kind == "noise":
        image = rng.integers(0, 256, (h, w), dtype=np.uint8)
    elif kind == "flat":
        image = np.full((h, w), int(rng.integers(0, 256)), np.uint8)
    else:
        image = np.full((h, w), int(rng.integers(150, 256)), np.uint8)
        for _ in range(int(rng.integers(1, 15))):
            ink = int(rng.integers(0, 120))
            p = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            q = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            thickness = int(rng.integers(1, 6))
            shape = int(rng.integers(0, 3)) if kind == "shapes" else 0
            if shape == 0:
                cv2.line(image, p, q, ink, thickness)
            elif shape == 1:
                cv2.rectangle(image, p, q, ink, int(rng.choice([-1, thickness])))
            else:
                axes = (int(rng.integers(1, max(2, w // 3))), int(rng.integers(1, max(2, h // 3))))
                cv2.ellipse(image, p, axes, float(rng.integers(0, 180)), 0, 360, ink, int(rng.choice([-1, thickness])))
        if rng.random() < 0.5:  # uneven light over the drawing
            image = (image * np.linspace(0.3, 1.0, w)[None, :]).astype(np.uint8)
    return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if colour else image


params = st.tuples(st.integers(8, 400), st.integers(8, 400), st.integers(0, 2 ** 32 - 1),
                   st.sampled_from(["noise", "flat", "lines", "shapes"]), st.booleans())
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(params)
def test_reader_never_fails_on_random_images(p):
    image = make_image(*p)
    page = READER.read(image, "random")
    h, w = image.shape[:2]
    for c in page.characters:
        x, y, bw, bh = c.box
        # every box lies in the image, give or take the one-pixel rounding error that
        # test_boxes_lie_inside_the_image_and_are_not_empty pins down
        assert 0 <= x <= w and 0 <= y <= h and x + bw <= w + 1 and y + bh <= h + 1, (c.box, image.shape)
        assert bw >= 0 and bh >= 0
        assert c.char in TUTORIAL_LABELS and 0.0 <= c.confidence <= 1.0
    assert len(page.text.splitlines()) == len(page.lines)
    assert all(line.words and all(word.characters for word in line.words) for line in page.lines)
    d = page.to_dict()
    assert len(d["characters"]) == len(page.characters) and len(d["lines"]) == len(page.lines)


@SETTINGS
@given(params)
@example((493, 322, 0, "noise", False))
@example((254, 174, 107, "lines", False))
def test_boxes_lie_inside_the_image_and_are_not_empty(p):
    image = make_image(*p)
    h, w = image.shape[:2]
    for c in READER.read(image).characters:
        x, y, bw, bh = c.box
        assert bw >= 1 and bh >= 1 and x + bw <= w and y + bh <= h, (c.box, image.shape)


def test_a_large_noise_image_is_read_in_bounded_time():
    image = np.random.default_rng(3).integers(0, 256, (1200, 1600), dtype=np.uint8)
    start = time.perf_counter()
    READER.read(image)
    assert time.perf_counter() - start < 20
