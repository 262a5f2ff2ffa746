"""Hostile images: thin strips, noise and textures, 16-bit and transparent files, files
in formats the reader does not support, unreadable files and folders. Each is read
to (probably empty) text or refused with one InputError line, never a traceback."""
import builtins
import os

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from conftest import OCR, PY, REPO, SHIPPED_TFLITE, run, stderr_lines
from pyimagesearch.detection.segment import PageScan, find_glyphs
from pyimagesearch.errors import InputError
from pyimagesearch.io.image import gather_images, list_images, load_image

HELLO = os.path.join(REPO, "images", "hello_world.png")


@pytest.fixture(scope="module")
def reader():
    """The shipped classifier on LiteRT, characters only (the segmentation is under test)."""
    from pyimagesearch.models.classifier import load_classifier
    from pyimagesearch.reader.predictor import HandwritingReader
    return HandwritingReader(load_classifier(SHIPPED_TFLITE))


@pytest.fixture(scope="module")
def hello_gray():
    return cv2.imread(HELLO, cv2.IMREAD_GRAYSCALE)


# ---------------------------------------------------------------- thin images

@pytest.mark.parametrize("shape", [(6000, 8), (8, 30000), (10, 16000)])
def test_thin_images_are_blank_pages(shape):
    image = np.full(shape, 255, np.uint8)
    cv2.line(image, (0, 0), (shape[1] - 1, shape[0] - 1), 0, 2)
    assert PageScan.of(image).height == 0
    assert find_glyphs(image) == []


