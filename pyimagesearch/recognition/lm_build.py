"""Build the character language model of a line model, and tune how much to trust it.

    python -m pyimagesearch.recognition.lm_build -m line_model.keras [--data ../shared/data/lines]
                                                 [--text ../shared/text]

writes ``line_model.lm.npz`` beside the model (``train_line_model.py`` does
the same at the end of a training). The n-grams are counted on the texts of the
items the line model was trained on: the training writers minus the validation
persons (the same person split as ``train``), never the test writers. With
``--text``, that model is blended (``CharNgram.blended``) with one of
public-domain English (the State of the Union addresses and Moby-Dick, as they
are written: mixed case, numbers, punctuation), wrapped into lines of about a
handwritten line's length, its rare n-grams dropped to keep the file small.
The beam search settings (language model weight, bonus per character) and the
English share are the grid point with the lowest mean of two CERs on the
validation persons' lines and words, read by the line model itself: on all of
them, and on those whose text is not among the training texts (``tune``); they
are saved in the file with the n-grams. The shipped line model's is blended
(``line_report.txt``); a training run builds its model's from the training
texts alone, as without ``--text``.
"""
import gzip
import os
import sys
import time

import numpy as np

from ..errors import InputError, cli_main
from ..metrics import cer
from ..places import SHARED_TEXT
from . import data
from .corpus import Corpus
from .cli import line_model_parser, parse_line_model_args
from .config import LineTrainConfig
from .decode import beam_search
from .language import DEFAULT_DECODING, CharNgram, lm_path_for

ORDER = 8               # n-gram order: the summary line gives the validation CERs it reaches
WEIGHTS = (0.4, 0.5, 0.75)
BONUSES = (1.5, 2.0, 3.0)
TUNING_ITEMS = 1200     # validation items read for the grid (lines first, see data.validation_items)
TEXT_FILES = ("state_of_the_union.txt.gz", "moby_dick.txt.gz")
ENGLISH_ORDER = 6       # with ENGLISH_MIN_COUNT: a model that fits the room the shipped files leave
ENGLISH_MIN_COUNT = 8
ENGLISH_SHARES = (0.1, 0.05, 0.2)   # the first is tried with every weight and bonus, the others at the best
LINE_CHARS = (15, 55)   # the English is wrapped into lines of this many characters (drawn per line)


def english_lines(text_dir, charset, seed=0):
    """The English texts of ``text_dir`` wrapped at word breaks into lines of
    LINE_CHARS characters, in the charset (typographic marks replaced, other
    characters dropped)."""
    rng = np.random.default_rng(seed)
    lines = []
    for name in TEXT_FILES:
        path = os.path.join(text_dir, name)
        if not os.path.isfile(path):
            raise InputError(f"{path}: missing (public-domain English; see ../shared/text/README.md)")
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for paragraph in f:
                text = "".join(c for c in charset.clean(paragraph) if c in charset.index)
                lines += _wrapped(text.split(), rng)
    return lines


def _wrapped(words, rng):
    lines, line, limit = [], "", rng.integers(*LINE_CHARS)
    for word in words:
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line, limit = "", rng.integers(*LINE_CHARS)
        line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def cer_pair(truths, reads, unseen):
    """(CER on all items, CER on the items whose text the language model never saw)."""
    return cer(truths, reads), cer([t for t, u in zip(truths, unseen) if u], [r for r, u in zip(reads, unseen) if u])


def tune(models, recognizer, images, truths, unseen, weights=WEIGHTS, bonuses=BONUSES, progress=True):
    """The language model of ``models`` ({name: model}, the first tried with every
    weight and bonus, the others at the best of those) and the (weight, bonus)
    with the lowest mean of the CER on all these images and on those of
    ``unseen`` text: prompted texts repeat across writers, and a weight chosen
    on all items alone trusts the training texts so much that new words (names,
    other languages, random letters) read worse than without the model.
    Returns (name, decoding settings, {(name, weight, bonus): (CER all, CER
    unseen)}, (CER all, CER unseen) of greedy decoding)."""
    posteriors = [p for p, _ in recognizer.posteriors(images)]
    beam = DEFAULT_DECODING["beam_width"]
    plain = cer_pair(truths, [recognizer.decode(p, 0).text for p in posteriors], unseen)
    first, *others = models
    points = [(first, w, b) for w in weights for b in bonuses]
    grid = {}
    for k, point in enumerate(points):
        name, w, b = point
        reads = [beam_search(p, recognizer.charset, beam, lm=models[name], lm_weight=w, char_bonus=b).text
                 for p in posteriors]
        grid[point] = cer_pair(truths, reads, unseen)
        if progress:
            print(f"[INFO] {name}, weight {w}, bonus {b}: validation CER {100 * grid[point][0]:.2f}%, "
                  f"unseen text {100 * grid[point][1]:.2f}%", flush=True)
        if k == len(weights) * len(bonuses) - 1:   # the first model's grid is done: the others at its best
            best = min(grid, key=lambda key: sum(grid[key]))
            points += [(other, best[1], best[2]) for other in others]
    name, w, b = min(grid, key=lambda key: sum(grid[key]))
    return name, {"beam_width": beam, "lm_weight": w, "char_bonus": b}, grid, plain


