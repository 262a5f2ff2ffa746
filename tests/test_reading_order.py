"""Reading order on synthetic pages: real fixture glyphs drawn at known places, at scales from
a 150 px thumbnail to a 3000 px scan, in the dark, on ruled paper, and a blank page."""
import cv2
import numpy as np
import pytest

from pages import (TemplateClassifier, box_centre, flatten, inside, render_page, scale_page, shape_of,
                   single_stroke_glyphs)
from pyimagesearch.detection.segment import find_glyphs
from pyimagesearch.detection.layout import group_lines, reading_order, split_words
from pyimagesearch.reader.predictor import HandwritingReader

LINES = [["HELLO", "WORLD"], ["42", "CAT", "7"], ["XYZ", "1305"]]
TEXT = "HELLO WORLD\n42 CAT 7\nXYZ 1305"


@pytest.fixture(scope="module")
def glyphs():
    return single_stroke_glyphs()


@pytest.fixture(scope="module")
def reader(glyphs):
    return HandwritingReader(TemplateClassifier(glyphs))


@pytest.fixture(scope="module")
def page(glyphs):
    return render_page(glyphs, LINES)


def assert_layout(result, expected):
    """Lines top to bottom, words split, characters left to right, each where it was drawn."""
    assert shape_of(result) == shape_of(expected)
    found = result.characters
    wanted = flatten(expected)
    slack = 0.15 * np.median([box[3] for _, box in wanted])
    for character, (label, box) in zip(found, wanted):
        assert inside(box_centre(character.box), box, slack), (label, character.box, box)
    tops = [np.mean([c.box[1] for w in line.words for c in w.characters]) for line in result.lines]
    assert tops == sorted(tops)
    for line in result.lines:
        xs = [c.box[0] for w in line.words for c in w.characters]
        assert xs == sorted(xs)


@pytest.mark.parametrize("width", [150, None, 3000], ids=["150px", "native", "3000px"])
def test_synthetic_page_reads_in_order(reader, page, width):
    image, expected = page if width is None else scale_page(*page, width)
    result = reader.read(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), "synthetic")
    assert_layout(result, expected)
    assert result.text == TEXT
    assert result.to_dict()["text"] == TEXT


def test_gray_input_is_read_like_colour(reader, page):
    image, expected = page
    assert reader.read(image).text == TEXT


def test_dark_photo_with_gradient_light(reader, page):
    image, expected = page
    h, w = image.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 0.12 + 0.30 * xx / w + 0.10 * yy / h  # from 12% to 52% brightness
    noise = np.random.default_rng(7).normal(0, 2.0, image.shape)
    dark = np.clip(image * light + noise, 0, 255).astype(np.uint8)
    assert dark.mean() < 90
    bgr = cv2.merge([dark, (dark * 0.9).astype(np.uint8), (dark * 0.8).astype(np.uint8)])  # warm, dim light
    result = reader.read(bgr)
    assert_layout(result, expected)
    assert result.text == TEXT


def ruled(image, expected, touching, colour=(200, 150, 90), thickness=3, slant=0.0):
    """The page on ruled paper, its rules ``slant`` degrees askew (the letters stay level)."""
    canvas = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    h, w = image.shape
    height = expected[0][0][0][1][3]
    rise = w * np.tan(np.radians(slant))
    for line in expected:
        bottom = line[0][0][1][1] + line[0][0][1][3]
        y = int(bottom - 2 if touching else bottom + 0.3 * height)
        cv2.line(canvas, (0, int(y - rise / 2)), (w, int(y + rise / 2)), colour, thickness)
    x = int(0.6 * height)
    cv2.line(canvas, (x, 0), (x, h), (90, 90, 220), thickness)  # the red margin rule
    return canvas


def test_ruled_lines_are_not_characters(reader, page):
    image, expected = page
    result = reader.read(ruled(image, expected, touching=False))
    assert_layout(result, expected)
    assert result.text == TEXT


def test_light_ruled_lines_touching_the_letters(reader, page):
    image, expected = page
    result = reader.read(ruled(image, expected, touching=True, colour=(230, 200, 170), thickness=2))
    assert result.text == TEXT


def test_dark_ruled_lines_touching_the_letters(reader, page):
    image, expected = page
    result = reader.read(ruled(image, expected, touching=True))
    assert result.text == TEXT


def test_askew_ruled_lines_through_the_letters(reader, page):
    image, expected = page
    result = reader.read(ruled(image, expected, touching=True, thickness=2, slant=2.0))
    assert result.text == TEXT


@pytest.mark.parametrize("size", [(60, 90), (700, 1000), (3000, 2200)])
def test_blank_page_reads_as_nothing(reader, size):
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    paper = 200 + 40 * xx / w - 20 * yy / h + np.random.default_rng(1).normal(0, 1.5, size)
    image = np.clip(paper, 0, 255).astype(np.uint8)
    assert find_glyphs(image) == []
    result = reader.read(image, "blank")
    assert result.lines == [] and result.text == ""
    assert result.to_dict() == {"image": "blank", "text": "", "lines": [], "characters": []}


# ---------------------------------------------------------------- the grouping itself

def test_group_lines_and_split_words_on_boxes():
    # two lines given out of order; the second line sags a little (handwriting drifts)
    line1 = [[10, 100, 20, 40], [40, 102, 20, 40], [70, 98, 20, 40], [150, 101, 20, 40], [180, 99, 20, 40]]
    line2 = [[12, 200, 20, 40], [42, 205, 20, 40], [72, 210, 20, 40], [160, 214, 20, 40]]
    boxes = line2[::-1] + line1[2:] + line1[:2]
    index = {tuple(b): i for i, b in enumerate(boxes)}
    lines = group_lines(boxes)
    assert [[boxes[i] for i in line] for line in lines] == [line1, line2]
    words = [split_words(boxes, line) for line in lines]
    assert [[[boxes[i] for i in w] for w in line] for line in words] == [
        [line1[:3], line1[3:]], [line2[:3], line2[3:]]]
    assert reading_order(boxes) == words
    assert reading_order([]) == [] and group_lines([]) == []
    only = [[5, 5, 10, 20]]
    assert reading_order(only) == [[[0]]]
    assert index  # every box kept: nothing lost, nothing doubled
    assert sorted(i for line in lines for i in line) == list(range(len(boxes)))


def test_tolerances_follow_the_character_height():
    """The same layout at 1x and 10x groups the same way: nothing is in fixed pixels."""
    small = [[0, 0, 8, 12], [10, 1, 8, 12], [20, 0, 8, 12], [45, 0, 8, 12], [0, 30, 8, 12], [10, 31, 8, 12]]
    large = [[v * 10 for v in box] for box in small]
    assert reading_order(small) == reading_order(large) == [[[0, 1, 2], [3]], [[4, 5]]]
