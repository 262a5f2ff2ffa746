"""A character whose strokes do not touch (an N drawn as '|' and '\\|') is joined when
the classifier is surer of the whole than of either piece; neighbours stay apart."""
import cv2
import numpy as np
import pytest

from conftest import SHIPPED_KERAS
from pyimagesearch.detection import segment
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

    union = segment._union(stem, rest)
    assert sorted(segment._choose_joins([stem, rest, far], height, crop, judge({union: 0.9}))) == [union, far]
    # not surer of the whole than of its surest piece: kept apart
    kept = segment._choose_joins([stem, rest, far], height, crop, judge({union: 0.9, rest: 0.95}))
    assert sorted(kept) == [stem, rest, far]
    assert segment._choose_joins([stem, rest], height, crop, None) == [stem, rest]


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
