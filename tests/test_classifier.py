"""Model files and runtimes: .keras, .h5, .tflite and the extension-less 2020 HDF5 file; the
LiteRT fast path that never imports TensorFlow; LiteRT and Keras agreeing; broken files."""
import errno
import io
import json
import os
import shutil
import zipfile
from contextlib import redirect_stderr

import numpy as np
import pytest

from conftest import (OCR, PY, REPO, SHIPPED_KERAS, SHIPPED_TFLITE, assert_one_line_error, run,
                      run_python)
from pyimagesearch.errors import InputError
from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.io import atomic
from pyimagesearch.models import store
from pyimagesearch.models.classifier import load_classifier

IMAGE = os.path.join(REPO, "images", "hello_world.png")

FAST_PATH = r"""
import json, sys
from pyimagesearch.io.image import load_image
from pyimagesearch.models.classifier import load_classifier
from pyimagesearch.reader.predictor import HandwritingReader
found = {}
for model in sys.argv[2:]:
    classifier = load_classifier(model)
    page = HandwritingReader(classifier).read(load_image(sys.argv[1]), sys.argv[1])
    found[model] = [classifier.runtime, len(page.characters)]
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras", "tf_keras"))
print(json.dumps({"models": found, "heavy": heavy, "litert": "ai_edge_litert" in sys.modules}))
"""


