"""A character n-gram language model of the training texts, for CTC beam search.

    lm = CharNgram.train(texts, charset.chars, order=6)   # training writers' texts only
    lm.save("line_model.lm.json.gz")                      # beside the line model
    lm = CharNgram.load("line_model.lm.json.gz")
    lm.log_probs(context)   # log P(next | last order-1 characters), one per charset
                            # character, then one for the end of the text

Interpolated Witten-Bell smoothing: the estimate of each context is mixed with
that of the context one character shorter, in proportion to how many different
characters followed it, down to a uniform distribution. It needs no tuning,
copes with the small corpus, and never gives a character probability 0, so a
text the model has never seen (a new name, any number) is only made less
likely, never impossible.

Why a language model: the line network alone confuses look-alike shapes
(``A11en``, ``Kroxuille``); most such readings are not English and not like any
training text. The texts come from the training writers only, never the test
writers (their prompts overlap; see ``evaluate``). Nothing here imports
TensorFlow.
"""
import gzip
import json
import math
import os

import numpy as np

from ..errors import InputError

BOUNDARY = "\n"      # start-of-text context and end-of-text symbol (never in a charset)
FORMAT = "pyimagesearch-char-ngram-1"


# How the beam search weighs the language model against the line network, chosen
# on the validation persons' lines and words (``tune``); saved in the model file.
DEFAULT_DECODING = {"beam_width": 10, "lm_weight": 1.0, "char_bonus": 2.0}


class CharNgram:
    def __init__(self, chars, order, counts, decoding=None):
        """``counts``: {context string (0..order-1 characters): {next char: count}};
        the next char ``BOUNDARY`` is the end of the text. ``decoding``: the beam
        search settings that go with this model (``DEFAULT_DECODING``)."""
        self.chars = list(chars)
        self.order = int(order)
        self.decoding = dict(DEFAULT_DECODING, **(decoding or {}))
        self._symbols = {c: i for i, c in enumerate(self.chars + [BOUNDARY])}
        self._tables = {}
        for context, following in counts.items():
            vector = np.zeros(len(self._symbols), np.float64)
            for symbol, count in following.items():
                if symbol in self._symbols:
                    vector[self._symbols[symbol]] = count
            self._tables[context] = (vector, float(vector.sum()), float(np.count_nonzero(vector)))
        self._cache = {}

    @property
    def end(self):
        """Index of the end-of-text entry in ``log_probs``."""
        return len(self.chars)

    @property
    def start(self):
        """The context before the first character of a text."""
        return BOUNDARY

    def extend(self, context, char):
        """The context after writing ``char``: the last order-1 symbols."""
        return (context + char)[-(self.order - 1):] if self.order > 1 else ""

    @classmethod
    def train(cls, texts, chars, order=6, decoding=None):
        """Count the n-grams (1..order) of each text between boundaries; texts
        holding characters outside ``chars`` are skipped."""
        known = set(chars)
        counts = {}
        for text in texts:
            if not text or any(c not in known for c in text):
                continue
            padded = BOUNDARY + text + BOUNDARY
            for k in range(1, len(padded)):
                symbol = padded[k]
                for n in range(order):   # contexts of 0 .. order-1 characters
                    if n > k:
                        break
                    following = counts.setdefault(padded[k - n:k], {})
                    following[symbol] = following.get(symbol, 0) + 1
        return cls(chars, order, counts, decoding)

    def _probs(self, context):
        """P(next | context) over the charset + end, Witten-Bell interpolated."""
        if context in self._cache:
            return self._cache[context]
        if context:
            lower = self._probs(context[1:])
        else:
            lower = np.full(len(self._symbols), 1.0 / len(self._symbols))
        table = self._tables.get(context)
        if table is None:
            probs = lower
        else:
            vector, total, distinct = table
            probs = (vector + distinct * lower) / (total + distinct)
        if len(self._cache) > 200_000:   # a reader that runs for days must not grow forever
            self._cache.clear()
        self._cache[context] = probs
        return probs

    def log_probs(self, context):
        """log P(next symbol | context) for each charset character, then the end."""
        key = "lp:" + context
        cached = self._cache.get(key)
        if cached is None:
            cached = np.log(self._probs(context[-(self.order - 1):] if self.order > 1 else ""))
            self._cache[key] = cached
        return cached

    def text_log_prob(self, text):
        """log P(text, then its end); the perplexity check of ``evaluate``."""
        context, total = self.start, 0.0
        for c in text:
            total += float(self.log_probs(context)[self._symbols[c]])
            context = self.extend(context, c)
        return total + float(self.log_probs(context)[self.end])

    def save(self, path):
        """gzip JSON, written atomically (``store.atomic_write``)."""
        from ..models.store import atomic_write
        counts = {}
        for context, (vector, _, _) in self._tables.items():
            symbols = self.chars + [BOUNDARY]
            counts[context] = {symbols[i]: int(vector[i]) for i in np.flatnonzero(vector)}
        blob = json.dumps({"format": FORMAT, "order": self.order, "chars": self.chars, "counts": counts,
                           "decoding": self.decoding},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic_write(path, lambda tmp: open(tmp, "wb").write(gzip.compress(blob, mtime=0)), suffix=".gz")

    @classmethod
    def load(cls, path):
        try:
            with gzip.open(path, "rb") as f:
                data = json.loads(f.read().decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("unknown format")
            return cls(data["chars"], data["order"], data["counts"], data.get("decoding"))
        except FileNotFoundError:
            raise InputError(f"{path}: no such language model file") from None
        except (OSError, ValueError, KeyError, TypeError, EOFError) as e:
            raise InputError(f"{path}: not a character language model ({e})") from None


def lm_path_for(model_path):
    """Where a line model's language model lives: beside it, same stem."""
    stem, ext = os.path.splitext(model_path)
    return (stem if ext in (".keras", ".tflite") else model_path) + ".lm.json.gz"


def perplexity(lm, texts):
    """Per-character perplexity (end symbols included) of ``texts``."""
    total, count = 0.0, 0
    for text in texts:
        total += lm.text_log_prob(text)
        count += len(text) + 1
    return math.exp(-total / max(count, 1))
