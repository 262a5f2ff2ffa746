"""The tick boxes of a form: each is erased with what is drawn in it (a choice, not
text), a cross drawn past the frame too; a frame round writing loses only its frame,
and so does a ring round a list number; words beside the boxes, round letters, the
cells of a grid and boxes much larger than the writing are left alone."""
import os

import cv2
import numpy as np
import pytest

from conftest import REPO
from pyimagesearch.detection.segment import (PageScan, ink_map, ink_mask, remove_frames, remove_rings, remove_rules,
                                             working_gray)
from pyimagesearch.detection.tick_boxes import erase_tick_boxes, tick_boxes


def _tick_box(side=40, thickness=3, tick=True, past=0):
    """A binary mask (255 = ink) with a square frame, crossed inside when ``tick``
    (the cross reaching ``past`` px out of the frame)."""
    mask = np.zeros((160, 260), np.uint8)
    cv2.rectangle(mask, (60, 40), (60 + side, 40 + side), 255, thickness)
    if tick:
        near, far = 68 - past, 60 + side - 8 + past
        cv2.line(mask, (near, near - 20), (far, far - 20), 255, thickness)
        cv2.line(mask, (far, near - 20), (near, far - 20), 255, thickness)
    return mask


def test_a_tick_box_is_erased_with_its_tick():
    box = _tick_box()
    (found,) = tick_boxes(box, height=40)
    assert np.allclose(found, (60, 40, 100, 80), atol=3)
    assert not erase_tick_boxes(box.copy(), height=40).any()


def test_a_cross_drawn_past_the_frame_is_erased_and_the_word_beside_it_kept():
    box = _tick_box(past=12)
    word = np.zeros_like(box)
    cv2.putText(word, "Yes", (110, 92), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 3)
    kept = erase_tick_boxes(box | word, height=30)
    assert not kept[:, :106].any()                                   # frame, cross and the cross's tips
    assert np.array_equal(kept[:, 106:], word[:, 106:])


def test_a_letter_in_the_cell_of_a_grid_is_no_tick():
    grid = np.zeros((200, 200), np.uint8)
    for at in range(20, 181, 40):
        cv2.line(grid, (at, 20), (at, 180), 255, 2)
        cv2.line(grid, (20, at), (180, at), 255, 2)
    cv2.putText(grid, "A", (68, 92), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 3)
    assert tick_boxes(grid, height=30) == []


def test_a_frame_round_writing_is_no_tick_box():
    box = _tick_box(side=70, tick=False)
    cv2.putText(box, "mix", (68, 90), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 255, 2)
    assert tick_boxes(box, height=40) == []


def test_remove_frames_erases_a_frame_and_keeps_what_is_inside():
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
    assert tick_boxes(mask, height) == []


def test_a_box_much_larger_than_the_writing_is_left_alone():
    box = _tick_box(side=70, tick=False)
    assert np.array_equal(remove_frames(box.copy(), height=15), box)
    assert tick_boxes(box, height=15) == []


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


def _ringed(inside, ring_at=(60, 60), radius=26):
    """A mask (255 = ink) with a ring and ``inside`` ((text, scale), or None) drawn in it, apart from
    it, and the word "list" beside it; (mask, the ring's own ink)."""
    mask = np.zeros((120, 260), np.uint8)
    cv2.circle(mask, ring_at, radius, 255, 3)
    ring = mask.copy()
    if inside:
        text, scale = inside
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 3)
        cv2.putText(mask, text, (ring_at[0] - w // 2, ring_at[1] + h // 2), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 3)
    cv2.putText(mask, "list", (110, 75), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 255, 3)
    return mask, ring > 0


def test_a_ring_round_a_list_number_is_erased_and_the_number_kept():
    mask, ring = _ringed(("2", 1.3))
    kept = remove_rings(mask.copy(), height=25)
    assert not kept[ring].any()
    assert np.array_equal(kept[~ring], mask[~ring])


@pytest.mark.parametrize("inside", [None, (".", 0.6)])
def test_a_round_letter_holding_nothing_or_a_speck_is_left_alone(inside):
    mask, _ = _ringed(inside)
    assert np.array_equal(remove_rings(mask.copy(), height=25), mask)
