"""Hostile model files: labels that are not a list of strings, trailers and zip members
that lie about their size, corrupt members, models of the wrong shape, a full disk while
saving. Each must be one InputError (a one-line error), never a traceback, and never a
gigabyte read. Most files are crafted byte by byte from the shipped .tflite files; the
few Keras models are built in the slow test."""
import json
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO, run_python
from pyimagesearch.errors import InputError
from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.models import store
from pyimagesearch.models.classifier import load_classifier
from pyimagesearch.recognition.recognizer import LineRecognizer

CLASSIFIER = os.path.join(REPO, "handwriting.tflite")
LINE_MODEL = os.path.join(REPO, "line_model.tflite")
need_shipped = pytest.mark.skipif(not (os.path.isfile(CLASSIFIER) and os.path.isfile(LINE_MODEL)),
                                  reason="the shipped handwriting.tflite / line_model.tflite are not there")


def flatbuffer(path):
    """The shipped file without its labels trailer."""
    with open(path, "rb") as f:
        blob = f.read()
    length, magic = store.TRAILER.unpack(blob[-store.TRAILER.size:])
    assert magic == store.TRAILER_MAGIC
    return blob[:len(blob) - store.TRAILER.size - length]


def with_trailer(target, body, payload, length=None):
    """``body`` + ``payload`` + a trailer that says ``length`` (default: the truth)."""
    length = len(payload) if length is None else length
    target.write_bytes(body + payload + store.TRAILER.pack(length, store.TRAILER_MAGIC))
    return str(target)


def keras_zip(target, labels_blob, compression=zipfile.ZIP_STORED):
    """A .keras-like zip: a stand-in model member and ``labels.json``."""
    with zipfile.ZipFile(target, "w", compression) as z:
        z.writestr("config.json", json.dumps({"class_name": "Sequential"}))
        z.writestr(store.LABELS_ENTRY, labels_blob)
    return str(target)


