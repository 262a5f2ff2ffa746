"""--mode chars|lines|auto: the flags and their errors, auto without a line model, a
synthetic line through the whole-line path (boxes inside the line, words split on the
model's spaces), the JSON shape, and, when the trained line model and ../shared are
here, the real thing (no TensorFlow on the LiteRT path; auto no worse than chars on
block capitals and digits)."""
import io
import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from pyimagesearch.detection.layout import line_groups
from pyimagesearch.reader import app, auto, loading
from pyimagesearch.reader.options import OutputOptions, ReaderOptions
from pyimagesearch.errors import InputError
from pyimagesearch.reader.predictor import HandwritingReader
from pyimagesearch.recognition import decode as ctc
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.preprocess import to_model_input

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OCR = os.path.join(REPO, "ocr_handwriting.py")
CLASSIFIER = os.path.join(REPO, "handwriting.tflite")
LINE_MODEL = os.path.join(REPO, "line_model.keras")
LINE_TWIN = os.path.join(REPO, "line_model.tflite")
IMAGES_DEV = os.path.normpath(os.path.join(REPO, "..", "shared", "images-dev"))
HELLO = os.path.join(REPO, "images", "hello_world.png")

needs_classifier = pytest.mark.skipif(not os.path.isfile(CLASSIFIER), reason="handwriting.tflite not shipped")
needs_line_model = pytest.mark.skipif(not (os.path.isfile(LINE_MODEL) and os.path.isfile(LINE_TWIN)),
                                      reason="line_model.keras + line_model.tflite not trained yet")
needs_images_dev = pytest.mark.skipif(not os.path.isfile(os.path.join(IMAGES_DEV, "truth.tsv")),
                                      reason="../shared/images-dev not present")


# ---------------------------------------------------------------- stand-ins

class FlatClassifier:
    """A classifier that knows nothing: every class equally likely."""
    labels = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    runtime = "flat"

    def predict(self, inputs):
        return np.full((len(inputs), len(self.labels)), 1.0 / len(self.labels), np.float32)


class OracleRecognizer:
    """Stands in for recognition.recognizer.LineRecognizer: writes ``texts`` (one per
    line, top line first), each character at its share of the crop's ink columns, with
    ``confidence`` (one for all lines, or a list of one per line)."""

    def __init__(self, texts, confidence=0.9):
        self.charset = Charset()
        self.texts = list(texts)
        self.confidence = confidence
        self.inputs = []

    def posteriors(self, crops):
        """(posteriors, stretch) per crop, as LineRecognizer gives them (never widened)."""
        out = []
        sure = self.confidence if isinstance(self.confidence, list) else [self.confidence] * len(self.texts)
        for x, text, confidence in zip(map(to_model_input, crops), self.texts, sure):
            self.inputs.append(x)
            frames = max(1, x.shape[1] // 4)
            p = np.zeros((frames, self.charset.num_classes))
            p[:, self.charset.blank] = 1.0
            cols = np.flatnonzero(x.max(axis=0) > 0.3)
            centres = np.linspace(cols[0], cols[-1], 2 * len(text) + 1)[1::2]
            for ch, col in zip(text, centres):
                f = min(frames - 1, int(col) // 4)
                p[f] = (1.0 - confidence) / (self.charset.num_classes - 1)
                p[f, self.charset.index[ch]] = confidence
            out.append((p, 1.0))
        return out

    def decode(self, posteriors, beam_width=None):
        return ctc.decode(posteriors, self.charset)


def text_page(lines, height=60, gap=2.2):
    """Dark text lines on grey paper (Hershey script), and each line's ink box."""
    width = int(max(len(t) for t in lines) * height * 0.75 + 2 * height)
    page = np.full((int(height * (gap * len(lines) + 1)), width), 225, np.uint8)
    scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, height, 3)
    for k, text in enumerate(lines):
        y = int(height * (1.5 + gap * k))
        cv2.putText(page, text, (height, y), cv2.FONT_HERSHEY_SIMPLEX, scale, 30, 4, cv2.LINE_AA)
    boxes = []
    for k in range(len(lines)):
        band = page.copy()
        y0, y1 = int(height * (0.5 + gap * k - 0.6)), int(height * (1.5 + gap * k + 0.6))
        ys, xs = np.nonzero(band[max(0, y0):y1] < 128)
        boxes.append([int(xs.min()), int(ys.min()) + max(0, y0), int(xs.max() - xs.min() + 1),
                      int(ys.max() - ys.min() + 1)])
    return cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), boxes


