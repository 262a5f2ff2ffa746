"""A character whose strokes do not touch (an N drawn as '|' and '\\|') is joined when
the classifier is surer of the whole than of either piece; neighbours stay apart."""
import cv2
import numpy as np
import pytest

from conftest import SHIPPED_KERAS
from pyimagesearch.detection import glyph_boxes, segment
from pyimagesearch.detection.segment import find_glyphs


@pytest.fixture(scope="module")
def classifier():
    """The shipped model on its fast path (the LiteRT twin)."""
    from pyimagesearch.models.classifier import load_classifier
    return load_classifier(SHIPPED_KERAS)


def _broken_n(gap_px):
    """White page, an N 80 px tall whose left stem stands ``gap_px`` left of the rest."""
    page = np.full((300, 300), 255, np.uint8)
    x0, y0, y1 = 100, 110, 190
    cv2.line(page, (x0, y1), (x0, y0), 0, 7)
    cv2.line(page, (x0 + gap_px + 8, y0), (x0 + gap_px + 55, y1), 0, 7)
    cv2.line(page, (x0 + gap_px + 55, y1), (x0 + gap_px + 55, y0), 0, 7)
    return page


def _l_and_t(gap_px):
    """An L and a T, ``gap_px`` apart at their closest."""
    page = np.full((300, 400), 255, np.uint8)
    x0, y0, y1 = 100, 110, 190
    cv2.line(page, (x0, y0), (x0, y1), 0, 7)
    cv2.line(page, (x0, y1), (x0 + 45, y1), 0, 7)
    t = x0 + 45 + gap_px + 8
    cv2.line(page, (t, y0), (t + 50, y0), 0, 7)
    cv2.line(page, (t + 25, y0), (t + 25, y1), 0, 7)
    return page


def test_judge_decides_each_candidate_pair():
    height = 40
    stem, rest = (10, 0, 6, 40), (17, 0, 25, 40)   # 1 px apart: a candidate
    far = (100, 0, 20, 40)                           # a character away: never a candidate

    def crop(box):
        return box

    def judge(scores):
        return lambda crops: [scores.get(c, 0.5) for c in crops]

    union = glyph_boxes.box_union(stem, rest)
    assert sorted(glyph_boxes.choose_joins([stem, rest, far], height, crop, judge({union: 0.9}))) == [union, far]
    # not surer of the whole than of its surest piece: kept apart
    kept = glyph_boxes.choose_joins([stem, rest, far], height, crop, judge({union: 0.9, rest: 0.95}))
    assert sorted(kept) == [stem, rest, far]
    assert glyph_boxes.choose_joins([stem, rest], height, crop, None) == [stem, rest]


@pytest.mark.parametrize("gap_px", [2, 4])
def test_broken_n_is_read_as_one_character(classifier, gap_px):
    from pyimagesearch.reader.predictor import HandwritingReader
    page = _broken_n(gap_px)
    assert len(find_glyphs(page)) == 2               # no judge: the pieces as the ink has them
    assert HandwritingReader(classifier).read(page).text == "N"


@pytest.mark.parametrize("gap_px", [2, 4])
def test_neighbouring_letters_are_not_joined(classifier, gap_px):
    from pyimagesearch.reader.predictor import HandwritingReader
    assert HandwritingReader(classifier).read(_l_and_t(gap_px)).text == "LT"


def _dots(pitch=20, side=7):
    """1600x1200 paper covered in dots ``side`` px square every ``pitch`` px: thousands
    of marks of a plausible size, an eighth of the paper inked."""
    page = np.full((1200, 1600), 255, np.uint8)
    for y in range(10, 1200 - side, pitch):
        for x in range(10, 1600 - side, pitch):
            page[y:y + side, x:x + side] = 0
    return page


def _grain(sigma=2.0):
    """Noise blurred into grains of about ``sigma`` px: half the page inked."""
    noise = np.random.default_rng(0).integers(0, 256, (1200, 1600)).astype(np.float32)
    blurred = cv2.GaussianBlur(noise, (0, 0), sigma)
    return cv2.normalize(blurred, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


@pytest.mark.parametrize("make", [_dots, _grain], ids=["too-many-marks", "too-much-ink"])
def test_a_texture_asks_the_judge_nothing(make):
    """The split and join judging costs a classification per candidate: a page with more
    marks, or more ink, than writing leaves is a texture and is not judged at all."""
    page = make()
    scan = segment.PageScan.of(page)
    assert scan.height >= segment.MIN_TEXT_HEIGHT   # the marks are big enough to be letters
    asked = []

    def judge(crops):
        asked.append(len(crops))
        return [0.5] * len(crops)

    assert find_glyphs(page, judge=judge, scan=scan) == []
    assert asked == []
