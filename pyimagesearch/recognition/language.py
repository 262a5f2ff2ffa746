"""A character n-gram language model of the training texts, for CTC beam search.

    lm = CharNgram.train(texts, charset.chars, order=8)   # training writers' texts only
    lm.save("line_model.lm.npz")                           # beside the line model
    lm = CharNgram.load("line_model.lm.npz")
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

Storage: the contexts sorted in one string array, and per context a run of
(next symbol, count) pairs in two flat arrays, in an ``.npz`` (contexts as UTF-8
bytes), so that the reader starts fast: the shipped one (order 8, 1.5 MB) loads
in tens of milliseconds, where a gzip JSON of dicts took most of a second. A
context's distribution is computed when the decoder first asks for it, then cached.
"""
import json
import os

import numpy as np

from ..errors import InputError
from ..io.archives import NpzArchive
from .ngram_count import context_strings, count_ngrams

BOUNDARY = "\n"      # start-of-text context and end-of-text symbol (never in a charset)
FORMAT = "pyimagesearch-char-ngram-2"
CACHE_LIMIT = 200_000   # cached distributions; a reader that runs for days must not grow forever
TABLES = ("contexts", "offsets", "symbols", "counts")
BLEND = "blend_"   # the arrays of a blended-in model (``blended``) start with this

# How the beam search weighs the language model against the line network; lm_build
# chooses the weight and bonus on the validation persons and saves them in the file.
# An optional "digits_alike": 1 makes all digits equally likely inside a number (beam._Fusion).
DEFAULT_DECODING = {"beam_width": 10, "lm_weight": 0.5, "char_bonus": 2.0}


def symbol_index(chars):
    """Symbol -> its index in a distribution: the charset's characters, then the end."""
    return {c: i for i, c in enumerate(list(chars) + [BOUNDARY])}


