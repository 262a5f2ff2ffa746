"""Writing the reader must not lose: faint pencil (the line model reads it, and its
characters are placed), and a crop so tight that the tall letters fill it."""
import os

import cv2
import numpy as np
import pytest

from conftest import REPO, SHIPPED_TFLITE
from pyimagesearch.detection.crops import INK_FLOOR, PageInk
from pyimagesearch.detection.segment import PageScan, components, find_glyphs, is_line_crop

HELLO = os.path.join(REPO, "images", "hello_world.png")
LINE_MODEL = os.path.join(REPO, "line_model.keras")


def _faded(image, strength):
    """The photo's ink brought to ``strength`` of its darkness, as pencil on paper."""
    return (255 - (255 - image.astype(np.float32)) * strength).astype(np.uint8)


def _first_line_tight(gray):
    """The first written line of ``gray``, cut to its ink with a 2-px border."""
    ink = gray < 128
    rows = np.flatnonzero(ink.any(axis=1))
    end = rows[np.flatnonzero(np.diff(rows) > 1)[0]] if (np.diff(rows) > 1).any() else rows[-1]
    cols = np.flatnonzero(ink[rows[0]:end + 1].any(axis=0))
    return gray[max(0, rows[0] - 2):end + 3, max(0, cols[0] - 2):cols[-1] + 3]


@pytest.fixture(scope="module")
def hello():
    return cv2.imread(HELLO, cv2.IMREAD_GRAYSCALE)


def _reader(mode, detector="learned"):
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    return load_reader(ReaderOptions(model=SHIPPED_TFLITE, mode=mode, detector=detector))


def test_a_page_of_faint_writing_lowers_the_ink_floor_and_a_dark_one_keeps_it(hello):
    assert PageInk.of(PageScan.of(hello)).floor == INK_FLOOR
    faint = PageInk.of(PageScan.of(_faded(hello, 0.25))).floor
    assert 0 < faint < INK_FLOOR


@pytest.mark.skipif(not os.path.isfile(LINE_MODEL), reason="needs the shipped line model")
def test_faint_pencil_reads_as_the_dark_original_in_lines_mode(hello):
    # all the ink: the learned detector doubts faint straight strokes (the LL of HELLO)
    reader = _reader("lines", detector="classic")
    dark = reader.read(hello).text
    faint = reader.read(_faded(hello, 0.25))
    assert dark.replace(" ", "") == "HELLO\nWORLD"
    assert faint.text == dark
    assert all(ch.box[2] > 0 and ch.box[3] > 0 for ch in faint.characters)


def test_a_crop_as_tight_as_its_tallest_letters_keeps_them(hello):
    tight = _first_line_tight(hello)
    assert tight.shape[0] < 1.3 * max(1, int((tight < 128).any(axis=1).sum()))   # the letters fill the crop
    assert _reader("chars", "classic").read(tight).text.replace(" ", "") == "HELLO"