def build(model_path, corpus, charset, train_items, val_items, texts, order=ORDER, limit=TUNING_ITEMS, progress=True,
          text_dir=None):
    """Count, tune and save the language model beside ``model_path``; returns
    (its path, a one-line summary). ``limit``: validation items read for the grid,
    plus up to half as many again of unseen text. ``text_dir``: the English
    texts (None, or a folder without them: the training texts alone, with a warning)."""
    from .recognizer import LineRecognizer
    start = time.time()
    models = language_models([texts[i] for i in train_items], charset, order, text_dir)
    recognizer = LineRecognizer(model_path, beam_width=0, lm_path=None, lexicon_path=None)
    tuning, unseen = tuning_items(corpus, texts, train_items, val_items, limit)
    name, decoding, grid, plain = tune(models, recognizer, [corpus.image(i) for i in tuning],
                                       [texts[i] for i in tuning], unseen, progress=progress)
    lm = models[name]
    lm.decoding = decoding
    path = lm_path_for(model_path)
    lm.save(path)
    best = grid[(name, decoding["lm_weight"], decoding["char_bonus"])]
    summary = (f"{name} ({lm.size} contexts, {os.path.getsize(path) / 1e6:.1f} MB): validation CER "
               f"{100 * plain[0]:.2f}% greedy -> {100 * best[0]:.2f}%, on the {sum(unseen)} items of unseen text "
               f"{100 * plain[1]:.2f}% -> {100 * best[1]:.2f}% (beam {decoding['beam_width']}, weight "
               f"{decoding['lm_weight']}, bonus {decoding['char_bonus']}; {len(tuning)} items of the validation "
               f"persons; {time.time() - start:.0f} s)")
    print(f"[INFO] {summary}\n[INFO] language model written to {path}")
    return path, summary


def tuning_items(corpus, texts, train_items, val_items, limit=TUNING_ITEMS):
    """(the validation items decoding is tuned on: up to ``limit`` of them, and up to
    half as many again whose text no training item has; per item, whether its text
    is unseen)."""
    known = {texts[i] for i in train_items}
    new_text = data.subsample(np.array([i for i in val_items if texts[i] not in known], np.int64), limit // 2, 0)
    tuning = np.union1d(data.validation_items(corpus, val_items, limit, seed=0), new_text).astype(np.int64)
    return tuning, [texts[i] not in known for i in tuning]


def language_models(train_texts, charset, order=ORDER, text_dir=None):
    """{description: model} to choose from: the n-grams of the training texts
    blended with those of the English texts at each of ENGLISH_SHARES, or the
    training texts' alone when there is no English."""
    own = CharNgram.train(train_texts, charset.chars, order)
    name = f"{order}-gram character language model of {len(train_texts)} training texts"
    if not text_dir:
        return {name: own}
    if not os.path.isdir(text_dir):
        print(f"[WARNING] no English texts at {text_dir}: the language model knows the training texts only",
              file=sys.stderr)
        return {name: own}
    lines = english_lines(text_dir, charset)
    english = CharNgram.train(lines, charset.chars, min(ENGLISH_ORDER, order), min_count=ENGLISH_MIN_COUNT)
    return {f"{name}, blended with {100 * share:g}% of a {english.order}-gram model of {len(lines)} lines of "
            f"English": own.blended(english, share) for share in ENGLISH_SHARES}


@cli_main
def main(argv=None):
    from .recognizer import charset_of
    parser = line_model_parser(__doc__)
    parser.add_argument("--order", type=int, default=ORDER, help="n-gram order (characters; default: %(default)s)")
    parser.add_argument("--seed", type=int, default=LineTrainConfig.seed,
                        help="the training run's seed (person split; default: %(default)s)")
    parser.add_argument("--text", default="none",
                        help=f"folder of the English texts to blend in ({', '.join(TEXT_FILES)}; they are in "
                             f"{SHARED_TEXT}), or 'none' for the training texts alone (default: %(default)s)")
    args = parse_line_model_args(parser, argv)
    if args.order < 1:
        raise InputError(f"--order {args.order}: must be at least 1")
    charset = charset_of(args.model)
    corpus = Corpus(args.data, with_strokes=False)
    if args.text != "none" and not os.path.isdir(args.text):
        raise InputError(f"--text {args.text}: no such folder (public-domain English; or --text none)")
    train_items, held_out, texts, _ = data.person_split(corpus, charset, LineTrainConfig(seed=args.seed))
    build(args.model, corpus, charset, train_items, held_out, texts, args.order,
          text_dir=None if args.text == "none" else args.text)


if __name__ == "__main__":
    sys.exit(main())
