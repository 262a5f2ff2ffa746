"""Build the character language model of a line model, and tune how much to trust it.

    python -m pyimagesearch.recognition.lm_build -m line_model.keras [--data ../shared/data/lines]

writes ``line_model.lm.npz`` beside the model (``train_line_model.py`` does
the same at the end of a training). The n-grams are counted on the texts of the
items the line model was trained on: the training writers minus the validation
persons (the same person split as ``train``), never the test writers. The beam
search settings (language model weight, bonus per character) are the grid
point with the lowest mean of two CERs on the validation persons' lines and
words, read by the line model itself: on all of them, and on those whose text
is not among the training texts (``tune``); they are saved in the file with the
n-grams.
"""
import sys
import time

import numpy as np

from ..errors import InputError, cli_main
from ..metrics import cer
from . import data
from .corpus import Corpus
from .cli import line_model_parser, parse_line_model_args
from .config import LineTrainConfig
from .decode import beam_search
from .language import DEFAULT_DECODING, CharNgram, lm_path_for

ORDER = 8               # n-gram order: the summary line gives the validation CERs it reaches
WEIGHTS = (0.3, 0.5, 0.75, 1.0)
BONUSES = (0.5, 1.0, 1.5, 2.0, 3.0)
TUNING_ITEMS = 1200     # validation items read for the grid (lines first, see data.validation_items)


def cer_pair(truths, reads, unseen):
    """(CER on all items, CER on the items whose text the language model never saw)."""
    return cer(truths, reads), cer([t for t, u in zip(truths, unseen) if u], [r for r, u in zip(reads, unseen) if u])


def tune(lm, recognizer, images, truths, unseen, weights=WEIGHTS, bonuses=BONUSES, progress=True):
    """The (weight, bonus) with the lowest mean of the CER on all these images and
    on those of ``unseen`` text: prompted texts repeat across writers, and a weight
    chosen on all items alone trusts the training texts so much that new words
    (names, other languages, random letters) read worse than without the model.
    Returns (decoding settings, {(weight, bonus): (CER all, CER unseen)},
    (CER all, CER unseen) of greedy decoding)."""
    posteriors = [p for p, _ in recognizer.posteriors(images)]
    beam = DEFAULT_DECODING["beam_width"]
    plain = cer_pair(truths, [recognizer.decode(p, 0).text for p in posteriors], unseen)
    grid = {}
    for w in weights:
        for b in bonuses:
            reads = [beam_search(p, recognizer.charset, beam, lm=lm, lm_weight=w, char_bonus=b).text
                     for p in posteriors]
            grid[(w, b)] = cer_pair(truths, reads, unseen)
            if progress:
                print(f"[INFO] weight {w}, bonus {b}: validation CER {100 * grid[(w, b)][0]:.2f}%, "
                      f"unseen text {100 * grid[(w, b)][1]:.2f}%", flush=True)
    w, b = min(grid, key=lambda k: sum(grid[k]))
    return {"beam_width": beam, "lm_weight": w, "char_bonus": b}, grid, plain


def build(model_path, corpus, charset, train_items, val_items, texts, order=ORDER, limit=TUNING_ITEMS, progress=True):
    """Count, tune and save the language model beside ``model_path``; returns
    (its path, a one-line summary). ``limit``: validation items read for the grid,
    plus up to half as many again of unseen text."""
    from .recognizer import LineRecognizer
    start = time.time()
    known = {texts[i] for i in train_items}
    lm = CharNgram.train([texts[i] for i in train_items], charset.chars, order)
    recognizer = LineRecognizer(model_path, beam_width=0, lm_path=None)
    # up to ``limit`` validation items, and those whose text is new to the model
    new_text = data.subsample(np.array([i for i in val_items if texts[i] not in known], np.int64), limit // 2, 0)
    tuning = np.union1d(data.validation_items(corpus, val_items, limit, seed=0), new_text).astype(np.int64)
    unseen = [texts[i] not in known for i in tuning]
    decoding, grid, plain = tune(lm, recognizer, [corpus.image(i) for i in tuning], [texts[i] for i in tuning],
                                 unseen, progress=progress)
    lm.decoding = decoding
    path = lm_path_for(model_path)
    lm.save(path)
    best = grid[(decoding["lm_weight"], decoding["char_bonus"])]
    summary = (f"{order}-gram character language model of {len(train_items)} training texts "
               f"({lm.size} contexts): validation CER "
               f"{100 * plain[0]:.2f}% greedy -> {100 * best[0]:.2f}%, on the {sum(unseen)} items of unseen text "
               f"{100 * plain[1]:.2f}% -> {100 * best[1]:.2f}% (beam {decoding['beam_width']}, weight "
               f"{decoding['lm_weight']}, bonus {decoding['char_bonus']}; {len(tuning)} items of the validation "
               f"persons; {time.time() - start:.0f} s)")
    print(f"[INFO] {summary}\n[INFO] language model written to {path}")
    return path, summary


@cli_main
def main(argv=None):
    from .recognizer import charset_of
    parser = line_model_parser(__doc__)
    parser.add_argument("--order", type=int, default=ORDER, help="n-gram order (characters; default: %(default)s)")
    parser.add_argument("--seed", type=int, default=LineTrainConfig.seed,
                        help="the training run's seed (person split; default: %(default)s)")
    args = parse_line_model_args(parser, argv)
    if args.order < 1:
        raise InputError(f"--order {args.order}: must be at least 1")
    charset = charset_of(args.model)
    corpus = Corpus(args.data, with_strokes=False)
    train_items, held_out, texts, _ = data.person_split(corpus, charset, LineTrainConfig(seed=args.seed))
    build(args.model, corpus, charset, train_items, held_out, texts, args.order)


if __name__ == "__main__":
    sys.exit(main())
