"""The word list beside a line model: a word the beam search reads that is not
listed becomes the listed word one edit away that the network's frames and the
language model find about as likely, and nothing else changes."""
import gzip
import itertools
import math
import os
import shutil

import numpy as np
import pytest

from pyimagesearch.errors import InputError
from pyimagesearch.recognition import decode as ctc
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.language import CharNgram
from pyimagesearch.recognition.lexicon import Lexicon, lexicon_path_for, load_lexicon, words_of

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the language model has not seen "house": what the word list knows, it does not
TEXTS = ["the road is small", "a road by the sea", "the road", "Hello there"]


@pytest.fixture(scope="module")
def charset():
    return Charset()


@pytest.fixture(scope="module")
def lm(charset):
    model = CharNgram.train(TEXTS, charset.chars, order=3)
    model.decoding = {"beam_width": 8, "lm_weight": 0.5, "char_bonus": 1.0}
    return model


def _spelled(text, charset, doubts=None, margin=0.1):
    """Posteriors spelling ``text`` with a blank after each character; ``doubts``:
    {position: look-alike} where the look-alike is read by ``margin``."""
    doubts = doubts or {}
    rows = []
    for k, c in enumerate(text):
        row = np.full(charset.num_classes, 1e-4)
        if k in doubts:
            row[charset.index[doubts[k]]], row[charset.index[c]] = 0.5 + margin, 0.5 - margin
        else:
            row[charset.index[c]] = 1.0
        blank = np.full(charset.num_classes, 1e-4)
        blank[charset.blank] = 1.0
        rows += [row / row.sum(), blank / blank.sum()]
    return np.array(rows)


def _read(probs, charset, lm, lexicon, bonus=None):
    decoded = ctc.beam_search(probs, charset, 8, lm=lm, lm_weight=lm.decoding["lm_weight"],
                              char_bonus=lm.decoding["char_bonus"])
    return decoded, lexicon.correct(probs, decoded, charset.chars, lm, bonus)


def test_the_likelihood_sums_every_alignment():
    rng = np.random.default_rng(0)
    probs = rng.random((5, 3))
    probs /= probs.sum(axis=1, keepdims=True)

    def collapsed(path):
        merged = [c for k, c in enumerate(path) if k == 0 or c != path[k - 1]]
        return [c for c in merged if c != 2]

    for labels in ([0], [0, 1], [0, 0], [1, 0, 1], [], [0, 0, 0]):
        total = sum(math.prod(probs[t, c] for t, c in enumerate(path))
                    for path in itertools.product(range(3), repeat=5) if collapsed(path) == labels)
        assert ctc.log_likelihood(probs, labels) == pytest.approx(math.log(total))
    assert ctc.log_likelihood(probs, [0, 0, 0, 0]) == -math.inf   # needs 7 frames


def test_neighbours_are_one_edit_away_in_the_words_capitals():
    lexicon = Lexicon({"house", "horse", "hose", "mouse", "houses"})
    assert lexicon.neighbours("hcuse") == ["house"]
    assert lexicon.neighbours("Houes") == ["House", "Houses"]  # two letters swapped; an s added
    assert lexicon.neighbours("HOUSE") == ["HORSE", "HOSE", "HOUSES", "MOUSE"]
    assert lexicon.neighbours("table") == []


def test_an_unlisted_word_the_frames_doubt_becomes_the_listed_one(charset, lm):
    lexicon = Lexicon({"house", "road"}, bonus=1.0)
    probs = _spelled("the house", charset, {5: "c"}, margin=0.3)
    decoded, corrected = _read(probs, charset, lm, lexicon)
    assert decoded.text == "the hcuse"
    assert corrected.text == "the house"
    assert len(corrected.spans) == len(corrected.confidences) == len(corrected.text)
    # without the bonus the frames' choice stands; with a large one, a surer choice gives way
    assert _read(probs, charset, lm, lexicon, bonus=0.0)[1].text == "the hcuse"
    surer = _spelled("the house", charset, {5: "c"}, margin=0.45)
    assert _read(surer, charset, lm, lexicon)[1].text == "the hcuse"
    assert _read(surer, charset, lm, lexicon, bonus=5.0)[1].text == "the house"


