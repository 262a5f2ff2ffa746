"""CTC prefix beam search in pure numpy, with shallow fusion of a character
language model: which texts (class indices) the frames most likely spell.
``decode.beam_search`` turns the search's text into a ``decode.Decoded``.
"""
import heapq
import math
import weakref

import numpy as np

LOG_EPS = 1e-12   # a posterior's floor before its log
MAX_CANDIDATES = 24   # characters tried per frame, at most
NEG_INF = -np.inf
# a frame this sure of the blank is taken as the blank alone and nothing is tried there (many of
# the frames between letters); the validation persons' CER with the language model did not change
# with this, and it rose when a less sure frame counted as the blank
BLANK_SURE = 0.999
ROW_CACHE_LIMIT = 20_000   # language model rows kept per model and setting (a reader stays bounded)
_ROWS = weakref.WeakKeyDictionary()   # language model -> {(weight, bonus, chars, digits alike): {context: row}}


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
    """log(exp(a) + exp(b)) of two Python floats (numpy's ufunc is much slower on scalars)."""
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


def _step(beams, lp, candidates, prefixes):
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



def search(probs, chars, beam_width=10, prune=1e-4, lm=None, lm_weight=0.0, char_bonus=0.0,
           max_candidates=MAX_CANDIDATES) -> tuple:
    """(class indices of the likeliest text, log P_ctc of that text summed over all
    its alignments) of ``probs`` (frames, classes; the blank last, at least one frame).

    Characters below ``prune`` posterior in a frame are not tried there (the
    frame's best character always is), nor more than ``max_candidates`` per
    frame: an untrained network or a crop of no writing spreads its posteriors
    flat, and trying every character in every frame makes such lines slow to
    decode.

    With a language model (``language.CharNgram``), each prefix is ranked by
    log P_ctc(prefix) + ``lm_weight`` * log P_lm(prefix) + ``char_bonus`` * its
    length (shallow fusion; the bonus offsets the language model's cost per
    character, which would otherwise favour dropping characters), and a finished
    text also pays the language model's end-of-text probability. The language
    model is asked only about the prefixes kept in the beam."""
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
        stays, grown = _step(beams, lp.tolist(), candidates.tolist(), prefixes)
        beams = _prune(stays, grown, beam_width, prefixes, fusion)

    def final_score(node):
        pb, pnb, language, _, row = beams[node]
        return _logaddexp(pb, pnb) + language + (fusion.end(row) if fusion else 0.0)

    best = max(beams, key=final_score)
    return prefixes.text(best), _logaddexp(*beams[best][:2])
