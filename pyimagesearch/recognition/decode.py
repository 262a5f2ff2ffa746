"""CTC decoding in pure numpy (the reader's fast path never imports TensorFlow).

``posteriors`` are the network's softmax outputs for one image, shape (T, C),
with the blank as the last class (``C - 1``). Both decoders return a
``Decoded``: the text, the class index of each character, each character's
confidence and the span of frames (first, last) it was read from, which
``preprocess.placed`` turns into x positions in the image.

* ``greedy``: best class per frame, repeats merged, blanks removed. A
  character's frames are the run of frames where it was the best class; its
  confidence is the highest posterior of that character over the run.
* ``beam_search``: CTC prefix beam search (sums over all the alignments of a
  prefix, so it can beat greedy when the probability mass is spread out). Spans
  and confidences come from the best (Viterbi) alignment of the chosen text,
  ``align``; a character's confidence is again its highest posterior over its
  frames.
"""
import heapq
import math
import weakref
from dataclasses import dataclass, field

import numpy as np

LOG_EPS = 1e-12
MAX_CANDIDATES = 24   # characters tried per frame by the beam search, at most
NEG_INF = -np.inf
# a frame this sure of the blank is taken as the blank alone and nothing is tried there (many of
# the frames between letters); the validation persons' CER with the language model did not change
# with this, at 0.99 it rose
BLANK_SURE = 0.999
ROW_CACHE_LIMIT = 20_000   # language model rows kept per model and setting (~55 MB at most: a reader stays bounded)
_ROWS = weakref.WeakKeyDictionary()   # language model -> {(weight, bonus, chars, digits alike): {context: row}}


@dataclass
class Decoded:
    text: str
    indices: list = field(default_factory=list)
    confidences: list = field(default_factory=list)
    spans: list = field(default_factory=list)   # (first frame, last frame) per character
    columns: list = field(default_factory=list)  # (x0, x1) per character in its image, once ``preprocess.placed``
    log_prob: float = 0.0   # greedy: log prob of the best path; beam: of the text (all paths)

    @property
    def confidence(self):
        """The weakest character's confidence (1.0 for an empty text)."""
        return float(min(self.confidences)) if self.confidences else 1.0


def _chars(labels):
    return list(labels.chars) if hasattr(labels, "chars") else list(labels)


def _check(posteriors, labels, length):
    probs = np.asarray(posteriors, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"posteriors must be (frames, classes), got shape {probs.shape}")
    chars = _chars(labels)
    if probs.shape[1] != len(chars) + 1:
        raise ValueError(f"{probs.shape[1]} classes but {len(chars)} labels + blank")
    if length is not None:
        probs = probs[:int(length)]
    return probs, chars


def greedy(posteriors, labels, length=None):
    """Best-path decoding; ``length`` ignores the frames after it (padding)."""
    probs, chars = _check(posteriors, labels, length)
    blank = len(chars)
    if len(probs) == 0:
        return Decoded("")
    best = probs.argmax(axis=1)
    log_prob = float(np.log(np.maximum(probs[np.arange(len(best)), best], LOG_EPS)).sum())
    # runs of equal best classes: [start, end) with class best[start]
    change = np.flatnonzero(np.diff(best)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(best)]])
    out = Decoded("", log_prob=log_prob)
    for s, e in zip(starts, ends):
        c = int(best[s])
        if c == blank:
            continue
        out.indices.append(c)
        out.confidences.append(float(probs[s:e, c].max()))
        out.spans.append((int(s), int(e - 1)))
    out.text = "".join(chars[i] for i in out.indices)
    return out


def align(posteriors, indices, blank=None):
    """Viterbi (best single path) alignment of a label sequence to the frames.

    Returns one (first, last) frame span per label, or None when the sequence
    cannot fit in the frames. ``blank`` defaults to the last class."""
    probs = np.asarray(posteriors, dtype=np.float64)
    T, C = probs.shape
    blank = C - 1 if blank is None else blank
    labels = [int(i) for i in indices]
    if not labels:
        return []
    S = 2 * len(labels) + 1
    states = np.full(S, blank, dtype=np.int64)
    states[1::2] = labels
    logp = np.log(np.maximum(probs, LOG_EPS))[:, states]   # (T, S)
    # a skip from s-2 to s is allowed into a label that differs from the label before
    skip = np.zeros(S, dtype=bool)
    skip[3::2] = np.array(labels[1:]) != np.array(labels[:-1])
    jump_cost = np.where(skip, 0.0, NEG_INF)
    scores = np.full((T, S + 2), NEG_INF)   # two -inf columns first: the states before state 0
    scores[0, 2], scores[0, 3] = logp[0, 0], logp[0, 1]
    best = np.empty(S)
    for t in range(1, T):
        before = scores[t - 1]
        np.maximum(before[2:], before[1:-1], out=best)
        np.maximum(best, before[:-2] + jump_cost, out=best)
        np.add(best, logp[t], out=scores[t, 2:])
    scores = scores[:, 2:].tolist()
    end = S - 1 if scores[-1][S - 1] >= scores[-1][S - 2] else S - 2
    if not np.isfinite(scores[-1][end]):
        return None
    path = np.empty(T, dtype=np.int64)
    s = end
    allowed = skip.tolist()
    for t in range(T - 1, 0, -1):   # back along the best predecessors (stay first, as argmax picks)
        path[t] = s
        before, stay = scores[t - 1], s
        if s >= 1 and before[s - 1] > before[s]:
            s = stay - 1
        if allowed[stay] and before[stay - 2] > before[s]:
            s = stay - 2
    path[0] = s
    spans = []
    for k in range(len(labels)):
        where = np.flatnonzero(path == 2 * k + 1)
        if len(where) == 0:
            return None
        spans.append((int(where[0]), int(where[-1])))
    return spans


