"""The CNN + BiLSTM + CTC line recognizer: charset, numpy decoders, rendering and
augmentation, the model's save/convert/reload round trip, and a 3-step training
smoke run on UniPen (skipped when ../shared/data/lines is absent)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyimagesearch.models import store
from pyimagesearch.recognition import decode as ctc
from pyimagesearch.recognition.charset import DEFAULT_CHARS, Charset, ctc_frames_needed
from pyimagesearch.recognition.preprocess import HEIGHT, frames, pad_batch, span_to_columns, to_model_input

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "lines")
HAVE_DATA = all(os.path.isfile(os.path.join(DATA, f)) for f in
                ("unipen_text_h32.npz", "unipen_words_h32.npz", "unipen_text_strokes.npz",
                 "unipen_words_strokes.npz"))
needs_data = pytest.mark.skipif(not HAVE_DATA, reason="../shared/data/lines not present")


# ---------------------------------------------------------------- charset

def test_charset_round_trip():
    cs = Charset()
    text = "Pay $1.23 @ 4:56 (ok?) - \"Don't\" & 50% / x+y=z #1; yes!"
    assert cs.decode(cs.encode(text)) == text
    assert cs.blank == len(DEFAULT_CHARS) == cs.num_classes - 1
    for required in "0123456789AZaz .,'-\"!?:;()&/":
        assert required in cs.index
    # the labels stored with a model rebuild the same charset
    again = Charset(json.loads(json.dumps(cs.labels)))
    assert again.labels == cs.labels and again.encode("Hello") .tolist() == cs.encode("Hello").tolist()


def test_charset_normalize_maps_and_drops():
    cs = Charset()
    assert cs.normalize("it`s  \u201cfine\u201d\t now") == "it's \"fine\" now"
    assert cs.normalize("a[0] = b") is None          # outside the charset: the item is dropped
    assert cs.normalize("   ") is None
    assert cs.clean("x <y>") == "x <y>"               # clean() keeps unknowns (evaluation truth)
    with pytest.raises(ValueError):
        cs.encode("{")
    assert cs.decode([0, cs.blank, 1, 999]) == "01"


def test_ctc_frames_needed():
    assert ctc_frames_needed([]) == 0
    assert ctc_frames_needed([1, 2, 3]) == 3
    assert ctc_frames_needed([1, 1, 2, 2, 2]) == 8    # a blank between equal neighbours


# ---------------------------------------------------------------- numpy decoding

def _posteriors(rows, classes):
    """Frames given as {class: prob}; the rest of each frame's mass goes to the blank."""
    p = np.zeros((len(rows), classes))
    for t, row in enumerate(rows):
        for c, v in row.items():
            p[t, c] = v
        p[t, -1] += 1.0 - p[t].sum()
    return p


def test_greedy_decode_text_confidences_spans():
    labels = ["a", "b", "c"]          # blank = 3
    p = _posteriors([{0: 0.9}, {0: 0.6}, {}, {1: 0.8}, {1: 0.7}, {}, {1: 0.95}, {2: 0.55}], 4)
    out = ctc.greedy(p, labels)
    assert out.text == "abbc"
    assert out.indices == [0, 1, 1, 2]
    assert out.spans == [(0, 1), (3, 4), (6, 6), (7, 7)]
    assert np.allclose(out.confidences, [0.9, 0.8, 0.95, 0.55])
    assert out.confidence == pytest.approx(0.55)
    # frames after `length` (padding) are ignored
    assert ctc.greedy(p, labels, length=5).text == "ab"
    assert span_to_columns((3, 4)) == (12, 20)


def test_beam_search_sums_paths_where_greedy_cannot():
    # each frame: 'a' 0.4, blank 0.6. Greedy reads "" (0.36); P("a") = 0.64.
    p = _posteriors([{0: 0.4}, {0: 0.4}], 2)
    assert ctc.greedy(p, ["a"]).text == ""
    out = ctc.beam_search(p, ["a"], beam_width=4)
    assert out.text == "a"
    assert out.log_prob == pytest.approx(np.log(0.64))
    assert len(out.spans) == 1 and len(out.confidences) == 1


