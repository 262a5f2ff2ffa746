"""CTC decoding in pure numpy (the reader's fast path never imports TensorFlow).

``posteriors`` are the network's softmax outputs for one image, shape (T, C),
with the blank as the last class (``C - 1``). Both decoders return a
``Decoded``: the text, the class index of each character, each character's
confidence and the span of frames (first, last) it was read from, which
``preprocess.placed`` turns into x positions in the image.

* ``greedy``: best class per frame, repeats merged, blanks removed. A
  character's frames are the run of frames where it was the best class; its
  confidence is the highest posterior of that character over the run.
* ``beam_search``: CTC prefix beam search (``beam.search``: it sums over all
  the alignments of a prefix, so it can beat greedy when the probability mass
  is spread out, and it can weigh in a language model). Spans
  and confidences come from the best (Viterbi) alignment of the chosen text,
  ``align``; a character's confidence is again its highest posterior over its
  frames.
"""
from dataclasses import dataclass, field

import numpy as np

from .beam import LOG_EPS, MAX_CANDIDATES, NEG_INF, search


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


def _lattice(probs, labels, blank):
    """The CTC lattice of the (non-empty) ``labels``: its 2 * len + 1 states' log
    posteriors per frame (T, S), blanks between and around the labels, and per state
    the cost of a skip from two states back: 0 into a label that differs from the
    label before, -inf elsewhere."""
    S = 2 * len(labels) + 1
    states = np.full(S, blank, dtype=np.int64)
    states[1::2] = labels
    jump = np.full(S, NEG_INF)
    jump[3::2] = np.where(np.array(labels[1:]) != np.array(labels[:-1]), 0.0, NEG_INF)
    return np.log(np.maximum(probs, LOG_EPS))[:, states], jump


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
    logp, jump_cost = _lattice(probs, labels, blank)
    S = logp.shape[1]
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
    allowed = np.isfinite(jump_cost).tolist()
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


def beam_search(posteriors, labels, beam_width=10, length=None, prune=1e-4, lm=None, lm_weight=0.0,
                char_bonus=0.0, max_candidates=MAX_CANDIDATES):
    """CTC prefix beam search (``beam.search``: the arguments are its), with the
    spans and confidences of the text's best alignment."""
    probs, chars = _check(posteriors, labels, length)
    if len(probs) == 0:
        return Decoded("")
    prefix, log_prob = search(probs, chars, beam_width, prune, lm, lm_weight, char_bonus, max_candidates)
    out = aligned(probs, chars, prefix, log_prob)
    return greedy(probs, labels) if out is None else out   # None cannot happen for a prefix the search built


def aligned(probs, chars, indices, log_prob):
    """A Decoded of the text ``indices`` (class indices) with the spans and
    confidences of its best alignment to ``probs``; None when it does not fit."""
    spans = align(probs, indices, len(chars)) if indices else []
    if spans is None:
        return None
    return Decoded("".join(chars[i] for i in indices), indices=list(indices), log_prob=log_prob, spans=spans,
                   confidences=[float(probs[s:e + 1, c].max()) for c, (s, e) in zip(indices, spans)])


def log_likelihood(posteriors, indices, blank=None):
    """log P(the labels ``indices`` | the frames), summed over all their CTC
    alignments (the forward algorithm); -inf when they do not fit in the frames."""
    probs = np.asarray(posteriors, dtype=np.float64)
    blank = probs.shape[1] - 1 if blank is None else blank
    labels = [int(i) for i in indices]
    if not labels:
        return float(np.log(np.maximum(probs[:, blank], LOG_EPS)).sum())
    if len(probs) == 0:
        return NEG_INF
    logp, jump = _lattice(probs, labels, blank)
    alpha = np.full(logp.shape[1] + 2, NEG_INF)   # two -inf entries first: the states before state 0
    alpha[2], alpha[3] = logp[0, 0], logp[0, 1]
    with np.errstate(invalid="ignore"):   # -inf - -inf inside logaddexp where no path reaches
        for t in range(1, len(logp)):
            step = np.logaddexp(np.logaddexp(alpha[2:], alpha[1:-1]), alpha[:-2] + jump)
            alpha[2:] = step + logp[t]
    return float(np.logaddexp(alpha[-1], alpha[-2]))


def decode(posteriors, labels, beam_width=0, length=None, lm=None, lm_weight=0.0, char_bonus=0.0):
    """Greedy when ``beam_width`` < 2, else beam search (with ``lm`` when given)."""
    if beam_width and beam_width > 1:
        return beam_search(posteriors, labels, beam_width=beam_width, length=length, lm=lm,
                           lm_weight=lm_weight, char_bonus=char_bonus)
    return greedy(posteriors, labels, length=length)