def inside(box, outer, slack=0):
    x, y, w, h = box
    X, Y, W, H = outer
    return X - slack <= x and Y - slack <= y and x + w <= X + W + slack and y + h <= Y + H + slack


def shape(obj):
    """The JSON's structure: keys and value types, recursively (lists by their first item)."""
    if isinstance(obj, dict):
        return {k: shape(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [shape(obj[0])] if obj else []
    return type(obj).__name__


# ---------------------------------------------------------------- flags and errors

def test_resolve_mode_without_a_line_model(tmp_path):
    missing = str(tmp_path / "nothing.keras")
    assert loading.resolve_mode("chars", missing) == ("chars", None)
    assert loading.resolve_mode("auto", missing) == ("chars", None)   # the shipped one missing: characters
    assert loading.resolve_mode("auto", None) == ("chars", None)
    with pytest.raises(InputError, match="--line-model"):
        loading.resolve_mode("auto", missing, explicit=True)          # a path the user gave must be there
    with pytest.raises(InputError, match="no such line model"):
        loading.resolve_mode("lines", missing)
    with pytest.raises(InputError):
        loading.resolve_mode("lines", None)
    with pytest.raises(InputError, match="mode"):
        loading.resolve_mode("words", missing)


def test_a_file_that_is_not_a_line_model(tmp_path):
    bad = tmp_path / "line.keras"
    bad.write_text("not a model")
    with pytest.raises(InputError):
        loading.resolve_mode("auto", str(bad))


def test_reader_mode_arguments():
    with pytest.raises(InputError):
        HandwritingReader(FlatClassifier(), mode="lines")
    with pytest.raises(InputError):
        HandwritingReader(FlatClassifier(), mode="sentences", line_recognizer=OracleRecognizer([]))
    assert HandwritingReader(FlatClassifier(), mode="auto").mode == "chars"
    assert HandwritingReader(FlatClassifier(), mode="lines", line_recognizer=OracleRecognizer([])).mode == "lines"


def _cli(*args):
    env = dict(os.environ, PYTHONPATH=REPO)
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, OCR, *args], capture_output=True, text=True, timeout=120, env=env)


@needs_classifier
def test_cli_mode_lines_without_a_line_model_is_one_error_line(tmp_path):
    proc = _cli("-i", HELLO, "-m", CLASSIFIER, "--mode", "lines", "--line-model", str(tmp_path / "no.keras"),
                "--no-window", "-o", str(tmp_path / "out.png"))
    assert proc.returncode == 2, proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("[") or "Traceback" in ln]
    assert errors == [f"[ERROR] {tmp_path / 'no.keras'}: no such line model file (needed by --mode lines)"]
    assert not (tmp_path / "out.png").exists()


def test_cli_rejects_an_unknown_mode():
    proc = _cli("-i", HELLO, "--mode", "words")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


@needs_classifier
def test_auto_without_a_line_model_reads_as_chars(tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "SHIPPED_LINE_MODEL", str(tmp_path / "absent.keras"))
    pages = {}
    for mode in ("chars", "auto"):
        out, err = io.StringIO(), io.StringIO()
        status = app.run([HELLO], ReaderOptions(CLASSIFIER, None, mode), OutputOptions(as_json=True, window=False),
                         out=out, err=err)
        assert status == 0, err.getvalue()
        assert "[WARNING]" not in err.getvalue() and "[ERROR]" not in err.getvalue()
        pages[mode] = json.loads(out.getvalue())
    assert pages["auto"] == pages["chars"]
    assert pages["chars"][0]["text"] == "HELLO\nWORLD"


