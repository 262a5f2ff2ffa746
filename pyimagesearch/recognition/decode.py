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
from dataclasses import dataclass, field

import numpy as np

LOG_EPS = 1e-12
MAX_CANDIDATES = 24   # characters tried per frame by the beam search, at most
NEG_INF = -np.inf


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
    score = np.full(S, NEG_INF)
    score[0] = logp[0, 0]
    score[1] = logp[0, 1]
    back = np.zeros((T, S), dtype=np.int8)   # 0 stay, 1 from s-1, 2 from s-2
    for t in range(1, T):
        stay = score
        step = np.concatenate([[NEG_INF], score[:-1]])
        jump = np.where(skip, np.concatenate([[NEG_INF, NEG_INF], score[:-2]]), NEG_INF)
        choices = np.stack([stay, step, jump])
        back[t] = choices.argmax(axis=0)
        score = choices.max(axis=0) + logp[t]
    end = S - 1 if score[S - 1] >= score[S - 2] else S - 2
    if not np.isfinite(score[end]):
        return None
    path = np.empty(T, dtype=np.int64)
    s = end
    for t in range(T - 1, -1, -1):
        path[t] = s
        s -= int(back[t, s])   # a Python int: s - int8 would stay int8 (NEP 50) and overflow past 127
    spans = []
    for k in range(len(labels)):
        where = np.flatnonzero(path == 2 * k + 1)
        if len(where) == 0:
            return None
        spans.append((int(where[0]), int(where[-1])))
    return spans


def _logaddexp(a, b):
    """log(exp(a) + exp(b)) of two Python floats (numpy's ufunc is 10x slower on scalars)."""
    if a < b:
        a, b = b, a
    if b == NEG_INF:
        return a
    return a + math.log1p(math.exp(b - a))


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
    text also pays the language model's end-of-text probability."""
    probs, chars = _check(posteriors, labels, length)
    blank = len(chars)
    if len(probs) == 0:
        return Decoded("")
    logp = np.log(np.maximum(probs, LOG_EPS))
    fused = lm is not None and lm_weight > 0
    # prefix -> (log P(prefix, ending in blank), log P(prefix, ending in its last char),
    #            language score of the prefix, language model context)
    beams = {(): (0.0, NEG_INF, 0.0, lm.start if fused else None)}
    for t in range(len(probs)):
        lp = logp[t].tolist()
        frame = probs[t, :blank]
        candidates = np.flatnonzero(frame >= prune)
        if len(candidates) > max_candidates:
            candidates = candidates[np.argsort(-frame[candidates])[:max_candidates]]
        candidates = candidates.tolist() or [int(frame.argmax())]
        nxt = {}

        def add(prefix, pb, pnb, language, context):
            old = nxt.get(prefix)
            if old is None:
                nxt[prefix] = (pb, pnb, language, context)
            else:
                nxt[prefix] = (_logaddexp(old[0], pb), _logaddexp(old[1], pnb), language, context)

        for prefix, (pb, pnb, language, context) in beams.items():
            total = _logaddexp(pb, pnb)
            add(prefix, total + lp[blank], NEG_INF, language, context)   # a blank: same prefix
            if prefix:
                add(prefix, NEG_INF, pnb + lp[prefix[-1]], language, context)   # the last char again: merged
            following = lm.log_probs(context) if fused else None
            for c in candidates:
                if fused:
                    extended = (language + lm_weight * float(following[c]) + char_bonus,
                                lm.extend(context, chars[c]))
                else:
                    extended = (language, None)
                if prefix and c == prefix[-1]:
                    add(prefix + (c,), NEG_INF, pb + lp[c], *extended)   # a repeat needs a blank between
                else:
                    add(prefix + (c,), NEG_INF, total + lp[c], *extended)
        beams = dict(heapq.nlargest(beam_width, nxt.items(),
                                    key=lambda kv: _logaddexp(kv[1][0], kv[1][1]) + kv[1][2]))

    def final_score(kv):
        pb, pnb, language, context = kv[1]
        end = lm_weight * float(lm.log_probs(context)[lm.end]) if fused else 0.0
        return _logaddexp(pb, pnb) + language + end

    prefix, (pb, pnb, _, _) = max(beams.items(), key=final_score)
    out = Decoded("".join(chars[i] for i in prefix), indices=list(prefix), log_prob=_logaddexp(pb, pnb))
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