def test_fast_path_never_imports_tensorflow(tiny_run):
    proc = run_python(FAST_PATH, IMAGE, tiny_run.tflite, tiny_run.keras, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [] and result["litert"]
    for runtime, characters in result["models"].values():
        assert runtime == "litert" and characters > 0  # the image was really read


def test_command_line_fast_path(tiny_run, tmp_path):
    """The whole ocr_handwriting.py process on the twin: no TensorFlow, so it starts quickly."""
    code = ("import runpy, sys, atexit\n"
            "atexit.register(lambda: print('HEAVY', sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('tensorflow', 'keras')), file=sys.stderr))\n"
            "sys.argv = sys.argv[1:]\nrunpy.run_path(sys.argv[0], run_name='__main__')\n")
    proc = run_python(code, OCR, "-i", IMAGE, "-m", tiny_run.keras, "--json", cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "HEAVY []" in proc.stderr
    assert json.loads(proc.stdout)[0]["characters"]


def _assert_same(keras_classifier, lite_classifier, inputs):
    a, b = keras_classifier.predict(inputs), lite_classifier.predict(inputs)
    assert a.shape == b.shape == (len(inputs), 36)
    assert np.allclose(a.sum(axis=1), 1.0, atol=1e-4)
    assert np.abs(a - b).max() <= 1e-5
    assert [keras_classifier.labels[i] for i in a.argmax(1)] == [lite_classifier.labels[i] for i in b.argmax(1)]
    # the comparison means something: the outputs vary from glyph to glyph, and LiteRT follows
    # that variation exactly (also for a barely trained model whose outputs are nearly uniform)
    spread_a, spread_b = a - a.mean(axis=0), b - b.mean(axis=0)
    assert np.abs(spread_a).max() > 1e-4
    assert np.corrcoef(spread_a.ravel(), spread_b.ravel())[0, 1] > 0.999
    return a


def test_litert_and_keras_agree_on_the_tiny_model(tiny_keras, tiny_lite, glyph_inputs):
    assert tiny_keras.runtime == "keras" and tiny_lite.runtime == "litert"
    _assert_same(tiny_keras, tiny_lite, glyph_inputs)
    # batch size does not change the answers (LiteRT resizes, Keras pads to a power of two)
    whole = tiny_lite.predict(glyph_inputs)
    pieces = np.concatenate([tiny_lite.predict(glyph_inputs[i:i + 7]) for i in range(0, len(glyph_inputs), 7)])
    assert np.abs(whole - pieces).max() <= 1e-6
    assert tiny_keras.predict(glyph_inputs[:0]).shape == (0, 36)


def test_litert_and_keras_agree_on_the_2020_model(seed_converted, glyph_set, glyph_inputs):
    from pyimagesearch.models.classifier import KerasClassifier
    keras_model = KerasClassifier(seed_converted.model)
    lite = load_classifier(seed_converted.model)  # the twin beside it is picked up
    assert lite.runtime == "litert" and lite.path == seed_converted.twin
    probs = _assert_same(keras_model, lite, glyph_inputs)
    # the tutorial's model still reads: most test-writer glyphs are right
    accuracy = np.mean([TUTORIAL_LABELS[i] == t for i, t in zip(probs.argmax(1), glyph_set[1])])
    assert accuracy > 0.7


@pytest.mark.skipif(not (os.path.isfile(SHIPPED_KERAS) and os.path.isfile(SHIPPED_TFLITE)),
                    reason="the shipped handwriting.keras/.tflite are not there yet")
def test_litert_and_keras_agree_on_the_shipped_model(glyph_set, glyph_inputs):
    keras_model = load_classifier(SHIPPED_KERAS, runtime="keras")
    lite = load_classifier(SHIPPED_KERAS)
    assert lite.runtime == "litert"
    probs = _assert_same(keras_model, lite, glyph_inputs)
    accuracy = np.mean([lite.labels[i] == t for i, t in zip(probs.argmax(1), glyph_set[1])])
    assert accuracy > 0.7


# ---------------------------------------------------------------- formats

def test_keras_h5_and_tflite_files(tiny_run, tiny_keras, glyph_inputs, tmp_path):
    expected = tiny_keras.predict(glyph_inputs)
    # .keras without a twin: Keras
    lone = tmp_path / "lone.keras"
    shutil.copyfile(tiny_run.keras, lone)
    classifier = load_classifier(str(lone))
    assert classifier.runtime == "keras" and classifier.labels == list(TUTORIAL_LABELS)
    assert np.abs(classifier.predict(glyph_inputs) - expected).max() <= 1e-6
    # legacy HDF5, under its usual name and under a name that says nothing (sniffed by content)
    h5 = tmp_path / "model.h5"
    tiny_keras.model.save(str(h5))
    for path in (h5, tmp_path / "model.weights.bin"):
        if not os.path.exists(path):
            shutil.copyfile(h5, path)
        assert store.sniff_format(str(path)) == "hdf5"
        classifier = load_classifier(str(path))
        assert classifier.runtime == "keras"
        assert np.abs(classifier.predict(glyph_inputs) - expected).max() <= 1e-6
    # .tflite directly
    lite = load_classifier(tiny_run.tflite)
    assert lite.runtime == "litert" and np.abs(lite.predict(glyph_inputs) - expected).max() <= 1e-5
    # runtimes that cannot be honoured are one-line errors
    with pytest.raises(InputError, match="LiteRT"):
        load_classifier(tiny_run.tflite, runtime="keras")
    with pytest.raises(InputError, match="convert"):
        load_classifier(str(lone), runtime="litert")
    assert load_classifier(tiny_run.keras, runtime="keras").runtime == "keras"


def test_convert_command_makes_a_twin_for_h5(tiny_keras, glyph_inputs, tmp_path):
    h5 = tmp_path / "legacy.h5"
    tiny_keras.model.save(str(h5))
    proc = run([PY, "-m", "pyimagesearch.models.convert", str(h5)], cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    twin = tmp_path / "legacy.tflite"
    assert store.read_labels(str(twin)) == list(TUTORIAL_LABELS)
    classifier = load_classifier(str(h5))
    assert classifier.runtime == "litert"
    assert np.abs(classifier.predict(glyph_inputs) - tiny_keras.predict(glyph_inputs)).max() <= 1e-5
    # converting something that is not a model: exit 2, one line
    junk = tmp_path / "junk.keras"
    junk.write_text("junk")
    assert_one_line_error(run([PY, "-m", "pyimagesearch.models.convert", str(junk)], cwd=tmp_path))


def test_the_2020_model_file(seed_copy, glyph_inputs):
    """The tutorial's extension-less HDF5 file, used as is (no twin beside it)."""
    assert store.sniff_format(seed_copy) == "hdf5" and store.lite_twin(seed_copy) is None
    classifier = load_classifier(seed_copy)
    assert classifier.runtime == "keras" and classifier.labels == list(TUTORIAL_LABELS)
    assert classifier.model.count_params() == 327_144
    assert classifier.predict(glyph_inputs[:5]).shape == (5, 36)
    # the copy is untouched (Keras is given a temporary, correctly named copy)
    assert sorted(os.listdir(os.path.dirname(seed_copy))) == ["handwriting.model"]


def test_the_2020_model_on_the_command_line(seed_copy, tmp_path):
    proc = run([PY, OCR, "-i", IMAGE, "-m", seed_copy, "--json", "--charset", "letters"], cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    page = json.loads(proc.stdout)[0]
    assert page["text"].replace("\n", " ").split() and set(page["text"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ \n")


# ---------------------------------------------------------------- broken files

def test_not_a_model(tmp_path):
    for name, content in (("text.keras", b"hello"), ("empty.tflite", b""), ("image.h5", b"\x89PNG\r\n\x1a\n....")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError, match="not a model"):
            load_classifier(str(path))
        image = tmp_path / "page.png"
        shutil.copyfile(IMAGE, image)
        line = assert_one_line_error(run([PY, OCR, "-i", image, "-m", path], cwd=tmp_path))
        assert name in line
    assert "no such" in assert_one_line_error(run([PY, OCR, "-i", IMAGE, "-m", tmp_path / "absent.keras"]))


def _with_labels_json(source, target, labels):
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for item in src.infolist():
            if item.filename != store.LABELS_ENTRY:
                dst.writestr(item, src.read(item.filename))
        dst.writestr(store.LABELS_ENTRY, json.dumps({"labels": labels}))


def _tflite_with_labels(source, target, labels):
    with open(source, "rb") as f:
        blob = f.read()
    length, magic = store.TRAILER.unpack(blob[-store.TRAILER.size:])
    assert magic == store.TRAILER_MAGIC
    flatbuffer = blob[:len(blob) - store.TRAILER.size - length]
    store.save_tflite(flatbuffer, str(target), labels)


def test_classes_and_labels_disagree(tiny_run, tiny_keras, tmp_path):
    ten = list("0123456789")
    keras_path = tmp_path / "ten.keras"
    _with_labels_json(tiny_run.keras, keras_path, ten)
    assert store.read_labels(str(keras_path)) == ten
    with pytest.raises(InputError, match="36 classes but 10 labels"):
        load_classifier(str(keras_path))
    lite_path = tmp_path / "ten.tflite"
    _tflite_with_labels(tiny_run.tflite, lite_path, ten)
    line = assert_one_line_error(run([PY, OCR, "-i", IMAGE, "-m", lite_path], cwd=tmp_path))
    assert "36 classes but 10 labels" in line
    # and labels that are not JSON at all
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(tiny_run.keras) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, b"{not json" if item.filename == store.LABELS_ENTRY else src.read(item.filename))
    with pytest.raises(InputError, match="labels are corrupt"):
        load_classifier(str(broken))


def _load_quietly(path):
    err = io.StringIO()
    with redirect_stderr(err):
        classifier = load_classifier(path)
    return classifier, err.getvalue()


def test_corrupt_twin_falls_back_to_keras(tiny_run, tiny_keras, glyph_inputs, tmp_path):
    model = tmp_path / "m.keras"
    shutil.copyfile(tiny_run.keras, model)
    with open(tiny_run.tflite, "rb") as f:
        blob = f.read()
    (tmp_path / "m.tflite").write_bytes(blob[:len(blob) // 3])  # cut short: header intact
    classifier, warning = _load_quietly(str(model))
    assert classifier.runtime == "keras"
    assert warning.startswith("[WARNING]") and "m.tflite" in warning and len(warning.splitlines()) == 1
    assert np.abs(classifier.predict(glyph_inputs[:8]) - tiny_keras.predict(glyph_inputs[:8])).max() <= 1e-6


def test_twin_with_other_labels_is_not_used(tiny_run, tmp_path):
    model = tmp_path / "m.keras"
    shutil.copyfile(tiny_run.keras, model)
    _tflite_with_labels(tiny_run.tflite, tmp_path / "m.tflite", list(reversed(TUTORIAL_LABELS)))
    classifier, warning = _load_quietly(str(model))
    assert classifier.runtime == "keras" and "labels differ" in warning


@pytest.mark.parametrize("content", [b"", b"this is not a flatbuffer at all"], ids=["empty", "garbage"])
def test_unreadable_twin_falls_back_to_keras(tiny_run, tmp_path, content):
    model = tmp_path / "m.keras"
    shutil.copyfile(tiny_run.keras, model)
    (tmp_path / "m.tflite").write_bytes(content)
    classifier, warning = _load_quietly(str(model))
    assert classifier.runtime == "keras" and warning.startswith("[WARNING]")


def test_labels_survive_save_and_read(tmp_path):
    labels = list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    fake_flatbuffer = b"\x1c\x00\x00\x00TFL3" + bytes(range(256)) * 4
    path = tmp_path / "fake.tflite"
    store.save_tflite(fake_flatbuffer, str(path), labels)
    assert store.sniff_format(str(path)) == "tflite" and store.read_labels(str(path)) == labels
    with open(path, "rb") as f:
        assert f.read().startswith(fake_flatbuffer)
    plain = tmp_path / "plain.tflite"
    plain.write_bytes(fake_flatbuffer)
    assert store.read_labels(str(plain)) == list(TUTORIAL_LABELS)  # no trailer: the tutorial's order
    with pytest.raises(InputError, match="must end in .keras"):
        store.save_keras(None, str(tmp_path / "m.h5"), labels)
    with pytest.raises(InputError, match="does not exist"):
        store.save_tflite(fake_flatbuffer, str(tmp_path / "no" / "m.tflite"), labels)


def _half_written(error):
    """A writer that writes part of a file, then fails with ``error``."""
    def write(tmp):
        with open(tmp, "wb") as f:
            f.write(b"half a new mod")
        raise error
    return write


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(b"old model")
    crash = _half_written(RuntimeError("disk full"))

    with pytest.raises(RuntimeError):
        atomic.atomic_write(str(path), crash)
    assert path.read_bytes() == b"old model" and os.listdir(tmp_path) == ["model.tflite"]
    atomic.atomic_write(str(path), lambda tmp: open(tmp, "wb").write(b"new"))
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["model.tflite"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask


def test_a_full_disk_is_a_one_line_error_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "model.tflite"
    path.write_bytes(b"old model")
    disk_full = _half_written(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    with pytest.raises(InputError) as info:
        atomic.atomic_write(str(path), disk_full)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    assert "No space left on device" in message and "old file is unchanged" in message
    assert path.read_bytes() == b"old model" and os.listdir(tmp_path) == ["model.tflite"]
    fresh = str(tmp_path / "fresh.tflite")
    with pytest.raises(InputError, match="nothing was written"):
        atomic.atomic_write(fresh, disk_full)
    assert os.listdir(tmp_path) == ["model.tflite"]