def test_what_the_detector_keeps_of_a_tight_crop_keeps_its_text_height(hello):
    from pyimagesearch.detection.handwriting_ink import keep_handwriting
    from pyimagesearch.detection.learned import OUTPUTS, LearnedDetector
    tight = _first_line_tight(hello)
    all_handwriting = LearnedDetector(lambda x: np.concatenate(
        [np.full((1, x.shape[1] // 8, x.shape[2] // 8, 1), 8.0, np.float32),
         np.full((1, x.shape[1] // 8, x.shape[2] // 8, len(OUTPUTS) - 1), -8.0, np.float32)], axis=-1))
    scan = PageScan.of(tight)
    kept = keep_handwriting(scan, all_handwriting.look(tight))
    assert (kept.mask > 0).sum() == (scan.mask > 0).sum()
    assert kept.height > 0   # its tall letters are not taken for page edges when measured again


def _joined_up(gray, rows):
    """``gray`` with the letters inside ``rows`` (a slice) joined by short strokes along
    their baseline, as a joined-up hand writes them: the word becomes one ink blob."""
    joined = gray.copy()
    band = (gray[rows] < 128).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(band)
    letters = sorted((s for s in stats[1:] if s[4] > 20), key=lambda s: s[0])
    for a, b in zip(letters, letters[1:]):
        start = (int(a[0] + a[2] - 2), rows.start + int(a[1] + a[3] - 3))
        end = (int(b[0] + 2), rows.start + int(b[1] + b[3] - 3))
        cv2.line(joined, start, end, 60, 4)
    return joined


def test_a_joined_up_word_wider_than_half_the_page_is_read(hello):
    joined = _joined_up(hello, slice(50, 135))
    labels, stats = components(PageScan.of(joined).mask)
    assert (stats[:, 2] >= 0.5 * labels.shape[1]).sum() == 1     # HELLO is one blob over half the page wide
    boxes = [g.box for g in find_glyphs(joined)]
    top = [b for b in boxes if b[1] < 140]
    assert top and min(b[0] for b in top) < 120 and max(b[0] + b[2] for b in top) > 340


def test_a_frame_round_a_word_is_not_taken_for_a_wide_word(hello):
    framed = hello.copy()
    cv2.rectangle(framed, (95, 40), (372, 150), 60, 4)
    boxes = [g.box for g in find_glyphs(framed)]
    assert not any(b[2] > 0.5 * hello.shape[1] for b in boxes)


def test_a_thin_strip_of_many_letters_is_writing_not_texture(hello):
    # HELLO, 20 px high, written 16 times along a 960-px strip: 80 letters on 0.04 working megapixels
    word = _first_line_tight(hello)
    word = cv2.resize(word, (round(word.shape[1] * 20 / word.shape[0]), 20), interpolation=cv2.INTER_AREA)
    strip = cv2.copyMakeBorder(np.hstack([word] * 16), 12, 12, 8, 8, cv2.BORDER_REPLICATE)
    assert len(find_glyphs(strip)) >= 60


def test_a_crop_of_one_line_is_told_from_a_page_and_from_the_crop_turned(hello):
    line = _first_line_tight(hello)
    padded = cv2.copyMakeBorder(line, 30, 30, 30, 30, cv2.BORDER_REPLICATE)
    assert is_line_crop(PageScan.of(line)) and is_line_crop(PageScan.of(padded))
    assert not is_line_crop(PageScan.of(hello))                                   # two lines
    assert not is_line_crop(PageScan.of(np.ascontiguousarray(np.rot90(padded))))  # a line down the photo


def test_a_crop_of_one_line_is_read_whole_whatever_the_detector_thinks(hello):
    from pyimagesearch.detection.learned import OUTPUTS, LearnedDetector
    from pyimagesearch.reader.predictor import HandwritingReader
    reader = _reader("chars", "classic")
    nothing_handwritten = LearnedDetector(lambda x: np.full(
        (1, x.shape[1] // 8, x.shape[2] // 8, len(OUTPUTS)), -8.0, np.float32))
    doubting = HandwritingReader(reader.classifier, detector=nothing_handwritten)
    assert doubting.read(_first_line_tight(hello)).text.replace(" ", "") == "HELLO"
    assert doubting.read(hello).text == ""


def _tight(text, scale, thickness, paper=215, ink=70, pad=10):
    """``text`` set large and bold on grey paper, cut to its ink with ``pad`` px above and below."""
    img = np.full((220, 900), paper, np.uint8)
    cv2.putText(img, text, (10, 160), cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thickness, cv2.LINE_AA)
    ys, xs = np.nonzero(img < (paper + ink) / 2)
    return img[ys.min() - pad:ys.max() + pad + 1, xs.min() - 4:xs.max() + 5]


def test_a_tight_crop_of_bold_writing_is_writing_not_texture():
    crop = _tight("mum wow", 2.4, 9)
    scan = PageScan.of(crop)
    assert np.count_nonzero(scan.mask) > 0.25 * scan.mask.size and is_line_crop(scan)   # a page's limit
    assert len(find_glyphs(crop)) >= 6
    # as much ink over a page of such lines is still texture
    assert find_glyphs(np.vstack([crop] * 6)) == []


def test_a_crop_of_one_line_measures_its_ink_against_paper_wider_than_its_strokes():
    # letters as tall as the crop, strokes wider than the page's paper kernel, light falling off
    crop = _tight("HOME", 4.5, 16, paper=200, ink=90, pad=4).astype(np.float32)
    crop = (crop * np.linspace(0.75, 1.1, crop.shape[1])[None, :]).astype(np.uint8)
    scan = PageScan.of(crop)
    strokes = cv2.resize((crop < 0.5 * (np.median(crop) + crop.min())).astype(np.uint8), scan.ink.shape[::-1]) > 0
    assert is_line_crop(scan)

    def found(ink):
        return np.count_nonzero((ink > INK_FLOOR) & strokes) / np.count_nonzero(strokes)

    assert found(PageInk.of(scan, one_line=True).ink) > 0.9
    assert found(PageInk.of(scan).ink) < 0.5   # the page's ink map takes the strokes' middles for paper


def _form_with_faint_writing(hello, strength):
    """HELLO WORLD faded to ``strength`` under a printed label and above another, in a
    frame of thick black rules: the print sets the page's ink level far above the writing."""
    paper = np.clip(hello.astype(np.float32) * 255 / np.percentile(hello, 90), 0, 255)
    h, w = hello.shape
    form = np.full((h + 280, w + 200), 255, np.uint8)
    form[150:150 + h, 100:100 + w] = _faded(paper.astype(np.uint8), strength)
    for y in (20, 140, form.shape[0] - 30):
        cv2.line(form, (0, y), (form.shape[1], y), 0, 4)
    for x in (30, form.shape[1] - 30):
        cv2.line(form, (x, 0), (x, form.shape[0]), 0, 4)
    cv2.putText(form, "NAME:", (50, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 4)
    cv2.putText(form, "DATE:", (50, form.shape[0] - 50), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 4)
    writing = np.zeros(form.shape, bool)
    writing[150:150 + h, 100:100 + w] = hello < 128
    return form, writing


def _view_of(hand):
    """A detector's view that finds handwriting on ``hand`` (a boolean map of the photo) only."""
    from pyimagesearch.detection.learned import STRIDE, DetectorView
    cells = cv2.resize(hand.astype(np.float32), (hand.shape[1] // STRIDE, hand.shape[0] // STRIDE),
                       interpolation=cv2.INTER_AREA) > 0
    return DetectorView(cells.astype(np.float32), np.zeros(cells.shape, np.float32), np.array([1.0, 0, 0, 0]))


def _covered(scan, writing):
    at_scan = cv2.resize(writing.astype(np.uint8), scan.mask.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    return np.count_nonzero(scan.mask[at_scan]) / np.count_nonzero(at_scan)


def test_writing_fainter_than_the_print_is_taken_in_where_the_detector_finds_it(hello):
    from pyimagesearch.detection.handwriting_ink import with_faint_handwriting
    form, writing = _form_with_faint_writing(hello, 0.25)
    scan = PageScan.of(form)
    assert _covered(scan, writing) < 0.05          # under the print's ink level
    near = cv2.dilate(writing.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    faint = with_faint_handwriting(scan, _view_of(near))
    assert _covered(faint, writing) > 0.5
    outside = cv2.resize((~near).astype(np.uint8), scan.mask.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    assert np.array_equal(faint.mask[outside] > 0, scan.mask[outside] > 0)
    # writing as dark as the print is left as the page's level found it
    dark, _ = _form_with_faint_writing(hello, 1.0)
    dark_scan = PageScan.of(dark)
    assert with_faint_handwriting(dark_scan, _view_of(near)) is dark_scan


def test_faint_writing_on_a_form_of_black_print_is_read_and_the_print_is_not(hello):
    from pyimagesearch.metrics import levenshtein
    form, _ = _form_with_faint_writing(hello, 0.25)
    text = _reader("auto").read(form).text
    assert "NAME" not in text and "DATE" not in text
    # most of it is read (reading nothing is 10 edits); the shipped detector doubts the faint
    # straight strokes of LL
    assert levenshtein(text.replace("\n", "").replace(" ", ""), "HELLOWORLD") <= 5


def test_the_ink_level_is_otsu_above_a_share_of_the_strongest_ink_from_the_histogram():
    from pyimagesearch.detection.ink_levels import MIN_INK_LEVEL, ink_level, otsu_level
    rng = np.random.default_rng(3)
    for _ in range(50):
        ink = (rng.random((rng.integers(20, 90), rng.integers(20, 90))) ** rng.uniform(2, 9) * 255).astype(np.uint8)
        otsu, _ = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        strong = np.percentile(ink, 99.7)
        assert ink_level(ink) == (None if strong < 12 else pytest.approx(max(otsu, 0.3 * strong, MIN_INK_LEVEL)))
        assert otsu_level(ink, np.ones(ink.shape, np.uint8)) == max(otsu, MIN_INK_LEVEL)


def test_a_word_does_not_keep_marks_the_detector_is_sure_are_not_handwriting(hello):
    # squared paper's crossings left by the rule eraser, strung along HELLO's row within a word's reach
    from pyimagesearch.detection.handwriting_ink import keep_handwriting
    marked = hello.copy()
    letters = hello < 128
    middle = int(np.mean(np.flatnonzero(letters[:150].any(axis=1))))
    for x in range(6, hello.shape[1] - 6, 20):
        if not letters[middle - 12:middle + 12, x - 6:x + 7].any():
            cv2.line(marked, (x - 4, middle), (x + 4, middle), 90, 2)
            cv2.line(marked, (x, middle - 4), (x, middle + 4), 90, 2)
    crossings = marked != hello
    near_letters = cv2.dilate(letters.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    scan = PageScan.of(marked)
    kept = keep_handwriting(scan, _view_of(near_letters))
    # a cell or two from the letters the cells' probabilities blur into theirs
    away = crossings & (cv2.dilate(near_letters.astype(np.uint8), np.ones((33, 33), np.uint8)) == 0)
    assert _covered(scan, away) > 0.8     # the segmenter took them for ink
    assert _covered(kept, away) == 0
    assert _covered(kept, letters) > 0.95