def frame_candidates(probs, prune=1e-4, max_candidates=MAX_CANDIDATES):
    """Per frame, the characters (not the blank, the last class) a beam search
    tries there: those of at least ``prune`` posterior, at most
    ``max_candidates`` of them (the likeliest), and always the frame's likeliest
    character."""
    chars = probs[:, :-1]
    order = np.argsort(-chars, axis=1, kind="stable")[:, :max_candidates]
    keep = np.take_along_axis(chars, order, axis=1) >= prune
    keep[:, 0] = True
    return [row[k] for row, k in zip(order, keep)]


def _logaddexp(a, b):
    """log(exp(a) + exp(b)) of two Python floats (numpy's ufunc is 10x slower on scalars)."""
    if a < b:
        a, b = b, a
    if b == NEG_INF:
        return a
    return a + math.log1p(math.exp(b - a))


class _Prefixes:
    """The texts the beam search has built, as a tree: node 0 is the empty text,
    every other node one character (``char``) after its ``parent`` node, so a
    text is extended in constant time and named by one number (hashing and
    copying tuples of characters cost more than the search itself)."""

    def __init__(self):
        self.parent, self.char = [-1], [-1]

    def add(self, parent, char):
        self.parent.append(parent)
        self.char.append(char)
        return len(self.char) - 1

    def text(self, node):
        """The class indices of a node's text, first to last."""
        out = []
        while node > 0:
            out.append(self.char[node])
            node = self.parent[node]
        return out[::-1]


class _Fusion:
    """Shallow fusion of a language model: per context, the list
    weight * log P_lm(next symbol | context) + bonus, made once per model and
    setting and kept between searches.

    With ``digits_alike`` set in the model's decoding settings, inside a
    number (after a digit) the model decides whether another digit comes, not
    which one: each digit gets the mean of the digits' probabilities. The house
    numbers, ZIP codes and years of the training texts are no evidence for the
    digits of a new number, and generated dates, phone numbers, amounts and IDs
    read worse when the n-grams chose among digits
    (``bench/bench_line_decoding.py``); but a number the training texts hold
    (a prompt's ZIP code) is then no longer recalled. Before the first digit the
    model's own probabilities always stay: spread evenly there, a rare digit
    would gain on the punctuation it looks like (``?`` read as ``7``)."""

    def __init__(self, lm, chars, lm_weight, char_bonus):
        self.lm, self.chars, self.weight, self.bonus = lm, chars, lm_weight, char_bonus
        alike = getattr(lm, "decoding", {}).get("digits_alike", 0)
        self.digits = [k for k, c in enumerate(chars) if c.isdigit()] if alike else []
        # kept with the model between searches: the lines of a page share most contexts
        self.rows = _ROWS.setdefault(lm, {}).setdefault((lm_weight, char_bonus, tuple(chars), bool(alike)), {})

    def row(self, context):
        row = self.rows.get(context)
        if row is None:
            if len(self.rows) > ROW_CACHE_LIMIT:
                self.rows.clear()
            log_probs = self.lm.log_probs(context)
            if len(self.digits) > 1 and context[-1:].isdigit():
                log_probs = log_probs.copy()
                log_probs[self.digits] = np.logaddexp.reduce(log_probs[self.digits]) - math.log(len(self.digits))
            row = self.rows[context] = (self.weight * log_probs + self.bonus).tolist()
        return row

    def start(self):
        return self.lm.start, self.row(self.lm.start)

    def extend(self, context, char):
        context = self.lm.extend(context, self.chars[char])
        return context, self.row(context)

    def end(self, row):
        """weight * log P_lm(end of text | prefix) (the end is no character: no bonus)."""
        return row[self.lm.end] - self.bonus


