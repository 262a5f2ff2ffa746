"""The learned handwriting detector: its network's shapes, the read-time wrapper, the
reader's --detector choice and the training command's flags."""
import os

import cv2
import numpy as np
import pytest

from conftest import IMAGES_DEV, OCR, PY, REPO, assert_one_line_error, need_images_dev, need_shared, run
from pyimagesearch.detection import box_rows, handwriting_ink, learned
from pyimagesearch.detection.handwriting_ink import keep_handwriting
from pyimagesearch.detection.learned import OUTPUTS, STRIDE, DetectorView, LearnedDetector, padded, working_image
from pyimagesearch.detection.segment import PageScan, find_glyphs
from pyimagesearch.errors import InputError
from pyimagesearch.reader.loading import load_detector
from pyimagesearch.reader.options import SHIPPED_DETECTOR, ReaderOptions

TRAIN_DETECTOR = os.path.join(REPO, "train_detector.py")
need_shipped = pytest.mark.skipif(not os.path.isfile(SHIPPED_DETECTOR), reason="no shipped detector.tflite")


def two_words():
    """A white page with a word on the left and a word on the right (dark ink)."""
    image = np.full((300, 800, 3), 255, np.uint8)
    cv2.putText(image, "left", (40, 170), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 5)
    cv2.putText(image, "right", (480, 170), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 5)
    return image


