"""Loaders for the tutorial's two data sources: MNIST digits and the Kaggle A-Z CSV.

Both return ``(images, labels)``: images uint8 (N, 28, 28), white ink on black;
labels int64 class indices into TUTORIAL_LABELS (0-9 digits, 10-35 letters).
"""
import gzip
import os
import re
import zipfile

import numpy as np

from ..errors import InputError
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
    classes 10-35 so they sit after the digits, as in the tutorial.
    """
    _require_file(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt") as f:
            # numpy's C parser reads straight into uint8: no float64 copy of ~290M values
            rows = np.loadtxt(f, delimiter=",", dtype=np.uint8, ndmin=2)
    except ValueError as e:
        raise InputError(f"{path}: {_describe_csv_error(str(e))}") from None
    except (OSError, EOFError) as e:
        raise InputError(f"{path}: cannot read it as CSV ({type(e).__name__}: {e})") from None
    if rows.shape[0] == 0:
        raise InputError(f"{path}: no rows")
    if rows.shape[1] != AZ_COLUMNS:
        raise InputError(f"{path}: each row needs {AZ_COLUMNS} values (label + 784 pixels), "
                         f"found {rows.shape[1]} in line 1")
    labels = rows[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels > 25)
    if bad.size:
        raise InputError(f"{path}: line {bad[0] + 1}: label {labels[bad[0]]} is outside 0-25")
    images = rows[:, 1:].reshape(-1, GLYPH_SIDE, GLYPH_SIDE)
    return np.ascontiguousarray(images), labels + 10


def _describe_csv_error(message):
    """numpy's parse errors, told in the file's own 1-based line numbers."""
    bad_value = re.search(r"could not convert string '(.*)' to uint8 at row (\d+), column (\d+)", message)
    if bad_value:
        value, line, column = bad_value.group(1), int(bad_value.group(2)) + 1, int(bad_value.group(3))
        what = "label" if column == 1 else f"pixel {column - 1}"
        allowed = "0-25" if column == 1 else "0-255"
        return f"line {line}: {what} {value!r} is not a number in {allowed}"
    columns = re.search(r"number of columns changed from (\d+) to (\d+) at row (\d+)", message)
    if columns:
        return f"line {columns.group(3)}: {columns.group(2)} values, expected {AZ_COLUMNS} (label + 784 pixels)"
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
    """Read a labelled glyph set: ``images`` (N,28,28) uint8 white-on-black and
    ``labels`` as ints 0-9 (or 0-35) or 1-character strings '0'-'9', 'A'-'Z'."""
    _require_file(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            keys = set(npz.files)
            if {"images", "labels"} <= keys:
                images, raw_labels = npz["images"], npz["labels"]
            elif {"x_train", "y_train"} <= keys:
                images, raw_labels = npz["x_train"], npz["y_train"]
            else:
                raise InputError(f"{path}: needs arrays 'images' and 'labels' "
                                 f"(or 'x_train' and 'y_train'), found {sorted(keys) or 'none'}")
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        raise InputError(f"{path}: not a readable .npz file ({type(e).__name__})") from None
    if images.ndim != 3 or images.shape[1:] != (GLYPH_SIDE, GLYPH_SIDE):
        raise InputError(f"{path}: images must be (N, 28, 28), found {images.shape}")
    if len(images) != len(raw_labels):
        raise InputError(f"{path}: {len(images)} images but {len(raw_labels)} labels")
    if images.dtype != np.uint8:
        if images.size and (images.min() < 0 or images.max() > 255):
            raise InputError(f"{path}: pixel values must be 0-255")
        images = images.astype(np.uint8)
    labels = _label_indices(raw_labels, path, 9 if digits_only else 35)
    return images, labels


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
