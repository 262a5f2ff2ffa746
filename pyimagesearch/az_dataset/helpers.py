"""Loaders for the tutorial's two data sources: MNIST digits and the Kaggle A-Z CSV.

Both return ``(images, labels)``: images uint8 (N, 28, 28), white ink on black;
labels int64 class indices into TUTORIAL_LABELS (0-9 digits, 10-35 letters).
"""
import gzip
import io
import os
import re
import zlib

import numpy as np

from ..errors import InputError, first_line
from ..io.archives import MAX_UNPACK_RATIO, NpzArchive, unpack_limit
from ..labels import TUTORIAL_LABELS

GLYPH_SIDE = 28
AZ_COLUMNS = 1 + GLYPH_SIDE * GLYPH_SIDE


def _require_file(path):
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: file is empty")


def load_az_dataset(path):
    """Read the Kaggle "A-Z Handwritten Alphabets" CSV (plain or .gz).

    Rows are ``label,p0,...,p783`` with label 0-25 for A-Z. Letters come back as
    classes 10-35 so they sit after the digits, as in the tutorial. Empty lines
    are skipped; errors name the file's own line numbers.
    """
    _require_file(path)
    try:
        with _open_text(path) as f:
            # numpy's C parser reads straight into uint8: no float64 copy of ~290M values
            rows = np.loadtxt(f, delimiter=",", dtype=np.uint8, ndmin=2, comments=None)
    except ValueError as e:
        raise InputError(f"{path}: {_describe_csv_error(str(e), path)}") from None
    except (OSError, EOFError, zlib.error) as e:   # unreadable, or a damaged .gz
        raise InputError(f"{path}: cannot read it as CSV ({first_line(e)})") from None
    if rows.shape[0] == 0:
        raise InputError(f"{path}: no rows")
    if rows.shape[1] != AZ_COLUMNS:
        raise InputError(f"{path}: each row needs {AZ_COLUMNS} values (label + 784 pixels), "
                         f"found {rows.shape[1]} in line {_file_line(path, 0)}")
    labels = rows[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels > 25)
    if bad.size:
        raise InputError(f"{path}: line {_file_line(path, bad[0])}: label {labels[bad[0]]} is outside 0-25")
    images = rows[:, 1:].reshape(-1, GLYPH_SIDE, GLYPH_SIDE)
    return np.ascontiguousarray(images), labels + 10


class _Bounded(io.RawIOBase):
    """A binary stream that stops with an InputError after ``limit`` bytes: a small
    .gz must not unpack to gigabytes of pixels."""

    def __init__(self, stream, limit, path):
        super().__init__()
        self.stream, self.left, self.limit, self.path = stream, limit, limit, path

    def readable(self):
        return True

    def readinto(self, buffer):
        count = self.stream.readinto(buffer)
        self.left -= count
        if self.left < 0:
            raise InputError(f"{self.path}: unpacks to more than {self.limit} bytes, "
                             f"{MAX_UNPACK_RATIO} times its size")
        return count

    def close(self):
        self.stream.close()
        super().close()


def _open_text(path):
    """The CSV as text; a .gz one unpacked, at most ``unpack_limit`` bytes of it."""
    if not path.endswith(".gz"):
        return open(path, "rt")
    return io.TextIOWrapper(io.BufferedReader(_Bounded(gzip.open(path, "rb"), unpack_limit(path), path)))


def _file_line(path, row):
    """The 1-based line of the file that holds data row ``row`` (0-based): numpy
    counts rows without the empty lines it skips. Read again only to report an error."""
    seen, number = -1, 0
    with _open_text(path) as f:
        for number, line in enumerate(f, start=1):
            seen += line.rstrip("\n") != ""
            if seen == row:
                return number
    return number


def _describe_csv_error(message, path):
    """numpy's parse errors, told in the file's own 1-based line numbers."""
    bad_value = re.search(r"could not convert string '(.*)' to uint8 at row (\d+), column (\d+)", message)
    if bad_value:
        value, row, column = bad_value.group(1), int(bad_value.group(2)), int(bad_value.group(3))
        what = "label" if column == 1 else f"pixel {column - 1}"
        allowed = "0-25" if column == 1 else "0-255"
        return f"line {_file_line(path, row)}: {what} {value!r} is not a number in {allowed}"
    columns = re.search(r"number of columns changed from (\d+) to (\d+) at row (\d+)", message)
    if columns:
        first, then, row = (int(v) for v in columns.groups())
        # numpy blames the row after the first one whose width differs (counting from 1 here,
        # from 0 above); when the first row is the odd one out, it is the one at fault
        count, row = (first, 1) if first != AZ_COLUMNS else (then, row)
        return f"line {_file_line(path, row - 1)}: {count} values, expected {AZ_COLUMNS} (label + 784 pixels)"
    return f"not a valid A-Z CSV ({message.splitlines()[0] if message else 'parse error'})"


