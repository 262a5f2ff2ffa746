"""Reading order on synthetic pages: real fixture glyphs drawn at known places, at scales from
a 150 px thumbnail to a 3000 px scan, in the dark, on ruled paper, and a blank page."""
import cv2
import numpy as np
import pytest

from pages import (TemplateClassifier, box_centre, flatten, inside, render_page, scale_page, shape_of,
                   single_stroke_glyphs)
from pyimagesearch.detection.layout import group_lines, line_groups, reading_order, split_words
from pyimagesearch.detection.segment import MIN_TEXT_HEIGHT, PageScan, find_glyphs, text_height
from pyimagesearch.detection.touching import separate_touching_lines
from pyimagesearch.reader.lines import line_crops
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


def test_a_long_descender_does_not_join_the_line_below():
    # line A (boxes 0-5) with an f whose tail reaches into line B's rows (box 6), then line B
    line_a = [[x, 100, 40, 50] for x in range(0, 300, 50)]
    tail = [[300, 100, 40, 110]]
    order = [[list(range(6))], [[6]], [[7, 8, 9, 10]]]
    line_b = [[x, 165, 40, 50] for x in range(0, 200, 50)]
    groups = line_groups(line_a + tail + line_b, order)
    assert [group.rows for group in groups] == [[0, 1], [2]]
    # a "line" of two pieces under it is its descenders, read with it
    pieces = [[x, 165, 40, 50] for x in (20, 220)]
    groups = line_groups(line_a + tail + pieces, [[list(range(6))], [[6]], [[7, 8]]])
    assert [sorted(group.rows) for group in groups] == [[0, 1, 2]]