def test_thin_image_through_the_command_line(tmp_path):
    path = tmp_path / "strip.png"
    cv2.imwrite(str(path), np.full((8, 30000), 255, np.uint8))
    proc = run([PY, OCR, "--json", "--no-window", "-m", SHIPPED_TFLITE, "-i", path], cwd=tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert '"text": ""' in proc.stdout
    assert not [line for line in stderr_lines(proc) if not line.startswith("[INFO]")], proc.stderr


# ---------------------------------------------------------------- noise and textures

def _noise(seed, shape=(1200, 1600)):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _speckle(seed, shape=(1600, 1600), share=0.05):
    page = np.full(shape, 255, np.uint8)
    page[np.random.default_rng(seed).random(shape) < share] = 0
    return page


def _blurred_noise(seed, sigma):
    """A texture with grains of about ``sigma`` px: bigger than any speck filter."""
    blurred = cv2.GaussianBlur(_noise(seed).astype(np.float32), (0, 0), sigma)
    return cv2.normalize(blurred, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)


@pytest.mark.parametrize("make", [lambda: _noise(0), lambda: _noise(1, (1000, 1000)), lambda: _speckle(2),
                                  lambda: _blurred_noise(3, 1), lambda: _blurred_noise(4, 2),
                                  lambda: _blurred_noise(5, 4),
                                  lambda: (_noise(6) < 128).astype(np.uint8) * 255],
                         ids=["noise", "noise-square", "speckle", "grain-1", "grain-2", "grain-4", "one-bit"])
def test_noise_and_textures_give_no_characters(make):
    assert find_glyphs(make()) == []


@pytest.mark.parametrize("make", [lambda: _speckle(2), lambda: _speckle(3, (2400, 1800))], ids=["1600", "2400x1800"])
def test_speckle_is_a_blank_page_to_the_whole_reader(make):
    """With the detector and the line model too: no text height, so no reading at all."""
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    assert load_reader(ReaderOptions()).read(make()).text.strip() == ""


def test_small_writing_on_dotted_paper_whose_dots_outweigh_it_is_read(hello_gray):
    """The dots win the text height's vote, so the page alone looks blank: the detector
    is asked all the same, and the writing's height is voted by the tall marks alone."""
    from pyimagesearch.metrics import cer
    from pyimagesearch.reader.loading import load_reader
    from pyimagesearch.reader.options import ReaderOptions
    page = np.full((900, 1200), 255, np.uint8)
    for y in range(6, 900, 14):
        for x in range(6, 1200, 14):
            page[y:y + 3, x:x + 3] = 90
    small = cv2.resize(hello_gray, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    page[300:300 + h, 200:200 + w] = np.minimum(page[300:300 + h, 200:200 + w], small)
    assert PageScan.of(page).height == 0
    text = load_reader(ReaderOptions()).read(page).text
    assert cer(["HELLOWORLD"], ["".join(c for c in text if c.isalnum())]) <= 0.3


def test_writing_on_a_noisy_photo_is_still_read(reader, hello_gray):
    noise = np.random.default_rng(7).normal(0, 25, hello_gray.shape)
    noisy = np.clip(hello_gray + noise, 0, 255).astype(np.uint8)
    speckled = hello_gray.copy()
    speckled[np.random.default_rng(8).random(hello_gray.shape) < 0.02] = 0
    # (the noise may split a word: that is the reader's business, not the texture test's)
    for page in (hello_gray, noisy, speckled):
        assert reader.read(page).text.replace(" ", "") == "HELLO\nWORLD"


# ---------------------------------------------------------------- deep and transparent files

@pytest.mark.parametrize("extension", ["png", "tif"])
def test_sixteen_bit_grey_reads_like_its_eight_bit_original(reader, hello_gray, tmp_path, extension):
    path = str(tmp_path / f"deep.{extension}")
    Image.fromarray(hello_gray.astype(np.uint16) * 257).save(path)
    with Image.open(path) as image:
        assert image.mode.startswith("I")
    loaded = load_image(path)
    assert np.array_equal(loaded, cv2.cvtColor(hello_gray, cv2.COLOR_GRAY2BGR))
    assert reader.read(loaded).text == "HELLO\nWORLD"


@pytest.mark.parametrize("name,mode", [("ink.png", "RGBA"), ("ink.webp", "RGBA"), ("ink_la.png", "LA"),
                                       ("ink.gif", "P")])
def test_ink_on_a_transparent_background_is_laid_on_white_paper(reader, hello_gray, tmp_path, name, mode):
    """Black ink on transparent paper that is black underneath: without compositing
    the page is black on black."""
    rgba = np.zeros(hello_gray.shape + (4,), np.uint8)
    rgba[:, :, 3] = np.where(hello_gray < 128, 255, 0)
    image = Image.fromarray(rgba)
    path = str(tmp_path / name)
    if mode == "P":   # GIF: one transparent palette entry
        image = image.convert("P")
        image.save(path, transparency=int(np.asarray(image)[0, 0]))
    else:
        image.convert(mode).save(path, **({"lossless": True} if name.endswith(".webp") else {}))
    loaded = load_image(path)
    assert loaded[0, 0].tolist() == [255, 255, 255]
    assert reader.read(loaded).text == "HELLO\nWORLD"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_matches_pillow(tmp_path, orientation):
    pixels = np.random.default_rng(orientation).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = orientation
    path = str(tmp_path / "turned.png")
    image.save(path, exif=exif)
    with Image.open(path) as saved:
        expected = np.asarray(ImageOps.exif_transpose(saved).convert("RGB"))[:, :, ::-1]
    assert np.array_equal(load_image(path), expected)


def test_one_bit_bmp_is_read(tmp_path, hello_gray):
    path = str(tmp_path / "page.bmp")
    Image.fromarray(hello_gray > 128).save(path)
    assert set(np.unique(load_image(path)).tolist()) == {0, 255}


# ---------------------------------------------------------------- refused files

def test_eps_named_png_is_refused_without_ghostscript(tmp_path, monkeypatch):
    from PIL import EpsImagePlugin

    def no_ghostscript(*args, **kwargs):
        raise AssertionError("Ghostscript was called")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", no_ghostscript)
    path = tmp_path / "drawing.png"
    path.write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
                    "newpath 10 10 moveto 90 90 lineto stroke\nshowpage\n")
    with pytest.raises(InputError, match="not an image file"):
        load_image(str(path))


def test_unreadable_file_says_permission_denied(tmp_path, monkeypatch):
    """(chmod 000 would not do: the tests may run as root, who reads anything.)"""
    path = str(tmp_path / "locked.png")
    cv2.imwrite(path, np.full((40, 40), 255, np.uint8))
    real_open = builtins.open

    def locked_open(file, *args, **kwargs):
        if file == path:
            raise PermissionError(13, "Permission denied", file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked_open)
    with pytest.raises(InputError, match="permission denied"):
        load_image(path)


def test_decoder_warnings_are_silenced(tmp_path, capfd):
    """A TIFF with a damaged tag: libtiff says so on the process's stderr, in C."""
    path = str(tmp_path / "damaged.tif")
    pixels = np.random.default_rng(3).integers(0, 256, (200, 300, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, compression="tiff_lzw")
    data = bytearray(open(path, "rb").read())
    for i in range(60, len(data), 97):
        data[i] ^= 0x5A
    open(path, "wb").write(bytes(data))
    with pytest.raises(InputError):
        load_image(path)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


# ---------------------------------------------------------------- folders

def test_folder_problems_are_reported_beside_the_images(tmp_path, monkeypatch):
    good = tmp_path / "good"
    good.mkdir()
    cv2.imwrite(str(good / "a.png"), np.full((40, 40), 255, np.uint8))
    empty = tmp_path / "empty"
    empty.mkdir()
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path):   # as for a folder without read permission, even for root
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found, problems = gather_images([str(empty), str(locked), str(good), HELLO])
    assert found == [str(good / "a.png"), HELLO]
    assert problems == [f"{empty}: folder holds no images",
                        f"{locked}: cannot read the folder (Permission denied)"]
    with pytest.raises(InputError, match="holds no images"):
        list_images([str(good), str(empty)])
