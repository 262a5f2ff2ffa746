"""Pieces of rules the eraser leaves (a faint rule broken into runs shorter than it
erases, a margin line) join the letters they touch into one mark taller than any
character; their straight runs are cut away so the letters come apart and are read."""
import os

import cv2

from conftest import REPO
from pyimagesearch.detection.segment import PageScan, find_glyphs

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
