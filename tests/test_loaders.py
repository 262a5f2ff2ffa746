"""Loaders: the Kaggle A-Z CSV (plain and gzip) and labelled glyph .npz files."""
import gzip
import os
import re
import zipfile

import numpy as np
import pytest

from conftest import DIGITS, GLYPHS, LETTERS, PY, TRAIN, assert_one_line_error, run
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


def test_a_set_at_its_own_size_is_read_from_its_28_pixel_copy(tmp_path):
    # the layout of ../shared/data/digits-extra: 16x16 originals beside a 28x28 copy
    images, labels = load_mnist_dataset(DIGITS)
    path = tmp_path / "semeion.npz"
    np.savez(path, images=images[:, ::2, ::2][:, :16, :16], images28=images, labels=labels)
    a, b = load_mnist_dataset(str(path))
    assert np.array_equal(a, images) and np.array_equal(b, labels)


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


# ---------------------------------------------------------------- hostile glyph sets

def _garbage_member(path):
    """A zip whose 'images' member is not an .npy array at all."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("images.npy", b"these are not pixels")
        z.writestr("labels.npy", b"nor labels")


def _broken_npy_header(path):
    """Members that start like .npy arrays and then are not."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("images.npy", b"\x93NUMPY\x01\x00garbage")
        z.writestr("labels.npy", b"\x93NUMPY")


def _damaged_header(damage):
    """A stored .npz whose first array header is changed: numpy parses it as Python
    (before zipfile checks the member's CRC: it is read in pieces)."""
    def make(path):
        np.savez(path, images=np.zeros((20, 28, 28), np.uint8), labels=np.arange(20) % 10)
        blob = path.read_bytes()
        path.write_bytes(blob.replace(b"'shape': (", damage, 1))
    return make


def _non_array_member(path):
    """A valid 'labels' array beside an 'images' member that numpy returns as raw bytes."""
    np.savez(path, labels=np.array([1, 2, 3]))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("images", b"raw bytes, no .npy header")


def _npy_named_npz(path):
    with open(path, "wb") as f:
        np.save(f, np.zeros((3, 28, 28), np.uint8))


def _corrupt_deflate(path):
    rng = np.random.default_rng(0)
    np.savez_compressed(path, images=rng.integers(0, 256, (40, 28, 28), dtype=np.uint8), labels=np.arange(40) % 10)
    blob = bytearray(path.read_bytes())
    blob[300:340] = b"\xff" * 40            # inside the first member's deflate stream
    path.write_bytes(bytes(blob))


def _arrays(**arrays):
    return lambda path: np.savez(path, **arrays)


ZEROS = np.zeros((3, 28, 28), np.uint8)
HOSTILE_GLYPH_SETS = [
    pytest.param(_arrays(images=ZEROS, labels=np.zeros((3, 2), np.int64)), "1-D", id="2-D-labels"),
    pytest.param(_arrays(images=ZEROS, labels=np.array(3)), "1-D", id="scalar-labels"),
    pytest.param(_arrays(images=ZEROS[:0], labels=np.zeros(0, np.int64)), "no glyphs", id="zero-glyphs"),
    pytest.param(_garbage_member, "not a numpy array", id="garbage-member"),
    pytest.param(_broken_npy_header, "corrupt", id="broken-npy-header"),
    pytest.param(_damaged_header(b"'shape': \x00"), "corrupt", id="null-byte-in-header"),
    pytest.param(_damaged_header(b"'shape': ["), "corrupt", id="unclosed-bracket-in-header"),
    pytest.param(_damaged_header(b"'shape':(("), "corrupt", id="nested-shape-in-header"),
    pytest.param(_non_array_member, "not a numpy array", id="non-array-member"),
    pytest.param(_npy_named_npz, ".npy", id="npy-named-npz"),
    pytest.param(_corrupt_deflate, "corrupt", id="corrupt-compressed-member"),
    pytest.param(_arrays(images=ZEROS.astype(np.float32) * np.nan, labels=np.array([1, 2, 3])), "NaN", id="nan"),
    pytest.param(_arrays(images=np.full((3, 28, 28), np.inf, np.float32), labels=np.array([1, 2, 3])), "NaN",
                 id="infinite"),
    pytest.param(_arrays(images=ZEROS.astype(np.float32) + 300.5, labels=np.array([1, 2, 3])), "0-255",
                 id="floats-over-255"),
    pytest.param(_arrays(images=ZEROS.astype(bool), labels=np.array([1, 2, 3])), "numbers", id="bool-images"),
    pytest.param(_arrays(images=ZEROS.astype(complex), labels=np.array([1, 2, 3])), "numbers", id="complex"),
    pytest.param(_arrays(images=np.full((3, 28, 28), "a"), labels=np.array([1, 2, 3])), "numbers",
                 id="string-images"),
]


@pytest.mark.parametrize("make,expected", HOSTILE_GLYPH_SETS)
def test_hostile_glyph_sets_are_one_line_errors(tmp_path, make, expected):
    path = tmp_path / "hostile.npz"
    make(path)
    message = _npz_error(path)
    assert expected in message, message


