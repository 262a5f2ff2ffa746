"""Class labels, --charset names, and the character pairs that handwriting cannot tell apart."""
import string

import numpy as np

from .errors import InputError

# the 2020 tutorial's 36 classes, in its output order (digits, then A-Z)
TUTORIAL_LABELS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# a digit and a letter that are written the same way by many people
CONFUSABLE_PAIRS = (("0", "O"), ("1", "I"), ("2", "Z"), ("5", "S"))


def merge_confusables(chars):
    """Map each letter of a confusable pair to its digit, so 'O' and '0' compare equal."""
    to_digit = {letter: digit for digit, letter in CONFUSABLE_PAIRS}
    return [to_digit.get(c, c) for c in chars]


# --charset names; each model keeps the characters of a named set that it knows
# (the classifier has only capitals, the line model both cases)
NAMED_CHARSETS = {"digits": string.digits, "letters": string.ascii_letters,
                  "alnum": string.digits + string.ascii_letters}


def charset_chars(charset):
    """The characters a --charset value allows: a name above, or the characters themselves."""
    return NAMED_CHARSETS.get(charset, charset)


def charset_mask(charset: str | None, labels: list[str], always: str = "") -> np.ndarray | None:
    """Which of a model's ``labels`` a --charset value allows (``always``: allowed
    whatever it says, like the line model's space), or None when there is none.
    A charset that allows none of the model's characters is an InputError."""
    if not charset:
        return None
    chars = charset_chars(charset)
    if not any(label in chars for label in labels):
        raise InputError(f"--charset {charset!r}: none of its characters is a class of this model")
    return np.array([label in chars or label in always for label in labels])


def restrict(probs: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Posteriors renormalised over the classes ``mask`` allows (all when None)."""
    if mask is None:
        return probs
    probs = probs * mask
    return probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
