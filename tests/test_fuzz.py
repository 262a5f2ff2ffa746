"""Fuzz: generated image files of random sizes (1xN to 20000xN), formats, bit depths
and contents through the whole reader (``reader.app.run``, the shipped models, in
this process). Every file is read (exit status 0, JSON out) or refused with one
``[ERROR]`` line (status 2); nothing raises."""
import io
import json
import os
import tempfile

import cv2
import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image

from pyimagesearch.reader.app import run
from pyimagesearch.reader.options import OutputOptions, ReaderOptions

FORMATS = ("png", "jpeg", "bmp-1bit", "tiff-16bit", "webp", "gif", "png-rgba", "webp-la", "png-la")
CONTENTS = ("noise", "speckle", "strokes", "blank")
# noise is drawn on at most this many pixels (a bigger noise file takes seconds to encode)
NOISE_PIXELS = 1_000_000
WEBP_MAX_SIDE = 16383


def _pixels(height, width, content, seed):
    """An 8-bit grey page: noise (in a corner when the page is big), speckle or strokes."""
    rng = np.random.default_rng(seed)
    page = np.full((height, width), int(rng.integers(150, 256)), np.uint8)
    if content in ("noise", "speckle"):
        rows = min(height, max(1, NOISE_PIXELS // width))
        if content == "noise":
            page[:rows] = rng.integers(0, 256, (rows, width), dtype=np.uint8)
        else:
            page[:rows][rng.random((rows, width)) < 0.05] = 0
    elif content == "strokes":
        for _ in range(int(rng.integers(1, 30))):
            p = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            q = (int(p[0] + rng.integers(-60, 61)), int(p[1] + rng.integers(-60, 61)))
            cv2.line(page, p, q, int(rng.integers(0, 100)), int(rng.integers(1, 8)))
    return page


def _save(page, fmt, folder):
    """``page`` written in ``fmt``; returns the path."""
    if fmt.startswith("webp") and max(page.shape) > WEBP_MAX_SIDE:
        fmt = fmt.replace("webp", "png")   # WebP cannot hold it
    path = os.path.join(folder, "page." + fmt.split("-")[0].replace("jpeg", "jpg"))
    if fmt == "bmp-1bit":
        Image.fromarray(page > 128).save(path)
    elif fmt == "tiff-16bit":
        Image.fromarray(page.astype(np.uint16) * 257).save(path)
    elif fmt.endswith("-la"):   # the ink in the alpha channel, the paper transparent
        Image.fromarray(np.dstack([page, 255 - page])).save(path)
    elif fmt.endswith("-rgba"):
        Image.fromarray(np.dstack([np.zeros(page.shape + (3,), np.uint8), 255 - page])).save(path)
    else:
        Image.fromarray(page).save(path)
    return path


def _read(path):
    out, err = io.StringIO(), io.StringIO()
    status = run([path], ReaderOptions(), OutputOptions(as_json=True, window=False), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


sizes = st.tuples(st.integers(1, 20000), st.integers(1, 2000), st.booleans())


@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(sizes, st.sampled_from(FORMATS), st.sampled_from(CONTENTS), st.integers(0, 2 ** 32 - 1))
@example((30000, 8, False), "png", "strokes", 0)
@example((16000, 10, True), "webp", "noise", 1)
@example((6000, 8, True), "bmp-1bit", "noise", 2)
@example((1, 1, False), "gif", "blank", 3)
@example((1600, 1200, False), "tiff-16bit", "noise", 4)
def test_any_image_is_read_or_refused_in_one_line(size, fmt, content, seed):
    long_side, other, tall = size
    height, width = (long_side, other) if tall else (other, long_side)
    with tempfile.TemporaryDirectory() as folder:
        path = _save(_pixels(height, width, content, seed), fmt, folder)
        status, out, err = _read(path)
    assert status in (0, 2), (status, err)
    said = [line for line in err.splitlines() if not line.startswith("[INFO] ")]
    if status == 2:
        assert len(said) == 1 and said[0].startswith("[ERROR] "), err
        assert json.loads(out) == []
    else:
        assert said == [], err
        page, = json.loads(out)
        assert isinstance(page["text"], str)
