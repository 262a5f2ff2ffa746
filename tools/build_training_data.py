"""Build the repository's training and test files from ../shared/data (run once, offline).

Writes, at the repository root (or --out):
  a_z_handwritten_data.csv.gz   UniPen uppercase, training writers only, Kaggle A-Z CSV format
  digits_train.npz              MNIST train 0-9999 + UniPen digits, training writers only
  test_sets/mnist_test.npz      the official MNIST test set (10,000)
  test_sets/unipen_test_writers.npz  UniPen digits + uppercase of the writer-disjoint test writers
No test split ever goes into a training file. Provenance: DATA.md. Files that are
there already are replaced only with --overwrite.
"""
import argparse
import gzip
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyimagesearch.errors import InputError, cli_main  # noqa: E402
from pyimagesearch.io.archives import read_arrays  # noqa: E402
from pyimagesearch.io.atomic import atomic_write, refuse_existing, writable_folder  # noqa: E402
from pyimagesearch.places import SHARED_DATA  # noqa: E402

AZ_FILE = "a_z_handwritten_data.csv.gz"
DIGITS_FILE = "digits_train.npz"
MNIST_TEST_FILE = os.path.join("test_sets", "mnist_test.npz")
UNIPEN_TEST_FILE = os.path.join("test_sets", "unipen_test_writers.npz")
UNIPEN_KEYS = ("images", "labels", "category", "writer", "quality", "writer_split_test", "suspect_tiny")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=SHARED_DATA,
                        help="the shared data folder (unipen/, mnist/, lines/) (default: %(default)s)")
    parser.add_argument("--out", default=".", help="folder to write the files in (default: %(default)s)")
    parser.add_argument("--overwrite", action="store_true", help="replace output files that exist already")
    return parser.parse_args(argv)


def line_test_writers(shared):
    """The writers who are test persons in the word/line split: kept out of training too."""
    path = os.path.join(shared, "lines", "split_widened_aliases.txt")
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    with open(path) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def save_npz(path, **arrays):
    atomic_write(path, lambda tmp: np.savez_compressed(tmp, **arrays))


def save_az_csv(path, letters, images):
    """Kaggle's A-Z layout: label 0-25 then 784 pixels."""
    rows = np.concatenate([(np.frombuffer("".join(letters).encode(), np.uint8) - ord("A"))[:, None],
                           images.reshape(-1, 784)], axis=1)

    def write(tmp):
        # the gzip header names the CSV, not the temporary file, and no time: the same glyphs
        # make the same bytes
        with open(tmp, "wb") as raw, gzip.GzipFile(os.path.basename(path), "wb", 9, raw, mtime=0) as f:
            np.savetxt(f, rows, fmt="%d", delimiter=",")

    atomic_write(path, write)
    print(f"[INFO] {path}: {len(rows)} uppercase glyphs")


def main(argv=None):
    args = parse_args(argv)
    outputs = [os.path.join(args.out, name) for name in (AZ_FILE, DIGITS_FILE, MNIST_TEST_FILE, UNIPEN_TEST_FILE)]
    writable_folder(outputs[0])
    if not args.overwrite:
        refuse_existing(outputs)
    az_path, digits_path, mnist_test_path, unipen_test_path = outputs
    unipen = read_arrays(os.path.join(args.shared, "unipen", "unipen_train_r01_v07_28x28.npz"), UNIPEN_KEYS)
    mnist = read_arrays(os.path.join(args.shared, "mnist", "mnist_train_first10k.npz"), ("images", "labels"))
    mnist_test = read_arrays(os.path.join(args.shared, "mnist", "mnist_test_10k.npz"), ("images", "labels"))
    excluded = line_test_writers(args.shared)
    writer_keys = unipen["writer"]  # already "site/WRITER_ID"
    is_test = unipen["writer_split_test"]
    trainable = ~is_test & ~np.isin(writer_keys, list(excluded)) & ~unipen["suspect_tiny"]
    print(f"[INFO] {len(excluded)} line-test writer ids, "
          f"{int((np.isin(writer_keys, list(excluded)) & ~is_test).sum())} of their glyphs dropped")

    upper = trainable & (unipen["category"] == "1b")
    save_az_csv(az_path, unipen["labels"][upper], unipen["images"][upper])

    digits = trainable & (unipen["category"] == "1a")
    save_npz(digits_path, images=np.concatenate([mnist["images"], unipen["images"][digits]]),
             labels=np.concatenate([mnist["labels"].astype(np.uint8), unipen["labels"][digits].astype(np.uint8)]),
             source=np.array(["mnist"] * len(mnist["labels"]) + ["unipen"] * int(digits.sum())))
    print(f"[INFO] {digits_path}: {len(mnist['labels'])} MNIST + {int(digits.sum())} UniPen digits")

    os.makedirs(os.path.dirname(mnist_test_path), exist_ok=True)
    save_npz(mnist_test_path, images=mnist_test["images"], labels=mnist_test["labels"])
    test = is_test & np.isin(unipen["category"], ["1a", "1b"])
    save_npz(unipen_test_path, images=unipen["images"][test], labels=unipen["labels"][test],
             quality=unipen["quality"][test], category=unipen["category"][test])
    print(f"[INFO] test sets: MNIST {len(mnist_test['labels'])}, UniPen test writers {int(test.sum())} "
          f"({int((test & (unipen['quality'] == 'OK')).sum())} quality OK)")


if __name__ == "__main__":
    sys.exit(cli_main(main)())