def one_line_error(load, path):
    with pytest.raises(InputError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message and os.path.basename(path) in message, message
    return message


BAD_LABELS = [
    pytest.param({"labels": "0123456789"}, id="a-string"),
    pytest.param({"labels": 36}, id="a-number"),
    pytest.param({"labels": None}, id="null"),
    pytest.param({"labels": list(range(36))}, id="integers"),
    pytest.param({"labels": [["A"]] * 36}, id="lists"),
    pytest.param({"labels": []}, id="empty"),
    pytest.param({"labels": ["A"] * 36}, id="repeated"),
    pytest.param({"labels": [""] * 36}, id="empty-strings"),
    pytest.param(["0", "1"], id="a-bare-list"),
]


@pytest.mark.parametrize("content", BAD_LABELS)
def test_labels_that_are_not_a_list_of_strings(tmp_path, content):
    blob = json.dumps(content).encode()
    keras_path = keras_zip(tmp_path / "m.keras", blob)
    assert "labels are corrupt" in one_line_error(store.read_labels, keras_path)
    lite_path = with_trailer(tmp_path / "m.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64), blob)
    assert "labels are corrupt" in one_line_error(store.read_labels, lite_path)


def test_labels_not_utf8(tmp_path):
    path = with_trailer(tmp_path / "m.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64), b"\xff\xfe{}")
    assert "labels are corrupt" in one_line_error(store.read_labels, path)


@pytest.mark.parametrize("length", [10 ** 6, 2 ** 63, 2 ** 64 - 1], ids=["past-the-start", "huge", "largest"])
def test_trailer_longer_than_the_file(tmp_path, length):
    path = with_trailer(tmp_path / "m.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64), b"{}", length=length)
    assert "labels are corrupt" in one_line_error(store.read_labels, path)


def test_labels_far_larger_than_any_charset_are_not_read(tmp_path):
    """Valid JSON, padded past the bound: refused from the sizes alone, before reading."""
    padded = json.dumps({"labels": list(TUTORIAL_LABELS)}).encode() + b" " * (store.MAX_LABELS_BYTES + 1)
    packed = keras_zip(tmp_path / "padded.keras", padded, zipfile.ZIP_DEFLATED)
    assert os.path.getsize(packed) < 50_000     # a small file that unpacks to more than the bound
    assert "labels are corrupt" in one_line_error(store.read_labels, packed)
    trailer = with_trailer(tmp_path / "padded.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64), padded)
    assert "labels are corrupt" in one_line_error(store.read_labels, trailer)


def test_corrupt_compressed_labels_member(tmp_path):
    path = keras_zip(tmp_path / "m.keras", json.dumps({"labels": list(TUTORIAL_LABELS) * 20}).encode(),
                     zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as z:
        entry = z.getinfo(store.LABELS_ENTRY)
    blob = bytearray(open(path, "rb").read())
    start = entry.header_offset + 30 + len(entry.filename)   # the member's deflate stream
    blob[start + 5:start + 25] = b"\xff" * 20
    open(path, "wb").write(bytes(blob))
    assert "corrupt" in one_line_error(store.read_labels, path)


def test_bad_labels_are_refused_before_keras_is_imported(tmp_path):
    """The labels are checked first: a bad file costs no 15-30 s TensorFlow load."""
    path = keras_zip(tmp_path / "m.keras", json.dumps({"labels": None}).encode())
    code = ("import sys\nfrom pyimagesearch.errors import InputError\n"
            "from pyimagesearch.models.classifier import load_classifier\n"
            "try:\n    load_classifier(sys.argv[1])\nexcept InputError as e:\n    print('ERROR', e)\n"
            "print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))\n")
    proc = run_python(code, path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ERROR" in proc.stdout and "labels are corrupt" in proc.stdout and "HEAVY []" in proc.stdout


@need_shipped
def test_a_line_model_is_not_a_classifier(tmp_path):
    """Right labels count, wrong shape: the line model's output is (N, frames, classes)."""
    classes = int(LineRecognizer(LINE_MODEL, lm_path=None).output_classes())
    labels = json.dumps({"labels": [chr(0x100 + k) for k in range(classes)]}).encode()
    path = with_trailer(tmp_path / "line.tflite", flatbuffer(LINE_MODEL), labels)
    assert "a character classifier" in one_line_error(load_classifier, path)


@need_shipped
def test_a_classifier_is_not_a_line_model(tmp_path):
    labels = json.dumps({"labels": list(TUTORIAL_LABELS[:-1])}).encode()   # 35 characters + blank = 36
    path = with_trailer(tmp_path / "classifier.tflite", flatbuffer(CLASSIFIER), labels)
    assert "not a line model" in one_line_error(LineRecognizer, path)
    assert "not a line model" in one_line_error(LineRecognizer, CLASSIFIER)


@need_shipped
def test_line_model_labels_that_are_no_charset(tmp_path):
    labels = json.dumps({"labels": ["ab"] + [chr(0x100 + k) for k in range(82)]}).encode()
    path = with_trailer(tmp_path / "line.tflite", flatbuffer(LINE_MODEL), labels)
    assert "charset" in one_line_error(LineRecognizer, path)


def test_line_model_that_litert_cannot_read(tmp_path):
    path = tmp_path / "junk.tflite"
    path.write_bytes(b"\x1c\x00\x00\x00TFL3" + b"junk" * 100)
    assert "LiteRT" in one_line_error(LineRecognizer, str(path))


# ---------------------------------------------------------------- any corruption

def _corrupt(blob, edits):
    blob = bytearray(blob)
    for position, value in edits:
        if blob:
            blob[position % len(blob)] = value
    return bytes(blob)


@need_shipped
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow,
                                                                                     HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 2 ** 31), st.integers(0, 255)), max_size=6),
       st.integers(0, 400), st.sampled_from(["tail", "head"]))
def test_corrupted_model_files_load_or_fail_on_one_line(tmp_path, edits, cut, where):
    """Bytes of the shipped models' heads (flatbuffer header) and tails (labels trailer)
    changed or cut off: either the model loads and reads, or an InputError."""
    for source, load in ((CLASSIFIER, load_classifier), (LINE_MODEL, lambda p: LineRecognizer(p, lm_path=None))):
        with open(source, "rb") as f:
            blob = f.read()
        n = len(blob)
        region = (n - 600, n) if where == "tail" else (0, 600)
        edits_here = [(region[0] + p % (region[1] - region[0]), v) for p, v in edits]
        path = tmp_path / ("c" + os.path.basename(source))
        path.write_bytes(_corrupt(blob, edits_here)[:n - cut if where == "tail" else n])
        try:
            model = load(str(path))
        except InputError as e:
            assert "\n" not in str(e)
            continue
        if hasattr(model, "predict"):
            assert model.predict(np.zeros((2, 32, 32, 1), np.float32)).shape == (2, len(model.labels))
        else:
            assert isinstance(model.read(np.full((32, 64), 255, np.uint8)).text, str)


# ---------------------------------------------------------------- Keras models of the wrong shape

@pytest.mark.slow
def test_keras_and_litert_models_of_the_wrong_shape(tmp_path):
    import keras
    from pyimagesearch.models.classifier import KerasClassifier, LiteClassifier
    from pyimagesearch.models.convert import keras_to_tflite
    labels = list(TUTORIAL_LABELS)

    def classifier(input_shape, sequence=False):
        inputs = keras.Input(input_shape)
        x = keras.layers.Conv2D(2, 3, padding="same")(inputs)
        x = keras.layers.Reshape((-1, 2))(x) if sequence else keras.layers.GlobalAveragePooling2D()(x)
        return keras.Model(inputs, keras.layers.Dense(len(labels), activation="softmax")(x))

    cases = {"mnist28": (classifier((28, 28, 1)), "inputs of shape (N, 28, 28, 1)"),
             "rgb": (classifier((32, 32, 3)), "inputs of shape (N, 32, 32, 3)"),
             "sequence": (classifier((32, 32, 1), sequence=True), "outputs of shape (N, 1024, 36)")}
    for name, (model, expected) in cases.items():
        keras_path = str(tmp_path / f"{name}.keras")
        store.save_keras(model, keras_path, labels)
        assert expected in one_line_error(KerasClassifier, keras_path)
        lite_path = str(tmp_path / f"{name}.tflite")
        store.save_tflite(keras_to_tflite(model), lite_path, labels)
        assert expected in one_line_error(LiteClassifier, lite_path)


@pytest.mark.parametrize("load", [load_classifier, LineRecognizer], ids=["classifier", "line-model"])
def test_a_keras_file_that_unpacks_to_far_more_is_refused_before_keras_loads_it(tmp_path, monkeypatch, load):
    from pyimagesearch.io import archives
    monkeypatch.setattr(archives, "UNPACK_ALLOWANCE", 0)      # as for a file of gigabytes of zeros
    path = keras_zip(tmp_path / "bomb.keras", json.dumps({"labels": list(TUTORIAL_LABELS[:-1])}).encode())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.weights.h5", bytes(1 << 20))
    assert "unpacks to" in one_line_error(load, path)