def test_words_the_frames_are_sure_of_stay(charset, lm):
    lexicon = Lexicon({"house", "road"}, bonus=1.0)
    sure = _spelled("the hcuse", charset)
    assert _read(sure, charset, lm, lexicon)[1].text == "the hcuse"
    # short words, listed words and letters run into digits (a code) are never changed
    for text in ("the hse", "the road", "the hcuse7"):
        probs = _spelled(text, charset, {len(text) - 2: "e"})
        decoded, corrected = _read(probs, charset, lm, lexicon, bonus=50.0)
        assert corrected is decoded


def test_words_of_counts_words_long_enough(tmp_path):
    assert words_of(["The house, the HOUSE; a road", "roads"]) == {"house", "road", "roads"}
    assert words_of(["The house, the HOUSE; a road", "roads"], min_count=2) == {"house"}


def test_save_load_round_trip_and_bad_files(tmp_path):
    path = str(tmp_path / "m.lexicon.txt.gz")
    Lexicon({"house", "road"}, bonus=1.5).save(path)
    again = Lexicon.load(path)
    assert again.words == {"house", "road"} and again.bonus == 1.5
    # the same list makes the same file, byte for byte (the shipped one can be remade)
    other = str(tmp_path / "other.lexicon.txt.gz")
    again.save(other)
    with open(path, "rb") as a, open(other, "rb") as b:
        assert a.read() == b.read()
    for content in (b"not gzip", gzip.compress(b"other-format\tbonus=1\nhouse\n"),
                    gzip.compress(b"pyimagesearch-lexicon-1\tbonus=x\nhouse\n"),
                    gzip.compress(b"pyimagesearch-lexicon-1\tbonus=1\nHouse\n")):
        with open(path, "wb") as f:
            f.write(content)
        with pytest.raises(InputError, match="m.lexicon.txt.gz"):
            Lexicon.load(path)


def test_lexicon_path_sits_beside_both_model_files():
    assert lexicon_path_for("m/line_model.keras") == "m/line_model.lexicon.txt.gz"
    assert lexicon_path_for("m/line_model.tflite") == "m/line_model.lexicon.txt.gz"


SHIPPED = os.path.join(REPO, "line_model.tflite")


@pytest.mark.skipif(not os.path.isfile(lexicon_path_for(SHIPPED)), reason="no shipped word list")
def test_recognizer_loads_the_word_list_beside_it(tmp_path, capsys):
    from pyimagesearch.recognition.language import lm_path_for
    from pyimagesearch.recognition.recognizer import LineRecognizer
    assert LineRecognizer(SHIPPED).lexicon is not None
    assert LineRecognizer(SHIPPED, lexicon_path=None).lexicon is None
    alone = str(tmp_path / "alone.tflite")
    shutil.copy(SHIPPED, alone)
    shutil.copy(lm_path_for(SHIPPED), lm_path_for(alone))
    assert LineRecognizer(alone).lexicon is None
    with open(lexicon_path_for(alone), "wb") as f:
        f.write(b"truncated")
    assert LineRecognizer(alone).lexicon is None     # a broken list beside the model: a warning
    assert "[WARNING]" in capsys.readouterr().err
    with pytest.raises(InputError, match="not a word list"):
        load_lexicon(alone, lexicon_path_for(alone))


@pytest.mark.skipif(not os.path.isfile(SHIPPED), reason="no shipped line model")
def test_build_command_reports_bad_input_on_one_line(tmp_path):
    import subprocess
    import sys
    command = [sys.executable, "-m", "pyimagesearch.recognition.lexicon_build", "-m"]
    missing = subprocess.run(command + [str(tmp_path / "missing.keras")], capture_output=True, text=True, cwd=REPO,
                             timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("[ERROR]") and "missing.keras" in missing.stderr
    no_text = subprocess.run(command + [SHIPPED, "--text", str(tmp_path / "nowhere")], capture_output=True, text=True,
                             cwd=REPO, timeout=120)
    assert no_text.returncode == 2 and "nowhere" in no_text.stderr.strip().splitlines()[-1]


def test_beam_sweep_reports_bad_input_on_one_line(tmp_path):
    import subprocess
    import sys
    command = [sys.executable, os.path.join(REPO, "tools", "beam_sweep.py"), "-m"]
    missing = subprocess.run(command + [str(tmp_path / "missing.keras")], capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "missing.keras" in missing.stderr.strip().splitlines()[-1]
    if os.path.isfile(SHIPPED):
        narrow = subprocess.run(command + [SHIPPED, "--widths", "1"], capture_output=True, text=True, timeout=120)
        assert narrow.returncode == 2 and "--widths" in narrow.stderr.strip().splitlines()[-1]