GLYPH_CANDIDATES = 5           # classes tried per glyph by the glyph beam search, at most
GLYPH_MIN_PROBABILITY = 1e-4   # ... and none less likely than this (but the glyph's first)
GLYPH_BEAM = 16                # readings kept after each glyph


@dataclass
class GlyphReading:
    """The glyph beam search's reading: the class of each glyph, and per glyph its
    candidate classes with their posteriors given the reading around them."""
    choices: np.ndarray      # (n,) class index per glyph
    candidates: np.ndarray   # (n, k) class indices, most likely first
    posteriors: np.ndarray   # (n, k) their probabilities (over the candidates; the classifier's without a model)


def glyph_beam_search(probs, labels, gaps, lm=None, lm_weight=0.0, beam_width=GLYPH_BEAM,
                      top_k=GLYPH_CANDIDATES, prior=None, switch_cost=0.0) -> GlyphReading:
    """Read a line of separately classified glyphs: ``probs`` (n, C) the
    classifier's posteriors, ``gaps[i]`` True where a word gap (a space) comes
    before glyph i. Each reading is ranked by the sum of its glyphs' log
    posteriors + ``lm_weight`` * log P_lm(the text with its spaces, then its end);
    only the ``top_k`` classes of each glyph are tried, and of those only the ones
    at least GLYPH_MIN_PROBABILITY likely. ``prior`` (C,), with the
    language model only: log weights added to the classes' log posteriors (to undo
    a classifier's tilt towards some classes). ``switch_cost``: subtracted for each
    change from a letter to a digit or back inside a word: after such a change the
    n-gram model meets a context it has rarely seen and backs off to a short one,
    which rates what follows too kindly (``P1NK`` near ``PINK``). Every reading has one
    character per glyph, so a per-character bonus (the CTC search's) would add the
    same to all of them and has no place here. Readings whose language model
    contexts agree are merged (the better one kept): their futures score the same.

    The posteriors in the result weigh each candidate of a glyph with the chosen
    reading around it (the language model over the characters it affects);
    without a language model they are the classifier's."""
    probs = np.asarray(probs, np.float64)
    k = min(top_k, probs.shape[1])
    candidates = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    with np.errstate(divide="ignore"):
        logp = np.log(np.take_along_axis(probs, candidates, axis=1))
    logp[:, 0] = np.maximum(logp[:, 0], np.log(LOG_EPS))
    logp[:, 1:][logp[:, 1:] < np.log(GLYPH_MIN_PROBABILITY)] = -np.inf
    symbols = lm.indices(list(labels) + [" "]) if lm is not None and lm_weight > 0 else None
    if symbols is None or len(probs) == 0:
        return GlyphReading(candidates[:, 0], candidates, np.take_along_axis(probs, candidates, axis=1))
    if prior is not None:
        logp = logp + np.asarray(prior, np.float64)[candidates]
    language = GlyphLanguage(lm, lm_weight, dict(zip(list(labels) + [" "], symbols.tolist())), switch_cost)
    choices = _glyph_beam(logp, candidates, gaps, labels, language, beam_width)
    posteriors = _rescore(logp, candidates, choices, gaps, labels, language)
    return GlyphReading(choices, candidates, posteriors)


@dataclass
class GlyphLanguage:
    """The language side of the glyph beam search."""
    lm: object
    weight: float
    index: dict           # character (and the space) -> its index in the model's distributions
    switch_cost: float

    def __post_init__(self):
        self.kinds = {c: _kind(c) for c in self.index}

    def switches(self, before: list, kinds: np.ndarray) -> np.ndarray:
        """(len(before), len(kinds)): 1 where characters of ``kinds`` (``_kind``) change
        kind from the characters ``before`` them in the same word."""
        left = np.array([self.kinds.get(c, 0) for c in before])[:, None]
        return ((left != kinds[None, :]) & (left != 0) & (kinds[None, :] != 0)).astype(float)

    def switches_around(self, text: list, at: int) -> int:
        """How many of ``text[at]``'s neighbours in its word are of the other kind."""
        kind = self.kinds[text[at]]
        neighbours = (self.kinds[text[q]] for q in (at - 1, at + 1) if 0 <= q < len(text))
        return sum(1 for other in neighbours if kind and other and other != kind)