class CharNgram:
    def __init__(self, chars, order, contexts, offsets, symbols, counts, decoding=None):
        """``contexts``: sorted UTF-8 context strings (0..order-1 symbols; bytes take
        a quarter of numpy's 4-byte characters and sort the same); the pairs of
        context k are ``symbols[offsets[k]:offsets[k+1]]`` (index into the charset,
        ``len(chars)`` for the end of the text) with their ``counts``.
        ``decoding``: the beam search settings that go with this model."""
        self.chars = [str(c) for c in chars]
        self.order = int(order)
        self.decoding = dict(DEFAULT_DECODING, **(decoding or {}))
        self._contexts = np.asarray(contexts, dtype=np.bytes_)
        self._offsets = np.asarray(offsets, dtype=np.int32)
        self._symbols = np.asarray(symbols, dtype=np.uint8 if len(self.chars) < 255 else np.int32)
        self._counts = np.asarray(counts, dtype=np.int32)
        # a context's run is a few pairs: read through memoryviews as Python numbers, it costs
        # a fraction of numpy's scalars and fancy indexing
        self._offsets_at, self._symbols_at, self._counts_at = (
            memoryview(a) for a in (self._offsets, self._symbols, self._counts))
        self._uniform = np.full(len(self.chars) + 1, 1.0 / (len(self.chars) + 1))
        self._index = symbol_index(self.chars)
        self._distributions = {}   # context -> P(next | context), see ``_probs``
        self._logs = {}            # context -> ``log_probs``
        self.blend = None   # (weight, another CharNgram) mixed in: see ``blended``

    @property
    def end(self):
        """Index of the end-of-text entry in ``log_probs``."""
        return len(self.chars)

    @property
    def start(self):
        """The context before the first character of a text."""
        return BOUNDARY

    @property
    def size(self):
        """Number of contexts (the model's size)."""
        return len(self._contexts) + (self.blend[1].size if self.blend else 0)

    def blended(self, other: "CharNgram", weight: float) -> "CharNgram":
        """This model mixed with ``other`` (the same characters, no higher order):
        P(next | context) = (1 - weight) P_self + weight P_other. A model of the
        training texts mixed with one of a large general text keeps what the
        training texts know and falls back on the general text where they know
        little (counting both texts into one model drowns the training texts)."""
        if other.chars != self.chars or other.blend or other.order > self.order or not 0 < weight < 1:
            raise ValueError("a blend needs a plain model of the same characters and no higher order, "
                             "and a weight in (0, 1)")
        out = CharNgram(self.chars, self.order, self._contexts, self._offsets, self._symbols,
                        self._counts, self.decoding)
        out.blend = (float(weight), other)
        return out

    def indices(self, chars) -> np.ndarray | None:
        """Each of ``chars``' index in ``log_probs``, or None when the model lacks one."""
        if any(c not in self._index or c == BOUNDARY for c in chars):
            return None
        return np.array([self._index[c] for c in chars], np.int64)

    def extend(self, context, char):
        """The context after writing ``char``: the last order-1 symbols."""
        return (context + char)[-(self.order - 1):] if self.order > 1 else ""

    @classmethod
    def train(cls, texts, chars, order=8, decoding=None, min_count=1):
        """Count the n-grams (1..order) of each text between boundaries; texts
        holding characters outside ``chars`` are skipped. ``min_count``: n-grams of
        3 or more symbols seen fewer times are dropped (their contexts back off to
        shorter ones), which keeps a model of a large text small."""
        index = symbol_index(chars)
        kept = [text for text in texts if text and all(c in index and c != BOUNDARY for c in text)]
        stream = np.array([index[c] for c in BOUNDARY + BOUNDARY.join(kept) + BOUNDARY] if kept else [], np.int64)
        contexts, symbols, counts = count_ngrams(stream, len(index), order, min_count)
        names = np.array(list(chars) + [BOUNDARY])
        strings = [context_strings(names, context) for context in contexts]
        return cls.from_counts(chars, order, strings, symbols, counts, decoding)

    @classmethod
    def from_counts(cls, chars, order, contexts, symbols, counts, decoding=None):
        """A model of (context, next symbol, count) triples: per context length a
        string array of contexts with a symbol and count array beside it."""
        keys = np.concatenate([np.char.encode(c, "utf-8") for c in contexts] or [np.array([], "S1")])
        symbols, counts = np.concatenate(symbols or [[]]).astype(np.int64), np.concatenate(counts or [[]])
        order_by = np.lexsort((symbols, keys))
        keys, symbols, counts = keys[order_by], symbols[order_by], counts[order_by]
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else np.array([], int)
        offsets = np.append(starts, len(keys))
        width = np.uint8 if len(chars) < 255 else np.int32
        return cls(chars, order, keys[starts], offsets, symbols.astype(width), _smallest(counts), decoding)

    def _probs(self, context):
        """P(next | context) over the charset + end, Witten-Bell interpolated:
        p = (seen + d p') / (N + d), where ``context`` was followed N times by d
        distinct symbols (``seen`` counts each) and p' is the distribution of the
        context one symbol shorter (the uniform one below the empty context); an
        unseen context passes p' on. Each context's distribution is cached, and a
        new one is built up from its longest cached suffix (a beam's new context is
        an old one plus a character: mostly a few symbols to add)."""
        known = self._distributions
        probs = known.get(context)
        if probs is not None:
            return probs
        cut = 1
        while cut <= len(context) and context[cut:] not in known:
            cut += 1
        probs = known[context[cut:]] if cut <= len(context) else self._uniform
        self._make_room(cut)
        contexts, size = self._contexts, len(self._contexts)
        for start in range(cut - 1, -1, -1):   # shortest first
            suffix = context[start:]
            key = suffix.encode("utf-8")
            row = int(contexts.searchsorted(key))
            if row < size and contexts[row] == key:
                probs = self._interpolated(row, probs)
            known[suffix] = probs
        return probs

    def _interpolated(self, row, shorter):
        """The distribution of the context of ``row`` given that of the context one symbol shorter."""
        a, b = self._offsets_at[row], self._offsets_at[row + 1]
        counts = self._counts_at[a:b]
        total = float(sum(counts) + (b - a))   # N + d
        probs = shorter * ((b - a) / total)
        view = memoryview(probs)
        for symbol, count in zip(self._symbols_at[a:b], counts):
            view[symbol] += count / total
        return probs

    def _make_room(self, entries):
        """Forget the cached distributions when ``entries`` more would pass CACHE_LIMIT."""
        if len(self._distributions) + len(self._logs) + entries > CACHE_LIMIT:
            self._distributions.clear()
            self._logs.clear()

    def log_probs(self, context):
        """log P(next symbol | context) for each charset character, then the end."""
        context = context[-(self.order - 1):] if self.order > 1 else ""
        cached = self._logs.get(context)
        if cached is None:
            probs = self._probs(context)
            if self.blend:
                weight, other = self.blend
                probs = probs * (1 - weight)   # a new array: the cached one stays
                probs += weight * other._probs(context[max(0, len(context) - other.order + 1):])
            cached = np.log(probs)
            self._make_room(1)
            self._logs[context] = cached
        return cached

    def text_log_prob(self, text):
        """log P(text, then its end)."""
        context, total = self.start, 0.0
        for c in text:
            total += float(self.log_probs(context)[self._index[c]])
            context = self.extend(context, c)
        return total + float(self.log_probs(context)[self.end])

    def save(self, path):
        """An .npz (no pickles), written atomically."""
        from ..io.atomic import atomic_write
        meta = {"format": FORMAT, "order": self.order, "chars": self.chars, "decoding": self.decoding}
        tables = self._tables("")
        if self.blend:
            meta.update(blend_weight=self.blend[0], blend_order=self.blend[1].order)
            tables.update(self.blend[1]._tables(BLEND))

        def write(tmp):
            with open(tmp, "wb") as f:
                np.savez_compressed(f, meta=np.array(json.dumps(meta)), **tables)

        atomic_write(path, write, suffix=".npz")

    def _tables(self, prefix):
        return {prefix + "contexts": self._contexts, prefix + "offsets": self._offsets,
                prefix + "symbols": self._symbols, prefix + "counts": _smallest(self._counts)}

    @classmethod
    def load(cls, path):
        """The model saved at ``path``, checked whole (an InputError, never a model
        that fails in the middle of decoding)."""
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such language model file")
        try:
            with NpzArchive(path) as npz:
                meta = _read_meta(npz.array("meta"))
                arrays = [npz.array(key) for key in TABLES]
                _check_tables(*arrays, len(meta["chars"]))
                model = cls(meta["chars"], meta["order"], *arrays, meta.get("decoding"))
                if "blend_weight" in meta:
                    blend = [npz.array(BLEND + key) for key in TABLES]
                    _check_tables(*blend, len(meta["chars"]))
                    other = cls(meta["chars"], meta["blend_order"], *blend)
                    model = model.blended(other, meta["blend_weight"])
        except (InputError, ValueError) as e:
            reason = str(e).removeprefix(f"{path}: ")
            raise InputError(f"{path}: not a character language model ({reason})") from None
        return model