def test_a_letter_hanging_below_a_lines_end_is_read_with_it_but_a_line_above_is_not():
    # the y of "creamy" at the end of a line: its top inside the line's core rows, the rest
    # below, overlapping the line's rows by less than half its height; the reading order
    # made it a line of its own, which cut out whole would read its neighbours' words again
    words = [[x, 450 + (x // 40) % 3, 34, 25] for x in range(60, 460, 40)]
    descender = [[465, 466, 25, 47]]
    groups = line_groups(words + descender, [[list(range(10))], [[10]]])
    assert [sorted(group.rows) for group in groups] == [[0, 1]]
    # a line of two words above whose descender dips into the line below stays a line
    above = [[130, 400, 110, 30], [260, 395, 120, 60]]
    groups = line_groups(above + words, [[[0, 1]], [list(range(2, 12))]])
    assert [group.rows for group in groups] == [[0], [1]]


def test_lines_written_close_stay_two_lines_but_one_line_cut_in_two_joins():
    # two lines of words up to 50 px tall, 24 px apart (one's descenders reach below the
    # other's ascenders): the reading order finds them, but their rows overlap by more than
    # half and their core rows (median tops and bottoms) do too
    words = [[x, 100 + (x // 70) % 2 * 12, 60, 50 - (x // 70) % 2 * 12] for x in range(0, 560, 70)]
    below = [[x + 10, 124 + (x // 70) % 2 * 6, 55, 50 - (x // 70) % 2 * 6] for x in range(0, 420, 70)]
    groups = line_groups(words + below, [[list(range(8))], [list(range(8, 14))]])
    assert [group.rows for group in groups] == [[0], [1]]
    # the same words, every other one a little lower, that the reading order put in two
    # rows: side by side, not one above the other, they are one line
    sloping = [[x, 100 + (x // 70) % 2 * 14, 60, 50] for x in range(0, 560, 70)]
    order = [[list(range(0, 8, 2))], [list(range(1, 8, 2))]]
    assert [sorted(group.rows) for group in line_groups(sloping, order)] == [[0, 1]]


def _touching_page(glyphs):
    """The test page with its first three letters joined by a wavy stroke along their feet
    and one of them joined to the letter below it by a bent stroke, as a cursive word's
    joins and descender run into the next line (ruler-straight strokes that long are
    pieces of rules, which ``segment.cut_tall_marks`` cuts away); (image, expected, the
    joined letters' boxes)."""
    image, expected = render_page(glyphs, LINES)
    h, w, e = expected[0][0][0][1][3], expected[0][0][1][1], expected[1][0][0][1]
    top_row = [box for _, box in expected[0][0][:3]]
    joined = image.copy()
    foot = top_row[0][1] + int(0.9 * h)
    a, b = top_row[0][0] + top_row[0][2] // 2, top_row[2][0] + top_row[2][2] // 2
    wave = [(int(a + (b - a) * t), int(foot + 0.12 * h * np.sin(4 * np.pi * t))) for t in np.linspace(0, 1, 9)]
    x, bend = max(w[0] + w[2] // 2, e[0] + 5), (foot + e[1] + 10) // 2
    descender = [(x, foot), (x + int(0.2 * h), bend), (x, e[1] + 10)]
    cv2.polylines(joined, [np.array(wave, np.int32), np.array(descender, np.int32)], False, 30, 9)
    return joined, expected, top_row


def test_a_word_running_into_the_line_below_is_cut_between_the_lines(glyphs, reader):
    image, expected, top_row = _touching_page(glyphs)
    scan = PageScan.of(image)
    line_one_bottom = max(b[1] + b[3] for _, b in flatten(expected[:1]))
    line_two_top = min(b[1] for _, b in flatten(expected[1:2]))

    def bridges(scan):
        _, stats = scan.components
        ys = (stats[:, 1], stats[:, 1] + stats[:, 3])
        return int(np.sum((ys[0] * scan.to_original < line_one_bottom - 20) & (ys[1] * scan.to_original > line_two_top + 20)))

    assert bridges(scan) == 1
    cut = separate_touching_lines(scan)
    assert bridges(cut) == 0
    assert np.count_nonzero(scan.mask) - np.count_nonzero(cut.mask) < 0.02 * np.count_nonzero(scan.mask)
    assert len(reader.read(image).lines) == 3
    # a single line's tall marks are left whole: nothing lies under them
    one_line = image[:line_two_top - 5]
    lone = PageScan.of(one_line)
    assert separate_touching_lines(lone) is lone


def test_a_line_cut_out_round_a_long_descender_leaves_the_next_lines_words_out(glyphs):
    image, expected = render_page(glyphs, LINES)
    height = expected[0][0][0][1][3]
    below = [box for _, box in flatten(expected[1:2])]
    # the tail of the first line's last letter, down through the second line's rows, in a gap between its words
    last = expected[0][-1][-1][1]
    x = last[0] + last[2] // 2
    assert not any(b[0] - 10 <= x <= b[0] + b[2] + 10 for b in below)
    cv2.line(image, (x, last[1] + last[3] - 5), (x, last[1] + int(2.9 * height)), 30, 9)
    scan = PageScan.of(image)
    boxes = [list(g.box) for g in find_glyphs(image, scan=scan)]
    groups = line_groups(boxes, reading_order(boxes))
    assert len(groups) == 3
    first = line_crops(scan, boxes, groups)[0]
    ys, xs = np.nonzero(first.inked())
    photo_x, photo_y = first.photo_x(xs), first.photo_y(ys)
    in_second_line = [np.sum((photo_x >= b[0]) & (photo_x <= b[0] + b[2]) & (photo_y >= b[1]) & (photo_y <= b[1] + b[3]))
                      for b in below]
    assert sum(in_second_line) == 0, in_second_line
    assert photo_y.max() > below[0][1]   # the crop reaches into the second line's rows: the tail is in it


def test_grain_does_not_pull_the_text_height_under_the_writings_but_grain_alone_is_blank():
    def marks(height, count, area):   # stats rows [x, y, w, h, area]
        return np.array([[0, 0, height, height, area]] * count, np.int64)

    writing = np.vstack([marks(20, 3, 100), marks(30, 7, 100)])
    grain = marks(3, 80, 9)
    assert text_height(writing) == 30
    assert text_height(np.vstack([writing, grain])) == 30     # all of them voting: 20
    assert text_height(grain) < MIN_TEXT_HEIGHT               # noise, speckle: a blank page
    assert text_height(np.vstack([marks(7, 5, 20), grain])) < MIN_TEXT_HEIGHT
    # once the detector has told the writing from the specks, the tall marks alone vote
    assert text_height(np.vstack([marks(7, 5, 20), grain]), specks_vote=False) == 7


def test_a_lone_stroke_beside_the_writing_is_no_line_but_a_lone_1_is_read(reader, glyphs, page):
    image, expected = page
    marked = cv2.copyMakeBorder(image, 0, 0, 0, 120, cv2.BORDER_CONSTANT, value=235)
    x = image.shape[1] + 60
    height = expected[0][0][0][1][3]
    top = expected[2][0][0][1][1] + height // 2 + 40
    cv2.line(marked, (x, top), (x, top + height), 30, 9)   # a margin's stroke, below the last line
    assert reader.read(marked).text == TEXT
    one, _ = render_page(glyphs, [["1"]])
    assert reader.read(one).text == "1"
