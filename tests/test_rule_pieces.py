"""Pieces of rules the eraser leaves (a faint rule broken into runs shorter than it
erases, a margin line) join the letters they touch into one mark taller than any
character; their straight runs are cut away so the letters come apart and are read."""
import os

import cv2
import numpy as np

from conftest import REPO
from pyimagesearch.detection.segment import MAX_GLYPH_HEIGHTS, PageScan, find_glyphs

# a crop of images-dev's d11 (DATA.md): A B C D E F G on blue-ruled paper; A, B and C
# stand on a piece of faint rule that runs into the red margin line
PHOTO = os.path.join(REPO, "tests", "fixtures", "ruled_margin_abc.jpg")


def test_letters_joined_to_a_margin_by_a_piece_of_rule_are_found():
    photo = cv2.imread(PHOTO)
    scan = PageScan.of(photo)
    top_line = [g.box for g in find_glyphs(photo, scan=scan) if g.box[1] < 150]
    first_three = [box for box in top_line if box[0] < 420]
    assert len(first_three) >= 3
    assert all(box[3] < 2 * scan.height for box in first_three)


def _letters_on_a_margin():
    """A mask (text height 20) with A B C standing on a piece of rule that runs into
    a margin line 72 px tall, and other words of the same size clear of it."""
    mask = np.zeros((200, 400), np.uint8)
    for text, origin in (("ABC", (30, 80)), ("DEFG", (30, 150)), ("HIJK", (220, 150))):
        cv2.putText(mask, text, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    mask[80:82, 0:200] = 255
    mask[20:92, 12:14] = 255
    return mask


def test_a_mark_too_tall_only_at_the_writings_own_height_is_cut():
    mask = _letters_on_a_margin()
    writing = PageScan(mask, mask, 0.0, 1.0, mask.shape, 255 - mask).replaced(mask=mask)
    labels, stats = writing.components
    tallest = stats[:, 3].max()
    # the page's height (print, drawings) made the mark no taller than a character
    page_height = 1.6 * writing.height
    assert MAX_GLYPH_HEIGHTS * writing.height <= tallest < MAX_GLYPH_HEIGHTS * page_height
    cut = writing.with_tall_marks_cut(page_height)
    assert cut.height == writing.height
    assert cut.components[1][:, 3].max() < MAX_GLYPH_HEIGHTS * writing.height
    letters = mask[:79, 20:200] > 0
    assert np.count_nonzero(cut.mask[:79, 20:200][letters]) >= 0.9 * np.count_nonzero(letters)
    image = cv2.cvtColor(255 - mask, cv2.COLOR_GRAY2BGR)
    assert len([g for g in find_glyphs(image, scan=cut) if g.box[1] < 70]) >= 3
    assert not [g for g in find_glyphs(image, scan=writing) if g.box[1] < 70]
