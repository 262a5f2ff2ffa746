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


def _witten_bell(texts, chars, order, context):
    """P(next | context) counted afresh from the texts, the recursion written out."""
    from collections import Counter
    symbols = list(chars) + ["\n"]
    follows = {}
    for text in texts:
        padded = "\n" + text + "\n"
        for i in range(1, len(padded)):
            for n in range(order):
                if n <= i:
                    follows.setdefault(padded[i - n:i], Counter())[padded[i]] += 1
    probs = np.full(len(symbols), 1.0 / len(symbols))
    for n in range(len(context) + 1):
        seen = follows.get(context[len(context) - n:])
        if seen:
            total, distinct = sum(seen.values()), len(seen)
            probs = np.array([seen[s] + distinct * p for s, p in zip(symbols, probs)]) / (total + distinct)
    return probs


def test_distributions_are_the_witten_bell_estimates_of_the_counts(lm, charset):
    for context in ("\nAl", "len", "ll", "5 3", "zzz", "\n"):
        expected = _witten_bell(TEXTS, charset.chars, 4, context)
        assert np.allclose(np.exp(lm.log_probs(context)), expected, rtol=1e-12, atol=0)


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


def _plain_counts(texts, order):
    """{(context, next symbol): count} counted one text at a time (the definition)."""
    counts = {}
    for text in texts:
        padded = "\n" + text + "\n"
        for k in range(1, len(padded)):
            for n in range(min(order, k + 1)):
                key = (padded[k - n:k], padded[k])
                counts[key] = counts.get(key, 0) + 1
    return counts


def _model_counts(lm):
    names = lm.chars + ["\n"]
    out = {}
    for k, context in enumerate(lm._contexts):
        a, b = lm._offsets[k], lm._offsets[k + 1]
        for symbol, count in zip(lm._symbols[a:b], lm._counts[a:b]):
            out[(context.decode(), names[symbol])] = int(count)
    return out


def test_counting_by_sorting_matches_counting_each_text(charset):
    texts = TEXTS + ["0000 00", "x", "Allen Street"]
    assert _model_counts(CharNgram.train(texts, charset.chars, order=5)) == _plain_counts(texts, 5)
    # rare n-grams of 3 or more symbols are dropped, shorter ones all kept
    pruned = _model_counts(CharNgram.train(texts, charset.chars, order=5, min_count=2))
    expected = {key: n for key, n in _plain_counts(texts, 5).items() if n >= 2 or len(key[0]) < 2}
    assert pruned == expected


def test_distributions_do_not_depend_on_what_was_asked_before(charset, monkeypatch):
    """A distribution is built on the cached ones of its suffixes: asked in any
    order, with the cache cleared in between, the numbers are the very same, and
    the cache stays within its limit (give or take one context's suffixes)."""
    from pyimagesearch.recognition import language
    english = CharNgram.train(["the cat sat on the mat", "a street of cats"], charset.chars, order=3)
    contexts = ["\nAll", "lle", "len", "en ", "n S", " St", "zzz", "5 3", "\n", "", "the", "\nthe c"]
    fresh = {c: CharNgram.train(TEXTS, charset.chars, order=4).blended(english, 0.25).log_probs(c)
             for c in contexts}
    monkeypatch.setattr(language, "CACHE_LIMIT", 5)
    again = CharNgram.train(TEXTS, charset.chars, order=4).blended(english, 0.25)
    for context in contexts[::-1] + contexts:
        assert again.log_probs(context).tobytes() == fresh[context].tobytes()
        assert len(again._distributions) + len(again._logs) <= 5 + again.order


def test_an_order_beyond_64_bit_keys_is_refused(charset):
    with pytest.raises(ValueError, match="too high"):
        CharNgram.train(TEXTS, charset.chars, order=12)


def test_blended_model_mixes_the_two_and_survives_a_round_trip(lm, charset, tmp_path):
    english = CharNgram.train(["the cat sat on the mat", "a street of cats"], charset.chars, order=3)
    mixed = lm.blended(english, 0.25)
    for context in (mixed.start, "\nAl", "the", "zzz"):
        expected = 0.75 * np.exp(lm.log_probs(context)) + 0.25 * np.exp(english.log_probs(context))
        assert np.allclose(np.exp(mixed.log_probs(context)), expected)
    path = str(tmp_path / "mixed.lm.npz")
    mixed.save(path)
    again = CharNgram.load(path)
    assert again.blend[0] == 0.25 and again.size == mixed.size == lm.size + english.size
    assert np.allclose(again.log_probs("\nthe c"), mixed.log_probs("\nthe c"))
    with pytest.raises(ValueError):
        english.blended(lm, 0.5)        # a higher order cannot be blended in
    with pytest.raises(InputError, match="blend weight"):
        CharNgram.load(_tampered(mixed, tmp_path, meta={"blend_weight": 1.5}))


