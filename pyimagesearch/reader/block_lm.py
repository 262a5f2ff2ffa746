"""Build the character language model the reader decodes the classifier's glyphs
with, and tune how much to trust it.

    python -m pyimagesearch.reader.block_lm [-m handwriting.keras] [--text ../shared/text]

writes ``handwriting.lm.npz`` beside the classifier; the reader loads it from
there. Its characters are the classifier's (capitals and digits) and the space.
It is counted on what people write by hand in block capitals: the prose of
``--text`` upper-cased (the classifier knows no lower case), and generated form
entries (``synth.block_text``: names, addresses, ZIP and postcodes, dates,
amounts, phone numbers, IDs). Its weight is the one with the lowest CER on
validation photos written with *training* writers' glyphs (``--digits``,
``--letters``: the classifier's own training files), read by the reader with
the classifier; never with the test writers.
"""
import argparse
import itertools
import os
import sys

import numpy as np

from ..az_dataset.helpers import load_az_dataset, load_glyph_npz
from ..detection.layout import reading_order
from ..detection.segment import PageScan, find_glyphs
from ..errors import InputError, cli_main
from ..evaluation.reader import comparable
from ..labels import TUTORIAL_LABELS
from ..metrics import levenshtein
from ..models.classifier import load_classifier
from ..places import SHARED_TEXT
from ..recognition.glyph_decode import GLYPH_BEAM
from ..recognition.language import CharNgram, lm_path_for
from ..synth.block_text import block, form_entry
from ..synth.glyph_lines import GlyphPool, glyph_photo
from ..synth.text import TextSource
from ..transforms import glyphs_to_inputs
from .characters import CharacterDecoder
from .options import MODELS_DIR, SHIPPED_CLASSIFIER

DEFAULTS = {"order": 4, "prose_chars": 1_500_000, "forms": 60_000, "photos": 150, "seed": 1}
WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.75)
DIGIT_BIASES = (0.0, 0.5, 1.0)        # log weight of the digits against the letters
SWITCH_COSTS = (0.0, 0.5, 1.0, 2.0)   # per change between letters and digits inside a word
PROSE_LINE = 48   # prose is cut into texts of about this many characters (a written line)


def corpus(text_dir, chars, prose_chars, forms, seed=0) -> list[str]:
    """The texts counted: prose lines upper-cased, and ``forms`` form entries."""
    rng = np.random.default_rng(seed)
    prose = block(TextSource(text_dir).prose[:prose_chars], chars)
    texts = []
    words, length = [], 0
    for word in prose.split():
        words.append(word)
        length += len(word) + 1
        if length >= PROSE_LINE:
            texts.append(" ".join(words))
            words, length = [], 0
    return texts + [form_entry(rng, chars=chars) for _ in range(forms)]


def validation_pool(digits_path, letters_path) -> GlyphPool:
    """The classifier's training glyphs (digits and A-Z) by label, jittered."""
    digits, digit_labels = load_glyph_npz(digits_path)
    letters, letter_labels = load_az_dataset(letters_path)
    labels = [TUTORIAL_LABELS[i] for i in np.concatenate([digit_labels, letter_labels])]
    return GlyphPool(np.concatenate([digits, letters]), labels, jitter=True)


def page_posteriors(decoder, classifier, image):
    """(posteriors, boxes, reading order) of one photo, as the reader's chars mode finds them."""
    scan = PageScan.of(image)

    def judge(inks):
        return decoder.restrict(classifier.predict(glyphs_to_inputs(inks))).max(axis=1)

    glyphs = find_glyphs(image, judge=judge, scan=scan)
    boxes = [list(g.box) for g in glyphs]
    probs = decoder.restrict(classifier.predict(glyphs_to_inputs([g.ink for g in glyphs])))
    return probs, boxes, reading_order(boxes) if glyphs else []


def decoding(weight, digit_bias, switch_cost):
    return {"beam_width": GLYPH_BEAM, "lm_weight": weight, "char_bonus": 0.0, "digit_bias": digit_bias,
            "switch_cost": switch_cost}


