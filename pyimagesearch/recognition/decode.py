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