def test_beam_search_finds_the_likeliest_text_of_a_small_alphabet():
    """With a beam wider than all prefixes, the search is exact: its text has the
    highest CTC probability of all texts (enumerated), and that probability."""
    import itertools
    rng = np.random.default_rng(3)
    labels = ["a", "b"]
    for _ in range(5):
        p = rng.dirichlet(np.ones(3) * 0.7, size=5)
        best = {}
        for n in range(6):
            for text in itertools.product(range(2), repeat=n):
                best[text] = _ctc_probability(p, list(text))
        out = ctc.beam_search(p, labels, beam_width=200, prune=0.0)
        top = max(best, key=best.get)
        assert out.text == "".join(labels[c] for c in top)
        assert out.log_prob == pytest.approx(np.log(best[top]))


def _ctc_probability(p, labels):
    """P(labels | frames) by the CTC forward recursion (blank = last class)."""
    states = [p.shape[1] - 1]
    for c in labels:
        states += [c, p.shape[1] - 1]
    alpha = np.zeros(len(states))
    alpha[0] = p[0, states[0]]
    if len(states) > 1:
        alpha[1] = p[0, states[1]]
    for t in range(1, len(p)):
        new = alpha.copy()
        new[1:] += alpha[:-1]
        for s in range(3, len(states), 2):
            if states[s] != states[s - 2]:
                new[s] += alpha[s - 2]
        alpha = new * p[t, states]
    return alpha[-1] + (alpha[-2] if len(states) > 1 else 0.0)


def test_inside_a_number_the_language_model_does_not_choose_the_digits(charset):
    """Trained on numbers of ones, the model recalls them; with ``digits_alike`` it
    does not turn a clearly read '7' after a digit into a '1' (a number's digits
    are its own), but still fixes a letter."""
    lm = CharNgram.train(["No. 11", "No. 111", "No. 1111", "No. 11111"] * 20, charset.chars, order=5)
    probs = _ambiguous("No. 17", {"7": "1"}, charset, margin=-0.2)    # '7' read at 0.7, '1' at 0.3
    assert ctc.beam_search(probs, charset, 8, lm=lm, lm_weight=1.0, char_bonus=1.0).text == "No. 11"   # recalled
    lm.decoding["digits_alike"] = 1
    assert ctc.beam_search(probs, charset, 8, lm=lm, lm_weight=1.0, char_bonus=1.0).text == "No. 17"
    letters = _ambiguous("No. 17", {"o": "0"}, charset)              # 'o' slightly beaten by '0'
    assert ctc.beam_search(letters, charset, 8).text == "N0. 17"
    assert ctc.beam_search(letters, charset, 8, lm=lm, lm_weight=1.0, char_bonus=1.0).text == "No. 17"


def test_english_texts_are_wrapped_into_lines_of_the_charset(tmp_path, charset):
    import gzip
    from pyimagesearch.recognition.lm_build import LINE_CHARS, TEXT_FILES, english_lines
    paragraph = "Call me Ishmael\u2014some years ago [never mind] how long \u201cprecisely\u201d: 1,234 days. " * 9
    for name in TEXT_FILES:
        with gzip.open(tmp_path / name, "wt", encoding="utf-8") as f:
            f.write(paragraph + "\n\nA short one.\n")
    lines = english_lines(str(tmp_path), charset)
    assert all(c in charset.index for line in lines for c in line)
    assert all(len(line) <= LINE_CHARS[1] for line in lines) and "A short one." in lines
    joined = " ".join(lines)
    assert joined.count("Ishmael-some") == joined.count('"precisely": 1,234') == 2 * 9 and "[" not in joined
    (tmp_path / TEXT_FILES[0]).unlink()
    with pytest.raises(InputError, match=TEXT_FILES[0]):
        english_lines(str(tmp_path), charset)
