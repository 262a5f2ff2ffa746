"""Make a line model's word list (``lexicon``) and choose its bonus.

    python -m pyimagesearch.recognition.lexicon_build -m line_model.keras [--text ../shared/text]

writes ``line_model.lexicon.txt.gz`` beside the model: the words of the texts
of the items the line model was trained on (the training writers minus the
validation persons, the same person split as ``train``; never the test writers)
and those seen ENGLISH_MIN_COUNT times in public-domain English (the State of the
Union addresses and Moby-Dick), with the bonus of BONUSES that reads the
validation persons' lines and words best (``lm_build.tuning_items``, read with the
model's language model).
"""
import os
import sys
import time

import numpy as np

from ..errors import InputError, cli_main
from ..places import SHARED_TEXT
from . import data
from .cli import line_model_parser, parse_line_model_args
from .config import LineTrainConfig
from .corpus import Corpus
from .lexicon import Lexicon, lexicon_path_for, words_of
from .lm_build import cer_pair, english_lines, tuning_items
from .recognizer import LineRecognizer, charset_of

ENGLISH_MIN_COUNT = 2   # a word seen once in the English texts is as often a misspelling as a word
BONUSES = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)   # nats; 0.0 corrects only where the frames and the language model agree


def build(model_path, corpus, train_items, val_items, texts, text_dir, progress=True):
    """Make the word list of a line model (its training texts' words and the
    English texts' in ``text_dir``), choose its bonus and save it beside the model;
    returns (its path or None, a one-line summary). The bonus is the one with the
    lowest mean of the CER on all the tuning items and on those of unseen text; the
    list is not saved when no bonus reads them better than no list."""
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
    without = cer_pair(truths, [d.text for d in decoded], unseen)
    grid = {}
    for bonus in BONUSES:
        grid[bonus] = cer_pair(truths, [lexicon.correct(p, d, recognizer.charset.chars, recognizer.lm, bonus).text
                                        for p, d in zip(posteriors, decoded)], unseen)
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
