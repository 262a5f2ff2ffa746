"""The character n-gram language model and the beam search that uses it: real
probabilities, a save/load round trip, bad files, look-alike readings fixed by
context, and the recognizer picking up the model beside the line model file."""
import math
import os
import shutil

import numpy as np
import pytest

from pyimagesearch.errors import InputError
from pyimagesearch.recognition import decode as ctc
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.language import CharNgram, lm_path_for

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEXTS = ["Allen Street", "Allen Road", "Hello world", "hello there", "Knoxville, TN 37920",
         "Phoenix, AZ 85001", "all well", "Alan Allen"]


@pytest.fixture(scope="module")
def charset():
    return Charset()


@pytest.fixture(scope="module")
def lm(charset):
    return CharNgram.train(TEXTS, charset.chars, order=4)


def test_distributions_sum_to_one_and_prefer_seen_text(lm, charset):
    for context in (lm.start, "\nAl", "lle", "zzz", "5 3"):
        assert math.isclose(float(np.exp(lm.log_probs(context)).sum()), 1.0, rel_tol=1e-9)
        assert np.isfinite(lm.log_probs(context)).all()       # nothing is impossible
    after = lm.log_probs("\nAll")
    assert after[charset.index["e"]] > after[charset.index["1"]] + 2.0
    assert lm.text_log_prob("Allen Street") > lm.text_log_prob("A11en Street") + 5.0
    # per character, a seen text is far likelier than line noise
    assert lm.text_log_prob("Allen Road") / 11 > lm.text_log_prob("Qxv7 #zk!x") / 11 + 1.0


def test_context_is_the_last_order_minus_one_symbols(lm):
    assert lm.extend(lm.start, "A") == "\nA"
    assert lm.extend("\nAl", "l") == "All"
    assert lm.extend("All", "e") == "lle"


def test_save_load_round_trip(lm, tmp_path):
    lm.decoding = {"beam_width": 6, "lm_weight": 0.75, "char_bonus": 1.5}
    path = str(tmp_path / "m.lm.npz")
    lm.save(path)
    again = CharNgram.load(path)
    assert again.order == lm.order and again.chars == lm.chars and again.decoding == lm.decoding
    assert again.size == lm.size > 0
    for context in (again.start, "\nHe", "ix,", "qqq"):
        assert np.allclose(again.log_probs(context), lm.log_probs(context))


def test_bad_files_are_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="no such language model"):
        CharNgram.load(str(tmp_path / "missing.lm.npz"))
    bad = tmp_path / "bad.lm.npz"
    bad.write_bytes(b"not an npz at all")
    with pytest.raises(InputError, match="not a character language model"):
        CharNgram.load(str(bad))
    other = tmp_path / "other.lm.npz"
    np.savez(other, meta=np.array('{"format": "something else"}'))
    with pytest.raises(InputError, match="not a character language model"):
        CharNgram.load(str(other))
    pickled = tmp_path / "pickled.lm.npz"
    np.savez(pickled, meta=np.array([{"format": 1}], dtype=object))
    with pytest.raises(InputError, match="not a character language model"):
        CharNgram.load(str(pickled))


def test_lm_path_sits_beside_both_model_files():
    assert lm_path_for("m/line_model.keras") == "m/line_model.lm.npz"
    assert lm_path_for("m/line_model.tflite") == "m/line_model.lm.npz"


def _ambiguous(text, lookalikes, charset, margin=0.1):
    """Posteriors that spell ``text`` with a blank between characters, where each
    character in ``lookalikes`` is slightly beaten by its look-alike."""
    rows = []
    for c in text:
        row = np.full(charset.num_classes, 1e-4)
        if c in lookalikes:
            row[charset.index[lookalikes[c]]] = 0.5 + margin
            row[charset.index[c]] = 0.5 - margin
        else:
            row[charset.index[c]] = 1.0
        rows.append(row / row.sum())
        blank = np.full(charset.num_classes, 1e-4)
        blank[charset.blank] = 1.0
        rows.append(blank / blank.sum())
    return np.array(rows)


def test_language_model_fixes_lookalikes_that_greedy_reads_wrong(lm, charset):
    probs = _ambiguous("Allen Road", {"l": "1"}, charset)
    assert ctc.greedy(probs, charset).text == "A11en Road"
    assert ctc.beam_search(probs, charset, 8).text == "A11en Road"           # no context: same as greedy
    fused = ctc.beam_search(probs, charset, 8, lm=lm, lm_weight=1.0, char_bonus=1.0)
    assert fused.text == "Allen Road"
    assert len(fused.spans) == len(fused.confidences) == len(fused.text)
    assert ctc.beam_search(probs, charset, 8, lm=lm, lm_weight=0.0).text == "A11en Road"
    # clear evidence wins over the language model: an unseen word is still read
    clear = _ambiguous("Zed", {}, charset)
    assert ctc.beam_search(clear, charset, 8, lm=lm, lm_weight=1.0, char_bonus=1.0).text == "Zed"


def test_beam_search_with_lm_on_empty_and_blank_input(lm, charset):
    assert ctc.beam_search(np.zeros((0, charset.num_classes)), charset, 4, lm=lm, lm_weight=1.0).text == ""
    blank = np.zeros((5, charset.num_classes))
    blank[:, charset.blank] = 1.0
    assert ctc.beam_search(blank, charset, 4, lm=lm, lm_weight=1.0, char_bonus=1.0).text == ""


SHIPPED = os.path.join(REPO, "line_model.tflite")