# ---------------------------------------------------------------- the whole-line path

def test_synthetic_lines_through_the_lines_path():
    image, line_boxes = text_page(["AB CD", "EFG"])
    oracle = OracleRecognizer(["Ab cd", "efg"])
    reader = HandwritingReader(FlatClassifier(), line_recognizer=oracle, mode="lines")
    page = reader.read(image, "synthetic")
    assert page.text == "Ab cd\nefg"
    assert [[w.text for w in line.words] for line in page.lines] == [["Ab", "cd"], ["efg"]]
    assert [line.source for line in page.lines] == ["lines", "lines"]
    for line, drawn in zip(page.lines, line_boxes):
        xs = []
        for c in (c for w in line.words for c in w.characters):
            assert inside(c.box, drawn, slack=2), (c, drawn)
            assert c.box[2] >= 1 and c.box[3] >= 1
            assert c.confidence == pytest.approx(0.9)
            assert c.alternatives[0] == [c.char, pytest.approx(0.9)]
            xs.append(c.box[0] + c.box[2] / 2)
        assert xs == sorted(xs)                   # left to right
    # the crops the line model saw: 32 rows, white ink on black, one line each
    assert [x.shape[0] for x in oracle.inputs] == [32, 32]
    for x in oracle.inputs:
        assert x.dtype == np.float32 and 0.0 <= x.min() and x.max() <= 1.0
        assert np.median(x) < 0.1                 # mostly background: dark
        rows = np.flatnonzero(x.max(axis=1) > 0.5)
        assert rows[-1] - rows[0] >= 20           # the line fills the height (one line only)


def test_min_confidence_and_empty_lines():
    image, _ = text_page(["AB", "CD"])
    oracle = OracleRecognizer(["ab", "  "], confidence=0.4)
    page = HandwritingReader(FlatClassifier(), min_confidence=0.5, line_recognizer=oracle, mode="lines").read(image)
    assert page.text == "??"                      # unsure characters are '?'; a line read as nothing goes


def test_lines_read_with_a_low_mean_confidence_are_left_out_unless_all_are():
    image, _ = text_page(["AB", "CD"])

    def read(confidences, threshold):
        oracle = OracleRecognizer(["ab", "cd"], confidence=confidences)
        reader = HandwritingReader(FlatClassifier(), line_recognizer=oracle, mode="lines",
                                   min_line_confidence=threshold)
        return reader.read(image).text

    assert read([0.9, 0.3], 0.4) == "ab"          # beside a line above the floor, one under it goes
    assert read(0.3, 0.4) == "ab\ncd"              # a page whose lines all read unsurely keeps them ...
    assert read(0.15, 0.4) == ""                   # ... when they are UNSURE_PAGE_FLOOR of the floor sure
    assert read(0.3, 0.0) == "ab\ncd"
    assert read(0.5, 0.4) == "ab\ncd"


def test_a_page_whose_sure_lines_hold_little_of_its_text_keeps_its_unsure_ones():
    image, _ = text_page(["A", "BCDEFG", "HIJKLM"])

    def read(confidences):
        oracle = OracleRecognizer(["a", "bcdefg", "hijklm"], confidence=confidences)
        return HandwritingReader(FlatClassifier(), line_recognizer=oracle, mode="lines",
                                 min_line_confidence=0.4).read(image).text

    assert read([0.9, 0.3, 0.3]) == "a\nbcdefg\nhijklm"   # one sure letter of 13 characters
    assert read([0.9, 0.9, 0.3]) == "a\nbcdefg"             # sure lines hold 7 of 13
    assert read([0.9, 0.15, 0.3]) == "a\nhijklm"            # under half the floor still goes