def tune(lm, labels, pages, progress=True):
    """The (weight, digit bias, switch cost) with the lowest CER (whitespace
    removed) on ``pages`` [(posteriors, boxes, order, truth)], the smaller
    settings on a tie; returns (those settings, {settings: CER})."""
    grid = {}
    for w in WEIGHTS:
        for settings in itertools.product((w,), DIGIT_BIASES, SWITCH_COSTS) if w > 0 else [(0.0, 0.0, 0.0)]:
            lm.decoding = decoding(*settings)
            grid[settings] = page_cer(CharacterDecoder(labels, lm=lm), pages)
            if progress:
                print(f"[INFO] weight {w}, digit bias {settings[1]}, switch cost {settings[2]}: "
                      f"validation CER {grid[settings]:.4f}", flush=True)
    return min(grid, key=lambda k: (grid[k], k)), grid


def page_cer(decoder, pages) -> float:
    """CER (whitespace removed) of ``decoder``'s readings of ``pages``."""
    errors = length = 0
    for probs, boxes, order, truth in pages:
        read = "\n".join(decoder.line(probs, boxes, row).text for row in order)
        errors += levenshtein(comparable(read, "caps"), comparable(truth, "caps"))
        length += len(comparable(truth, "caps"))
    return errors / max(length, 1)


def validation_pages(classifier, pool, photos, seed):
    rng = np.random.default_rng(seed)
    decoder = CharacterDecoder(classifier.labels)
    pages = []
    for _ in range(photos):
        lines = [form_entry(rng, chars=pool.chars) for _ in range(int(rng.integers(1, 4)))]
        pages.append((*page_posteriors(decoder, classifier, glyph_photo(rng, pool, lines)), "\n".join(lines)))
    return pages


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default=SHIPPED_CLASSIFIER,
                        help=f"the classifier; the model is written beside it (default: {SHIPPED_CLASSIFIER})")
    parser.add_argument("--text", default=SHARED_TEXT, help=f"folder of prose (default: {SHARED_TEXT})")
    parser.add_argument("--digits", default=os.path.join(MODELS_DIR, "digits_train.npz"),
                        help="training digits for the validation photos (default: digits_train.npz)")
    parser.add_argument("--letters", default=os.path.join(MODELS_DIR, "a_z_handwritten_data.csv.gz"),
                        help="training letters for the validation photos (default: a_z_handwritten_data.csv.gz)")
    parser.add_argument("--order", type=int, default=DEFAULTS["order"],
                        help=f"n-gram order (default: {DEFAULTS['order']})")
    parser.add_argument("--forms", type=int, default=DEFAULTS["forms"],
                        help=f"generated form entries counted (default: {DEFAULTS['forms']})")
    parser.add_argument("--photos", type=int, default=DEFAULTS["photos"],
                        help=f"validation photos the weight is tuned on (default: {DEFAULTS['photos']})")
    args = parser.parse_args(argv)
    if args.order < 1 or args.forms < 0 or args.photos < 1:
        raise InputError("--order and --photos must be at least 1, --forms at least 0")
    classifier = load_classifier(args.model)
    chars = "".join(classifier.labels)
    texts = corpus(args.text, chars, DEFAULTS["prose_chars"], args.forms)
    if not os.path.isdir(args.text):
        print(f"[WARNING] {args.text}: no such folder; counting the form entries only", file=sys.stderr)
    print(f"[INFO] counting the {args.order}-grams of {len(texts)} texts...", flush=True)
    lm = CharNgram.train(texts, list(classifier.labels) + [" "], args.order)
    print(f"[INFO] reading {args.photos} validation photos of training writers' glyphs...", flush=True)
    pages = validation_pages(classifier, validation_pool(args.digits, args.letters), args.photos, DEFAULTS["seed"])
    best, grid = tune(lm, classifier.labels, pages)
    lm.decoding = decoding(*best)
    path = lm_path_for(args.model)
    lm.save(path)
    print(f"[INFO] {path}: {lm.size} contexts, weight {best[0]}, digit bias {best[1]}, switch cost {best[2]} "
          f"(validation CER {grid[best]:.4f}, {grid[(0.0, 0.0, 0.0)]:.4f} without the model)")


if __name__ == "__main__":
    raise SystemExit(main())
