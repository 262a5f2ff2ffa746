"""Loaders: the Kaggle A-Z CSV (plain and gzip) and labelled glyph .npz files."""
import gzip
import os
import re

import numpy as np
import pytest

from conftest import DIGITS, GLYPHS, LETTERS
from pyimagesearch.az_dataset import load_az_dataset, load_glyph_npz, load_mnist_dataset
from pyimagesearch.errors import InputError
from pyimagesearch.labels import TUTORIAL_LABELS


def raw_rows():
    """The fixture CSV parsed independently of the loader (plain Python, no numpy)."""
    with gzip.open(LETTERS, "rt") as f:
        return [[int(v) for v in line.split(",")] for line in f if line.strip()]


def row_text(label, pixels):
    return ",".join(str(v) for v in [label, *pixels])


GOOD = row_text(3, [0] * 783 + [255])


def write_csv(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return str(path)


# ---------------------------------------------------------------- A-Z CSV

def test_az_fixture_matches_an_independent_parse():
    rows = raw_rows()
    images, labels = load_az_dataset(LETTERS)
    assert images.shape == (len(rows), 28, 28) and images.dtype == np.uint8
    assert labels.dtype.kind == "i"
    # Kaggle labels 0-25 become classes 10-35, i.e. the letter itself in TUTORIAL_LABELS
    assert [TUTORIAL_LABELS[k] for k in labels] == [chr(ord("A") + r[0]) for r in rows]
    for image, row in zip(images[::17], rows[::17]):
        assert image.ravel().tolist() == row[1:]
    assert np.bincount(labels, minlength=36)[10:].tolist() == [7] * 26


def test_az_plain_and_gz_round_trip(tmp_path):
    rows = raw_rows()[:40]
    text = "\n".join(",".join(map(str, r)) for r in rows) + "\n"
    plain = tmp_path / "az.csv"
    plain.write_text(text)
    packed = tmp_path / "az.csv.gz"
    with gzip.open(packed, "wt") as f:
        f.write(text)
    a_images, a_labels = load_az_dataset(str(plain))
    b_images, b_labels = load_az_dataset(str(packed))
    assert np.array_equal(a_images, b_images) and np.array_equal(a_labels, b_labels)
    assert a_labels.tolist() == [r[0] + 10 for r in rows]
    assert a_images.reshape(len(rows), -1).tolist() == [r[1:] for r in rows]
    # and the same bytes read back unchanged when written in the Kaggle layout again
    again = tmp_path / "again.csv"
    np.savetxt(again, np.concatenate([(a_labels - 10)[:, None], a_images.reshape(len(rows), -1)], axis=1),
               fmt="%d", delimiter=",")
    c_images, c_labels = load_az_dataset(str(again))
    assert np.array_equal(c_images, a_images) and np.array_equal(c_labels, a_labels)


def _error(path):
    with pytest.raises(InputError) as info:
        load_az_dataset(path)
    message = str(info.value)
    assert "\n" not in message
    assert path in message, message
    return message


def _names_line(message, number):
    return re.search(rf"\b(line|row) {number}\b", message) is not None


MALFORMED = [
    # lines of the file, the 1-based line at fault
    pytest.param([GOOD, row_text(1, [0] * 700)], 2, id="too-few-pixels"),
    pytest.param([GOOD, GOOD, GOOD + ",7"], 3, id="too-many-pixels"),
    pytest.param([GOOD, GOOD, GOOD.replace("0", "x", 1)], 3, id="not-a-number"),
    pytest.param([GOOD, row_text(300, [0] * 784)], 2, id="label-over-255"),
    pytest.param([GOOD, row_text(-1, [0] * 784)], 2, id="negative-label"),
]


@pytest.mark.parametrize("lines,bad_line", MALFORMED)
def test_az_malformed_row_names_file_and_line(tmp_path, lines, bad_line):
    message = _error(write_csv(tmp_path / "bad.csv", lines))
    assert _names_line(message, bad_line), message


@pytest.mark.parametrize("label", [26, 99, 255])
def test_az_label_out_of_range(tmp_path, label):
    message = _error(write_csv(tmp_path / "labels.csv", [GOOD, GOOD, row_text(label, [0] * 784)]))
    assert str(label) in message and _names_line(message, 3), message


def test_az_wrong_pixel_count_everywhere(tmp_path):
    message = _error(write_csv(tmp_path / "short.csv", [row_text(1, [0] * 100)] * 3))
    assert "785" in message or "784" in message, message


@pytest.mark.filterwarnings("ignore:loadtxt")
def test_az_empty_missing_and_corrupt(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "empty" in _error(str(empty))
    assert "no such file" in _error(str(tmp_path / "missing.csv.gz"))
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n")
    _error(str(blank))
    not_gzip = tmp_path / "plain_text.csv.gz"
    not_gzip.write_text(GOOD + "\n")
    _error(str(not_gzip))
    whole = tmp_path / "whole.csv.gz"
    with gzip.open(whole, "wt") as f:
        f.write("\n".join([GOOD] * 50) + "\n")
    truncated = tmp_path / "truncated.csv.gz"
    truncated.write_bytes(whole.read_bytes()[: os.path.getsize(whole) // 2])
    _error(str(truncated))


# ---------------------------------------------------------------- glyph .npz

def test_glyph_fixtures_load():
    images, labels = load_glyph_npz(GLYPHS)
    assert images.shape == (108, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels, minlength=36).tolist() == [3] * 36
    digits, digit_labels = load_mnist_dataset(DIGITS)
    assert digits.shape == (200, 28, 28) and sorted(set(digit_labels.tolist())) == list(range(10))


def test_string_and_int_labels_agree(tmp_path):
    images, labels = load_glyph_npz(GLYPHS)
    with np.load(GLYPHS) as d:
        strings = d["labels"]
    assert [TUTORIAL_LABELS[k] for k in labels] == strings.tolist()
    as_ints = tmp_path / "ints.npz"
    np.savez(as_ints, images=images, labels=labels.astype(np.int32))
    again_images, again_labels = load_glyph_npz(str(as_ints))
    assert np.array_equal(again_labels, labels) and np.array_equal(again_images, images)
    lower = tmp_path / "lower.npz"
    np.savez(lower, images=images[:3], labels=np.array(["a", "b", "7"]))
    assert load_glyph_npz(str(lower))[1].tolist() == [10, 11, 7]


def test_keras_mnist_layout(tmp_path):
    images, labels = load_mnist_dataset(DIGITS)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=images, y_train=labels, x_test=images[:5], y_test=labels[:5])
    a, b = load_mnist_dataset(str(path))
    assert np.array_equal(a, images) and np.array_equal(b, labels)


def test_byte_string_labels(tmp_path):
    path = tmp_path / "bytes.npz"
    np.savez(path, images=np.zeros((3, 28, 28), np.uint8), labels=np.array([b"0", b"A", b"Z"]))
    assert load_glyph_npz(str(path))[1].tolist() == [0, 10, 35]


def _npz_error(path, **arrays):
    if arrays:
        np.savez(path, **arrays)
    with pytest.raises(InputError) as info:
        load_glyph_npz(str(path))
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    return str(info.value)


def test_npz_bad_files(tmp_path):
    zeros = np.zeros((3, 28, 28), np.uint8)
    assert "no such file" in _npz_error(tmp_path / "missing.npz")
    (tmp_path / "empty.npz").write_bytes(b"")
    assert "empty" in _npz_error(tmp_path / "empty.npz")
    (tmp_path / "text.npz").write_text("not an archive")
    _npz_error(tmp_path / "text.npz")
    (tmp_path / "zipjunk.npz").write_bytes(b"PK\x03\x04" + b"junk" * 50)
    _npz_error(tmp_path / "zipjunk.npz")
    whole = tmp_path / "whole.npz"
    np.savez(whole, images=zeros, labels=np.array([1, 2, 3]))
    (tmp_path / "truncated.npz").write_bytes(whole.read_bytes()[: os.path.getsize(whole) // 2])
    _npz_error(tmp_path / "truncated.npz")
    assert "images" in _npz_error(tmp_path / "keys.npz", pictures=zeros)
    assert "(N, 28, 28)" in _npz_error(tmp_path / "shape.npz", images=np.zeros((3, 32, 32), np.uint8),
                                       labels=np.array([1, 2, 3]))
    assert "labels" in _npz_error(tmp_path / "count.npz", images=zeros, labels=np.array([1, 2]))
    assert "0-255" in _npz_error(tmp_path / "range.npz", images=zeros.astype(np.int32) + 300,
                                 labels=np.array([1, 2, 3]))
    _npz_error(tmp_path / "float_labels.npz", images=zeros, labels=np.array([0.0, 1.0, 2.0]))
    _npz_error(tmp_path / "objects.npz", images=zeros, labels=np.array(["0", None, "Z"], dtype=object))


@pytest.mark.parametrize("labels", [[0, 36, 1], [0, -1, 1], ["0", "AB", "1"], ["0", "?", "1"]])
def test_npz_label_out_of_range(tmp_path, labels):
    message = _npz_error(tmp_path / "labels.npz", images=np.zeros((3, 28, 28), np.uint8), labels=np.array(labels))
    assert "index 1" in message, message


def test_mnist_loader_rejects_letters(tmp_path):
    message = _npz_error_mnist(tmp_path)
    assert "0-9" in message


def _npz_error_mnist(tmp_path):
    path = tmp_path / "letters.npz"
    np.savez(path, images=np.zeros((2, 28, 28), np.uint8), labels=np.array(["7", "A"]))
    with pytest.raises(InputError) as info:
        load_mnist_dataset(str(path))
    return str(info.value)
