"""Pages written askew: the slant is found from the ink, the page is read levelled, and
the boxes come back on the photo."""
import cv2
import numpy as np
import pytest

from pages import TemplateClassifier, box_centre, render_page, single_stroke_glyphs
from pyimagesearch.detection.segment import PageScan
from pyimagesearch.detection.skew import level, slant
from pyimagesearch.reader.predictor import HandwritingReader

LINES = [["HELLO", "WORLD", "42"], ["CAT", "7", "XYZ", "1305"], ["ZIP", "90210", "OK"]]
TEXT = "HELLO WORLD 42\nCAT 7 XYZ 1305\nZIP 90210 OK"


@pytest.fixture(scope="module")
def glyphs():
    return single_stroke_glyphs()


@pytest.fixture(scope="module")
def page(glyphs):
    return render_page(glyphs, LINES, height=40, pitch=1.8)


def askew(image, expected, angle):
    """The page turned ``angle`` degrees clockwise on a larger sheet (lines then run down
    to the right), and where each drawn character's centre went."""
    h, w = image.shape
    sheet = cv2.copyMakeBorder(image, h // 2, h // 2, w // 4, w // 4, cv2.BORDER_CONSTANT, value=235)
    centre = (sheet.shape[1] / 2, sheet.shape[0] / 2)
    turn = cv2.getRotationMatrix2D(centre, -angle, 1.0)
    turned = cv2.warpAffine(sheet, turn, (sheet.shape[1], sheet.shape[0]), borderValue=235)
    centres = [[tuple(turn @ [box_centre(box)[0] + w // 4, box_centre(box)[1] + h // 2, 1])
                for word in line for _, box in word] for line in expected]
    return turned, centres


@pytest.mark.parametrize("angle", [-9.0, -4.0, 6.0, 12.0])
def test_slant_is_found_either_way(page, angle):
    image, _ = askew(*page, angle)
    assert slant(PageScan.of(image)) == pytest.approx(angle, abs=0.75)


def test_level_sideways_and_single_words_are_left_as_they_are(glyphs, page):
    assert slant(PageScan.of(page[0])) == 0.0
    # lines running down the photo, a little askew, are a turned page whose turn the reader
    # reads: the rows across a grid of letters would line up too, at the askew angle
    grid = render_page(glyphs, [["HHHHHHHHHH"]] * 4, height=40, pitch=1.8)
    image, _ = askew(*grid, 8.0)
    assert slant(PageScan.of(image)) == pytest.approx(8.0, abs=0.75)
    assert slant(PageScan.of(np.ascontiguousarray(np.rot90(image)))) == 0.0
    word, _ = render_page(glyphs, [["A"]], height=40)
    assert slant(PageScan.of(word)) == 0.0


# turned 12 degrees, the glyphs read unlevelled come out as other letters (GELLO, KYZ, ZJP)
@pytest.mark.parametrize("angle", [-12.0, 5.0, 12.0])
def test_a_page_written_askew_reads_line_by_line(glyphs, page, angle):
    image, centres = askew(*page, angle)
    result = HandwritingReader(TemplateClassifier(glyphs)).read(image)
    assert result.text == TEXT
    # each character's box, back on the photo, holds where that character was drawn
    for character, centre in zip(result.characters, [c for line in centres for c in line]):
        x, y, w, h = character.box
        assert x <= centre[0] <= x + w and y <= centre[1] <= y + h, (character.char, character.box, centre)


def test_levelled_boxes_come_back_around_the_same_ink(page):
    image, _ = askew(*page, 7.0)
    scan = PageScan.of(image)
    levelled, levelling = level(scan, slant(scan))
    assert levelled.mask.shape[0] > scan.mask.shape[0] and levelled.mask.shape[1] > scan.mask.shape[1]
    assert levelling.shape == (round(levelled.mask.shape[0] * scan.to_original),
                               round(levelled.mask.shape[1] * scan.to_original))
    # the levelled ink's bounding box, taken back onto the photo, holds all the photo's ink
    ys, xs = np.nonzero(levelled.mask)
    box = [xs.min() * scan.to_original, ys.min() * scan.to_original,
           (xs.max() - xs.min() + 1) * scan.to_original, (ys.max() - ys.min() + 1) * scan.to_original]
    x, y, w, h = levelling.box_on_page(box, image.shape)
    ys, xs = np.nonzero(scan.mask)
    slack = 2 * scan.to_original
    assert x - slack <= xs.min() * scan.to_original and xs.max() * scan.to_original <= x + w + slack
    assert y - slack <= ys.min() * scan.to_original and ys.max() * scan.to_original <= y + h + slack