def _kind(char):
    """1 a digit, 2 a letter, 0 anything else (a space, the start)."""
    return 1 if char.isdigit() else 2 if char.isalpha() else 0


def _glyph_beam(logp, candidates, gaps, labels, language, beam_width):
    """The best reading's class per glyph."""
    lm, weight = language.lm, language.weight
    symbols = np.array([language.index[c] for c in labels])
    kinds = np.array([language.kinds[c] for c in labels])
    space = language.index[" "]
    contexts, scores = [lm.start], np.zeros(1)
    paths = np.zeros((1, 0), np.int64)
    for i in range(len(logp)):
        if gaps[i]:
            scores = scores + weight * np.array([lm.log_probs(c)[space] for c in contexts])
            contexts = [lm.extend(c, " ") for c in contexts]
        following = np.stack([lm.log_probs(c) for c in contexts])[:, symbols[candidates[i]]]
        total = scores[:, None] + logp[i][None, :] + weight * following
        if language.switch_cost:
            total -= language.switch_cost * language.switches([c[-1:] for c in contexts], kinds[candidates[i]])
        order = np.argsort(-total, axis=None, kind="stable")
        kept, seen = [], set()
        for flat in order.tolist():
            b, j = divmod(flat, total.shape[1])
            if not np.isfinite(total[b, j]):
                break
            context = lm.extend(contexts[b], labels[candidates[i, j]])
            if context in seen:
                continue
            seen.add(context)
            kept.append((b, j, context))
            if len(kept) == beam_width:
                break
        if not kept:   # nothing allowed here: keep the classifier's first choice
            kept = [(b, 0, lm.extend(c, labels[candidates[i, 0]])) for b, c in enumerate(contexts)]
        rows, cols = np.array([b for b, _, _ in kept]), np.array([j for _, j, _ in kept])
        scores = total[rows, cols]
        paths = np.concatenate([paths[rows], candidates[i, cols][:, None]], axis=1)
        contexts = [c for _, _, c in kept]
    ends = weight * np.array([lm.log_probs(c)[lm.end] for c in contexts])
    return paths[int(np.argmax(scores + ends))]


def _rescore(logp, candidates, choices, gaps, labels, language):
    """Per glyph, each candidate's probability with the rest of the reading fixed:
    its log posterior + weight * the language model's score of the characters whose
    context it is part of (itself and the next order-1), normalised over the candidates.
    Its kind switches with its neighbours in the word cost as in the search."""
    text, where = [], []
    for i, c in enumerate(choices):
        if gaps[i]:
            text.append(" ")
        where.append(len(text))
        text.append(labels[c])
    scores = np.full(logp.shape, -np.inf)
    for i in range(len(choices)):
        tried = np.flatnonzero(np.isfinite(logp[i])).tolist() or [0]
        if len(tried) == 1:   # nothing else was likely enough to be tried: nothing to weigh
            scores[i, tried[0]] = 0.0
            continue
        for j in tried:
            text[where[i]] = labels[candidates[i, j]]
            scores[i, j] = logp[i, j] + _window_score(language, text, where[i])
        text[where[i]] = labels[choices[i]]
    scores -= scores.max(axis=1, keepdims=True)
    shares = np.exp(scores)
    return shares / shares.sum(axis=1, keepdims=True)


def _window_score(language, text, at):
    """weight * log P_lm of the characters from ``at`` while ``text[at]`` is in their
    context (and of the end of the text when it is), less the cost of its kind switches."""
    lm, index = language.lm, language.index
    span = max(lm.order, 1)
    total = 0.0
    for q in range(at, min(at + span, len(text) + 1)):
        context = lm.start + "".join(text[max(0, q - span + 1):q])
        symbol = lm.end if q == len(text) else index[text[q]]
        total += float(lm.log_probs(context)[symbol])
    return language.weight * total - language.switch_cost * language.switches_around(text, at)