def _smallest(counts):
    """Counts in the smallest integer type that holds them (a smaller file)."""
    top = int(counts.max()) if len(counts) else 0
    return counts.astype(next(t for t in (np.int8, np.int16, np.int32, np.int64) if top <= np.iinfo(t).max))


def _read_meta(array):
    """The JSON settings saved with the model, checked; ValueError says what is wrong."""
    if array.dtype.kind != "U" or array.size != 1:
        raise ValueError("its settings are not a text")
    meta = json.loads(str(array.ravel()[0]))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError("unknown format")
    chars, order, decoding = meta.get("chars"), meta.get("order"), meta.get("decoding") or {}
    single = isinstance(chars, list) and all(isinstance(c, str) and len(c) == 1 for c in chars)
    if not single or len(set(chars)) != len(chars) or BOUNDARY in chars:
        raise ValueError("its characters are not a list of distinct single characters")
    if not isinstance(order, int) or isinstance(order, bool) or order < 1:
        raise ValueError(f"order {order!r} is not a whole number from 1")
    if "blend_weight" in meta:
        weight, other = meta["blend_weight"], meta.get("blend_order")
        if not _is_number(weight) or not 0 < weight < 1:
            raise ValueError(f"blend weight {weight!r} is not a number between 0 and 1")
        if not isinstance(other, int) or isinstance(other, bool) or not 1 <= other <= order:
            raise ValueError(f"blend order {other!r} is not a whole number from 1 to the order")
    settings = dict(DEFAULT_DECODING, **decoding) if isinstance(decoding, dict) else {"decoding": decoding}
    if not all(_is_number(value) for value in settings.values()):
        raise ValueError("its decoding settings are not numbers")
    if not isinstance(settings["beam_width"], int) or settings["beam_width"] < 0:
        raise ValueError(f"beam width {settings['beam_width']!r} is not a whole number from 0")
    return meta


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _check_tables(contexts, offsets, symbols, counts, chars):
    """The n-gram tables agree with each other: ValueError says where not."""
    if any(a.ndim != 1 for a in (contexts, offsets, symbols, counts)) or contexts.dtype.kind != "S":
        raise ValueError("its tables are not lists of the saved kinds")
    if any(a.dtype.kind not in "iu" for a in (offsets, symbols, counts)):
        raise ValueError("its offsets, symbols and counts are not integers")
    if len(offsets) != len(contexts) + 1 or len(symbols) != len(counts):
        raise ValueError("its tables differ in length")
    if offsets[0] != 0 or offsets[-1] != len(symbols) or (np.diff(offsets.astype(np.int64)) < 0).any():
        raise ValueError("its offsets do not cover the symbols in order")
    if len(symbols) and (symbols.min() < 0 or symbols.max() > chars or counts.min() < 1):
        raise ValueError("a symbol is outside its characters or a count is not positive")
    if len(contexts) > 1 and not (contexts[:-1] < contexts[1:]).all():
        raise ValueError("its contexts are not sorted")


def lm_path_for(model_path):
    """Where a line model's language model lives: beside it, same stem."""
    stem, ext = os.path.splitext(model_path)
    return (stem if ext in (".keras", ".tflite") else model_path) + ".lm.npz"

