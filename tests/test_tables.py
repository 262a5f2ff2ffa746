"""A ruled table's first row holds its printed headings: the reader does not read them
as handwriting, however sure the detector is that they are; the writing in the rows
under them, a ruled page's first line and a squared page are read as before."""
import cv2
import numpy as np
import pytest

from pyimagesearch.detection.handwriting_ink import keep_handwriting
from pyimagesearch.detection.learned import DetectorView
from pyimagesearch.detection.segment import PageScan
from pyimagesearch.detection.tables import heading_rows

INK = (60, 60, 60)
ROW = 60
TOP, LEFT, RIGHT = 100, 60, 840
HEADINGS = (("Name", LEFT), ("Date", 330), ("Code", 600))


def _words(image, top):
    """Script words in the row whose top rule is at ``top``; a boolean map of their ink."""
    before = image.copy()
    for text, x in (("hello", LEFT), ("world", 330), ("today", 600)):
        cv2.putText(image, text, (x + 15, top + 42), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.1, (150, 40, 20), 2)
    return (before != image).any(axis=2)


def _table(turn=0.0, row_height=ROW):
    """A page with a table (a heading row and three rows of writing, ``row_height`` px
    apart; the headings' text height is 18 px), turned ``turn`` degrees; boolean maps
    of its headings' ink and of its writing's."""
    size = (900, TOP + 4 * row_height + 100)
    image = np.full((size[1], size[0], 3), 250, np.uint8)
    writing = np.zeros(image.shape[:2], bool)
    for row in range(5):
        cv2.line(image, (LEFT, TOP + row * row_height), (RIGHT, TOP + row * row_height), INK, 2)
    for _, x in HEADINGS[1:] + (("", LEFT), ("", RIGHT)):
        cv2.line(image, (x, TOP), (x, TOP + 4 * row_height), INK, 2)
    before = image.copy()
    for text, x in HEADINGS:
        cv2.putText(image, text, (x + 15, TOP + row_height - 20), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20, 20, 20), 2)
    headings = (before != image).any(axis=2)
    for row in range(1, 4):
        writing |= _words(image, TOP + row * row_height + row_height - 60)
    if turn:
        turned = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), turn, 1.0)
        image = cv2.warpAffine(image, turned, size, borderValue=(250, 250, 250))
        headings, writing = (cv2.warpAffine(m.astype(np.uint8), turned, size) > 0 for m in (headings, writing))
    return image, headings, writing


def _ruled_page(margin_from):
    """A ruled page whose margin line a third of the way across (a cue column's) and
    its edges, drawn as rules, run from ``margin_from`` down, with writing on its first
    rule's line; the writing's map."""
    image = np.full((500, 900, 3), 250, np.uint8)
    for row in range(5):
        cv2.line(image, (20, TOP + row * ROW), (880, TOP + row * ROW), INK, 2)
    for x in (20, 300, 880):
        cv2.line(image, (x, margin_from), (x, 480), INK, 2)
    writing = np.zeros(image.shape[:2], bool)
    for row in range(0, 4):
        writing |= _words(image, TOP + row * ROW)
    return image, writing


def _at_scan(scan, photo_map):
    return cv2.resize(photo_map.astype(np.uint8), scan.mask.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0


def _share(found, ink):
    return np.count_nonzero(found & ink) / np.count_nonzero(ink)


# rows of a form's table are sized for the writing, up to six heights of its printed labels
@pytest.mark.parametrize("turn, row_height", [(0.0, ROW), (2.5, ROW), (-4.0, ROW), (0.0, 100)])
def test_a_tables_heading_row_is_found_level_or_askew(turn, row_height):
    image, headings, writing = _table(turn, row_height)
    scan = PageScan.of(image)
    found = heading_rows(scan)
    ink = scan.mask > 0
    assert _share(found, ink & _at_scan(scan, headings)) > 0.9
    assert _share(found, ink & _at_scan(scan, writing)) < 0.02


@pytest.mark.parametrize("margin_from", [20, TOP - 30])
def test_a_ruled_pages_first_line_is_no_heading(margin_from):
    image, writing = _ruled_page(margin_from)
    scan = PageScan.of(image)
    assert _share(heading_rows(scan), (scan.mask > 0) & _at_scan(scan, writing)) == 0


def test_a_squared_page_has_no_heading_row():
    image = np.full((500, 900, 3), 250, np.uint8)
    for v in range(20, 500, 30):
        cv2.line(image, (0, v), (899, v), (180, 180, 230), 1)
    for x in range(20, 900, 30):
        cv2.line(image, (x, 0), (x, 499), (180, 180, 230), 1)
    _words(image, 130)
    assert not heading_rows(PageScan.of(image)).any()


def test_the_reader_keeps_a_tables_writing_and_drops_its_headings_that_the_network_calls_handwriting():
    image, headings, writing = _table()
    scan = PageScan.of(image)
    everywhere = np.ones((image.shape[0] // 8, image.shape[1] // 8), np.float32)
    kept = keep_handwriting(scan, DetectorView(everywhere, 0 * everywhere, np.array([1.0, 0, 0, 0]))).mask > 0
    ink = scan.mask > 0
    assert _share(kept, ink & _at_scan(scan, headings)) < 0.05
    assert _share(kept, ink & _at_scan(scan, writing)) > 0.9
