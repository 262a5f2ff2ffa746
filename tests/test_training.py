"""Real training runs of train_ocr_model.py on the fixtures: outputs, reload and evaluation,
--resume from a real checkpoint, bad output paths, and MirroredStrategy on 2 logical CPUs."""
import json
import os
import re
import zipfile

import cv2
import numpy as np
import pytest

from conftest import GLYPHS, OCR, PY, REPO, assert_one_line_error, run, run_python, stderr_lines, train_command
from pyimagesearch.labels import TUTORIAL_LABELS
from pyimagesearch.models import store

pytestmark = pytest.mark.slow


def test_smoke_run_writes_every_output(tiny_run):
    out = tiny_run.proc.stdout + tiny_run.proc.stderr
    assert "Traceback" not in out
    # the .keras zip carries its labels; the LiteRT twin carries them as a trailer
    with zipfile.ZipFile(tiny_run.keras) as z:
        assert json.loads(z.read("labels.json"))["labels"] == list(TUTORIAL_LABELS)
        assert "model.weights.h5" in z.namelist()
    assert store.sniff_format(tiny_run.keras) == "keras"
    assert store.sniff_format(tiny_run.tflite) == "tflite"
    assert store.read_labels(tiny_run.tflite) == list(TUTORIAL_LABELS)
    assert store.lite_twin(tiny_run.keras) == tiny_run.tflite
    # plot and montage are real images: the montage is 7 tiles of 96 px per row
    plot = cv2.imread(tiny_run.plot)
    assert plot is not None and plot.shape[0] > 200 and plot.std() > 5
    montage = cv2.imread(tiny_run.montage)
    assert montage is not None and montage.shape[1] == 7 * 96 and montage.shape[0] % 96 == 0
    assert montage.shape[0] == 7 * 96  # 49 test glyphs picked from the 108
    with open(tiny_run.report) as f:
        report = f.read()
    assert "training wall time" in report and "(tiny, 1 epochs)" in report
    assert re.search(r"glyphs\.npz: 108 glyphs, 36-way accuracy [\d.]+%", report), report
    # no checkpoint is left behind after a finished run
    assert sorted(os.listdir(tiny_run.dir)) == ["montage.png", "plot.png", "report.txt", "tiny.keras", "tiny.tflite"]
    # saved files get ordinary permissions (not mkstemp's private 0600)
    assert os.stat(tiny_run.keras).st_mode & 0o044 == 0o044


def _accuracy(text, name="glyphs.npz"):
    found = re.search(re.escape(name) + r": 108 glyphs, 36-way accuracy ([\d.]+)%", text)
    assert found, text
    return float(found.group(1))


def test_reload_and_evaluate_with_the_glyph_command(tiny_run, tiny_keras):
    with open(tiny_run.report) as f:
        trained = _accuracy(f.read())
    proc = run([PY, "-m", "pyimagesearch.evaluation.glyphs", "-m", tiny_run.keras, GLYPHS, "--no-report"],
               cwd=tiny_run.dir)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the twin is found and used, and it scores what the training report said
    assert _accuracy(proc.stdout) == pytest.approx(trained, abs=0.01)
    from pyimagesearch.evaluation.glyphs import evaluate_file
    assert _accuracy(evaluate_file(tiny_keras, GLYPHS)) == pytest.approx(trained, abs=0.01)


