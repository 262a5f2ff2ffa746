"""The glyph path's decoder: a beam search over each glyph's likeliest classes (the
character classifier's posteriors, word gaps as spaces), scored with a character
language model, as ``decode.beam_search`` does for the line model's CTC frames."""
from dataclasses import dataclass

import numpy as np

from .beam import LOG_EPS

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