def half_detector(hand_left: bool):
    """A stand-in network: handwriting on the left half of the input (or nowhere), turn 0."""
    def run_network(x):
        _, h, w, _ = x.shape
        out = np.full((1, h // STRIDE, w // STRIDE, len(OUTPUTS)), -8.0, np.float32)
        if hand_left:
            out[0, :, : w // STRIDE // 2, 0] = 8.0
        out[0, ..., 2] = 4.0
        return out
    return LearnedDetector(run_network)


def test_network_gives_one_cell_per_stride():
    from pyimagesearch.detection.detector_model import build_detector, output_shape
    model = build_detector((4, 4, 8, 8, 8))
    out = model(np.zeros((1, 64, 96, 3), np.float32))
    assert tuple(out.shape) == (1, *output_shape(64, 96))
    assert output_shape(64, 96) == (64 // STRIDE, 96 // STRIDE, len(OUTPUTS))
    with pytest.raises(ValueError):
        output_shape(60, 96)


def test_working_image_has_the_working_long_side_and_aligned_padding():
    for shape in ((300, 800, 3), (2000, 900), (90, 40, 3)):
        work = working_image(np.zeros(shape, np.uint8))
        assert max(work.shape[:2]) == learned.WORK_LONG_SIDE and work.shape[2] == 3
        assert all(side % learned.ALIGN == 0 for side in padded(work).shape[:2])


def test_cells_come_from_the_working_look_and_the_turn_from_the_smaller_one():
    seen = []

    def sized(turn):   # a network whose turn logits say which look it was given
        def run_network(x):
            seen.append(max(x.shape[1:3]))
            out = np.zeros((1, x.shape[1] // STRIDE, x.shape[2] // STRIDE, len(OUTPUTS)), np.float32)
            out[0, ..., 2 + turn] = 8.0
            return out
        return run_network

    view = LearnedDetector(sized(0), sized(1)).look(two_words())
    assert seen == [learned.WORK_LONG_SIDE, learned.TURN_LONG_SIDE]
    assert view.hand.shape == (-(-(learned.WORK_LONG_SIDE * 300 // 800) // STRIDE), learned.WORK_LONG_SIDE // STRIDE)
    assert view.turn == 1


def test_view_drops_the_padding_cells_and_votes_the_turn():
    output = np.zeros((8, 8, len(OUTPUTS)), np.float32)
    output[..., 0] = 5.0
    output[..., 2 + 3] = 6.0   # every cell says: turned 3 quarter turns
    view = DetectorView.of_output(output, (40, 64))
    assert view.hand.shape == (5, 8)
    assert view.turn == 3 and view.turn_probability > 0.9
    assert view.sideways and not view.upright(3).sideways
    assert view.upright(3).turn == 0 and view.upright(3).hand.shape == (8, 5)


def test_sideways_means_the_quarter_turns_together_are_clearly_likelier():
    view = lambda turns: DetectorView(np.zeros((2, 2)), np.zeros((2, 2)), np.array(turns))
    assert view([0.1, 0.5, 0.1, 0.3]).sideways and view([0.05, 0.1, 0.05, 0.8]).sideways
    assert not view([0.22, 0.27, 0.24, 0.27]).sideways     # no clear direction: read as it is
    assert not view([0.7, 0.1, 0.1, 0.1]).sideways


def test_only_the_components_on_handwriting_cells_are_kept():
    image = two_words()
    scan = PageScan.of(image)
    kept = keep_handwriting(scan, half_detector(True).look(image))
    columns = np.flatnonzero(kept.mask.any(axis=0)) * scan.to_original
    assert len(columns) and columns.max() < 400 <= np.flatnonzero(scan.mask.any(axis=0)).max() * scan.to_original
    assert kept.height > 0


def test_a_letter_the_network_doubts_is_kept_with_its_word():
    image = two_words()
    scan = PageScan.of(image)
    left_word_end = np.flatnonzero(scan.mask[:, : 400].any(axis=0)).max()
    # handwriting up to 80 % of the left word: its last letter lies on paper cells
    view = learned.DetectorView.of_output(_hand_until(0.8 * left_word_end / scan.mask.shape[1], image), image.shape)
    kept = keep_handwriting(scan, view)
    columns = np.flatnonzero(kept.mask.any(axis=0))
    assert columns.max() == left_word_end
    assert columns.max() < 400


def _label_beside_word(label_scale, label_hand=-8.0):
    """A printed label ("Status:", at ``label_scale``) written up against a big word, and a
    network output sure that the label is print and the word handwriting (``label_hand``:
    the label's handwriting logit)."""
    image = np.full((300, 900, 3), 255, np.uint8)
    (label_w, _), _ = cv2.getTextSize("Status:", cv2.FONT_HERSHEY_SIMPLEX, label_scale, 2)
    cv2.putText(image, "Status:", (40, 190), cv2.FONT_HERSHEY_SIMPLEX, label_scale, (20, 20, 20), 2)
    word_x = 40 + label_w + 15
    cv2.putText(image, "MARRIED", (word_x, 190), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (20, 20, 20), 6)
    h, w = -(-image.shape[0] // STRIDE), -(-image.shape[1] // STRIDE)
    out = np.full((h, w, len(OUTPUTS)), -8.0, np.float32)
    out[:, word_x // STRIDE:, 0] = 8.0
    out[:, : word_x // STRIDE, 1] = 8.0
    out[:, : word_x // STRIDE, 0] = label_hand
    return image, learned.DetectorView.of_output(out, image.shape), word_x


# logit -1: the network doubts the label is handwriting (0.27); -1.5 (0.18): it is as sure the label is
# no handwriting as that it is print; -8: it is sure it is no handwriting at all (NOT_HAND)
@pytest.mark.parametrize("label_scale, label_hand, label_kept", [(0.8, -1.0, False), (2.5, -1.0, True),
                                                                 (2.5, -1.5, False), (2.5, -8.0, False)])
def test_a_word_keeps_a_letter_the_network_calls_print_only_when_it_is_as_tall_as_the_words_handwriting(
        label_scale, label_hand, label_kept):
    image, view, word_x = _label_beside_word(label_scale, label_hand)
    scan = PageScan.of(image)
    kept = keep_handwriting(scan, view)
    label = scan.mask[:, : (word_x - 10)] > 0
    assert label.any() and (scan.mask[:, word_x:] > 0).any()
    # the word is kept; a small printed label written up against it is not, a letter of its size
    # is, unless the network is sure it is no handwriting
    assert np.array_equal(kept.mask[:, word_x:] > 0, scan.mask[:, word_x:] > 0)
    assert (kept.mask[:, : (word_x - 10)] > 0).any() == label_kept


def _printed_line(first_word_hand):
    """A printed question ("are you ever unwell?") and a network output sure it is print,
    but for its first word, which it takes for handwriting (``first_word_hand``: that word's
    handwriting logit, and minus it its print logit)."""
    image = np.full((200, 1000, 3), 255, np.uint8)
    cv2.putText(image, "are", (30, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    cv2.putText(image, "you ever unwell?", (120, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    h, w = -(-image.shape[0] // STRIDE), -(-image.shape[1] // STRIDE)
    out = np.full((h, w, len(OUTPUTS)), -8.0, np.float32)
    out[..., 1] = 8.0
    out[:, : 105 // STRIDE, 0], out[:, : 105 // STRIDE, 1] = first_word_hand, -first_word_hand
    return image, learned.DetectorView.of_output(out, image.shape)


# logit 0.3: the network doubts the word is handwriting (0.57, print 0.43); 1.7: it takes it for
# handwriting at 0.85 (SURE_HAND_IN_PRINT 0.6)
@pytest.mark.parametrize("first_word_hand, kept", [(0.3, False), (1.7, True)])
def test_a_line_of_print_keeps_a_word_of_its_size_only_when_the_network_is_sure_it_is_handwriting(
        first_word_hand, kept):
    image, view = _printed_line(first_word_hand)
    scan = PageScan.of(image)
    assert (scan.mask[:, :100] > 0).any() and (scan.mask[:, 120:] > 0).any()
    found = keep_handwriting(scan, view).mask > 0
    assert not found[:, 120:].any()
    assert found[:, :100].any() == kept


def _word_on_a_rule():
    """The scan of two words, the lower one standing on a long rule the eraser left (drawn
    into the scan's mask: a rule bent or broken in a photo), and a network output sure of
    handwriting on the words' cells only."""
    image = np.full((300, 1200, 3), 255, np.uint8)
    cv2.putText(image, "world", (420, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    cv2.putText(image, "hello", (420, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 2)
    scan = PageScan.of(image)
    mask = scan.mask.copy()
    cv2.line(mask, (20, 200), (1180, 200), 255, 3)
    h, w = -(-image.shape[0] // STRIDE), -(-image.shape[1] // STRIDE)
    out = np.full((h, w, len(OUTPUTS)), -8.0, np.float32)
    out[60 // STRIDE:230 // STRIDE, 410 // STRIDE:560 // STRIDE, 0] = 8.0
    return scan.replaced(mask=mask), learned.DetectorView.of_output(out, image.shape)


def test_writing_joined_to_a_rule_the_eraser_left_is_kept_and_the_rule_is_not():
    scan, view = _word_on_a_rule()
    kept = keep_handwriting(scan, view).mask > 0
    word = scan.mask[170:198, 420:550] > 0
    assert word.sum() > 300 and (kept[170:198, 420:550] & word).sum() > 0.9 * word.sum()
    assert not kept[:, :350].any() and not kept[:, 650:].any()


def test_a_row_of_character_boxes_is_told_from_a_word_on_a_rule():
    row = np.zeros((30, 200), bool)
    row[0, :] = row[-1, :] = True
    for x in range(0, 200, 25):
        row[:, x] = True
    assert box_rows.is_box_row(row)
    word = np.zeros((30, 200), bool)
    word[-1, :] = True
    for x in (20, 31, 75, 90, 160):   # the strokes of tall letters standing on the rule
        word[:, x] = True
    assert not box_rows.is_box_row(word)


def _hand_until(fraction, image):
    """Network output for ``image``: handwriting on the cells left of ``fraction`` of its width."""
    h, w = -(-image.shape[0] // STRIDE), -(-image.shape[1] // STRIDE)
    out = np.full((h, w, len(OUTPUTS)), -8.0, np.float32)
    out[:, : int(fraction * w), 0] = 8.0
    return out


class AllA:   # a classifier stand-in, sure that every glyph is an 'A'
    labels = ["A"]

    def predict(self, inputs):
        return np.ones((len(inputs), 1), np.float32)


LEFT, ALL = (0, 0.5, 0, 1), (0, 1, 0, 1)   # (x0, x1, y0, y1) fractions of the input


def boxes_network(hand_boxes, printed: bool = False):
    """A stand-in network look: sure handwriting on the given (x0, x1, y0, y1) fractions of its
    input, else sure paper (or sure print), turn 0."""
    def run_network(x):
        out = np.full((1, x.shape[1] // STRIDE, x.shape[2] // STRIDE, len(OUTPUTS)), -8.0, np.float32)
        rows, cols = out.shape[1:3]
        out[0, ..., 1] = 8.0 if printed else -8.0
        for x0, x1, y0, y1 in hand_boxes:
            out[0, int(y0 * rows):int(y1 * rows), int(x0 * cols):int(x1 * cols), 0] = 8.0
        out[0, ..., 2] = 8.0
        return out
    return run_network


def _kept_columns(image, detector):
    scan = PageScan.of(image)
    kept = keep_handwriting(scan, detector.look(image))
    return np.flatnonzero(kept.mask.any(axis=0)) * scan.to_original


def test_ink_the_working_look_calls_print_is_judged_by_the_glance_when_only_it_finds_handwriting():
    image = two_words()
    columns = _kept_columns(image, LearnedDetector(boxes_network([], printed=True), boxes_network([LEFT])))
    assert len(columns) and columns.max() < 400          # the glance's left word, not the right
    # a glance that finds no handwriting either changes nothing: nothing is read
    assert not len(_kept_columns(image, LearnedDetector(boxes_network([], printed=True),
                                                        boxes_network([], printed=True))))


def test_the_glance_does_not_judge_a_page_whose_working_look_finds_handwriting():
    image = two_words()
    columns = _kept_columns(image, LearnedDetector(boxes_network([LEFT]), boxes_network([ALL])))
    assert len(columns) and columns.max() < 400


@need_shipped
@need_images_dev
def test_a_neat_notebook_hand_the_working_look_takes_for_print_is_read():
    # d22: neat print-like handwriting on a ruled notebook; the 1024-px look calls it print
    from pyimagesearch.evaluation.reader import read_truth, score_page
    from pyimagesearch.reader.loading import load_reader
    row = next(r for r in read_truth(IMAGES_DEV) if r["file"].startswith("d22_"))
    image = cv2.imread(os.path.join(IMAGES_DEV, row["file"]))
    score = score_page(row["text"], load_reader(ReaderOptions()).read(image).text, row["style"])
    assert score["errors"] < 0.3 * score["length"]


def test_kept_share_is_the_share_of_a_boxs_ink_the_detector_kept():
    image = two_words()
    scan = PageScan.of(image)
    kept = keep_handwriting(scan, half_detector(True).look(image))
    assert handwriting_ink.kept_share(scan, kept, [0, 0, 400, 300]) == 1.0       # the left word, kept
    assert handwriting_ink.kept_share(scan, kept, [400, 0, 400, 300]) == 0.0     # the right word, dropped
    assert 0.3 < handwriting_ink.kept_share(scan, kept, [0, 0, 800, 300]) < 0.7
    assert handwriting_ink.kept_share(scan, kept, [0, 0, 30, 30]) == 1.0         # no ink: nothing dropped


def test_a_line_the_detector_kept_only_scraps_of_is_left_out():
    from pyimagesearch.reader.predictor import HandwritingReader

    # two lines of two words (not a crop of one line: the detector is asked)
    image = np.full((500, 800, 3), 255, np.uint8)
    for text, x, y in (("left", 40, 170), ("right", 480, 170), ("down", 40, 370), ("below", 480, 370)):
        cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 5)
    whole = HandwritingReader(AllA(), detector=LearnedDetector(boxes_network([ALL]))).read(image)
    assert len(whole.lines) == 2
    # the second line, and of the first only its first letter and its last: the first line's box holds
    # mostly ink the detector dropped
    scraps = boxes_network([(0, 1, 0.5, 1), (0, 0.08, 0, 0.5), (0.72, 0.8, 0, 0.5)])
    page = HandwritingReader(AllA(), detector=LearnedDetector(scraps)).read(image)
    assert len(page.lines) == 1 and page.lines[0].box[1] > 250


def test_nothing_called_handwriting_leaves_nothing_to_read():
    image = two_words()
    scan = keep_handwriting(PageScan.of(image), half_detector(False).look(image))
    assert scan.height == 0 and not scan.mask.any()
    assert find_glyphs(image, scan=scan) == []


def test_reader_options_choose_the_detector(tmp_path):
    assert ReaderOptions().detector in ("classic", "learned")
    assert load_detector(ReaderOptions(detector="classic")) is None
    with pytest.raises(InputError, match="no such detector"):
        load_detector(ReaderOptions(detector="learned", detector_model=str(tmp_path / "none.tflite")))
    with pytest.raises(InputError, match="choose one of"):
        load_detector(ReaderOptions(detector="neural"))


def test_a_model_that_is_not_a_detector_is_refused():
    with pytest.raises(InputError, match="not a handwriting detector"):
        LearnedDetector.from_file(os.path.join(REPO, "handwriting.tflite"))


def test_reader_command_refuses_a_missing_detector_model(tmp_path):
    image = tmp_path / "page.png"
    cv2.imwrite(str(image), two_words())
    proc = run([PY, OCR, "-i", image, "--no-window", "--detector", "learned",
                "--detector-model", tmp_path / "none.tflite"])
    assert "no such detector model" in assert_one_line_error(proc)


@need_shipped
def test_classic_and_learned_read_the_same_plain_handwriting_photo():
    from pyimagesearch.reader.loading import load_reader
    image = cv2.imread(os.path.join(REPO, "images", "hello_world.png"))
    classic = load_reader(ReaderOptions(detector="classic")).read(image).text
    assert load_reader(ReaderOptions(detector="learned")).read(image).text == classic


@need_shipped
@need_shared
def test_learned_detector_drops_printed_labels_of_generated_forms():
    from pyimagesearch.detection.training import InkCounts, score_page
    from pyimagesearch.synth import PAPER_KINDS, PageSettings, make_page
    detector = LearnedDetector.from_file(SHIPPED_DETECTOR)
    settings = PageSettings(split="test", kind_weights=tuple(float(k == "form") for k in PAPER_KINDS),
                            empty_share=0.0, far_share=0.0, crop_share=0.0, turn_share=0.0)
    learned_counts, classic_counts = InkCounts(), InkCounts()
    for seed in range(4):
        score_page(make_page(seed, settings), detector, learned_counts, classic_counts)
    a, b = learned_counts.scores(), classic_counts.scores()
    assert a["print_kept"] < 0.5 * b["print_kept"]
    assert a["recall"] > 0.5 * b["recall"]


@pytest.mark.parametrize("zoom", [1.0, 1.6, 3.0])
def test_zoomed_training_crops_keep_their_truth_on_their_pixels(zoom):
    from pyimagesearch.detection.detector_data import random_crop
    # a canvas whose every 8 x 8 cell is painted with its own handwriting truth (a checkerboard of blocks)
    cells = np.zeros((48, 48, 4), np.uint8)
    cells[..., 0] = (np.arange(48)[:, None] // 6 + np.arange(48)[None, :] // 6) % 2
    cells[..., 3] = 1
    image = np.repeat(np.repeat(cells[..., 0] * 255, STRIDE, 0), STRIDE, 1)
    image = np.repeat(image[..., None], 3, axis=2).astype(np.uint8)
    rng, resized = np.random.default_rng(0), 0
    for _ in range(20):
        crop, truth = random_crop(image, cells, rng, 64, zoom)
        assert crop.shape == (64, 64, 3) and truth.shape == (8, 8, 4)
        centres = crop[STRIDE // 2::STRIDE, STRIDE // 2::STRIDE, 0]
        assert np.mean((centres > 127) == (truth[..., 0] == 1)) >= 0.85, zoom   # a row or column off at most
        resized += not any(np.array_equal(np.rot90(crop, k), image[r:r + 64, c:c + 64])
                           for k in range(4) for r in range(0, 321, STRIDE) for c in range(0, 321, STRIDE))
    assert (resized > 0) == (zoom > 1.0)


def test_training_command_help_shows_the_defaults():
    proc = run([PY, TRAIN_DETECTOR, "--help"])
    assert proc.returncode == 0
    for flag in ("--resume", "--init-from", "--pages", "--train-pages", "--crop", "--epochs", "--workers"):
        assert flag in proc.stdout
    assert "default 256" in proc.stdout


@pytest.mark.parametrize("flags, message", [(["--crop", "100"], "--crop 100"),
                                            (["--train-pages", "0"], "--train-pages 0"),
                                            (["--workers", "0"], "--workers 0"),
                                            (["--model", "detector.h5"], "must end in .keras"),
                                            (["--large-share", "2"], "--large-share 2"),
                                            (["--zoom", "0.5"], "--zoom 0.5"),
                                            (["--plot", "p.xyz"], "a plot is written as png")])
def test_training_command_refuses_bad_flags_in_one_line(tmp_path, flags, message):
    proc = run([PY, TRAIN_DETECTOR, "--pages", tmp_path / "pages", "-p", tmp_path / "p.png",
                "-r", tmp_path / "r.txt", "-m", tmp_path / "d.keras", *flags], cwd=tmp_path)
    assert message in assert_one_line_error(proc)


def test_training_command_refuses_to_replace_a_detector_unasked(tmp_path):
    (tmp_path / "d.keras").write_bytes(b"the user's detector")
    args = [PY, TRAIN_DETECTOR, "--pages", tmp_path / "pages", "-p", tmp_path / "p.png",
            "-r", tmp_path / "r.txt", "-m", tmp_path / "d.keras"]
    assert "would overwrite" in assert_one_line_error(run(args, cwd=tmp_path))
    assert (tmp_path / "d.keras").read_bytes() == b"the user's detector" and not (tmp_path / "pages").exists()


@pytest.mark.slow
@need_shared
def test_tiny_training_run_writes_a_detector_the_reader_can_load(tmp_path):
    pages = tmp_path / "pages"
    args = [PY, TRAIN_DETECTOR, "-m", tmp_path / "d.keras", "--pages", pages, "-p", tmp_path / "p.png",
            "-r", tmp_path / "r.txt", "--train-pages", "4", "--val-pages", "2", "--epochs", "1",
            "--steps-per-epoch", "2", "-b", "2", "--crop", "64", "--eval-per-kind", "1"]
    proc = run(args, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(os.listdir(pages)) == ["test-0000.npz", "train-0000.npz"]
    assert (tmp_path / "p.png").is_file() and "form" in (tmp_path / "r.txt").read_text()
    detector = LearnedDetector.from_file(str(tmp_path / "d.tflite"))
    view = detector.look(two_words())
    side = learned.WORK_LONG_SIDE
    assert view.hand.shape == (-(-(side * 300 // 800) // STRIDE), side // STRIDE)
    # the run is complete: --resume has nothing left to do and starts afresh
    assert not (tmp_path / "d.ckpt.json").exists()


@pytest.mark.parametrize("turn", [0, 1, 2, 3])
def test_boxes_of_the_upright_page_map_back_onto_the_turned_photo(turn):
    upright = np.zeros((40, 70), np.uint8)
    box = [10, 5, 20, 8]
    upright[5:13, 10:30] = 1
    photo = np.rot90(upright, turn)
    x, y, w, h = learned.box_in_photo(box, turn, upright.shape)
    assert photo[y:y + h, x:x + w].all() and photo.sum() == w * h


def test_a_page_found_turned_is_read_upright_and_boxed_on_the_photo():
    from pyimagesearch.reader.predictor import HandwritingReader

    def turned_once(x):   # every cell is handwriting, on a page turned one quarter turn
        out = np.full((1, x.shape[1] // STRIDE, x.shape[2] // STRIDE, len(OUTPUTS)), -8.0, np.float32)
        out[0, ..., 0], out[0, ..., 3] = 8.0, 8.0
        return out

    upright = two_words()
    photo = np.ascontiguousarray(np.rot90(upright, 1))
    page = HandwritingReader(AllA(), detector=LearnedDetector(turned_once)).read(photo)
    reference = HandwritingReader(AllA()).read(upright)
    assert page.text == reference.text and len(page.lines) == 1
    for got, want in zip(page.characters, reference.characters):
        assert got.box == learned.box_in_photo(want.box, 1, upright.shape)


@need_shipped
@pytest.mark.parametrize("turn", [1, 3])
def test_a_photo_turned_a_quarter_turn_without_a_sure_turn_reads_as_upright(turn):
    # the shipped network sees these pages as sideways but is not sure which way round
    from pyimagesearch.reader.loading import load_reader
    reader = load_reader(ReaderOptions(mode="chars"))
    upright = cv2.imread(os.path.join(REPO, "images", "pack_my_box.png"))
    photo = np.ascontiguousarray(np.rot90(upright, turn))
    view = reader.detector.look(photo)
    assert view.sideways and view.turn_probability < learned.TURN_CONFIDENCE
    assert reader.read(photo).text == reader.read(upright).text == "PACK MY BOX\nWITH FIVE DOZEN\nLIQUOR JUGS"


@need_shipped
@pytest.mark.parametrize("detector", ["learned", "classic"])
def test_an_upside_down_photo_is_read_upright_and_boxed_on_the_photo(detector):
    # the network does not tell upside down from upright; the reading's confidence does
    from pyimagesearch.reader.loading import load_reader
    reader = load_reader(ReaderOptions(detector=detector))
    upright = cv2.imread(os.path.join(REPO, "images", "pack_my_box.png"))
    photo = np.ascontiguousarray(np.rot90(upright, 2))
    page, reference = reader.read(photo), reader.read(upright)
    assert page.text == reference.text == "PACK MY BOX\nWITH FIVE DOZEN\nLIQUOR JUGS"
    for got, want in zip(page.characters, reference.characters):
        assert got.box == learned.box_in_photo(want.box, 2, upright.shape)


def test_only_a_page_read_unsurely_and_within_the_budget_is_read_upside_down(monkeypatch):
    from pyimagesearch.reader import predictor

    reader = predictor.HandwritingReader(AllA())
    turns = []
    original = reader._read_turned
    monkeypatch.setattr(reader, "_read_turned", lambda *a: turns.append(a[2]) or original(*a))
    reader.read(two_words())
    assert turns == [0]
    # a page read less surely than the bar is read upside down as well
    monkeypatch.setattr(predictor, "UPSIDE_DOWN_BELOW", 1.01)
    reader.read(two_words())
    assert turns == [0, 0, 2]
    # ... unless it was read as more characters than the budget for reading twice
    monkeypatch.setattr(predictor, "UPSIDE_DOWN_MAX_CHARACTERS", 3)
    reader.read(two_words())
    assert turns == [0, 0, 2, 0]


def test_turn_calls_count_the_detectors_call_per_true_turn():
    from pyimagesearch.evaluation.turns import format_calls, turn_calls

    def follows_the_long_side(x):   # unsure: a photo taller than wide is turned once, a wide one upright
        out = np.zeros((1, x.shape[1] // STRIDE, x.shape[2] // STRIDE, len(OUTPUTS)), np.float32)
        out[0, ..., 3 if x.shape[1] > x.shape[2] else 2] = 1.0
        return out

    calls = turn_calls(LearnedDetector(follows_the_long_side), [two_words(), two_words()])
    assert calls == {0: (2, 2, 0, 0), 1: (2, 2, 2, 0), 2: (2, 0, 0, 0), 3: (2, 0, 2, 0)}
    assert format_calls(calls).splitlines()[2].split() == ["90°", "2", "2", "2", "0"]


def test_a_sideways_photo_is_read_turned_when_that_reading_is_surer_at_all():
    from pyimagesearch.reader.predictor import HandwritingReader

    class TallIsSurer:   # a classifier stand-in: an upright ring is read a little more surely than a lying one
        labels = ["O", "Q"]

        def predict(self, inputs):
            ink = inputs[..., 0] > 0.5
            sure = np.where(ink.any(axis=2).sum(axis=1) > ink.any(axis=1).sum(axis=1), 0.7, 0.6)
            return np.stack([sure, 1 - sure], axis=1).astype(np.float32)

    def sideways_either_way(x):   # every cell is handwriting; turned once or three times, equally likely
        out = np.full((1, x.shape[1] // STRIDE, x.shape[2] // STRIDE, len(OUTPUTS)), -8.0, np.float32)
        out[0, ..., 0], out[0, ..., 3], out[0, ..., 5] = 8.0, 2.0, 2.0
        return out

    rings = np.full((300, 900, 3), 255, np.uint8)
    for x in range(100, 800, 120):   # one line of six tall rings, like Os
        cv2.ellipse(rings, (x, 150), (18, 45), 0, 0, 360, (20, 20, 20), 7)
    photo = np.ascontiguousarray(np.rot90(rings, 1))
    reader = HandwritingReader(TallIsSurer(), detector=LearnedDetector(sideways_either_way))
    page = reader.read(photo)
    assert page.text.replace(" ", "") == "OOOOOO" and len(page.lines) == 1