INTERRUPT_AFTER_FIRST_EPOCH = r"""
import runpy, sys
from pyimagesearch.training import checkpoints
create = checkpoints.epoch_checkpoint
def interrupting(*args, **kwargs):
    callback = create(*args, **kwargs)
    save = callback.on_epoch_end
    def on_epoch_end(epoch, logs=None):
        save(epoch, logs)          # the real checkpoint is written first ...
        raise KeyboardInterrupt    # ... then the user presses Ctrl-C
    callback.on_epoch_end = on_epoch_end
    return callback
checkpoints.epoch_checkpoint = interrupting
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_resume_continues_from_a_checkpoint(tmp_path):
    out = str(tmp_path)
    first = run_python(INTERRUPT_AFTER_FIRST_EPOCH, *train_command(out, "-e", "2")[1:], cwd=out, timeout=600)
    assert first.returncode == 130, first.stdout[-2000:] + first.stderr[-2000:]
    assert "continue with --resume" in first.stderr
    ckpt_model, ckpt_state = os.path.join(out, "tiny.ckpt.keras"), os.path.join(out, "tiny.ckpt.json")
    assert os.path.isfile(ckpt_model) and not os.path.exists(os.path.join(out, "tiny.keras"))
    with open(ckpt_state) as f:
        state = json.load(f)
    assert state["epoch"] == 1 and len(state["history"]["loss"]) == 1

    second = run(train_command(out, "-e", "2", "--resume"), cwd=out, timeout=600)
    log = second.stdout + second.stderr
    assert second.returncode == 0, log[-3000:]
    assert "resuming after epoch 1" in log
    assert "Epoch 2/2" in log and "Epoch 1/2" not in log  # only the missing epoch is trained
    with open(os.path.join(out, "report.txt")) as f:
        assert "(tiny, 2 epochs)" in f.read()  # the history of both runs is kept
    assert os.path.isfile(os.path.join(out, "tiny.keras")) and os.path.isfile(os.path.join(out, "tiny.tflite"))
    assert not os.path.exists(ckpt_model) and not os.path.exists(ckpt_state)
    assert not os.path.exists(os.path.join(out, "tiny.best.weights.h5"))


def _sentinels(folder):
    paths = {}
    for name in ("plot.png", "report.txt", "montage.png"):
        path = os.path.join(folder, name)
        with open(path, "w") as f:
            f.write("keep me " + name)
        paths[path] = "keep me " + name
    return paths


@pytest.mark.parametrize("flags,named", [(["-e", "0"], "--epochs"), (["-b", "0"], "--batch-size"),
                                         (["--lr", "0"], "--lr"), (["--lr=-1e-3"], "--lr"),
                                         (["--steps-per-epoch=-1"], "--steps-per-epoch"), (["--reg=-0.1"], "--reg")])
def test_bad_numbers_fail_before_training(tmp_path, flags, named):
    proc = run(train_command(str(tmp_path), *flags), cwd=tmp_path, timeout=120)
    line = assert_one_line_error(proc)
    assert line.startswith(f"[ERROR] {named} ")
    assert "training network" not in proc.stdout and not os.listdir(tmp_path)


@pytest.mark.parametrize("model", ["missing_folder/tiny.keras", "a_file/tiny.keras", "tiny.h5"])
def test_unwritable_model_path_fails_before_training(tmp_path, model):
    out = str(tmp_path)
    with open(os.path.join(out, "a_file"), "w") as f:
        f.write("a file, not a folder")
    with open(os.path.join(out, "tiny.h5"), "w") as f:
        f.write("an older model that must survive")
    kept = _sentinels(out)
    proc = run(train_command(out, model=model), cwd=out, timeout=300)
    line = assert_one_line_error(proc)
    assert model.split("/")[0] in line
    assert "training network" not in proc.stdout
    for path, text in kept.items():
        with open(path) as f:
            assert f.read() == text
    with open(os.path.join(out, "tiny.h5")) as f:
        assert f.read() == "an older model that must survive"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_read_only_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        proc = run(train_command(str(tmp_path), model="locked/tiny.keras"), cwd=tmp_path, timeout=300)
        assert "locked" in assert_one_line_error(proc)
    finally:
        locked.chmod(0o755)


MIRRORED = r"""
import os, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from pyimagesearch.training import trainer
choose = trainer.distribution_strategy
def recording(name):
    strategy = choose(name)
    print("STRATEGY", type(strategy).__name__, strategy.num_replicas_in_sync,
          ",".join(sorted(strategy.extended.worker_devices)), flush=True)
    return strategy
trainer.distribution_strategy = recording
out, digits, letters = sys.argv[1:4]
config = trainer.TrainConfig(
    model_path=os.path.join(out, "mirrored.keras"), digits=[digits], az=letters, architecture="tiny",
    epochs=1, batch_size=32, steps_per_epoch=3, strategy="mirrored", show=False, verbose=0,
    plot_path=os.path.join(out, "plot.png"), report_path=os.path.join(out, "report.txt"),
    montage_path=os.path.join(out, "montage.png"))