def test_auto_keeps_confident_block_capitals_and_reads_the_rest_whole():
    clean = auto.evidence([[0, 0, 40, 50], [50, 2, 38, 48], [100, 0, 42, 51]], [0.97, 0.95, 0.99],
                                  "ABC", "ABC")
    assert auto.choose(clean) == "chars"
    cursive = auto.evidence([[0, 0, 90, 50], [95, 20, 20, 25], [120, 0, 30, 60]], [0.5, 0.4, 0.6],
                                    "OVW", "or work")
    assert auto.choose(cursive) == "lines"
    agreeing_caps = auto.evidence([[0, 0, 90, 50], [95, 20, 20, 25]], [0.6, 0.7], "HI", "HI")
    assert auto.choose(agreeing_caps) == "chars"


def test_auto_gives_a_line_to_the_line_model_when_it_is_clearly_surer_of_another_reading():
    # d18's boxed digits: the classifier unsure of a 5 and a 9, the line model sure of the number
    boxes = [[40 * k, 0, 30, 50] for k in range(10)]
    def choice(line_text, line_confidence):
        return auto.choose(auto.evidence(boxes, [0.6] * 10, "1234G67540", line_text, line_confidence))
    assert choice("1234567890", 0.6 + auto.AUTO_LINE_SURER) == "lines"
    assert choice("1234567890", 0.6 + auto.AUTO_LINE_SURER - 0.05) == "chars"   # agreeing, not surer
    assert choice("1234G67540", 0.95) == "chars"                                 # the same reading


@needs_classifier
def _characters(text, alternatives):
    from pyimagesearch.io.elements import Character
    return [Character(c, alts[0][1], [0, 0, 1, 1], alts) for c, alts in zip(text, alternatives)]


def test_a_glyph_takes_the_line_models_character_when_the_classifier_also_finds_it_likely():
    # "4LEJ" where the line model reads "alej": the 4 had A at 0.43, the E had nothing like an A
    chars = _characters("4LEJ", [[["4", 0.51], ["A", 0.43]], [["L", 0.9], ["1", 0.1]],
                                 [["E", 0.99], ["F", 0.01]], [["J", 0.95], ["T", 0.05]]])
    auto.settle_by_line(chars, "alej")
    assert "".join(c.char for c in chars) == "ALEJ" and chars[0].confidence == 0.43
    # a character the classifier all but ruled out stays as it read it
    unsure_j = [[["4", 0.98], ["A", 0.01]], [["L", 0.9], ["1", 0.1]], [["E", 0.99], ["F", 0.01]],
                [["J", 0.7], ["T", 0.3]]]
    chars = _characters("4LEJ", unsure_j)
    auto.settle_by_line(chars, "A-LET")
    assert "".join(c.char for c in chars) == "4LET"
    # the readings are aligned by edit distance, not by position: a character the line model
    # missed shifts nothing (by position, the J would have become the T)
    chars = _characters("4LEJ", unsure_j)
    auto.settle_by_line(chars, "lejt")
    assert "".join(c.char for c in chars) == "4LEJ"
    # never under the reader's --min-confidence
    chars = _characters("4", [[["4", 0.51], ["A", 0.43]]])
    auto.settle_by_line(chars, "A", floor=0.5)
    assert chars[0].char == "4"


def test_json_shape_is_the_same_in_every_mode(tmp_path, monkeypatch):
    fake_model = tmp_path / "line.keras"
    fake_model.write_bytes(b"PK not read")
    monkeypatch.setattr(loading, "load_line_recognizer",
                        lambda path, runtime="auto": OracleRecognizer(["hello", "world"]))
    shapes = {}
    for mode in ("chars", "lines", "auto"):
        out, err = io.StringIO(), io.StringIO()
        assert app.run([HELLO], ReaderOptions(CLASSIFIER, str(fake_model), mode), OutputOptions(as_json=True, window=False),
                       out=out, err=err) == 0, err.getvalue()
        pages = json.loads(out.getvalue())
        shapes[mode] = shape(pages)
        if mode == "lines":
            assert pages[0]["text"] == "hello\nworld"
    assert shapes["lines"] == shapes["chars"] == shapes["auto"]
    assert set(shapes["chars"][0]) == {"image", "text", "lines", "characters"}
    assert set(shapes["chars"][0]["characters"][0]) == {"char", "confidence", "box", "alternatives"}


