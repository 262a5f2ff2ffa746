"""A word list beside a line model (``line_model.lexicon.txt.gz``) that corrects
the words the beam search reads.

A word of letters the line model read (at least MIN_LENGTH of them) that is not
in the list becomes the listed word one edit away (a letter dropped, added,
changed, or two swapped; the read word's capitals kept) that the beam search's
own objective scores best: the network's frames between the word's neighbours
(all their alignments) + the language model's weight times its log probability
of the whole line + the bonus per character. It is taken when that score plus
the list's ``bonus`` (nats) beats the read word's. The bonus is the prior that a
word is a known one; it is tuned on the validation persons' lines and words
(``lexicon_build``, the same items ``lm_build`` tunes the language model on) and
saved in the file's first line with the list: the words of the training texts and
those seen twice in public-domain English, in lower case.
"""
import collections
import gzip
import os
import re
import sys

import numpy as np

from ..errors import InputError
from .decode import aligned, log_likelihood

FORMAT = "pyimagesearch-lexicon-1"
MIN_LENGTH = 4          # shorter words have many listed neighbours one edit away
LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD = re.compile(r"[A-Za-z]+")


def lexicon_path_for(model_path):
    """Where a line model's word list lives: beside it, same stem."""
    stem, ext = os.path.splitext(model_path)
    return (stem if ext in (".keras", ".tflite") else model_path) + ".lexicon.txt.gz"


def words_of(lines, min_count=1):
    """The lower-case words (runs of letters, MIN_LENGTH or longer) seen ``min_count`` times in ``lines``."""
    counts = collections.Counter(w.lower() for line in lines for w in WORD.findall(line) if len(w) >= MIN_LENGTH)
    return {w for w, n in counts.items() if n >= min_count}


def _one_edit(word):
    """Every lower-case string one edit from ``word`` (lower case)."""
    splits = [(word[:k], word[k:]) for k in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in LETTERS}
    out |= {a + c + b for a, b in splits for c in LETTERS}
    out.discard(word)
    return out


def _cased_like(word, model):
    """``word`` (lower case) written with the capitals of ``model``."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    return word[0].upper() + word[1:] if model[0].isupper() else word


class Lexicon:
    def __init__(self, words, bonus=0.0):
        self.words = frozenset(words)
        self.bonus = float(bonus)

    def neighbours(self, word):
        """The listed words one edit from ``word``, in ``word``'s capitals, sorted."""
        return sorted(_cased_like(w, word) for w in _one_edit(word.lower()) & self.words)

    def correct(self, probs, decoded, chars, lm, bonus=None):
        """``decoded`` (a ``decode.Decoded`` of ``probs``, read with the language model
        ``lm`` and its decoding settings) with its unlisted words replaced as the module
        says; ``bonus``: the prior of a listed word (default: the list's own)."""
        bonus = self.bonus if bonus is None else bonus
        text, line = decoded.text, _LineScore(probs, decoded, chars, lm)
        changed = text
        # right to left, so the places of the words still to come stay as read
        for match in reversed(list(WORD.finditer(text))):
            start, end = match.span()
            word = match.group()
            if len(word) < MIN_LENGTH or word.lower() in self.words or _touches_digit(text, start, end):
                continue
            scores = {w: line.score(start, end, w) for w in self.neighbours(word)}
            best = max(scores, key=scores.get, default=None)
            if best is not None and scores[best] + bonus > line.score(start, end, word):
                changed = changed[:start] + best + changed[end:]
        if changed == text:
            return decoded
        indices = [line.index[c] for c in changed]
        out = aligned(probs, chars, indices, log_likelihood(probs, indices))
        return decoded if out is None else out

    def save(self, path):
        """A gzip text file, written atomically: the format and bonus, then a word a line."""
        from ..io.atomic import atomic_write

        text = f"{FORMAT}\tbonus={self.bonus}\n" + "".join(f"{w}\n" for w in sorted(self.words))

        def write(tmp):
            # no time stamp nor name in the header: the same list makes the same file
            with open(tmp, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as packed:
                packed.write(text.encode("utf-8"))
        atomic_write(path, write)

    @classmethod
    def load(cls, path):
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                header = f.readline().rstrip("\n").split("\t")
                words = [w.rstrip("\n") for w in f]
        except (OSError, EOFError, UnicodeDecodeError) as e:
            raise InputError(f"{path}: not a word list ({e})") from None
        if len(header) != 2 or header[0] != FORMAT or not header[1].startswith("bonus="):
            raise InputError(f"{path}: not a word list of format {FORMAT}")
        try:
            bonus = float(header[1][len("bonus="):])
        except ValueError:
            raise InputError(f"{path}: its bonus is not a number") from None
        if not all(WORD.fullmatch(w) and w.islower() for w in words):
            raise InputError(f"{path}: a line is not a lower-case word")
        return cls(words, bonus)


class _LineScore:
    """The beam search's objective for a line read as ``decoded`` with one word changed."""

    def __init__(self, probs, decoded, chars, lm):
        self.probs, self.decoded, self.lm = probs, decoded, lm
        self.index = {c: k for k, c in enumerate(chars)}

    def score(self, start, end, word):
        """The objective with text[start:end] read as ``word``: the frames between the
        word's neighbours spelling it (all alignments), the language model's weight times
        its log probability of the whole line, the bonus per character."""
        if any(c not in self.index for c in word):
            return -np.inf
        text, spans = self.decoded.text, self.decoded.spans
        first = spans[start - 1][1] + 1 if start else 0
        last = spans[end][0] if end < len(text) else len(self.probs)
        line = text[:start] + word + text[end:]
        return (log_likelihood(self.probs[first:last], [self.index[c] for c in word])
                + self.lm.decoding["lm_weight"] * self.lm.text_log_prob(line)
                + self.lm.decoding["char_bonus"] * len(line))


def _touches_digit(text, start, end):
    """Whether the letters text[start:end] run into a digit (a code, not a word)."""
    return (start > 0 and text[start - 1].isdigit()) or (end < len(text) and text[end].isdigit())


def load_lexicon(model_path, lexicon_path="auto"):
    """The word list for a line model: ``'auto'`` the one beside it if there is one
    (a broken one: a warning and none), None none, otherwise that file."""
    if lexicon_path is None:
        return None
    beside = lexicon_path == "auto"
    if beside:
        lexicon_path = lexicon_path_for(model_path)
        if not os.path.isfile(lexicon_path):
            return None
    try:
        return Lexicon.load(lexicon_path)
    except InputError as e:
        if not beside:
            raise
        print(f"[WARNING] {e}; decoding without it", file=sys.stderr)
        return None