model, history, seconds = trainer.train(config)
print("HISTORY", len(history["loss"]), history["loss"][0], flush=True)
"""


def test_mirrored_strategy_on_two_logical_cpus(tmp_path):
    from conftest import DIGITS, LETTERS
    proc = run_python(MIRRORED, str(tmp_path), DIGITS, LETTERS, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    strategy = re.search(r"STRATEGY (\w+) (\d+) (\S+)", proc.stdout)
    assert strategy, proc.stdout
    assert strategy.group(1) == "MirroredStrategy" and strategy.group(2) == "2"
    assert strategy.group(3).count("CPU:") == 2
    loss = re.search(r"HISTORY 1 (\S+)", proc.stdout)
    assert loss and np.isfinite(float(loss.group(1)))
    from pyimagesearch.models.classifier import load_classifier
    model = os.path.join(tmp_path, "mirrored.keras")
    classifier = load_classifier(model)  # its LiteRT twin was written too
    assert classifier.runtime == "litert" and classifier.labels == list(TUTORIAL_LABELS)


def test_validation_split_is_stratified_and_disjoint():
    from pyimagesearch.training.data import class_weights, split_validation
    labels = np.repeat(np.arange(36), 20)
    train, val = split_validation(labels, 0.1, 42)
    assert len(set(train) & set(val)) == 0 and len(train) + len(val) == len(labels)
    assert np.bincount(labels[val], minlength=36).min() >= 1  # every class is validated
    weights = class_weights(np.array([0, 0, 0, 0, 1, 1, 2]), 4)
    assert weights == {0: 1.0, 1: 2.0, 2: 4.0, 3: 0.0}
    assert class_weights(np.array([0, 0, 1]), 4, "none") is None


def test_validation_split_of_a_small_set():
    from pyimagesearch.training.data import split_validation
    labels = np.repeat(np.arange(36), 8)
    train, val = split_validation(labels, 0.1, 42)
    assert len(set(train) & set(val)) == 0 and len(train) + len(val) == len(labels)


def test_tiny_partial_batch(tmp_path):
    command = [a for a in train_command(str(tmp_path)) if a not in ("--steps-per-epoch", "3", "-b", "32")]
    assert "--steps-per-epoch" not in command and "-b" not in command
    proc = run(command, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-1500:])


def test_the_tutorials_model_name_writes_hdf5_that_the_reader_reads(tmp_path):
    out = str(tmp_path)
    proc = run(train_command(out, model="handwriting.model"), cwd=out, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    model = os.path.join(out, "handwriting.model")
    assert store.sniff_format(model) == "hdf5" and "handwriting.model (HDF5" in proc.stdout
    assert store.twin_stamp(model + ".tflite") == store.file_sha256(model)
    for runtime in ("keras", "auto"):
        reader = run([PY, OCR, "-m", model, "-i", os.path.join(REPO, "images", "hello_world.png"), "--no-window",
                      "--runtime", runtime, "-o", os.path.join(out, f"annotated_{runtime}.png")], cwd=out)
        assert reader.returncode == 0, reader.stderr[-2000:]
        assert "text of" in reader.stdout and "[WARNING]" not in reader.stderr


def test_conversion_prints_only_what_it_wrote(tiny_run, tmp_path):
    target = str(tmp_path / "copy.tflite")
    proc = run([PY, "-m", "pyimagesearch.models.convert", tiny_run.keras, "-o", target], cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert stderr_lines(proc) == [] and proc.stdout.splitlines() == [f"[INFO] wrote {target}"]


KILL_TOOL = os.path.join(REPO, "tools", "kill_training.py")
LINE_DATA = os.path.join(REPO, "..", "shared", "data", "lines")


@pytest.mark.parametrize("trainer", ["ocr", "line"])
def test_runs_killed_at_random_moments_resume_cleanly(tmp_path, trainer):
    if trainer == "line" and not os.path.isdir(LINE_DATA):
        pytest.skip("../shared/data/lines not present")
    proc = run([PY, KILL_TOOL, "--trainer", trainer, "--tries", "2", "--seed", "1"], cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert f"{trainer}: 0 of 2 tries failed a check" in proc.stdout
