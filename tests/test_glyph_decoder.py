"""The glyph path's decoder: a beam search over each glyph's top classes with the
block-capitals language model (``handwriting.lm.npz``), its builder (``reader.block_lm``)
and the confusables test set (``evaluation.confusables``), on the shipped model and
the small fixtures."""
import gzip
import io
import os
import shutil

import numpy as np
import pytest
from conftest import DIGITS, FIXTURES, GLYPHS, LETTERS, PY, REPO, SHIPPED_TFLITE, assert_one_line_error, run

from pyimagesearch.evaluation.reader import read_truth
from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.reader.characters import CharacterDecoder, load_glyph_lm
from pyimagesearch.recognition.glyph_decode import glyph_beam_search
from pyimagesearch.recognition.language import CharNgram
from pyimagesearch.synth.block_text import BLOCK_CHARS, FORM_KINDS, form_entry

SHIPPED_LM = os.path.join(REPO, "handwriting.lm.npz")
LABELS = list(TUTORIAL_LABELS)
SAMPLE = os.path.join(FIXTURES, "confusables")


@pytest.fixture(scope="module")
def lm():
    return CharNgram.load(SHIPPED_LM)


def posteriors(reading):
    """One glyph per entry: a character (p 0.98) or {char: p} (the rest spread evenly)."""
    rows = []
    for entry in reading:
        probs = dict(entry) if isinstance(entry, dict) else {entry: 0.98}
        row = np.full(len(LABELS), (1.0 - sum(probs.values())) / (len(LABELS) - len(probs)))
        for char, p in probs.items():
            row[LABELS.index(char)] = p
        rows.append(row)
    return np.array(rows)


def read(decoder, words):
    """Words of glyph entries -> (text, the Line)."""
    probs = posteriors([g for word in words for g in word])
    row, k = [], 0
    for word in words:
        row.append(list(range(k, k + len(word))))
        k += len(word)
    line = decoder.line(probs, [[0, 0, 1, 1]] * len(probs), row)
    return line.text, line


OR_ZERO = {"O": 0.6, "0": 0.38}
OR_ONE = {"I": 0.55, "1": 0.43}


def test_the_shipped_model_knows_the_classifiers_characters_and_the_space(lm):
    assert load_glyph_lm(SHIPPED_TFLITE, LABELS) is not None
    assert lm.indices(LABELS + [" "]) is not None
    assert 0 < lm.decoding["lm_weight"]


def test_an_o_inside_a_word_of_letters_is_o_and_in_a_number_a_zero(lm):
    decoder = CharacterDecoder(LABELS, lm=lm)
    assert read(decoder, [["M", {"0": 0.6, "O": 0.38}, "D", "E", "L", "S"]])[0] == "MODELS"
    assert read(decoder, [["2", OR_ZERO, "2", "6"]])[0] == "2026"


def test_a_one_in_a_run_of_digits_is_one_and_in_a_word_an_i(lm):
    decoder = CharacterDecoder(LABELS, lm=lm)
    assert read(decoder, [["9", "0", "3", OR_ONE, "4", "3", "0", "7"]])[0] == "90314307"
    assert read(decoder, [["P", {"1": 0.55, "I": 0.43}, "N", "K"]])[0] == "PINK"


def test_a_word_of_confusables_only_is_settled_by_its_neighbours(lm):
    # a ZIP code read all as letters by the classifier ("ZIZSO"), after a state
    decoder = CharacterDecoder(LABELS, lm=lm)
    zip_code = [{"Z": 0.55, "2": 0.43}, OR_ONE, {"Z": 0.55, "2": 0.43}, {"S": 0.55, "5": 0.43}, OR_ZERO]
    assert read(decoder, [list("SALEM"), list("OR"), zip_code])[0] == "SALEM OR 21250"


def test_without_a_language_model_each_glyph_is_its_best_class():
    decoder = CharacterDecoder(LABELS)
    text, line = read(decoder, [["M", {"0": 0.6, "O": 0.38}, "D"]])
    assert text == "M0D"
    zero = line.words[0].characters[1]
    assert zero.confidence == pytest.approx(0.6)
    assert [a[0] for a in zero.alternatives][:2] == ["0", "O"]


def test_confidences_and_alternatives_come_from_the_decoder(lm):
    decoder = CharacterDecoder(LABELS, lm=lm)
    text, line = read(decoder, [["M", {"0": 0.6, "O": 0.38}, "D", "E", "L", "S"]])
    o = line.words[0].characters[1]
    assert o.char == "O" and o.alternatives[0][0] == "O" and o.alternatives[1][0] == "0"
    assert o.confidence == o.alternatives[0][1] > 0.5                      # the classifier gave it 0.38
    assert sum(p for _, p in o.alternatives) <= 1.0 + 1e-9
    assert len(o.alternatives) <= 3


def test_min_confidence_marks_what_the_decoder_doubts(lm):
    decoder = CharacterDecoder(LABELS, min_confidence=0.9, lm=lm)
    text, _ = read(decoder, [["A", {"B": 0.5, "8": 0.48}, "C"]])
    assert text[0] == "A" and text[2] == "C" and text[1] not in "B8"


