"""The characters a line model can write, stored with the model as its labels.

Index ``0..n-1`` are the characters of the charset in order; the CTC blank is
index ``n``, the last class of the network's softmax (Keras' and TensorFlow's
CTC convention when ``blank_index = n``). The model file's labels are exactly
the charset list, so ``Charset(store.read_labels(path))`` restores it.

The default charset: digits, A-Z, a-z, space, the punctuation
``. , ' - " ! ? : ; ( ) & /`` and ``% $ = * + # @`` (the ones the UniPen lines
use often). A back-quote and typographic quotes are mapped to ``'`` / ``"``;
texts holding anything else (``[ ] { } < > | _ ~ ^ \\``, mostly C code from a
few UniPen sites) are dropped from training (``python -m
pyimagesearch.recognition.data`` counts them): ``[ { | _`` look like
``( ( l -`` in real notes and would only add confusions. The evaluation keeps
such test items: the characters the model cannot write count as errors.
"""
import string

import numpy as np

DIGITS = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
SPACE = " "
PUNCTUATION = ".,'-\"!?:;()&/"
EXTRA = "%$=*+#@"
DEFAULT_CHARS = DIGITS + UPPER + LOWER + SPACE + PUNCTUATION + EXTRA

SUBSTITUTES = {"`": "'", "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
               "\u2013": "-", "\u2014": "-", "\t": " "}


class Charset:
    """Characters <-> class indices; ``blank`` is the last class."""

    def __init__(self, chars=DEFAULT_CHARS):
        chars = list(chars)
        if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
            raise ValueError("a charset is a list of distinct single characters")
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @property
    def labels(self):
        """What store.save_keras / save_tflite keep with the model."""
        return list(self.chars)

    @property
    def blank(self):
        return len(self.chars)

    @property
    def num_classes(self):
        """Softmax width: the characters plus the blank."""
        return len(self.chars) + 1

    def __len__(self):
        return len(self.chars)

    def clean(self, text):
        """Substitute look-alikes and collapse whitespace; keeps unknown characters."""
        text = "".join(SUBSTITUTES.get(c, c) for c in str(text))
        return " ".join(text.split())

    def normalize(self, text):
        """The text as the model should write it, or None when it holds a character
        outside the charset (or is empty)."""
        text = self.clean(text)
        if not text or any(c not in self.index for c in text):
            return None
        return text

    def encode(self, text):
        """int32 indices of a normalized text; ValueError on unknown characters."""
        try:
            return np.array([self.index[c] for c in text], dtype=np.int32)
        except KeyError as e:
            raise ValueError(f"character {e.args[0]!r} is not in the charset") from None

    def decode(self, indices):
        """Text of class indices; the blank and out-of-range indices are skipped."""
        n = len(self.chars)
        return "".join(self.chars[i] for i in np.asarray(indices, dtype=np.int64).ravel() if 0 <= i < n)


def ctc_frames_needed(indices):
    """Fewest CTC frames that can emit this label sequence: its length plus one
    blank between each pair of equal neighbours."""
    indices = np.asarray(indices)
    return int(len(indices) + np.count_nonzero(indices[1:] == indices[:-1]))
