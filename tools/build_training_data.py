"""Build the repository's training and test files from ../shared/data (run once, offline).

Writes, at the repository root:
  a_z_handwritten_data.csv.gz   UniPen uppercase, training writers only, Kaggle A-Z CSV format
  digits_train.npz              MNIST train 0-9999 + UniPen digits, training writers only
  test_sets/mnist_test.npz      the official MNIST test set (10,000)
  test_sets/unipen_test_writers.npz  UniPen digits + uppercase of the writer-disjoint test writers
No test split ever goes into a training file. Provenance: DATA.md.
"""
import argparse
import gzip
import os

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--shared", default=os.path.join("..", "shared", "data"))
parser.add_argument("--out", default=".")
args = parser.parse_args()

unipen = np.load(os.path.join(args.shared, "unipen", "unipen_train_r01_v07_28x28.npz"))
aliases_path = os.path.join(args.shared, "lines", "split_widened_aliases.txt")
with open(aliases_path) as f:
    # writers who are test persons in the word/line split: keep them out of training too
    line_test_writers = {l.strip() for l in f if l.strip() and not l.startswith("#")}
writer_keys = unipen["writer"]  # already "site/WRITER_ID"
is_test = unipen["writer_split_test"]
trainable = ~is_test & ~np.isin(writer_keys, list(line_test_writers)) & ~unipen["suspect_tiny"]
print(f"[INFO] {len(line_test_writers)} line-test writer ids, "
      f"{int((np.isin(writer_keys, list(line_test_writers)) & ~is_test).sum())} of their glyphs dropped")

# A-Z: Kaggle layout, label 0-25 then 784 pixels
upper = trainable & (unipen["category"] == "1b")
letters = unipen["labels"][upper]
rows = np.concatenate([(np.frombuffer("".join(letters).encode(), np.uint8) - ord("A"))[:, None],
                       unipen["images"][upper].reshape(-1, 784)], axis=1)
az_path = os.path.join(args.out, "a_z_handwritten_data.csv.gz")
with gzip.open(az_path + ".tmp", "wt", compresslevel=9) as f:
    np.savetxt(f, rows, fmt="%d", delimiter=",")
os.replace(az_path + ".tmp", az_path)
print(f"[INFO] {az_path}: {len(rows)} uppercase glyphs")

mnist = np.load(os.path.join(args.shared, "mnist", "mnist_train_first10k.npz"))
digits = trainable & (unipen["category"] == "1a")
images = np.concatenate([mnist["images"], unipen["images"][digits]])
labels = np.concatenate([mnist["labels"].astype(np.uint8), unipen["labels"][digits].astype(np.uint8)])
source = np.array(["mnist"] * len(mnist["labels"]) + ["unipen"] * int(digits.sum()))
np.savez_compressed(os.path.join(args.out, "digits_train.npz"), images=images, labels=labels, source=source)
print(f"[INFO] digits_train.npz: {len(mnist['labels'])} MNIST + {int(digits.sum())} UniPen digits")

os.makedirs(os.path.join(args.out, "test_sets"), exist_ok=True)
mnist_test = np.load(os.path.join(args.shared, "mnist", "mnist_test_10k.npz"))
np.savez_compressed(os.path.join(args.out, "test_sets", "mnist_test.npz"),
                    images=mnist_test["images"], labels=mnist_test["labels"])
test = is_test & np.isin(unipen["category"], ["1a", "1b"])
np.savez_compressed(os.path.join(args.out, "test_sets", "unipen_test_writers.npz"),
                    images=unipen["images"][test], labels=unipen["labels"][test],
                    quality=unipen["quality"][test], category=unipen["category"][test])
print(f"[INFO] test sets: MNIST {len(mnist_test['labels'])}, UniPen test writers {int(test.sum())} "
      f"({int((test & (unipen['quality'] == 'OK')).sum())} quality OK)")
