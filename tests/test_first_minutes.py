"""What a new user hits first with ocr_handwriting.py: repeated flags, where the
annotated pictures go (never over an input, never two onto one name), --json that
survives Ctrl-C, and the annotated view of lines read whole."""
import io
import json
import os
import shutil
import signal
import subprocess

import cv2
import numpy as np
import pytest

from conftest import OCR, PY, REPO, SHIPPED_TFLITE, assert_one_line_error, run, subprocess_env
from pyimagesearch.io.annotate import annotate
from pyimagesearch.io.elements import Character, Line, Page, Word
from pyimagesearch.reader import app
from pyimagesearch.reader.options import OutputOptions, ReaderOptions

HELLO = os.path.join(REPO, "images", "hello_world.png")
DIGITS = os.path.join(REPO, "images", "digits.png")

pytestmark = pytest.mark.skipif(not os.path.isfile(SHIPPED_TFLITE), reason="handwriting.tflite not shipped")


def _ocr(*args, cwd):
    return run([PY, OCR, "-m", SHIPPED_TFLITE, *args], cwd=cwd)


def test_image_flag_given_twice_reads_both(tmp_path):
    proc = _ocr("--json", "-i", HELLO, "-i", DIGITS, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [page["image"] for page in json.loads(proc.stdout)] == [HELLO, DIGITS]


def test_no_window_writes_nothing_and_json_honours_output(tmp_path):
    assert _ocr("--no-window", "-i", HELLO, cwd=tmp_path).returncode == 0
    assert os.listdir(tmp_path) == []
    proc = _ocr("--json", "-i", HELLO, "-o", tmp_path / "seen.png", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout)[0]["text"]
    assert os.listdir(tmp_path) == ["seen.png"]


def test_same_names_in_two_folders_do_not_overwrite_each_other(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copyfile(HELLO if folder == "a" else DIGITS, tmp_path / folder / "photo.png")
    proc = _ocr("--no-window", "-i", tmp_path / "a", tmp_path / "b", "-o", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    a, b = (cv2.imread(str(tmp_path / "out" / f / "photo_ocr.png")) for f in ("a", "b"))
    assert a.shape == cv2.imread(HELLO).shape and b.shape == cv2.imread(DIGITS).shape


def test_output_paths_a_user_may_type(tmp_path):
    proc = _ocr("--no-window", "-i", HELLO, "-o", f"{tmp_path / 'new'}/", cwd=tmp_path)
    assert proc.returncode == 0 and os.listdir(tmp_path / "new") == ["hello_world_ocr.png"]
    line = assert_one_line_error(_ocr("-i", HELLO, "-o", tmp_path / "annotated", cwd=tmp_path))
    assert "-o" in line and ".png" in line                  # a name without an extension
    (tmp_path / "a_file").write_text("x")
    line = assert_one_line_error(_ocr("-i", HELLO, DIGITS, "-o", tmp_path / "a_file" / "sub", cwd=tmp_path))
    assert "a_file" in line                                 # a folder that cannot be made


def test_never_writes_over_an_input(tmp_path):
    photo = tmp_path / "photo.png"
    shutil.copyfile(HELLO, photo)
    before = photo.read_bytes()
    line = assert_one_line_error(_ocr("-i", photo, "-o", photo, cwd=tmp_path))
    assert "overwrite an input" in line and photo.read_bytes() == before
    # photo.png's picture would land on photo_ocr.png before that input is read
    second = tmp_path / "photo_ocr.png"
    shutil.copyfile(DIGITS, second)
    mine = second.read_bytes()
    line = assert_one_line_error(_ocr("--no-window", "-i", photo, second, "-o", f"{tmp_path}/", cwd=tmp_path))
    assert "overwrite an input" in line and second.read_bytes() == mine


class InterruptedReader:
    """Reads one page, then the user presses Ctrl-C."""
    mode = "chars"

    def __init__(self):
        self.calls = 0

    def read(self, image, name=""):
        self.calls += 1
        if self.calls > 1:
            raise KeyboardInterrupt
        return Page(name, [Line([Word([Character("H", 0.9, [0, 0, 5, 5])])])])


def test_ctrl_c_during_json_keeps_what_was_read(monkeypatch):
    monkeypatch.setattr(app, "load_reader", lambda options: InterruptedReader())
    out, err = io.StringIO(), io.StringIO()
    status = app.run([HELLO, DIGITS, HELLO], ReaderOptions(SHIPPED_TFLITE), OutputOptions(as_json=True, jobs=1), out, err)
    assert status == 130 and "interrupted" in err.getvalue() and "Traceback" not in err.getvalue()
    assert [page["text"] for page in json.loads(out.getvalue())] == ["H"]


def _ctrl_c_as_in_a_terminal():
    """A command started in the background inherits Ctrl-C ignored (and rightly keeps
    it so); the reader under test must get it as from a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_in_the_reader_is_no_traceback(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for k in range(60):
        shutil.copyfile(HELLO, folder / f"page{k:02d}.png")
    # unbuffered: the first page's line arrives as it is read, not with the last page's
    proc = subprocess.Popen([PY, OCR, "-m", SHIPPED_TFLITE, "--no-window", "-i", folder], cwd=tmp_path,
                            env=subprocess_env(PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_ctrl_c_as_in_a_terminal)
    for line in proc.stdout:
        if line.startswith("[INFO] text of"):
            break
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err and "interrupted" in err


def test_lines_read_whole_are_drawn_as_words():
    """One box per word (with its text), not one per CTC character; the classifier's
    lines keep a box per character."""
    image = np.full((100, 300, 3), 255, np.uint8)
    letters = [Character(c, 0.9, [20 + 30 * k, 30, 20, 40]) for k, c in enumerate("abcd")]
    drawn = {}
    for source in ("lines", "chars"):
        drawn[source] = annotate(image, Page("x", [Line([Word(letters)], source=source)]))
    green = {s: (d[:, :, 1] == 255) & (d[:, :, 0] == 0) & (d[:, :, 2] == 0) for s, d in drawn.items()}
    between = (slice(40, 60), 40)        # the right edge of the first character's box
    assert green["chars"][between].any() and not green["lines"][between].any()
    assert green["lines"][40:60, 20].all()   # the word's left edge


def test_a_bad_folder_does_not_stop_the_others_and_recursion_is_asked_for(tmp_path):
    (tmp_path / "empty").mkdir()
    nested = tmp_path / "scans" / "2024"
    nested.mkdir(parents=True)
    shutil.copyfile(HELLO, tmp_path / "scans" / "top.png")
    shutil.copyfile(DIGITS, nested / "deep.png")
    proc = _ocr("--json", "-i", tmp_path / "empty", tmp_path / "scans", cwd=tmp_path)
    assert proc.returncode == 2 and "empty: folder holds no images" in proc.stderr
    assert [os.path.basename(p["image"]) for p in json.loads(proc.stdout)] == ["top.png"]
    proc = _ocr("--json", "-r", "-i", tmp_path / "scans", cwd=tmp_path)
    assert proc.returncode == 0
    assert [os.path.basename(p["image"]) for p in json.loads(proc.stdout)] == ["top.png", "deep.png"]