def test_float_images_are_grey_levels_never_blanks(tmp_path):
    """0-255 floats are rounded; 0-1 floats are intensities (uint8 casting made them blank)."""
    images, labels = load_glyph_npz(GLYPHS)
    levels = tmp_path / "levels.npz"
    np.savez(levels, images=images.astype(np.float64) + 0.2, labels=labels)
    assert np.array_equal(load_glyph_npz(str(levels))[0], images)
    unit = tmp_path / "unit.npz"
    np.savez(unit, images=images.astype(np.float32) / 255.0, labels=labels)
    again = load_glyph_npz(str(unit))[0]
    assert again.dtype == np.uint8 and np.abs(again.astype(int) - images).max() <= 1
    assert (again.reshape(len(again), -1).max(axis=1) > 128).all()     # every glyph has ink


def test_a_small_file_that_unpacks_to_far_more_is_refused(tmp_path, monkeypatch):
    from pyimagesearch.io import archives
    monkeypatch.setattr(archives, "UNPACK_ALLOWANCE", 0)     # as for a file of gigabytes of zeros
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, images=np.zeros((400, 28, 28), np.uint8), labels=np.zeros(400, np.int64))
    assert os.path.getsize(path) * archives.MAX_UNPACK_RATIO < 400 * 28 * 28
    assert "unpacks to" in _npz_error(path)


def test_training_sources_name_the_bad_file(tmp_path):
    from pyimagesearch.training.data import load_sources
    bad = tmp_path / "digits.npz"
    np.savez(bad, images=ZEROS, labels=np.array(7))
    with pytest.raises(InputError, match=re.escape(str(bad))):
        load_sources([DIGITS, str(bad)], None)
    with pytest.raises(InputError, match="no training data"):
        load_sources([], "none")
    images, labels = load_sources([DIGITS], LETTERS)
    assert len(images) == len(labels) == 200 + 182


def test_training_on_an_empty_digit_set_is_a_one_line_error(tmp_path):
    bad = tmp_path / "empty_digits.npz"
    np.savez(bad, images=ZEROS[:0], labels=np.zeros(0, np.int64))
    proc = run([PY, TRAIN, "-d", bad, "-a", "none", "-e", "1", "--no-show", "--test-sets",
                "-m", tmp_path / "m.keras", "-p", tmp_path / "plot.png", "--report", tmp_path / "r.txt",
                "--montage", tmp_path / "montage.png"], cwd=tmp_path, timeout=300)
    line = assert_one_line_error(proc)
    assert str(bad) in line and "no glyphs" in line
    assert sorted(os.listdir(tmp_path)) == ["empty_digits.npz"]


@pytest.mark.parametrize("lines,bad_line", [
    pytest.param([GOOD, "", GOOD, row_text(1, [0] * 700)], 4, id="short-row-after-a-blank-line"),
    pytest.param(["", "", GOOD, GOOD.replace("0", "x", 1)], 4, id="bad-value-after-blank-lines"),
    pytest.param([GOOD, "", "", GOOD, row_text(30, [0] * 784)], 5, id="bad-label-after-blank-lines"),
    pytest.param(["", "", GOOD + ",0", GOOD], 3, id="wrong-width-first-row-after-blank-lines"),
    pytest.param([GOOD, "# a comment", GOOD], 2, id="a-comment-line-is-not-skipped-silently"),
])
def test_az_line_numbers_count_blank_lines(tmp_path, lines, bad_line):
    for name, write in (("bad.csv", write_csv), ("bad.csv.gz", _write_gz)):
        message = _error(write(tmp_path / name, lines))
        assert _names_line(message, bad_line), message


def _write_gz(path, lines):
    with gzip.open(path, "wt") as f:
        f.write("\n".join(lines) + "\n")
    return str(path)


def test_a_single_glyph_cannot_be_split_for_training():
    from pyimagesearch.training.data import split_validation
    with pytest.raises(InputError, match="at least 2"):
        split_validation(np.array([3]), 0.1, 0)
    train, validation = split_validation(np.array([3, 4]), 0.1, 0)
    assert sorted([*train, *validation]) == [0, 1]


def test_a_small_gz_that_unpacks_to_far_more_is_refused(tmp_path, monkeypatch):
    from pyimagesearch.io import archives
    monkeypatch.setattr(archives, "UNPACK_ALLOWANCE", 0)     # as for a file of gigabytes of zeros
    path = _write_gz(tmp_path / "bomb.csv.gz", [GOOD] * 2000)
    assert os.path.getsize(path) * archives.MAX_UNPACK_RATIO < 2000 * len(GOOD)
    assert "unpacks to more than" in _error(path)
    images, labels = load_az_dataset(_write_gz(tmp_path / "small.csv.gz", [GOOD] * 3))
    assert images.shape == (3, 28, 28) and labels.tolist() == [13] * 3
