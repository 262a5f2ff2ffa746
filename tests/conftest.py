"""Shared paths, subprocess helpers and the session-scoped models of the test suite.

TensorFlow is heavy (about 5 s and 600 MB per import on the 2-core CI machine), so the
tiny model is trained once per session, by the real command line, and every test that
needs a trained model reuses it. Tests that need ``../shared`` skip when it is absent.
"""
import os
import re
import shutil
import subprocess
import sys
from types import SimpleNamespace

import pytest

from pyimagesearch.places import REPO, SHARED, SHARED_IMAGES_DEV as IMAGES_DEV

FIXTURES = os.path.join(REPO, "tests", "fixtures")
SEED_MODEL = os.path.join(SHARED, "seed-model", "handwriting.model")
SHIPPED_KERAS = os.path.join(REPO, "handwriting.keras")
SHIPPED_TFLITE = os.path.join(REPO, "handwriting.tflite")

DIGITS = os.path.join(FIXTURES, "digits.npz")        # 200 MNIST test digits, int labels
LETTERS = os.path.join(FIXTURES, "letters.csv.gz")   # 182 A-Z rows, Kaggle CSV format
GLYPHS = os.path.join(FIXTURES, "glyphs.npz")        # 108 UniPen test-writer glyphs, str labels

PY = sys.executable
TRAIN = os.path.join(REPO, "train_ocr_model.py")
OCR = os.path.join(REPO, "ocr_handwriting.py")

# lines that the runtimes print on stderr on their own (LiteRT's delegate notice, TensorFlow's
# absl log lines at import, which no environment variable silences); never part of an error report
RUNTIME_NOISE = re.compile(r"^(INFO: Created TensorFlow Lite XNNPACK delegate"
                           r"|WARNING: All log messages before absl::InitializeLog\(\)"
                           r"|[IWE]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\]"
                           r"|To enable the following instructions:)")


def subprocess_env(**extra):
    """The environment for child processes: the repo importable, no display unless asked."""
    env = dict(os.environ)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = REPO + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    env.setdefault("PYTHONHASHSEED", "0")
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def env_without_shared(folder):
    """subprocess_env for a checkout with no ../shared beside it: the package linked
    into ``folder``/checkout, so its places.py looks for ``folder``/shared (absent)."""
    checkout = os.path.join(str(folder), "checkout")
    os.makedirs(checkout)
    os.symlink(os.path.join(REPO, "pyimagesearch"), os.path.join(checkout, "pyimagesearch"))
    return subprocess_env(PYTHONPATH=checkout)


def run(args, cwd=None, timeout=300, env=None, input=None):
    """Run a command; returns CompletedProcess with text stdout/stderr."""
    return subprocess.run([str(a) for a in args], cwd=str(cwd) if cwd else None, env=env or subprocess_env(),
                          capture_output=True, text=True, timeout=timeout, input=input)


def run_python(code, *args, cwd=None, timeout=300, env=None):
    return run([PY, "-c", code, *args], cwd=cwd, timeout=timeout, env=env)


def stderr_lines(proc):
    return [line for line in proc.stderr.splitlines()
            if line.strip() and not RUNTIME_NOISE.match(line)]


def assert_one_line_error(proc):
    """Exit status 2, exactly one meaningful stderr line, starting [ERROR], no traceback."""
    lines = stderr_lines(proc)
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("[ERROR] "), lines
    return lines[0]


need_seed = pytest.mark.skipif(not os.path.isfile(SEED_MODEL),
                               reason="../shared/seed-model/handwriting.model not present")
need_images_dev = pytest.mark.skipif(not os.path.isfile(os.path.join(IMAGES_DEV, "truth.tsv")),
                                     reason="../shared/images-dev not present")
need_shared = pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED, "fonts", "fonts.tsv")),
                                 reason="../shared (fonts, UniPen strokes) not present")


def train_command(out, *extra, model="tiny.keras"):
    """train_ocr_model.py on the fixtures, every output inside ``out``.

    Batches of 32: 3 steps never reach the split's last, partial batch, which crashes the
    tiny network natively under oneDNN (see test_training.py::test_tiny_partial_batch)."""
    return [PY, TRAIN, "--width", "tiny", "-e", "1", "--steps-per-epoch", "3", "--no-show", "-b", "32",
            "-d", DIGITS, "-a", LETTERS, "--test-sets", GLYPHS,
            "-m", os.path.join(out, model), "-p", os.path.join(out, "plot.png"),
            "--report", os.path.join(out, "report.txt"), "--montage", os.path.join(out, "montage.png"),
            *extra]


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A real training run of the tiny ResNet on the fixtures (1 epoch of 3 steps)."""
    out = str(tmp_path_factory.mktemp("tiny_run"))
    proc = run(train_command(out), cwd=out, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return SimpleNamespace(dir=out, proc=proc, keras=os.path.join(out, "tiny.keras"),
                           tflite=os.path.join(out, "tiny.tflite"), plot=os.path.join(out, "plot.png"),
                           report=os.path.join(out, "report.txt"), montage=os.path.join(out, "montage.png"))


@pytest.fixture(scope="session")
def tiny_keras(tiny_run):
    """The tiny model on the Keras runtime, in this process (imports TensorFlow once)."""
    from pyimagesearch.models.classifier import KerasClassifier
    return KerasClassifier(tiny_run.keras)


@pytest.fixture(scope="session")
def tiny_lite(tiny_run):
    from pyimagesearch.models.classifier import LiteClassifier
    return LiteClassifier(tiny_run.tflite)


@pytest.fixture(scope="session")
def seed_copy(tmp_path_factory):
    """The 2020 model file, copied (never into the repo) into a folder of its own."""
    if not os.path.isfile(SEED_MODEL):
        pytest.skip("../shared/seed-model/handwriting.model not present")
    folder = tmp_path_factory.mktemp("seed")
    path = os.path.join(folder, "handwriting.model")
    shutil.copyfile(SEED_MODEL, path)
    return path


@pytest.fixture(scope="session")
def seed_converted(tmp_path_factory):
    """A second copy of the 2020 model with its LiteRT twin made by the convert command."""
    if not os.path.isfile(SEED_MODEL):
        pytest.skip("../shared/seed-model/handwriting.model not present")
    folder = str(tmp_path_factory.mktemp("seed_lite"))
    path = os.path.join(folder, "handwriting.model")
    shutil.copyfile(SEED_MODEL, path)
    proc = run([PY, "-m", "pyimagesearch.models.convert", path], cwd=folder, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    twin = path + ".tflite"
    assert os.path.isfile(twin), os.listdir(folder)
    return SimpleNamespace(model=path, twin=twin, proc=proc)


@pytest.fixture(scope="session")
def glyph_set():
    import numpy as np
    with np.load(GLYPHS) as d:
        return d["images"], d["labels"]


@pytest.fixture(scope="session")
def glyph_inputs(glyph_set):
    """The fixture glyphs as network inputs, through the shared normalisation."""
    from pyimagesearch.transforms import glyphs_to_inputs
    return glyphs_to_inputs(glyph_set[0])
