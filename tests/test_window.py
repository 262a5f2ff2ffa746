"""The real window: ocr_handwriting.py under Xvfb opens "Handwriting OCR", shows the annotated
photo, and exits 0 when a key is pressed. Skips when Xvfb or xdotool is missing."""
import os
import shutil
import struct
import subprocess
import time

import numpy as np
import pytest

from conftest import OCR, PY, REPO, SHIPPED_TFLITE, subprocess_env

pytestmark = [pytest.mark.display,
              pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                                 reason="Xvfb and xdotool are not installed")]

IMAGE = os.path.join(REPO, "images", "hello_world.png")
TITLE = "Handwriting OCR"


@pytest.fixture
def display():
    # -displayfd: the server picks a free display number and tells us which
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                              pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as f:
            number = f.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def read_xwd(data):
    """Pixels of an xwd dump (ZPixmap, 24/32 bpp) as an (h, w, 3) RGB array."""
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    byte_order, bytes_per_line, ncolors = header[7], header[12], header[19]
    masks = header[14:17]
    offset = header_size + 12 * ncolors
    step = bytes_per_line // width
    raw = np.frombuffer(data[offset:offset + bytes_per_line * height], np.uint8).reshape(height, bytes_per_line)
    raw = raw[:, :width * step].reshape(height, width, step)
    words = np.zeros((height, width), np.uint32)
    for k in range(step):
        shift = 8 * (k if byte_order == 0 else step - 1 - k)
        words |= raw[:, :, k].astype(np.uint32) << shift
    channels = []
    for mask in masks:
        low = (mask & -mask).bit_length() - 1
        channels.append(((words & mask) >> low).astype(np.uint8))
    return np.dstack(channels)


def test_window_opens_and_closes_on_a_key(tiny_run, display, tmp_path):
    env = subprocess_env(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    app = subprocess.Popen([PY, OCR, "-i", IMAGE, "-m", tiny_run.tflite], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", TITLE],
                               env=env, capture_output=True, text=True, timeout=60)
        assert found.returncode == 0 and found.stdout.split(), found.stderr
        window = found.stdout.split()[0]
        assert app.poll() is None  # it waits for the user

        # what is on the window: the photo (paper, dark ink) and the green boxes
        shot = None
        for _ in range(20):
            dump = subprocess.run(["xwd", "-silent", "-id", window], env=env, capture_output=True, timeout=30)
            if dump.returncode == 0 and len(dump.stdout) > 100:
                shot = read_xwd(dump.stdout)
                green = (shot[:, :, 1] > 200) & (shot[:, :, 0] < 60) & (shot[:, :, 2] < 60)
                if shot.std() > 10 and green.sum() > 50:
                    break
            time.sleep(0.25)
        assert shot is not None and shot.shape[0] > 100 and shot.shape[1] > 100
        assert shot.std() > 10, "the window is blank"
        assert green.sum() > 50, "no annotation boxes on screen"

        # the window closes on key-down, so xdotool's key-up may hit a window that is gone
        # (BadWindow, status 1): what counts is that the program ends, cleanly
        subprocess.run(["xdotool", "key", "--window", window, "space"], env=env, timeout=30, capture_output=True)
        out, err = app.communicate(timeout=30)
    finally:
        _end(app)
    assert app.returncode == 0, err[-2000:]
    assert "[INFO] text of" in out and "Traceback" not in err
    # with a screen and no -o, nothing is written to disk
    assert os.listdir(tmp_path) == []


def _end(app):
    """Whatever happened, the reader does not outlive its test."""
    if app.poll() is None:
        app.kill()
        app.communicate()


def _find_window(env):
    found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", TITLE],
                           env=env, capture_output=True, text=True, timeout=60)
    assert found.returncode == 0 and found.stdout.split(), found.stderr
    return found.stdout.split()[0]


def test_close_button_goes_on_to_the_next_image(display, tmp_path):
    from xwindow import close_window
    env = subprocess_env(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    images = [IMAGE, os.path.join(REPO, "images", "digits.png")]
    app = subprocess.Popen([PY, OCR, "-i", *images, "-m", SHIPPED_TFLITE], cwd=tmp_path, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        close_window(display, _find_window(env))      # the first window: its close button
        time.sleep(1.0)
        second = _find_window(env)
        subprocess.run(["xdotool", "key", "--window", second, "space"], env=env, timeout=30, capture_output=True)
        out, err = app.communicate(timeout=60)
    finally:
        _end(app)
    assert app.returncode == 0, err[-2000:]
    assert out.count("[INFO] text of") == 2 and "Traceback" not in err and "cv2.error" not in err
    assert "press any key" in out and "QFontDatabase" not in err


def test_a_display_that_does_not_answer_is_no_display(tmp_path):
    """A stale ssh -X: DISPLAY names a server that is gone. No window, no abort."""
    env = subprocess_env(DISPLAY="localhost:97.0", QT_QPA_PLATFORM="xcb")
    proc = subprocess.run([PY, OCR, "-i", IMAGE, "-m", SHIPPED_TFLITE], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[INFO] text of" in proc.stdout
    assert os.listdir(tmp_path) == ["hello_world_ocr.png"]   # saved instead, as without a display


def test_the_window_fits_the_screen():
    from pyimagesearch.io.window import SCREEN_SHARE, fit
    big = np.zeros((3000, 4000, 3), np.uint8)
    shown = fit(big, (1280, 1024))
    assert shown.shape[1] <= SCREEN_SHARE * 1280 and shown.shape[0] <= SCREEN_SHARE * 1024
    assert abs(shown.shape[1] / shown.shape[0] - 4000 / 3000) < 0.01
    small = np.zeros((300, 400, 3), np.uint8)
    assert fit(small, (1280, 1024)) is small          # never enlarged