def test_beam_search_agrees_with_greedy_on_peaky_posteriors_and_gives_spans():
    labels = list("abc")
    p = _posteriors([{0: 0.97}, {}, {0: 0.96}, {0: 0.9}, {}, {2: 0.99}, {2: 0.98}, {}], 4)
    greedy, beam = ctc.greedy(p, labels), ctc.beam_search(p, labels, beam_width=8)
    assert greedy.text == beam.text == "aac"
    assert beam.spans == [(0, 0), (2, 3), (5, 6)]
    assert np.allclose(beam.confidences, [0.97, 0.96, 0.99])


def test_align_rejects_impossible_and_handles_repeats():
    p = np.full((3, 3), 1 / 3)
    assert ctc.align(p, [0, 0, 0]) is None            # needs 5 frames
    spans = ctc.align(np.full((5, 3), 1 / 3), [0, 0, 0])
    assert spans == [(0, 0), (2, 2), (4, 4)]


def test_align_and_beam_search_on_a_long_line():
    # 70 labels: 141 alignment states, more than an int8 back-pointer index can hold
    labels = list("abcdefghij")
    truth = [k % 10 for k in range(70)]
    frames_of = [{c: 0.9} for c in truth for _ in range(2)] + [{}]
    p = _posteriors([row if k % 2 == 0 else {} for k, row in enumerate(frames_of)], 11)
    spans = ctc.align(p, truth)
    assert len(spans) == 70 and spans[-1] == (138, 138)
    out = ctc.beam_search(p, labels, beam_width=4)
    assert out.text == "".join(labels[c] for c in truth) and len(out.spans) == 70


def test_stretch_for_widens_only_dense_readings():
    from pyimagesearch.recognition.preprocess import MAX_STRETCH, TARGET_PX_PER_CHAR
    from pyimagesearch.recognition.recognizer import stretch_for
    labels = list("ab")
    ten = _posteriors([{k % 2: 0.9} if t % 2 == 0 else {} for t, k in enumerate(range(20))], 3)   # reads 10
    assert stretch_for(80, ten, labels) == pytest.approx(TARGET_PX_PER_CHAR * 10 / 80)   # 8 px per character
    assert stretch_for(200, ten, labels) == 1.0                                          # 20 px per character
    assert stretch_for(30, ten, labels) == MAX_STRETCH
    assert stretch_for(80, _posteriors([{}] * 20, 3), labels) == 1.0                     # nothing read