@pytest.mark.skipif(not os.path.isfile(lm_path_for(SHIPPED)), reason="no shipped language model")
def test_recognizer_loads_the_language_model_beside_it(tmp_path, capsys):
    from pyimagesearch.recognition.recognizer import LineRecognizer
    rec = LineRecognizer(SHIPPED)
    assert rec.lm is not None and rec.beam_width == rec.lm.decoding["beam_width"] > 1
    assert "language model" in rec.describe_decoding()
    assert LineRecognizer(SHIPPED, lm_path=None).lm is None
    # a model copied without its language model decodes greedily
    alone = tmp_path / "alone.tflite"
    shutil.copy(SHIPPED, alone)
    assert LineRecognizer(str(alone)).beam_width == 0
    # a broken or mismatched language model beside the model: a warning, greedy decoding
    CharNgram.train(["abc"], list("abc"), 3).save(lm_path_for(str(alone)))
    assert LineRecognizer(str(alone)).lm is None
    assert "characters differ" in capsys.readouterr().err
    with open(lm_path_for(str(alone)), "wb") as f:
        f.write(b"truncated")
    assert LineRecognizer(str(alone)).beam_width == 0
    assert "[WARNING]" in capsys.readouterr().err
    # ... but one asked for by name is an error
    with pytest.raises(InputError, match="not a character language model"):
        LineRecognizer(str(alone), lm_path=lm_path_for(str(alone)))


def test_build_command_reports_bad_input_on_one_line(tmp_path):
    import subprocess
    import sys
    missing = subprocess.run([sys.executable, "-m", "pyimagesearch.recognition.lm_build", "-m",
                              str(tmp_path / "missing.keras")], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.strip().splitlines()[-1].startswith("[ERROR]") and "missing.keras" in missing.stderr
    order = subprocess.run([sys.executable, "-m", "pyimagesearch.recognition.lm_build", "-m", SHIPPED, "--order", "0"],
                           capture_output=True, text=True, cwd=REPO, timeout=120)
    assert order.returncode == 2 and "[ERROR] --order 0" in order.stderr
    nodata = subprocess.run([sys.executable, "-m", "pyimagesearch.recognition.lm_build", "-m", SHIPPED, "--data",
                             str(tmp_path / "nowhere")], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert nodata.returncode == 2 and "nowhere" in nodata.stderr.strip().splitlines()[-1]


def _tampered(lm, tmp_path, **changes):
    """``lm`` saved, then its arrays changed (functions of the array) or its settings:
    ``meta`` a dict of entries to replace, ``meta_text`` the whole text."""
    import json
    path = tmp_path / "lm.npz"
    lm.save(str(path))
    with np.load(path) as d:
        arrays = {k: d[k] for k in d.files}
    meta = json.loads(str(arrays["meta"]))
    meta.update(changes.pop("meta", {}))
    arrays["meta"] = np.array(changes.pop("meta_text", json.dumps(meta)))
    for key, change in changes.items():
        arrays[key] = change(arrays[key])
    np.savez(path, **arrays)
    return str(path)


TAMPERED = [
    pytest.param({"offsets": lambda o: o[:-5]}, id="offsets-short"),
    pytest.param({"offsets": lambda o: o[::-1].copy()}, id="offsets-reversed"),
    pytest.param({"symbols": lambda s: s.astype(np.int32) + 200}, id="symbols-past-the-charset"),
    pytest.param({"symbols": lambda s: s.astype(np.int32) - 1}, id="negative-symbols"),
    pytest.param({"counts": lambda c: -c}, id="negative-counts"),
    pytest.param({"counts": lambda c: c[:-1]}, id="counts-short"),
    pytest.param({"counts": lambda c: c.astype(np.float32)}, id="float-counts"),
    pytest.param({"contexts": lambda c: c[::-1].copy()}, id="contexts-unsorted"),
    pytest.param({"contexts": lambda c: np.arange(len(c))}, id="contexts-numbers"),
    pytest.param({"meta": {"chars": "abc"}}, id="chars-a-string"),
    pytest.param({"meta": {"chars": ["ab", "c"]}}, id="chars-not-single"),
    pytest.param({"meta": {"chars": None}}, id="chars-null"),
    pytest.param({"meta": {"order": 0}}, id="order-0"),
    pytest.param({"meta": {"order": "8"}}, id="order-text"),
    pytest.param({"meta": {"order": 2.5}}, id="order-fraction"),
    pytest.param({"meta": {"decoding": {"beam_width": "wide"}}}, id="beam-width-text"),
    pytest.param({"meta": {"decoding": {"beam_width": 2.5}}}, id="beam-width-fraction"),
    pytest.param({"meta": {"decoding": ["beam"]}}, id="decoding-a-list"),
    pytest.param({"meta": {"decoding": {"lm_weight": float("nan")}}}, id="weight-nan"),
    pytest.param({"meta_text": "[1, 2]"}, id="meta-not-an-object"),
    pytest.param({"meta_text": "{not json"}, id="meta-not-json"),
]


@pytest.mark.parametrize("changes", TAMPERED)
def test_tampered_language_models_are_refused_on_load(lm, tmp_path, changes):
    """Each of these loaded before, and failed (or decoded nonsense) mid-reading."""
    with pytest.raises(InputError) as info:
        CharNgram.load(_tampered(lm, tmp_path, **dict(changes)))
    assert "not a character language model" in str(info.value) and "\n" not in str(info.value)


def test_the_untampered_copy_loads(lm, tmp_path):
    again = CharNgram.load(_tampered(lm, tmp_path))
    assert again.size == lm.size and np.allclose(again.log_probs("\nAl"), lm.log_probs("\nAl"))