def _step(beams, lp, candidates, prefixes, fusion):
    """One frame: {node: [pb, pnb, language, context, row]} of the prefixes as
    they are (a blank, or their last character again), and the new prefixes as
    (score, pnb, parent node, character, language score). ``lp``: the frame's
    log posteriors, blank last. A prefix + c already in the beam is no new
    prefix: its paths add to that entry's."""
    blank = lp[-1]
    kids = {}
    for node in beams:
        kids.setdefault(prefixes.parent[node], {})[prefixes.char[node]] = node
    stays = {node: [NEG_INF, NEG_INF, *entry[2:]] for node, entry in beams.items()}
    grown = []
    for node, (pb, pnb, language, _, row) in beams.items():
        total = _logaddexp(pb, pnb)
        last = prefixes.char[node]
        stay = stays[node]
        stay[0] = total + blank
        if node:
            stay[1] = _logaddexp(stay[1], pnb + lp[last])
        children = kids.get(node, {})
        for c in candidates:
            p = (pb if c == last else total) + lp[c]   # a repeated character needs a blank between
            if c in children:
                merged = stays[children[c]]
                merged[1] = _logaddexp(merged[1], p)
            elif row is None:
                grown.append((p + language, p, node, c, language))
            else:
                score = language + row[c]
                grown.append((p + score, p, node, c, score))
    return stays, grown


def _prune(stays, grown, beam_width, prefixes, fusion):
    """The ``beam_width`` best prefixes of a frame (``_step``) as the next beam."""
    ranked = [(_logaddexp(e[0], e[1]) + e[2], node) for node, e in stays.items()]
    ranked += [(g[0], -1 - k) for k, g in enumerate(grown)]
    beams = {}
    for _, key in heapq.nlargest(beam_width, ranked):
        if key >= 0:
            beams[key] = stays[key]
            continue
        _, pnb, parent, c, language = grown[-1 - key]
        context, row = fusion.extend(stays[parent][3], c) if fusion else (None, None)
        beams[prefixes.add(parent, c)] = [NEG_INF, pnb, language, context, row]
    return beams


def beam_search(posteriors, labels, beam_width=10, length=None, prune=1e-4, lm=None, lm_weight=0.0,
                char_bonus=0.0, max_candidates=MAX_CANDIDATES):
    """CTC prefix beam search. Characters below ``prune`` posterior in a frame
    are not tried there (the frame's best character always is; 1e-3 was faster
    but less accurate on the validation persons with the language model), nor more
    than ``max_candidates`` per frame: an untrained network or a crop of no
    writing spreads its posteriors flat, and trying all 83 characters in every
    frame made such lines about 3x slower to decode (with 24 the validation CER
    did not change; with 16 it rose).

    With a language model (``language.CharNgram``), each prefix is ranked by
    log P_ctc(prefix) + ``lm_weight`` * log P_lm(prefix) + ``char_bonus`` * its
    length (shallow fusion; the bonus offsets the language model's cost per
    character, which would otherwise favour dropping characters), and a finished
    text also pays the language model's end-of-text probability. The language
    model is asked only about the prefixes kept in the beam."""
    probs, chars = _check(posteriors, labels, length)
    blank = len(chars)
    if len(probs) == 0:
        return Decoded("")
    logp = np.log(np.maximum(probs, LOG_EPS))
    fusion = _Fusion(lm, chars, lm_weight, char_bonus) if lm is not None and lm_weight > 0 else None
    prefixes = _Prefixes()
    beams = {0: [0.0, NEG_INF, 0.0, *(fusion.start() if fusion else (None, None))]}
    for lp, candidates, blank_only in zip(logp, frame_candidates(probs, prune, max_candidates),
                                          probs[:, -1] >= BLANK_SURE):
        if blank_only:   # every prefix stays as it is, its paths all ending in a blank
            lb = float(lp[-1])
            for entry in beams.values():
                entry[0], entry[1] = _logaddexp(entry[0], entry[1]) + lb, NEG_INF
            continue
        stays, grown = _step(beams, lp.tolist(), candidates.tolist(), prefixes, fusion)
        beams = _prune(stays, grown, beam_width, prefixes, fusion)

    def final_score(node):
        pb, pnb, language, _, row = beams[node]
        return _logaddexp(pb, pnb) + language + (fusion.end(row) if fusion else 0.0)

    best = max(beams, key=final_score)
    prefix = prefixes.text(best)
    out = Decoded("".join(chars[i] for i in prefix), indices=prefix, log_prob=_logaddexp(*beams[best][:2]))
    spans = align(probs, prefix, blank) if prefix else []
    if spans is None:   # cannot happen for a prefix the search built; be safe
        return greedy(probs, labels)
    out.spans = spans
    out.confidences = [float(probs[s:e + 1, c].max()) for c, (s, e) in zip(prefix, spans)]
    return out


def decode(posteriors, labels, beam_width=0, length=None, lm=None, lm_weight=0.0, char_bonus=0.0):
    """Greedy when ``beam_width`` < 2, else beam search (with ``lm`` when given)."""
    if beam_width and beam_width > 1:
        return beam_search(posteriors, labels, beam_width=beam_width, length=length, lm=lm,
                           lm_weight=lm_weight, char_bonus=char_bonus)
    return greedy(posteriors, labels, length=length)