def test_charset_restriction_holds_through_the_decoder(lm):
    decoder = CharacterDecoder(LABELS, charset="digits", lm=lm)
    probs = decoder.restrict(posteriors(["M", OR_ZERO, "D", "E", "L"]))
    text = decoder.line(probs, [[0, 0, 1, 1]] * 5, [[0, 1, 2, 3, 4]]).text
    assert text.isdigit() and len(text) == 5


def test_word_gaps_are_spaces_for_the_language_model(lm):
    gaps = [False, False, True, False]
    reading = glyph_beam_search(posteriors(["N", "O", "B", "E"]), LABELS, gaps, lm, 0.5)
    assert "".join(LABELS[c] for c in reading.choices) == "NOBE"
    assert np.allclose(reading.posteriors.sum(axis=1), 1.0)


def test_an_empty_line_reads_as_nothing(lm):
    reading = glyph_beam_search(np.zeros((0, len(LABELS))), LABELS, [], lm, 0.5)
    assert len(reading.choices) == 0


def test_a_broken_model_beside_the_classifier_is_a_warning(tmp_path):
    model = tmp_path / "handwriting.tflite"
    shutil.copy(SHIPPED_TFLITE, model)
    (tmp_path / "handwriting.lm.npz").write_bytes(b"not a zip")
    err = io.StringIO()
    assert load_glyph_lm(str(model), LABELS, err) is None
    assert err.getvalue().startswith("[WARNING]") and err.getvalue().count("\n") == 1


def test_a_model_without_the_classifiers_characters_is_a_warning(tmp_path):
    model = tmp_path / "handwriting.tflite"
    CharNgram.train(["ABC ABC"], list("ABC "), order=3).save(str(tmp_path / "handwriting.lm.npz"))
    err = io.StringIO()
    assert load_glyph_lm(str(model), LABELS, err) is None
    assert "[WARNING]" in err.getvalue() and "characters" in err.getvalue()


def test_no_model_beside_the_classifier_is_silent(tmp_path):
    err = io.StringIO()
    assert load_glyph_lm(str(tmp_path / "handwriting.tflite"), LABELS, err) is None
    assert err.getvalue() == ""


def test_form_entries_are_block_capitals_of_every_kind():
    rng = np.random.default_rng(0)
    for kind in FORM_KINDS:
        for _ in range(20):
            text = form_entry(rng, kind)
            assert text and set(text) <= set(BLOCK_CHARS + " ") and "  " not in text, (kind, text)


def test_block_lm_builds_a_model_the_reader_loads(tmp_path):
    """The builder end to end on the fixtures: a little prose, the fixture glyphs as validation."""
    shutil.copy(SHIPPED_TFLITE, tmp_path / "handwriting.tflite")
    text = tmp_path / "text"
    text.mkdir()
    with gzip.open(text / "moby_dick.txt.gz", "wt") as f:
        f.write("Call me Ishmael. Some years ago, never mind how long precisely.\n" * 50)
    proc = run([PY, "-m", "pyimagesearch.reader.block_lm", "-m", tmp_path / "handwriting.tflite", "--text", text,
                "--digits", DIGITS, "--letters", LETTERS, "--forms", "300", "--photos", "3"], cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    built = CharNgram.load(str(tmp_path / "handwriting.lm.npz"))
    assert built.chars == LABELS + [" "] and built.order == 4
    assert built.text_log_prob("CALL ME ISHMAEL") > built.text_log_prob("CALL ME ISHMAE1")
    assert load_glyph_lm(str(tmp_path / "handwriting.tflite"), LABELS) is not None


def test_block_lm_refuses_bad_settings(tmp_path):
    assert_one_line_error(run([PY, "-m", "pyimagesearch.reader.block_lm", "--order", "0"], cwd=REPO))


def test_confusables_command_builds_a_folder_the_evaluation_reads(tmp_path):
    out = tmp_path / "set"
    proc = run([PY, "-m", "pyimagesearch.evaluation.confusables", out, "--glyphs", GLYPHS, "--count", "3"], cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = read_truth(str(out))
    assert len(rows) == 3 and all(os.path.isfile(out / row["file"]) for row in rows)
    assert all(set(row["text"].replace("\n", " ")) <= set(BLOCK_CHARS + " ") for row in rows)
    again = run([PY, "-m", "pyimagesearch.evaluation.confusables", out, "--glyphs", GLYPHS], cwd=REPO)
    assert "exists" in assert_one_line_error(again)


def test_confusables_command_refuses_a_count_of_zero(tmp_path):
    proc = run([PY, "-m", "pyimagesearch.evaluation.confusables", tmp_path / "x", "--count", "0"], cwd=REPO)
    assert_one_line_error(proc)


def test_the_shipped_reader_reads_the_confusables_sample():
    """The sample in tests/fixtures/confusables (UniPen test writers' glyphs): the reader
    with its language model makes at most one error a photo there."""
    from pyimagesearch.evaluation.reader import comparable
    from pyimagesearch.io.image import load_image
    from pyimagesearch.metrics import levenshtein
    from pyimagesearch.models.classifier import load_classifier
    from pyimagesearch.reader.predictor import HandwritingReader
    reader = HandwritingReader(load_classifier(SHIPPED_TFLITE))
    assert reader.characters.lm is not None
    for row in read_truth(SAMPLE):
        page = reader.read(load_image(os.path.join(SAMPLE, row["file"])), row["file"])
        assert levenshtein(comparable(page.text, "caps"), comparable(row["text"], "caps")) <= 1, row
