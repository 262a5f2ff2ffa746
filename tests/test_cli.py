"""ocr_handwriting.py from the outside: every kind of bad input is one [ERROR] line and exit 2;
--json has the documented shape, one object per image in order, with one model load."""
import io
import json
import os
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import OCR, PY, REPO, assert_one_line_error, run, stderr_lines
from pages import render_page, single_stroke_glyphs

IMAGES = [os.path.join(REPO, "images", name) for name in ("hello_world.png", "digits.png")]


@pytest.fixture(scope="module")
def model(tiny_run):
    """The tiny model's LiteRT file: loads in a fraction of a second, so each call is cheap."""
    return tiny_run.tflite


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    ok = np.full((120, 160, 3), 235, np.uint8)
    cv2.putText(ok, "A1", (20, 90), cv2.FONT_HERSHEY_SIMPLEX, 2.5, (30, 30, 30), 6)
    cv2.imwrite(str(folder / "ok.png"), ok)
    cv2.imwrite(str(folder / "ok.jpg"), ok)
    png, jpg = (folder / "ok.png").read_bytes(), (folder / "ok.jpg").read_bytes()
    (folder / "truncated.png").write_bytes(png[: len(png) // 2])
    (folder / "truncated.jpg").write_bytes(jpg[: len(jpg) // 2])
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.png").write_text("this is a text file with an image name\n")
    (folder / "model.png").write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    Image.new("L", (1, 1), 255).save(folder / "one_pixel.png")
    # 144 megapixels of zeros: a PNG of a few hundred kB that would decode to 432 MB
    Image.new("L", (12000, 12000), 0).save(folder / "huge.png", optimize=False)
    assert os.path.getsize(folder / "huge.png") < 2_000_000
    (folder / "not_a_model.keras").write_text("definitely not a model")
    return folder


BAD_IMAGES = {
    "missing.png": "no such file",
    "notes.png": "not an image",
    "model.png": "not an image",
    "empty.png": "empty",
    "truncated.png": "truncated",
    "truncated.jpg": "truncated",
    "one_pixel.png": "too small",
    "huge.png": "too large",
}


@pytest.mark.parametrize("name", sorted(BAD_IMAGES))
def test_bad_image(model, bad_files, name):
    proc = run([PY, OCR, "-i", bad_files / name, "-m", model], cwd=bad_files, timeout=120)
    line = assert_one_line_error(proc)
    assert name in line and BAD_IMAGES[name] in line, line


def test_bad_model_and_flags(model, bad_files):
    ok = bad_files / "ok.png"
    line = assert_one_line_error(run([PY, OCR, "-i", ok, "-m", bad_files / "not_a_model.keras"], cwd=bad_files))
    assert "not_a_model.keras" in line
    for flag in ("--min-confidence", "--min-line-confidence"):
        for value in ("1.5", "-0.1", "nan"):
            line = assert_one_line_error(run([PY, OCR, "-i", ok, "-m", model, flag, value], cwd=bad_files))
            assert flag in line
    line = assert_one_line_error(run([PY, OCR, "-i", ok, "-m", model, "--charset", "%$"], cwd=bad_files))
    assert "--charset" in line
    empty_folder = bad_files / "no_images_here"
    empty_folder.mkdir(exist_ok=True)
    assert "no images" in assert_one_line_error(run([PY, OCR, "-i", empty_folder, "-m", model], cwd=bad_files))
    line = assert_one_line_error(run([PY, OCR, "-i", ok, "-m", model, "-o", bad_files / "nowhere" / "x" / "out.png"],
                                     cwd=bad_files))
    assert "out.png" in line


def test_one_bad_image_among_good_ones(model, bad_files, tmp_path):
    """The others are still read; the status says something was wrong."""
    proc = run([PY, OCR, "--json", "-m", model, "-i", IMAGES[0], bad_files / "empty.png", IMAGES[1]], cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [line for line in stderr_lines(proc) if line.startswith("[ERROR]")] == [
        f"[ERROR] {bad_files / 'empty.png'}: file is empty (0 bytes)"]
    assert [page["image"] for page in json.loads(proc.stdout)] == [IMAGES[0], IMAGES[1]]


def _check_page_shape(page):
    assert set(page) == {"image", "text", "lines", "characters"}
    assert isinstance(page["text"], str)
    for line in page["lines"]:
        assert set(line) == {"text", "box", "source", "words"} and line["source"] in ("chars", "lines")
        assert len(line["box"]) == 4 and all(isinstance(v, int) for v in line["box"])
        assert line["text"] == " ".join(word["text"] for word in line["words"])
        for word in line["words"]:
            assert set(word) == {"text", "box"} and len(word["box"]) == 4
    assert page["text"] == "\n".join(line["text"] for line in page["lines"])
    for character in page["characters"]:
        assert set(character) == {"char", "confidence", "box", "alternatives"}
        assert isinstance(character["char"], str) and len(character["char"]) == 1
        assert 0.0 <= character["confidence"] <= 1.0
        assert len(character["box"]) == 4 and all(isinstance(v, int) for v in character["box"])
        assert 1 <= len(character["alternatives"]) <= 3
        probabilities = [p for _, p in character["alternatives"]]
        assert probabilities == sorted(probabilities, reverse=True)
    assert "".join(c["char"] for c in page["characters"]) == page["text"].replace("\n", "").replace(" ", "")


def test_json_shape_and_order(model, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    for name in ("b.png", "a.png"):
        shutil.copyfile(IMAGES[0], folder / name)
    proc = run([PY, OCR, "--json", "-m", model, "-i", IMAGES[1], folder, IMAGES[0]], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    pages = json.loads(proc.stdout)
    # one object per image, in the order given, a folder expanded in sorted order
    assert [p["image"] for p in pages] == [IMAGES[1], str(folder / "a.png"), str(folder / "b.png"), IMAGES[0]]
    for page in pages:
        _check_page_shape(page)
    hello = pages[-1]
    assert len(hello["lines"]) == 2 and len(hello["characters"]) == 10  # HELLO / WORLD
    assert pages[1] == {**hello, "image": pages[1]["image"]}  # the same photo reads the same
    # one model load for all the images; nothing but the JSON on stdout
    assert proc.stderr.count("loading handwriting OCR model") == 1
    assert sorted(os.listdir(tmp_path)) == ["folder"]  # --json writes no annotated files


def test_one_model_load_for_many_images(model, monkeypatch):
    from pyimagesearch.reader import app, loading
    from pyimagesearch.reader.options import OutputOptions, ReaderOptions
    loads = []
    original = loading.load_classifier

    def counting(*args, **kwargs):
        loads.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(loading, "load_classifier", counting)
    out, err = io.StringIO(), io.StringIO()
    status = app.run(IMAGES * 3, ReaderOptions(model), OutputOptions(as_json=True, window=False), out=out, err=err)
    assert status == 0 and len(loads) == 1
    assert [p["image"] for p in json.loads(out.getvalue())] == IMAGES * 3


def test_info_lines_and_annotated_files(model, tmp_path):
    out = tmp_path / "annotated"
    proc = run([PY, OCR, "-m", model, "-i", *IMAGES, "-o", out], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("[INFO] text of ") == 2
    assert sorted(os.listdir(out)) == ["digits_ocr.png", "hello_world_ocr.png"]
    annotated = cv2.imread(str(out / "hello_world_ocr.png"))
    original = cv2.imread(IMAGES[0])
    assert annotated.shape == original.shape
    green = (annotated[:, :, 1] == 255) & (annotated[:, :, 0] == 0) & (annotated[:, :, 2] == 0)
    assert green.sum() > 100  # the boxes are drawn
    # without a display and without -o, the picture is saved in the working folder
    proc = run([PY, OCR, "-m", model, "-i", IMAGES[0]], cwd=tmp_path)
    assert proc.returncode == 0 and os.path.isfile(tmp_path / "hello_world_ocr.png")


def test_charset_and_min_confidence(model, tmp_path):
    # the barely trained classifier is never sure: --min-line-confidence 0 keeps its lines
    proc = run([PY, OCR, "--json", "-m", model, "-i", IMAGES[1], "--charset", "digits", "--min-line-confidence", "0"],
               cwd=tmp_path)
    page = json.loads(proc.stdout)[0]
    assert page["characters"] and all(c["char"].isdigit() for c in page["characters"])
    assert all(a.isdigit() for c in page["characters"] for a, p in c["alternatives"] if p > 0)
    # at 0.5 every character is unknown (--mode chars: the shipped line model would read
    # the line, and it is sure)
    proc = run([PY, OCR, "--json", "-m", model, "-i", IMAGES[1], "--min-confidence", "0.5", "--mode", "chars",
                "--min-line-confidence", "0"], cwd=tmp_path)
    page = json.loads(proc.stdout)[0]
    assert page["characters"] and {c["char"] for c in page["characters"]} == {"?"}
    assert all(c["confidence"] < 0.5 for c in page["characters"])


def test_blank_page_exit_zero(model, tmp_path):
    paper = np.full((600, 800, 3), 228, np.uint8)
    cv2.imwrite(str(tmp_path / "blank.jpg"), paper)
    proc = run([PY, OCR, "--json", "-m", model, "-i", tmp_path / "blank.jpg"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"image": str(tmp_path / "blank.jpg"), "text": "", "lines": [],
                                        "characters": []}]
    proc = run([PY, OCR, "-m", model, "-i", tmp_path / "blank.jpg", "-o", tmp_path / "out.png"], cwd=tmp_path)
    assert proc.returncode == 0 and "[INFO] text of" in proc.stdout


def test_exif_orientation_is_applied(model, tmp_path):
    """A photo stored sideways with EXIF orientation 8 reads like the upright one."""
    glyphs = single_stroke_glyphs()
    page, _ = render_page(glyphs, [["AB", "12"], ["XY"]], height=60)
    upright = tmp_path / "upright.jpg"
    Image.fromarray(page).save(upright, quality=95)
    sideways = Image.fromarray(np.ascontiguousarray(np.rot90(page, k=-1)))  # stored turned 90 deg clockwise
    exif = Image.Exif()
    exif[0x0112] = 8  # "turn me 90 degrees counter-clockwise to view"
    sideways.save(tmp_path / "sideways.jpg", quality=95, exif=exif.tobytes())
    from pyimagesearch.io.image import load_image
    a, b = load_image(str(upright)), load_image(str(tmp_path / "sideways.jpg"))
    assert a.shape == b.shape and np.abs(a.astype(int) - b.astype(int)).mean() < 3
    proc = run([PY, OCR, "--json", "-m", model, "-i", upright, tmp_path / "sideways.jpg"], cwd=tmp_path)
    first, second = json.loads(proc.stdout)
    assert [len(line["words"]) for line in first["lines"]] == [2, 1]
    assert [len(line["words"]) for line in second["lines"]] == [2, 1]
