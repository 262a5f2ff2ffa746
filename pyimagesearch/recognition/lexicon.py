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
(``build``, the same items ``lm_build`` tunes the language model on) and saved
in the file's first line. The list: the words of the training texts and those
of public-domain English seen ENGLISH_MIN_COUNT times, in lower case.

    python -m pyimagesearch.recognition.lexicon -m line_model.keras --text ../shared/text
"""
import collections
import gzip
import os
import re
import sys
import time

import numpy as np

from ..errors import InputError, cli_main
from ..places import SHARED_TEXT
from .decode import aligned, log_likelihood

FORMAT = "pyimagesearch-lexicon-1"
MIN_LENGTH = 4          # shorter words have many listed neighbours one edit away
ENGLISH_MIN_COUNT = 2   # a word seen once in the English texts is as often a misspelling as a word
BONUSES = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)   # tried by ``build``; 0.0 corrects only where the frames agree
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
        text, index = decoded.text, {c: k for k, c in enumerate(chars)}
        weight, per_char = lm.decoding["lm_weight"], lm.decoding["char_bonus"]
        changed = text
        for match in WORD.finditer(text):
            start, end = match.span()
            word = match.group()
            if len(word) < MIN_LENGTH or word.lower() in self.words or _touches_digit(text, start, end):
                continue
            first = decoded.spans[start - 1][1] + 1 if start else 0
            last = decoded.spans[end][0] if end < len(text) else len(probs)
            frames = probs[first:last]

            def score(candidate):
                line = text[:start] + candidate + text[end:]
                if any(c not in index for c in candidate):
                    return -np.inf
                return (log_likelihood(frames, [index[c] for c in candidate])
                        + weight * lm.text_log_prob(line) + per_char * len(line))

            best = max(self.neighbours(word), key=score, default=None)
            if best is not None and score(best) + bonus > score(word):
                offset = len(changed) - len(text)
                changed = changed[:start + offset] + best + changed[end + offset:]
        if changed == text:
            return decoded
        indices = [index[c] for c in changed]
        out = aligned(probs, chars, indices, log_likelihood(probs, indices))
        return decoded if out is None else out

    def save(self, path):
        """A gzip text file, written atomically: the format and bonus, then a word a line."""
        from ..io.atomic import atomic_write

        def write(tmp):
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                f.write(f"{FORMAT}\tbonus={self.bonus}\n")
                f.writelines(f"{w}\n" for w in sorted(self.words))
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


def build(model_path, corpus, train_items, val_items, texts, text_dir, progress=True):
    """Make the word list of a line model (its training texts' words and the
    English texts' in ``text_dir``), choose its bonus on the validation persons
    (``lm_build.tuning_items``, read with the model's language model) and save it
    beside the model; returns (its path, a one-line summary). The bonus is the one
    with the lowest mean of the CER on all the items and on those of unseen text;
    the list is not saved when no bonus reads them better than no list."""
    from ..metrics import cer
    from .lm_build import english_lines, tuning_items
    from .recognizer import LineRecognizer
    start = time.time()
    recognizer = LineRecognizer(model_path, lexicon_path=None)
    if recognizer.lm is None:
        raise InputError(f"{model_path}: no language model beside it (python -m pyimagesearch.recognition.lm_build)")
    english = english_lines(text_dir, recognizer.charset)
    lexicon = Lexicon(words_of(texts[i] for i in train_items) | words_of(english, ENGLISH_MIN_COUNT))
    tuning, unseen = tuning_items(corpus, texts, train_items, val_items)
    truths = [texts[i] for i in tuning]
    posteriors = [np.asarray(p, np.float64) for p, _ in recognizer.posteriors([corpus.image(i) for i in tuning])]
    decoded = [recognizer.decode(p) for p in posteriors]

    def cers(reads):
        return cer(truths, reads), cer([t for t, u in zip(truths, unseen) if u], [r for r, u in zip(reads, unseen) if u])

    without = cers([d.text for d in decoded])
    grid = {}
    for bonus in BONUSES:
        grid[bonus] = cers([lexicon.correct(p, d, recognizer.charset.chars, recognizer.lm, bonus).text
                            for p, d in zip(posteriors, decoded)])
        if progress:
            print(f"[INFO] bonus {bonus}: validation CER {100 * grid[bonus][0]:.2f}%, unseen text "
                  f"{100 * grid[bonus][1]:.2f}% (without the list {100 * without[0]:.2f}%, "
                  f"{100 * without[1]:.2f}%)", flush=True)
    lexicon.bonus = min(grid, key=lambda b: sum(grid[b]))
    best = grid[lexicon.bonus]
    summary = (f"{len(lexicon.words)} words; validation CER {100 * without[0]:.2f}% -> {100 * best[0]:.2f}%, on "
               f"the {sum(unseen)} items of unseen text {100 * without[1]:.2f}% -> {100 * best[1]:.2f}% (bonus "
               f"{lexicon.bonus}; {len(tuning)} items of the validation persons; {time.time() - start:.0f} s)")
    if sum(best) >= sum(without):
        print(f"[INFO] {summary}\n[INFO] the list reads no better: not written")
        return None, summary
    path = lexicon_path_for(model_path)
    lexicon.save(path)
    print(f"[INFO] {summary}\n[INFO] word list written to {path}")
    return path, summary


@cli_main
def main(argv=None):
    from . import data
    from .cli import line_model_parser, parse_line_model_args
    from .config import LineTrainConfig
    from .corpus import Corpus
    from .recognizer import charset_of
    parser = line_model_parser(__doc__)
    parser.add_argument("--seed", type=int, default=LineTrainConfig.seed,
                        help="the training run's seed (person split; default: %(default)s)")
    parser.add_argument("--text", default=SHARED_TEXT,
                        help="folder of the public-domain English texts (default: %(default)s)")
    args = parse_line_model_args(parser, argv)
    if not os.path.isdir(args.text):
        raise InputError(f"--text {args.text}: no such folder (public-domain English, ../shared/text)")
    corpus = Corpus(args.data, with_strokes=False)
    train_items, held_out, texts, _ = data.person_split(corpus, charset_of(args.model), LineTrainConfig(seed=args.seed))
    build(args.model, corpus, train_items, held_out, texts, args.text)


if __name__ == "__main__":
    sys.exit(main())