# ---------------------------------------------------------------- the trained line model

@needs_line_model
@needs_classifier
def test_litert_line_model_never_imports_tensorflow():
    code = ("import sys, json\n"
            "from pyimagesearch.reader import app\n"
            "from pyimagesearch.reader.options import OutputOptions, ReaderOptions\n"
            f"status = app.run([{HELLO!r}], ReaderOptions({CLASSIFIER!r}, {LINE_MODEL!r}, 'lines'),"
            " OutputOptions(as_json=True, window=False))\n"
            "assert status == 0\n"
            "heavy = [m for m in ('tensorflow', 'keras') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONPATH=REPO), cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "HEAVY []" in proc.stderr
    page = json.loads(proc.stdout)[0]
    for line in page["lines"]:
        for word in line["words"]:
            assert inside(word["box"], line["box"])
    assert page["text"].strip()


@needs_line_model
@needs_classifier
@needs_images_dev
def test_auto_no_worse_than_chars_on_block_capitals_and_digits():
    """On the cards of block capitals and digits (d01-d08). The hard pages (d09 on:
    forms whose printed labels both paths read) are the page detector's to fix."""
    from pyimagesearch.evaluation.reader import read_truth
    from pyimagesearch.metrics import levenshtein
    from pyimagesearch.io.image import load_image
    from pyimagesearch.models.classifier import load_classifier
    classifier = load_classifier(CLASSIFIER)
    recognizer = loading.load_line_recognizer(LINE_MODEL)
    chars = HandwritingReader(classifier)
    auto = HandwritingReader(classifier, line_recognizer=recognizer, mode="auto")
    errors = {"chars": 0, "auto": 0}
    for row in read_truth(IMAGES_DEV):
        if row["style"] not in ("caps", "digits") or row["file"] >= "d09":
            continue
        image = load_image(os.path.join(IMAGES_DEV, row["file"]))
        truth = "".join(row["text"].split())
        for name, reader in (("chars", chars), ("auto", auto)):
            errors[name] += levenshtein(truth, "".join(reader.read(image).text.split()))
    assert errors["auto"] <= errors["chars"], errors


def test_line_groups_join_pieces_and_split_lines():
    # line 0: a text line cut in two by the reading order (side by side, same rows);
    # line 1: the tail of a g just below it; line 2: the next line; line 3: specks far below
    boxes = [[0, 100, 40, 50], [50, 102, 40, 50], [100, 104, 40, 50],      # 0-2: left half of line A
             [150, 110, 40, 50], [200, 112, 40, 50],                        # 3-4: right half of line A
             [210, 158, 12, 18],                                            # 5: a descender piece
             [0, 240, 40, 50], [50, 240, 40, 50], [100, 240, 40, 50],       # 6-8: line B
             [20, 600, 10, 10], [60, 600, 10, 10]]                          # 9-10: two dots
    lines = [[[0, 1, 2]], [[3, 4]], [[5]], [[6, 7, 8]], [[9, 10]]]
    groups = line_groups(boxes, lines)
    assert [group.rows for group in groups] == [[0, 1, 2], [3], [4]]
    assert [group.small for group in groups] == [False, False, True]
    assert line_groups([], []) == []


def test_words_also_end_at_the_pages_word_gaps():
    """The line model may run two words together; an ink-free reading-order word gap splits them."""
    image, _ = text_page(["AB CD"])
    page = HandwritingReader(FlatClassifier(), line_recognizer=OracleRecognizer(["abcd"]), mode="lines").read(image)
    assert [w.text for w in page.lines[0].words] == ["ab", "cd"]
    tight, _ = text_page(["ABCD"])
    page = HandwritingReader(FlatClassifier(), line_recognizer=OracleRecognizer(["abcd"]), mode="lines").read(tight)
    assert [w.text for w in page.lines[0].words] == ["abcd"]


class RecordingRecognizer(OracleRecognizer):
    """An oracle that notes how each line was decoded (0: greedy, None: its own beam)."""

    def __init__(self, texts):
        super().__init__(texts)
        self.decodings = []

    def decode(self, posteriors, beam_width=None):
        self.decodings.append(beam_width)
        return super().decode(posteriors, beam_width)


def test_auto_decides_on_the_greedy_reading_and_beam_decodes_only_lines_it_gives_the_line_model(monkeypatch):
    # the page is read one way round only (the flat classifier is never sure enough to skip the upside-down look)
    monkeypatch.setattr("pyimagesearch.reader.predictor.UPSIDE_DOWN_BELOW", 0.0)
    image, _ = text_page(["AB CD", "EFG"])
    recognizer = RecordingRecognizer(["Ab cd", "efg"])
    page = HandwritingReader(FlatClassifier(), line_recognizer=recognizer, mode="auto").read(image)
    assert page.text == "Ab cd\nefg"
    assert recognizer.decodings == [0, None, 0, None]
    # a line the classifier keeps is never beam-decoded
    monkeypatch.setattr("pyimagesearch.reader.predictor.choose", lambda ev: "chars")
    recognizer = RecordingRecognizer(["Ab cd", "efg"])
    reader = HandwritingReader(FlatClassifier(), line_recognizer=recognizer, mode="auto")
    page = reader.read(image)
    assert recognizer.decodings == [0, 0] and [line.source for line in page.lines] == ["chars", "chars"]
    # 'lines' mode decodes each line once, the recognizer's own way
    recognizer = RecordingRecognizer(["Ab cd", "efg"])
    HandwritingReader(FlatClassifier(), line_recognizer=recognizer, mode="lines").read(image)
    assert recognizer.decodings == [None, None]


def test_past_the_pages_line_budget_lines_keep_the_classifiers_reading(monkeypatch):
    from pyimagesearch.reader import lines as line_reading
    monkeypatch.setattr("pyimagesearch.reader.predictor.UPSIDE_DOWN_BELOW", 0.0)   # one reading, as above
    image, _ = text_page(["AB CD", "EFG"])
    oracle = OracleRecognizer(["Ab cd", "efg"])
    first_line_only = HandwritingReader(FlatClassifier(), line_recognizer=oracle, mode="lines")
    boxes_page = first_line_only.read(image)
    assert [line.source for line in boxes_page.lines] == ["lines", "lines"]
    # a budget that the first line's width uses up: the second is the classifier's
    first_width = 32 * boxes_page.lines[0].box[2] / boxes_page.lines[0].box[3]
    monkeypatch.setattr(line_reading, "LINE_COLUMN_BUDGET", first_width * 1.2)
    oracle = OracleRecognizer(["Ab cd", "efg"])
    page = HandwritingReader(FlatClassifier(), line_recognizer=oracle, mode="lines").read(image)
    assert [line.source for line in page.lines] == ["lines", "chars"] and len(oracle.inputs) == 1
    assert page.lines[0].text == "Ab cd"


# ---------------------------------------------------------------- the line floor and the way round

def _line(text, confidence):
    from pyimagesearch.io.elements import Character, Line, Word
    return Line([Word([Character(c, confidence, [10 * i, 0, 8, 10]) for i, c in enumerate(text)])], "lines")


def test_the_way_round_is_chosen_before_the_line_floor(monkeypatch):
    # d13's case: upright, four cursive lines, the first read unsurely; upside down, a few sure letters
    # among junk. Left out before the choice, the unsure line made the upright page look less sure
    # than the four letters upside down
    from pyimagesearch.io.elements import Page
    readings = {0: [_line("Text", 0.36), _line("Noritten", 0.53), _line("by", 0.96), _line("hand", 1.0)],
                2: [_line("proy", 0.95), _line("xxxxxxxxxx", 0.3)]}
    reader = HandwritingReader(FlatClassifier(), min_line_confidence=0.4)
    monkeypatch.setattr(reader, "_read_turned", lambda image, view, turn, name, scan: Page(name, readings[turn]))
    image = np.full((60, 200), 255, np.uint8)
    cv2.putText(image, "ink", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1, 0, 2)
    page = reader.read(image)
    assert page.text.split("\n") == ["Noritten", "by", "hand"]


def test_an_upside_down_reading_of_far_less_ink_does_not_win(monkeypatch):
    # a squared page's grid, scanned upside down, measured a text height twenty times the writing's:
    # that reading was one sure letter, surer on average than the page's seven lines read upright
    from pyimagesearch.io.elements import Page
    upright = [_line("murder fossil plain", 0.56), _line("zigzag machinery", 0.52), _line("JUDGE york", 0.67)]
    readings = {0: upright, 2: [_line("J", 0.71)]}
    reader = HandwritingReader(FlatClassifier(), min_line_confidence=0.4)
    monkeypatch.setattr(reader, "_read_turned", lambda image, view, turn, name, scan: Page(name, readings[turn]))
    image = np.full((60, 200), 255, np.uint8)
    cv2.putText(image, "ink", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1, 0, 2)
    assert reader.read(image).text.split("\n") == ["murder fossil plain", "zigzag machinery", "JUDGE york"]
    # the same reading upside down, as much ink and surer, wins
    readings[2] = [_line("murder fossil plain", 0.9), _line("zigzag machinery", 0.9), _line("JUDGE", 0.9)]
    assert reader.read(image).text.split("\n") == ["murder fossil plain", "zigzag machinery", "JUDGE"]


# ---------------------------------------------------------------- marks the classifier has no class for

def _glyph(char, x, confidence=0.99, y=10, h=20):
    from pyimagesearch.io.elements import Character
    return Character(char, confidence, [x, y, 10, h])


def _words(*words):
    from pyimagesearch.io.elements import Line, Word
    return Line([Word(list(w)) for w in words])


def test_the_classifiers_line_takes_the_line_models_marks_between_its_glyphs():
    g = _glyph
    number = _words([g("3", 0), g("5", 12), g("2", 24)], [g("0", 45), g("7", 55)],
                    [g("1", 80), g("0", 92), g("9", 104), g("4", 116)])
    read = _words([g("3", 0), g("5", 12), g("2", 24), g("-", 36, 0.9, 18, 4), g("0", 45), g("7", 55),
                   g("-", 68, 0.8, 18, 4), g("1", 80), g("0", 92), g("9", 104), g("4", 116)])
    auto.add_marks([number], read)
    assert number.text == "352-07-1094"          # the line model wrote one word: the three join
    street = _words([g("B", 0), g("L", 12), g("V", 24), g("D", 36)])
    auto.add_marks([street], _words([g("B", 0), g("l", 12), g("v", 24), g("d", 36), g(".", 50, 0.7, 27, 3)]))
    assert street.text == "BLVD."
    code = _words([g("6", 12), g("1", 24), g("7", 36)])
    auto.add_marks([code], _words([g("(", 0, 0.9), g("6", 12), g("1", 24), g("7", 36), g(")", 48, 0.9)]))
    assert code.text == "(617)"


def test_a_mark_on_a_glyph_an_unsure_mark_or_one_off_the_row_is_not_added():
    g = _glyph
    one = _words([g("I", 0)])
    auto.add_marks([one], _words([g("/", 2, 0.9)]))                 # the classifier read a glyph there
    unsure = _words([g("1", 0), g("0", 12)])
    auto.add_marks([unsure], _words([g("1", 0), g("0", 12), g(",", 24, 0.3)]))
    below = _words([g("1", 0), g("0", 12)])
    auto.add_marks([below], _words([g("1", 0), g("0", 12), g("-", 24, 0.9, 80, 4)]))
    # a mark on its own, or one where writing does not put it (a full stop before a word), is a speck
    apart = _words([g("A", 0)], [g("B", 40)])
    auto.add_marks([apart], _words([g("A", 0)], [g(".", 20, 0.9, 18, 4)], [g(".", 32, 0.9), g("B", 40)]))
    assert (one.text, unsure.text, below.text, apart.text) == ("I", "10", "10", "A B")