def load_mnist_dataset(path=None):
    """MNIST digits from a local .npz, or Keras' download when no path is given.

    Accepts Keras' ``mnist.npz`` layout (only ``x_train/y_train`` are used: the
    test half is for measuring) or an ``images/labels`` npz.
    """
    if path is None:
        return _download_mnist_train()
    return load_glyph_npz(path, digits_only=True)


def _download_mnist_train():
    try:
        from keras.datasets import mnist
        (images, labels), _ = mnist.load_data()
    except Exception as e:  # no network: urllib raises many kinds
        raise InputError("could not download MNIST (" + type(e).__name__ + "); pass a local "
                         ".npz with --digits, e.g. digits_train.npz shipped with this repository") from None
    return images.astype(np.uint8), labels.astype(np.int64)


def load_glyph_npz(path, digits_only=False):
    """Read a labelled glyph set: ``images`` (N,28,28) white-on-black and ``labels``
    as ints 0-9 (or 0-35) or 1-character strings '0'-'9', 'A'-'Z'. A set whose
    ``images`` are at their own size and that carries an ``images28`` copy (the
    extra digit sets of ../shared/data/digits-extra) is read from the copy.

    Images are grey levels 0-255: integers, or floats, which are rounded, and
    floats all within 0-1 are taken as 0-1 intensities and scaled to 0-255 (else
    they would all be blank). NaN, infinities and anything else are refused."""
    _require_file(path)
    with NpzArchive(path) as npz:
        if {"images28", "labels"} <= set(npz.keys):
            images, raw_labels = npz.array("images28"), npz.array("labels")
        elif {"images", "labels"} <= set(npz.keys):
            images, raw_labels = npz.array("images"), npz.array("labels")
        elif {"x_train", "y_train"} <= set(npz.keys):
            images, raw_labels = npz.array("x_train"), npz.array("y_train")
        else:
            raise InputError(f"{path}: needs arrays 'images' and 'labels' "
                             f"(or 'x_train' and 'y_train'), found {sorted(npz.keys) or 'none'}")
    if images.ndim != 3 or images.shape[1:] != (GLYPH_SIDE, GLYPH_SIDE):
        raise InputError(f"{path}: images must be (N, 28, 28), found {images.shape}")
    if len(images) == 0:
        raise InputError(f"{path}: holds no glyphs")
    if raw_labels.ndim != 1:
        raise InputError(f"{path}: labels must be a list (1-D array) of one label per image, "
                         f"found shape {raw_labels.shape}")
    if len(images) != len(raw_labels):
        raise InputError(f"{path}: {len(images)} images but {len(raw_labels)} labels")
    labels = _label_indices(raw_labels, path, 9 if digits_only else 35)
    return _grey_levels(images, path), labels


def _grey_levels(images, path):
    """Images as uint8 0-255 (see load_glyph_npz), or an InputError."""
    if images.dtype == np.uint8:
        return images
    if images.dtype.kind not in "uif":
        raise InputError(f"{path}: images must be numbers (grey levels 0-255), found {images.dtype}")
    if images.dtype.kind == "f":
        if not np.isfinite(images).all():
            raise InputError(f"{path}: images hold NaN or infinite values")
        if images.max() <= 1.0 and images.min() >= 0.0:
            images = images * 255.0
        images = np.rint(images)
    if images.min() < 0 or images.max() > 255:
        raise InputError(f"{path}: pixel values must be 0-255, found {images.min()}-{images.max()}")
    return images.astype(np.uint8)


def _label_indices(raw_labels, path, highest):
    raw_labels = np.asarray(raw_labels)
    if raw_labels.dtype.kind == "S":
        raw_labels = np.char.decode(raw_labels, "ascii", errors="replace")
    if raw_labels.dtype.kind == "U":
        lookup = {c: i for i, c in enumerate(TUTORIAL_LABELS)}
        labels = np.array([lookup.get(str(c).upper(), -1) for c in raw_labels], dtype=np.int64)
    elif raw_labels.dtype.kind in "iu":
        labels = raw_labels.astype(np.int64)
    else:
        raise InputError(f"{path}: labels must be integers or 1-character strings")
    bad = np.flatnonzero((labels < 0) | (labels > highest))
    if bad.size:
        raise InputError(f"{path}: label {raw_labels[bad[0]].item()!r} at index {bad[0]} is outside "
                         f"{TUTORIAL_LABELS[0]}-{TUTORIAL_LABELS[highest]}")
    return labels