def _hatched_crop(height=128, width=320, period=4):
    """A 'line' of 1-px vertical strokes every ``period`` columns: detail that a
    32-px copy of it blurs away."""
    crop = np.full((height, width), 255, np.uint8)
    crop[height // 4:3 * height // 4, ::period] = 0
    return crop


def test_dense_line_is_widened_from_its_crop_not_from_the_blurred_model_input():
    from pyimagesearch.recognition.preprocess import dense_stretch, widen
    from pyimagesearch.recognition.recognizer import LineRecognizer

    class Recorder(LineRecognizer):
        """The real two-pass ``posteriors``; a network that reads 10 characters."""
        def __init__(self):
            self.charset, self.seen = Charset(list("ab")), []

        def _posteriors(self, inputs):
            self.seen.append(inputs)
            return [_posteriors([{k % 2: 0.9} if t % 2 == 0 else {} for t, k in enumerate(range(20))], 3)
                    for _ in inputs]

    crop = _hatched_crop()                                        # 80 input columns: 8 px per character read
    rec = Recorder()
    (_, stretch), = rec.posteriors([crop])
    first, second = rec.seen[0][0], rec.seen[1][0]
    assert first.shape == (HEIGHT, 80) and stretch == pytest.approx(dense_stretch(80, 10), abs=0.01)
    assert np.array_equal(second, to_model_input(widen(crop, dense_stretch(80, 10))))
    # the strokes stay apart when the crop is widened; widening the 32-px input smears them
    import cv2
    blurred = cv2.resize(first, (second.shape[1], HEIGHT), interpolation=cv2.INTER_LINEAR)
    contrast = lambda x: x[HEIGHT // 2].max() - x[HEIGHT // 2, 8:-8].min()   # noqa: E731
    assert contrast(second) > 0.9 and contrast(second) > contrast(blurred) + 0.3
    assert widen(crop, 1.5).shape == (128, 480) and widen(crop, 1.5).dtype == np.uint8


# ---------------------------------------------------------------- images

def test_to_model_input_is_white_ink_on_black():
    page = np.full((64, 200), 230, np.uint8)
    page[20:44, 50:60] = 40                           # dark ink
    x = to_model_input(page)
    assert x.shape == (HEIGHT, 100) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() <= 1
    assert x[16, 27] > 0.9 and x[2, 2] < 0.05
    batch, widths = pad_batch([x, x[:, :37]])
    assert batch.shape == (2, HEIGHT, 100, 1) and widths.tolist() == [100, 37] and frames(100) == 25


def test_render_compose_and_augment():
    from pyimagesearch.recognition import augment
    from pyimagesearch.recognition.strokes import compose, render, render_crop
    word = [np.array([[0, 0], [50, 100], [100, 0]], np.float32), np.array([[120, 50]], np.float32)]
    thin, thick = render(word, pen_width=1.0), render(word, pen_width=3.0)
    assert thin.shape[0] == thick.shape[0] == HEIGHT and thin.dtype == np.uint8
    assert (thick < 128).sum() > (thin < 128).sum() > 0
    line = render(compose([word, word, word], gap=[0, 60, 60], rise=[0, 5, -5]))
    assert line.shape[1] > 2.5 * thin.shape[1]
    big = render_crop(word, 4, pen_width=1.0)                  # a photo-sized crop of the same word
    assert big.shape[0] == 4 * HEIGHT and abs(big.shape[1] - 4 * thin.shape[1]) <= 4
    rng = np.random.default_rng(0)
    for raster in (True, False):
        out = augment.augment(line, rng, raster=raster)
        assert out.dtype == np.uint8 and out.shape[0] == HEIGHT and out.shape[1] >= line.shape[1] * 0.75


# ---------------------------------------------------------------- model round trip

def _check_tflite_matches_keras(keras_path, tflite_path):
    from ai_edge_litert.interpreter import Interpreter
    import keras
    model = keras.saving.load_model(keras_path, compile=False)
    interpreter = Interpreter(model_path=tflite_path)
    index = interpreter.get_input_details()[0]["index"]
    rng = np.random.default_rng(1)
    for width in (96, 212):                            # two widths through one interpreter
        x = rng.random((1, HEIGHT, width, 1), dtype=np.float32)
        interpreter.resize_tensor_input(index, [1, HEIGHT, width, 1], strict=False)
        interpreter.allocate_tensors()
        interpreter.set_tensor(index, x)
        interpreter.invoke()
        lite = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])
        ref = np.asarray(model(x, training=False))
        assert lite.shape == ref.shape == (1, width // 4, model.output_shape[-1])
        assert np.abs(lite - ref).max() < 1e-4


@pytest.mark.slow
def test_tiny_model_trains_saves_converts_and_reloads(tmp_path):
    """No data needed: a tiny network, 3 CTC steps on drawn strokes, both files."""
    import keras
    from pyimagesearch.recognition.model import build_line_model, compile_line_model
    from pyimagesearch.recognition.recognizer import LineRecognizer
    from pyimagesearch.recognition.strokes import render
    from pyimagesearch.recognition.train import save_line_model
    keras.utils.set_random_seed(0)
    cs = Charset()
    model = build_line_model(cs.num_classes, filters=(8, 8, 8, 8), lstm_units=8)
    compile_line_model(model, 1e-3, 3)
    zig = [np.array([[0, 0], [30, 100], [60, 0], [90, 100]], np.float32)]
    inputs = [to_model_input(render(zig, x_scale=s)) for s in (1.0, 1.5, 2.0, 2.5)]
    x, _ = pad_batch(inputs)
    y = np.array([[cs.index["w"], -1], [cs.index["w"], cs.index["w"]], [cs.index["v"], -1], [cs.index["N"], -1]],
                 np.int32)
    losses = [float(model.train_on_batch(x, y)) for _ in range(3)]
    assert all(np.isfinite(losses))
    path = str(tmp_path / "tiny.keras")
    twin = save_line_model(model, path, cs)
    assert twin == str(tmp_path / "tiny.tflite")
    assert store.read_labels(path) == cs.labels == store.read_labels(twin)
    assert getattr(keras.saving.load_model(path), "optimizer", None) is None   # weights only
    _check_tflite_matches_keras(path, twin)
    page = 255 - (inputs[1] * 200).astype(np.uint8)
    for file in (path, twin):
        rec = LineRecognizer(file)
        result = rec.read(page)
        assert isinstance(result.text, str) and len(result.columns) == len(result.text)
        assert rec.read(page, beam_width=4).text is not None


def test_init_from_takes_the_weights_of_a_model_of_the_same_layers_only(tmp_path):
    import keras
    from pyimagesearch.errors import InputError
    from pyimagesearch.recognition.config import LineTrainConfig
    from pyimagesearch.recognition.model import build_line_model
    from pyimagesearch.recognition.train import model_to_train, save_line_model
    keras.utils.set_random_seed(1)
    cs = Charset()
    path = str(tmp_path / "tiny.keras")
    source = build_line_model(cs.num_classes, filters=(8, 8, 8, 8), lstm_units=8)
    save_line_model(source, path, cs)
    same = model_to_train(LineTrainConfig(init_from=path, filters=(8, 8, 8, 8), lstm_units=8), cs, 3, None)
    for taken, expected in zip(same.get_weights(), source.get_weights()):
        np.testing.assert_array_equal(taken, expected)
    with pytest.raises(InputError, match="its layers differ from --filters 8 8 8 16 --lstm-units 8"):
        model_to_train(LineTrainConfig(init_from=path, filters=(8, 8, 8, 16), lstm_units=8), cs, 3, None)


# ---------------------------------------------------------------- training smoke run (UniPen)

def test_script_reports_bad_input_on_one_line(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "train_line_model.py"), "--data",
                             str(tmp_path / "nowhere"), "--model", str(tmp_path / "m.keras")],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("[ERROR]") and "nowhere" in result.stderr
    result = subprocess.run([sys.executable, "-m", "pyimagesearch.recognition.evaluate", "-m",
                             str(tmp_path / "missing.keras")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "[ERROR]" in result.stderr
    for flag, value in (("--epochs", "0"), ("--lr", "0"), ("--batch-size", "-2")):
        result = subprocess.run([sys.executable, os.path.join(ROOT, "train_line_model.py"), flag, value,
                                 "--model", str(tmp_path / "m.keras")], capture_output=True, text=True,
                                cwd=ROOT, timeout=120)
        assert result.returncode == 2 and f"[ERROR] {flag} {value}" in result.stderr, result.stderr[-500:]


@pytest.fixture(scope="module")
def corpus():
    from pyimagesearch.recognition.corpus import Corpus
    return Corpus(DATA)


@needs_data
def test_training_data_pipeline(corpus):
    from pyimagesearch.recognition import data
    cs = Charset()
    items, texts, dropped = data.training_items(corpus, cs)
    assert not corpus.test[items].any()                       # never the test writers
    assert "BAD quality" in dropped
    train, val = data.split_by_person(corpus, items, 0.05, 0)
    assert not set(corpus.person[train]) & set(corpus.person[val])
    assert 0.02 < len(np.unique(corpus.person[val])) / len(np.unique(corpus.person[items])) < 0.08
    maker = data.SampleMaker(corpus, train, texts, cs)
    batches = data.train_batches(maker, data.subsample(train, 64, 0), 16, seed=0)
    for _ in range(3):
        x, y = next(batches)
        assert x.dtype == np.float32 and x.shape[1] == HEIGHT and x.shape[3] == 1 and x.shape[2] % 4 == 0
        assert 0 <= x.min() and x.max() <= 1
        for row in y:
            label = row[row >= 0]
            assert len(label) and frames(x.shape[2]) >= ctc_frames_needed(label)


@pytest.mark.slow
@needs_data
def test_three_step_training_saves_reloads_resumes_and_evaluates(tmp_path, corpus):
    from pyimagesearch.recognition.recognizer import LineRecognizer
    from pyimagesearch.recognition.train import LineTrainConfig, report, train
    from pyimagesearch.training.checkpoints import checkpoint_paths
    config = LineTrainConfig(model_path=str(tmp_path / "line.keras"), data_dir=DATA, epochs=1, batch_size=16,
                             steps_per_epoch=3, max_train_samples=64, max_validation=32, lstm_units=32,
                             plot_path=str(tmp_path / "plot.png"), report_path=str(tmp_path / "report.txt"),
                             eval_limit=10, verbose=0)
    model, history, seconds, _ = train(config, corpus=corpus)
    assert len(history["loss"]) == 1 and np.isfinite(history["loss"][0])
    assert {"val_loss", "val_cer", "val_wer", "samples_per_s"} <= set(history)
    twin = str(tmp_path / "line.tflite")
    assert store.read_labels(config.model_path) == Charset().labels == store.read_labels(twin)
    assert not any(os.path.exists(p) for p in checkpoint_paths(config.model_path))   # removed when done
    _check_tflite_matches_keras(config.model_path, twin)
    image = corpus.image(int(np.flatnonzero(corpus.test)[0]))
    # the language model of the training texts sits beside both files, tuned on validation
    assert os.path.isfile(str(tmp_path / "line.lm.npz"))
    recognizer = LineRecognizer(twin)
    assert recognizer.lm is not None and recognizer.beam_width > 1
    assert recognizer.lm.decoding["lm_weight"] in (0.3, 0.5, 0.75, 1.0)
    assert isinstance(recognizer.read(image).text, str)
    text = report(config, history, seconds, corpus)
    assert "unseen text" in text and os.path.isfile(config.plot_path) and os.path.isfile(config.report_path)

    # resume: an interrupted 2-epoch run whose checkpoint holds epoch 1 (the saved model holds
    # the weights only; a checkpoint holds the optimizer too)
    ckpt_model, ckpt_state, _ = checkpoint_paths(config.model_path)
    store.save_keras(model, ckpt_model, Charset().labels)
    with open(ckpt_state, "w") as f:
        json.dump({"epoch": 1, "history": history}, f)
    config.epochs, config.resume, config.evaluate = 2, True, False
    _, history2, _, _ = train(config, corpus=corpus)
    assert len(history2["loss"]) == 2


@needs_data
def test_dense_line_is_read_again_wider_with_boxes_in_the_crop(corpus):
    from pyimagesearch.recognition.recognizer import LineRecognizer
    from pyimagesearch.recognition.corpus import LINE
    dense = [i for i in np.flatnonzero(corpus.test & (corpus.kind == LINE))
             if corpus.width[i] / len(corpus.text[i]) < 8][:5]
    rec = LineRecognizer(os.path.join(ROOT, "line_model.tflite"))
    widened = 0
    for i in dense:
        image = corpus.image(int(i))
        (probs, stretch), = rec.posteriors([image])
        # the characters of the first reading decide, and a model can read too few of them
        widened += stretch > 1.0
        assert abs(len(probs) - image.shape[1] * stretch / 4) <= 1   # frames of the input read
        result = rec.read(image)
        starts = [x0 for x0, _ in result.columns]
        assert starts == sorted(starts) and all(0 <= x0 < x1 <= image.shape[1] + 4 for x0, x1 in result.columns)
    assert widened >= 4


def test_hardest_writers_ranks_by_character_errors():
    from types import SimpleNamespace
    from pyimagesearch.recognition.evaluate import hardest_writers
    corpus = SimpleNamespace(writer=np.array(["a/x", "a/x", "b/y", "c/z"]), width=np.array([100, 60, 200, 40]))
    predictions = [(0, "hello", "hallo"), (1, "abc", "xyz"), (2, "long line here", "long line here"),
                   (3, "ok", "0k")]
    header, first, second, third = hardest_writers(corpus, predictions)
    assert header.split() == ["writer", "items", "chars", "share", "CER", "px/char"]
    assert first.split() == ["a/x", "2", "8", "33.3%", "50.00%", "20.0"]    # 4 errors in 8 characters
    assert first.split()[0] == "a/x" and second.split()[0] == "c/z" and third.split()[0] == "b/y"
    assert third.split()[4] == "0.00%"
    *_, others = hardest_writers(corpus, predictions, count=1)   # c/z and b/y together
    assert others.split() == ["(2", "others)", "2", "16", "66.7%", "6.25%", "17.1"]   # 1 error in 16


@needs_data
def test_density_check_reads_denser_validation_lines_worse(corpus):
    from pyimagesearch.recognition.evaluate import density_check
    from pyimagesearch.recognition.recognizer import LineRecognizer
    rec = LineRecognizer(os.path.join(ROOT, "line_model.tflite"), lm_path=None)
    header, as_written, dense = density_check(rec, corpus, scales=(1.0, 0.4))
    assert "validation persons' lines" in header
    cer = [float(line.split("CER ")[1].rstrip("%")) for line in (as_written, dense)]
    px = [float(line.split(": ")[1].split(" input px")[0]) for line in (as_written, dense)]
    assert px[1] < 0.5 * px[0] and cer[0] < 25.0 < cer[1]


@needs_data
def test_evaluation_reads_test_items_rendered_from_strokes(corpus, tmp_path):
    from pyimagesearch.recognition.evaluate import STROKE_SCALE, evaluate_file
    from pyimagesearch.recognition.corpus import LINE
    line = int(np.flatnonzero(corpus.test & (corpus.kind == LINE))[0])
    crop = corpus.rendered_image(line, STROKE_SCALE)
    assert crop.shape[0] == STROKE_SCALE * HEIGHT
    assert abs(crop.shape[1] / STROKE_SCALE - corpus.image(line).shape[1]) < 0.1 * corpus.image(line).shape[1]
    results, text = evaluate_file(os.path.join(ROOT, "line_model.tflite"), DATA, beam_width=0, limit=40,
                                  corpus=corpus, source="strokes", report_path=str(tmp_path / "r.txt"))
    assert "strokes rendered 128 px high" in text and os.path.isfile(tmp_path / "r.txt")
    assert results["lines"]["all"]["items"] == 40 and results["lines"]["all"]["cer"] < 0.4


def _one_char_reader():
    """LineRecognizer with a stand-in network: it records its inputs and reads one 'a'
    in the middle frame of each (so every crop gets one box)."""
    from pyimagesearch.recognition.recognizer import LineRecognizer

    class Recorder(LineRecognizer):
        def __init__(self):
            self.charset, self.seen, self.beam_width, self.lm = Charset(list("ab")), [], 0, None

        def _posteriors(self, inputs):
            self.seen.extend(inputs)
            out = []
            for x in inputs:
                n = frames(x.shape[1])
                out.append(_posteriors([{0: 0.9} if t == n // 2 else {} for t in range(n)], 3))
            return out

    return Recorder()


@pytest.mark.parametrize("shape", [(1, 20000), (3, 20000, 3), (2, 200_000), (40, 9000)],
                         ids=["1-px-high", "colour", "very-long", "long-line"])
def test_a_flat_crop_is_read_at_a_bounded_width_with_boxes_in_the_crop(shape):
    from pyimagesearch.recognition.recognizer import MAX_INPUT_WIDTH
    crop = np.full(shape, 230, np.uint8)
    crop[shape[0] // 2, shape[1] // 3: shape[1] // 2] = 20
    rec = _one_char_reader()
    result = rec.read(crop)
    assert all(x.shape == (HEIGHT, MAX_INPUT_WIDTH) for x in rec.seen)
    assert result.text == "a" and len(result.columns) == 1
    x0, x1 = result.columns[0]
    # the middle frame of the input is the middle of the crop
    assert 0 <= x0 < x1 <= shape[1] and abs((x0 + x1) / 2 - shape[1] / 2) < 0.01 * shape[1]


def test_crops_within_the_width_bound_are_read_as_they_are():
    from pyimagesearch.recognition.recognizer import fit_width
    crop = _hatched_crop(height=32, width=4000)
    fitted, stretch = fit_width(crop)
    assert fitted is crop and stretch == 1.0
    rec = _one_char_reader()
    for empty in (np.zeros((0, 10), np.uint8), np.zeros((10, 0), np.uint8), np.zeros((0, 0, 3), np.uint8)):
        result = rec.read(empty)
        assert result.text == "" and result.columns == []
    assert rec.seen == []                      # the network never saw them


def test_a_dense_crop_near_the_bound_is_not_widened_past_it():
    from pyimagesearch.recognition.recognizer import MAX_INPUT_WIDTH
    rec = _one_char_reader()

    def dense(inputs):   # one character every 4 columns: as dense as can be
        rec.seen.extend(inputs)
        return [_posteriors([{t % 2: 0.9} for t in range(frames(x.shape[1]))], 3) for x in inputs]

    rec._posteriors = dense
    (_, stretch), = rec.posteriors([_hatched_crop(height=32, width=MAX_INPUT_WIDTH - 400)])
    assert len(rec.seen) == 2 and 1.0 < stretch and rec.seen[1].shape[1] <= MAX_INPUT_WIDTH + 1


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 60), st.integers(0, 150_000), st.booleans())
def test_any_crop_shape_gives_a_bounded_input_and_a_box_inside_it(h, w, colour):
    from pyimagesearch.recognition.recognizer import MAX_INPUT_WIDTH
    crop = np.full((h, w, 3) if colour else (h, w), 200, np.uint8)
    rec = _one_char_reader()
    result = rec.read(crop)
    assert all(x.shape[0] == HEIGHT and x.shape[1] <= MAX_INPUT_WIDTH + 1 for x in rec.seen)
    for x0, x1 in result.columns:
        assert 0 <= x0 <= x1 <= max(w, 1) + 4 * max(h, 1) / HEIGHT, (x0, x1, crop.shape)
