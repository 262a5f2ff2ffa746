"""What the trainers decide before TensorFlow is imported (outputs never overwritten
unasked, inputs found, flags shown with their defaults), the LiteRT twin's stamp,
what Ctrl-C says, the ETA, and the plot and montage a run writes. No training here."""
import io
import json
import os
import re
import shutil
import zipfile
from contextlib import redirect_stdout

import cv2
import numpy as np
import pytest

from conftest import DIGITS, GLYPHS, LETTERS, PY, REPO, assert_one_line_error, run, run_python, train_command
from pyimagesearch.errors import InputError
from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.models import store
from pyimagesearch.training import checkpoints
from pyimagesearch.training.config import TrainConfig, checked

LINE_TRAIN = os.path.join(REPO, "train_line_model.py")

# runs a training script with TensorFlow and Keras made unimportable: a check that
# happens after either is imported fails with an ImportError traceback instead
WITHOUT_TENSORFLOW = r"""
import runpy, sys
class NoTensorFlow:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "keras"):
            raise ImportError("TensorFlow was imported before the checks: " + name)
sys.meta_path.insert(0, NoTensorFlow())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _run_without_tensorflow(*command, cwd):
    return run_python(WITHOUT_TENSORFLOW, *command, cwd=cwd, timeout=120)


def _write(path, text="keep me"):
    with open(path, "w") as f:
        f.write(text)


# ---------------------------------------------------------------- outputs are never overwritten unasked

def test_classifier_training_refuses_to_overwrite_before_importing_tensorflow(tmp_path):
    out = str(tmp_path)
    for name in ("tiny.keras", "tiny.tflite", "montage.png"):
        _write(os.path.join(out, name), name)
    proc = _run_without_tensorflow(*train_command(out)[1:], cwd=out)
    line = assert_one_line_error(proc)
    assert "tiny.keras" in line and "tiny.tflite" in line and "montage.png" in line and "--overwrite" in line
    assert "plot.png" not in line     # not there: nothing to say about it
    for name in ("tiny.keras", "tiny.tflite", "montage.png"):
        with open(os.path.join(out, name)) as f:
            assert f.read() == name


def test_line_training_refuses_to_overwrite_before_importing_tensorflow(tmp_path):
    model = tmp_path / "line.keras"
    _write(model)
    _write(tmp_path / "line.lm.npz")
    # UniPen alone (no font or page lines), so that the check does not need ../shared's fonts
    proc = _run_without_tensorflow(LINE_TRAIN, "--model", str(model), "--data", str(tmp_path),
                                   "--plot", str(tmp_path / "p.png"), "--report", str(tmp_path / "r.txt"),
                                   "--font-share", "0", "--page-share", "0", cwd=tmp_path)
    line = assert_one_line_error(proc)
    assert "line.keras" in line and "line.lm.npz" in line and "--overwrite" in line
    assert model.read_text() == "keep me"


@pytest.mark.parametrize("script", ["train_ocr_model.py", "train_line_model.py", "train_detector.py"])
def test_a_plot_matplotlib_cannot_write_is_refused_before_training(tmp_path, script):
    proc = _run_without_tensorflow(os.path.join(REPO, script), "--model", str(tmp_path / "m.keras"),
                                   "--plot", str(tmp_path / "curves.xyz"), cwd=REPO)   # the data it finds there
    assert "curves.xyz: a plot is written as png" in assert_one_line_error(proc)
    assert os.listdir(tmp_path) == []


def _fixture_config(out, **changes):
    settings = dict(model_path=os.path.join(out, "m.keras"), digits=[DIGITS], az=LETTERS, test_sets=[GLYPHS],
                    plot_path=os.path.join(out, "plot.png"), report_path=os.path.join(out, "report.txt"),
                    montage_path=os.path.join(out, "montage.png"))
    return TrainConfig(**{**settings, **changes})


def _fake_checkpoint(model_path, epoch=1):
    ckpt_model, ckpt_state, _ = checkpoints.checkpoint_paths(model_path)
    with zipfile.ZipFile(ckpt_model, "w") as z:
        z.writestr(checkpoints.STATE_ENTRY, json.dumps({"epoch": epoch, "history": {}}))
    return ckpt_model


def test_resume_may_continue_the_run_that_writes_the_outputs(tmp_path):
    out = str(tmp_path)
    _write(os.path.join(out, "plot.png"))
    with pytest.raises(InputError, match="plot.png"):
        checked(_fixture_config(out, resume=True))          # nothing to resume: a new run
    ckpt_model = _fake_checkpoint(os.path.join(out, "m.keras"))
    with pytest.raises(InputError, match=r"m\.ckpt\.keras.*--overwrite.*--resume"):
        checked(_fixture_config(out))                        # would start over an interrupted run
    assert checked(_fixture_config(out, resume=True)).resume
    assert checked(_fixture_config(out, overwrite=True)).overwrite
    assert os.path.isfile(ckpt_model)


# ---------------------------------------------------------------- inputs

def test_the_tutorials_csv_name_reads_the_shipped_gz(tmp_path, capsys):
    shutil.copyfile(LETTERS, tmp_path / "letters.csv.gz")
    config = checked(_fixture_config(str(tmp_path), az=str(tmp_path / "letters.csv")))
    assert config.az == str(tmp_path / "letters.csv.gz")
    assert "letters.csv not found: reading" in capsys.readouterr().out


@pytest.mark.parametrize("flag,missing", [("-d", "nowhere.npz"), ("-a", "nowhere.csv"),
                                          ("--test-sets", "nowhere_test.npz")])
def test_missing_inputs_fail_before_importing_tensorflow(tmp_path, flag, missing):
    command = train_command(str(tmp_path))[1:]
    command[command.index(flag) + 1] = str(tmp_path / missing)
    line = assert_one_line_error(_run_without_tensorflow(*command, cwd=tmp_path))
    assert missing in line and not os.listdir(tmp_path)


def test_model_names_of_the_tutorial_are_accepted(tmp_path):
    for name in ("handwriting.model", "m.h5", "m.keras"):
        assert checked(_fixture_config(str(tmp_path), model_path=str(tmp_path / name))).model_path.endswith(name)
    with pytest.raises(InputError, match="must end in"):
        checked(_fixture_config(str(tmp_path), model_path=str(tmp_path / "m.png")))


# ---------------------------------------------------------------- flags show their defaults

@pytest.mark.parametrize("script", ["train_ocr_model.py", "train_line_model.py"])
def test_every_training_flag_has_help_with_its_default(script):
    proc = run([PY, os.path.join(REPO, script), "-h"], cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    options = proc.stdout.split("options:")[1]
    # one block per flag: it starts at a line that begins with two spaces and a dash
    blocks = re.split(r"\n(?=  -)", options.strip("\n"))
    flags = [b for b in blocks if not b.lstrip().startswith("-h")]
    assert len(flags) > 10
    for block in flags:
        assert "(default:" in " ".join(block.split()), block


def test_argparse_defaults_are_the_config_defaults():
    proc = run([PY, os.path.join(REPO, "train_ocr_model.py"), "-h"], cwd=REPO, timeout=120)
    text = " ".join(proc.stdout.split())
    defaults = TrainConfig()
    assert f"epochs to train (default: {defaults.epochs})" in text
    assert f"(default: {defaults.batch_size})" in text and f"(default: {defaults.architecture})" in text


# ---------------------------------------------------------------- the twin's stamp

def _keras_like(path, labels=TUTORIAL_LABELS, payload=b"weights v1"):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("model.weights.h5", payload)
        z.writestr(store.LABELS_ENTRY, json.dumps({"labels": list(labels)}))
    return str(path)


FLATBUFFER = b"\x1c\x00\x00\x00TFL3" + bytes(range(256))


def _load(path, capsys):
    chosen = store.load_with_runtime(path, "auto", lambda p: ("litert", p), lambda p: ("keras", p))
    return chosen[0], capsys.readouterr().err


def test_a_twin_is_used_only_while_it_belongs_to_its_model(tmp_path, capsys):
    model = _keras_like(tmp_path / "m.keras")
    twin = store.lite_twin_path(model)
    store.save_tflite(FLATBUFFER, twin, TUTORIAL_LABELS, model_path=model)
    assert store.twin_stamp(twin) == store.file_sha256(model)
    assert _load(model, capsys) == ("litert", "")
    # a new model beside the old twin (a save killed between the two files)
    _keras_like(tmp_path / "m.keras", payload=b"weights v2")
    runtime, warning = _load(model, capsys)
    assert runtime == "keras" and "another version" in warning and len(warning.strip().splitlines()) == 1
    # a twin without a stamp is not trusted either, and the message says how to stamp it
    store.save_tflite(FLATBUFFER, twin, TUTORIAL_LABELS)
    runtime, warning = _load(model, capsys)
    assert runtime == "keras" and "--stamp" in warning
    proc = run([PY, "-m", "pyimagesearch.models.convert", model, "--stamp"], cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert _load(model, capsys) == ("litert", "")
    with open(twin, "rb") as f:
        assert f.read().startswith(FLATBUFFER)       # stamping keeps the flatbuffer


@pytest.mark.parametrize("model", ["handwriting.keras", "line_model.keras"])
def test_the_shipped_twins_belong_to_the_shipped_models(model):
    path = os.path.join(REPO, model)
    assert store.twin_stamp(store.lite_twin_path(path)) == store.file_sha256(path)


# ---------------------------------------------------------------- Ctrl-C

def test_ctrl_c_suggests_resume_only_when_there_is_a_checkpoint(tmp_path):
    model_path = str(tmp_path / "m.keras")
    with pytest.raises(KeyboardInterrupt, match="nothing to resume"):
        with checkpoints.interruptible(model_path):
            raise KeyboardInterrupt
    _fake_checkpoint(model_path)
    with pytest.raises(KeyboardInterrupt, match="continue with --resume"):
        with checkpoints.interruptible(model_path):
            raise KeyboardInterrupt


def test_run_resumable_prints_the_interruptions_message():
    code = ("from pyimagesearch.errors import run_resumable\n"
            "def main():\n    raise KeyboardInterrupt('how to go on')\n"
            "run_resumable(main)\n")
    proc = run_python(code, cwd=REPO, timeout=60)
    assert proc.returncode == 130 and proc.stderr.strip() == "[INFO] interrupted: how to go on"


# ---------------------------------------------------------------- progress and pictures

def test_the_run_eta_counts_every_epoch_left():
    from pyimagesearch.training.progress import run_eta
    callback = run_eta(epochs=5, initial_epoch=1)
    callback.on_train_begin()
    printed = io.StringIO()
    with redirect_stdout(printed):
        callback.on_epoch_begin(1)        # no epoch of this run done yet: nothing to estimate from
        callback.on_epoch_begin(2)
    assert re.fullmatch(r"\[INFO\] 3 of 5 epochs to go: about .+ more \(until \d\d:\d\d\).*\n", printed.getvalue())


def test_the_plot_of_one_epoch_shows_its_points(tmp_path):
    from pyimagesearch.training.report import save_plot
    path = str(tmp_path / "plot.png")
    save_plot({"loss": [1.0], "val_loss": [0.8], "accuracy": [0.5], "val_accuracy": [0.6]}, path)
    image = cv2.imread(path).astype(int)
    width = image.shape[1]
    # matplotlib's first colour (train loss), between the left panel's y axis and its legend
    blue = np.all(np.abs(image - [180, 119, 31]) < 40, axis=2)
    assert blue[:, int(0.2 * width):int(0.33 * width)].sum() > 20


def _temporaries(folder):
    return [name for name in os.listdir(folder) if name.startswith(".tmp-")]


def test_a_plot_stopped_while_it_is_written_leaves_the_old_one_whole(tmp_path, monkeypatch):
    from matplotlib.figure import Figure
    from pyimagesearch.training.report import save_plot
    path = tmp_path / "plot.png"
    path.write_bytes(b"the last run's plot")

    def stopped(figure, fname, **kwargs):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG half a picture")
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", stopped)
    with pytest.raises(KeyboardInterrupt):
        save_plot({"loss": [1.0], "accuracy": [0.5]}, str(path))
    assert path.read_bytes() == b"the last run's plot"
    assert _temporaries(tmp_path) == []


def test_a_picture_that_cannot_be_written_is_one_error_and_the_old_one_stays(tmp_path, monkeypatch):
    from pyimagesearch.io.atomic import write_image
    path = tmp_path / "montage.png"
    write_image(str(path), np.full((8, 8, 3), 255, np.uint8))
    assert cv2.imread(str(path)).min() == 255
    monkeypatch.setattr(cv2, "imwrite", lambda name, image, params: open(name, "wb").write(b"half") and False)
    with pytest.raises(InputError, match="montage.png: cannot write the picture there"):
        write_image(str(path), np.zeros((8, 8, 3), np.uint8))
    assert cv2.imread(str(path)).min() == 255
    assert _temporaries(tmp_path) == []


def test_the_montage_shows_the_truth_of_wrong_predictions():
    from pyimagesearch.training.report import build_montage
    glyph = np.zeros((28, 28), np.uint8)
    right = build_montage([glyph], ["A"], ["A"], columns=1)
    wrong_c = build_montage([glyph], ["C"], ["B"], columns=1)
    wrong_d = build_montage([glyph], ["D"], ["B"], columns=1)
    assert not np.array_equal(wrong_c, wrong_d)        # the true label is drawn
    assert np.array_equal(right[60:], np.zeros_like(right[60:]))   # nothing below a right one


def test_ctrl_c_while_tuning_the_language_model_says_how_to_build_it(monkeypatch):
    from pyimagesearch.recognition import lm_build, train
    from pyimagesearch.recognition.config import LineTrainConfig

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lm_build, "build", interrupted)
    config = LineTrainConfig(model_path="m.keras", data_dir="lines", seed=7)
    with pytest.raises(KeyboardInterrupt) as caught:
        train._build_language_model(config, None, None, [], [], {})
    message = str(caught.value)
    assert "--resume" not in message
    assert "python -m pyimagesearch.recognition.lm_build -m m.keras --data lines --seed 7" in message
