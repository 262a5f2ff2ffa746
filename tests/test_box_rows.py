"""Rows of character boxes: their frames are erased at any slant, what is written in
them stays, and a word standing on a rule is no row of boxes."""
import cv2
import numpy as np
import pytest

from pyimagesearch.detection.box_rows import erase_box_rows
from pyimagesearch.detection.segment import PageScan, find_glyphs

LETTERS = "HANDWRIT"


def _turned(image, degrees):
    h, w = image.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, turn, (w, h), flags=cv2.INTER_NEAREST)


def _row_of_boxes(side=34, line=1, degrees=0.0):
    """(frame, writing): ink masks (uint8, 255) of a row of boxes and of a letter in each."""
    frame = np.zeros((200, 480), np.uint8)
    writing = np.zeros_like(frame)
    for k, letter in enumerate(LETTERS):
        x = 40 + k * side
        cv2.rectangle(frame, (x, 80), (x + side, 80 + side), 255, line)
        cv2.putText(writing, letter, (x + 9, 80 + side - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 255, 2)
    return _turned(frame, degrees), _turned(writing, degrees)


@pytest.mark.parametrize("degrees", [0.0, 4.0, -8.0])
@pytest.mark.parametrize("line", [1, 2])
def test_a_row_of_boxes_loses_its_frame_and_keeps_its_letters(degrees, line):
    frame, writing = _row_of_boxes(line=line, degrees=degrees)
    erased = erase_box_rows(np.maximum(frame, writing))
    frame_only = (frame > 0) & (writing == 0)
    assert np.count_nonzero(erased[frame_only]) <= 0.02 * np.count_nonzero(frame_only)
    assert np.count_nonzero(erased[writing > 0]) >= 0.8 * np.count_nonzero(writing)


def test_a_column_of_boxes_is_a_row_turned():
    frame, writing = _row_of_boxes(line=2)
    erased = erase_box_rows(np.ascontiguousarray(np.maximum(frame, writing).T))
    assert np.count_nonzero(erased[((frame > 0) & (writing == 0)).T]) == 0
    assert np.count_nonzero(erased[(writing > 0).T]) >= 0.8 * np.count_nonzero(writing)


def test_a_word_on_a_rule_and_a_framed_word_are_left_whole():
    page = np.zeros((200, 480), np.uint8)
    cv2.line(page, (20, 120), (460, 120), 255, 2)
    for x in (40, 58, 110, 135, 200, 260, 330):   # tall letters' strokes standing on the rule
        cv2.line(page, (x, 120), (x + 3, 86), 255, 2)
    cv2.rectangle(page, (40, 20), (300, 60), 255, 2)      # a word framed once: no row of boxes
    cv2.putText(page, "MILL", (60, 52), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 255, 2)
    assert np.array_equal(erase_box_rows(page.copy()), page)


def test_the_letters_in_boxes_are_the_glyphs_found():
    frame, writing = _row_of_boxes(line=2, degrees=3.0)
    photo = 255 - np.maximum(frame, writing)
    assert len(find_glyphs(photo)) == len(LETTERS)
    # the frame no longer outweighs the writing in the text height's vote
    assert PageScan.of(photo).height < 34
