"""A photo whose ink lies in a small part of the frame (a card on a desk in a 4000-px
phone photo) is read from that part, its boxes placed on the whole photo."""
import os

import cv2
import numpy as np
import pytest

from conftest import REPO, SHIPPED_TFLITE
from pyimagesearch.detection.focus import focus
from pyimagesearch.detection.segment import PageScan

HELLO = os.path.join(REPO, "images", "hello_world.png")
CARD_AT = (1700, 1200)   # x, y of the card's top-left corner on the photo


@pytest.fixture(scope="module")
def hello():
    return cv2.imread(HELLO)


def _card_on_desk(card, desk=None):
    """``card`` lying at CARD_AT on ``desk`` (a 3000 x 4000 photo of one; default a dark, grainy one)."""
    if desk is None:
        desk = np.full((3000, 4000, 3), 60, np.uint8)
        desk += np.random.default_rng(0).integers(0, 6, desk.shape, dtype=np.uint8)
    x, y = CARD_AT
    desk[y:y + card.shape[0], x:x + card.shape[1]] = card
    return desk


def _assert_boxes_on_card(page, card):
    """Every character's box lies inside ``card``, placed at CARD_AT."""
    x, y = CARD_AT
    for character in page.characters:
        bx, by, bw, bh = character.box
        assert x <= bx and bx + bw <= x + card.shape[1] and y <= by and by + bh <= y + card.shape[0]


def test_the_part_holding_the_ink_is_found_only_when_reading_it_alone_enlarges_the_writing(hello):
    card = cv2.resize(hello, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    x0, y0, x1, y1 = focus(PageScan.of(_card_on_desk(card)))
    x, y = CARD_AT
    assert x0 <= x and y0 <= y and x1 >= x + card.shape[1] and y1 >= y + card.shape[0]
    assert max(x1 - x0, y1 - y0) < 1000
    assert focus(PageScan.of(hello)) is None              # a photo read at full size gains nothing
    assert focus(PageScan.of(np.full((3000, 4000, 3), 200, np.uint8))) is None   # nor does a blank one


@pytest.mark.parametrize("size", [0.7, 1.0])
def test_a_card_in_a_4000_px_photo_is_read_and_its_boxes_lie_on_the_card(hello, size):
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    card = cv2.resize(hello, None, fx=size, fy=size, interpolation=cv2.INTER_AREA)
    page = load_reader(ReaderOptions(model=SHIPPED_TFLITE)).read(_card_on_desk(card))
    assert page.text.replace(" ", "") == "HELLO\nWORLD"
    _assert_boxes_on_card(page, card)


def test_the_part_holding_the_detectors_text_cells_is_found_only_when_it_enlarges_the_writing():
    from pyimagesearch.detection.focus import text_focus
    cells = np.zeros((96, 128), bool)
    assert text_focus(cells, (3000, 4000)) is None                  # no text anywhere
    cells[40:45, 56:64] = True                                       # a card's lines, a sixteenth of the width
    x0, y0, x1, y1 = text_focus(cells, (3000, 4000))
    cell = 4000 / 128
    assert x0 <= 56 * cell and y0 <= 40 * 3000 / 96 and x1 >= 64 * cell and y1 >= 45 * 3000 / 96
    assert max(x1 - x0, y1 - y0) < 400
    assert text_focus(cells, (750, 1000)) is None                   # a photo read at full size gains nothing
    cells[2, 2] = cells[90, 125] = True                              # text in far corners too: the part is all of it
    assert text_focus(cells, (3000, 4000)) is None


def test_a_card_on_a_grained_desk_whose_ink_is_everywhere_is_read_from_its_text(hello):
    """Wood grain streaks the whole photo with ink (no ink focus), the detector finds
    text only on the card: the card is read, its boxes on it."""
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    from pyimagesearch.synth.photo import desk
    card = cv2.resize(hello, None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    photo = _card_on_desk(card, desk(np.random.default_rng(2), (4000, 3000), "wood").astype(np.uint8))
    assert focus(PageScan.of(photo)) is None
    page = load_reader(ReaderOptions(model=SHIPPED_TFLITE)).read(photo)
    assert page.text.replace(" ", "") == "HELLO\nWORLD"
    _assert_boxes_on_card(page, card)
