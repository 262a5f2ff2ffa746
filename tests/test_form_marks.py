"""The tick boxes of a form: their frames are erased before reading, what is drawn
inside them stays, and round letters are not taken for frames."""
import os

import cv2
import numpy as np

from conftest import REPO
from pyimagesearch.detection.segment import PageScan, ink_map, ink_mask, remove_frames, remove_rules, working_gray


def _tick_box(side=40, thickness=3, tick=True):
    """A binary mask (255 = ink) with a square frame, crossed inside when ``tick``."""
    mask = np.zeros((120, 200), np.uint8)
    cv2.rectangle(mask, (60, 40), (60 + side, 40 + side), 255, thickness)
    if tick:
        cv2.line(mask, (68, 48), (60 + side - 8, 40 + side - 8), 255, thickness)
        cv2.line(mask, (60 + side - 8, 48), (68, 40 + side - 8), 255, thickness)
    return mask


def test_the_frame_of_a_tick_box_is_erased_and_its_tick_kept():
    box = _tick_box()
    cross = cv2.bitwise_and(box, 255 - _tick_box(tick=False))
    kept = remove_frames(box.copy(), height=40)
    assert not kept[40:43, 70:90].any() and not kept[70:90, 60:63].any()   # top and left sides gone
    assert (kept[cross > 0] > 0).mean() > 0.8


def test_round_letters_are_not_taken_for_frames():
    hello = cv2.imread(os.path.join(REPO, "images", "hello_world.png"))   # its O and D are round
    gray, _ = working_gray(hello)
    height = PageScan.of(hello).height
    mask = remove_rules(ink_mask(ink_map(gray)), 2.5 * height)
    assert np.array_equal(remove_frames(mask.copy(), height), mask)


def test_a_box_much_larger_than_the_writing_is_left_alone():
    box = _tick_box(side=70, tick=False)
    assert np.array_equal(remove_frames(box.copy(), height=15), box)


def test_a_photo_of_an_empty_tick_box_reads_as_empty_text():
    # the frame sets a text height, then is erased: nothing is left to read, and that is no error
    from conftest import SHIPPED_TFLITE
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    photo = np.full((300, 400), 255, np.uint8)
    cv2.rectangle(photo, (150, 100), (190, 140), 0, 3)
    scan = PageScan.of(photo)
    assert not scan.mask.any() and scan.height == 0
    for detector in ("learned", "classic"):
        assert load_reader(ReaderOptions(model=SHIPPED_TFLITE, detector=detector)).read(photo).text == ""
