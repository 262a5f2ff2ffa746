"""36-way and confusable-merged accuracy of a classifier on a labelled glyph set.

    python -m pyimagesearch.evaluation.glyphs -m handwriting.keras test_sets/mnist_test.npz

Also the accuracy within each kind: digits read among the 10 digit classes only,
letters among the 26 letter classes only (what the reader gives with ``--charset
digits`` or ``letters``, or where context decides the kind): it separates reading
the shape from the 0/O, 1/I, 2/Z, 5/S choice that a lone glyph cannot settle.

The .npz holds ``images`` (N,28,28) uint8 white on black and ``labels`` (ints or
1-char strings). If it has a ``quality`` array, the ``OK`` subset is scored too. Glyphs
that are one straight stroke yet labelled neither 1 nor I (pieces of a letter that the
pen-data segmentation cut off, e.g. the bar of a T labelled T) are counted, and the set
is scored without them too: no reader of the shape can get them right. ``--errors``
draws a sample of the glyphs read wrong, to see what the misses are.
"""
import argparse
import sys
from dataclasses import dataclass

import numpy as np

from ..errors import cli_main
from ..labels import CONFUSABLE_PAIRS, TUTORIAL_LABELS, merge_confusables
from ..transforms import glyphs_to_inputs


@dataclass
class GlyphScores:
    count: int
    accuracy: float
    merged_accuracy: float
    report: str
    within_kind: dict   # 'digits'/'letters' -> (accuracy within the kind, count)


# the ink's minor/major spread ratio under which a glyph is one straight stroke (a
# rendered bar measures 0.05-0.15; the narrowest whole letters, L, P, 7, 0.2 and up)
STRAIGHT_STROKE_SPREAD = 0.15
ONE_STROKE_CLASSES = ("1", "I")
ERROR_MONTAGE_GLYPHS = 100


def one_straight_stroke(images):
    """Boolean mask of (N,28,28) white-on-black glyphs whose ink is one straight stroke."""
    out = np.zeros(len(images), dtype=bool)
    for i, image in enumerate(images):
        ys, xs = np.nonzero(image > 64)
        if len(xs) >= 5:
            spread = np.linalg.eigvalsh(np.cov(np.stack([xs, ys]).astype(np.float64)))
            out[i] = spread[1] > 0 and np.sqrt(max(spread[0], 0.0) / spread[1]) < STRAIGHT_STROKE_SPREAD
    return out


def glyph_probabilities(classifier, images):
    """Class probabilities of (N,28,28) glyphs, through the shared normalisation."""
    return classifier.predict(glyphs_to_inputs(images))


def classify_glyphs(classifier, images):
    """Labels predicted for (N,28,28) glyphs."""
    return [classifier.labels[i] for i in glyph_probabilities(classifier, images).argmax(axis=1)]


def within_kind_predictions(probs, labels, truth):
    """The label each glyph gets when read among the classes of its own kind only."""
    labels = np.asarray(labels)
    digit_classes = np.array([label.isdigit() for label in labels])
    digit_rows = np.array([t.isdigit() for t in truth], dtype=bool)
    same_kind = digit_rows[:, None] == digit_classes[None, :]
    return labels[np.where(same_kind, probs, -1.0).argmax(axis=1)]


def within_kind(probs, labels, truth):
    """{'digits': (accuracy, count), 'letters': ...}: each glyph read among the
    classes of its own kind only."""
    truth = np.asarray(truth)
    right = within_kind_predictions(probs, labels, truth) == truth
    digit_rows = np.array([t.isdigit() for t in truth], dtype=bool)
    return {kind: (float(np.mean(right[rows])), int(rows.sum()))
            for kind, rows in (("digits", digit_rows), ("letters", ~digit_rows)) if rows.any()}


def scores_of(probs, truth, labels):
    """Scores of predicted class probabilities against truth labels."""
    from sklearn.metrics import classification_report
    predicted = [labels[i] for i in probs.argmax(axis=1)]
    accuracy = float(np.mean(np.array(truth) == np.array(predicted)))
    merged = float(np.mean(np.array(merge_confusables(truth)) == np.array(merge_confusables(predicted))))
    report = classification_report(truth, predicted, labels=sorted(set(truth)), digits=4, zero_division=0)
    return GlyphScores(len(truth), accuracy, merged, report, within_kind(probs, list(labels), truth))


def format_scores(name, scores):
    pairs = ", ".join("/".join(p) for p in CONFUSABLE_PAIRS)
    text = (f"{name}: {scores.count} glyphs, 36-way accuracy {scores.accuracy * 100:.2f}%, "
            f"merged ({pairs}) {scores.merged_accuracy * 100:.2f}%")
    kinds = [f"{kind} among {'10 digits' if kind == 'digits' else '26 letters'} {accuracy * 100:.2f}% ({count})"
             for kind, (accuracy, count) in scores.within_kind.items()]
    return text + (f"; within kind: {', '.join(kinds)}" if kinds else "")


def _subset_scores(probs, truth, labels, keep):
    return scores_of(probs[keep], [t for t, kept in zip(truth, keep) if kept], labels)


def evaluate_file(classifier, path, with_report=True, errors=None):
    """Score one .npz; returns printable text (summary lines, then the per-class report).
    ``errors``, a list: (image, truth, label read within its kind) of each glyph read
    wrong within its kind is appended, from the unchecked part where quality is marked."""
    from ..az_dataset import load_glyph_npz
    images, labels = load_glyph_npz(path)
    probs, truth = glyph_probabilities(classifier, images), [TUTORIAL_LABELS[i] for i in labels]
    scores = scores_of(probs, truth, classifier.labels)
    lines = [format_scores(path, scores)]
    with np.load(path, allow_pickle=False) as npz:
        quality = npz["quality"] if "quality" in npz.files else None
    if quality is not None:
        lines.append(format_scores(f"{path} [quality OK]",
                                   _subset_scores(probs, truth, classifier.labels, quality == "OK")))
    pieces = one_straight_stroke(images) & ~np.isin(truth, ONE_STROKE_CLASSES)
    if pieces.any():
        lines.append(format_scores(f"{path} [without {int(pieces.sum())} one-stroke glyphs labelled "
                                   f"neither 1 nor I]", _subset_scores(probs, truth, classifier.labels, ~pieces)))
    if errors is not None:
        read = within_kind_predictions(probs, classifier.labels, truth)
        unchecked = np.ones(len(truth), bool) if quality is None else quality != "OK"
        wrong = (read != np.asarray(truth)) & unchecked
        errors.extend((images[i], truth[i], str(read[i])) for i in np.flatnonzero(wrong))
    if with_report:
        lines.append(scores.report)
    return "\n".join(lines)


def write_error_montage(path, errors, count=ERROR_MONTAGE_GLYPHS, seed=0):
    """A montage of a seeded sample of ``count`` of ``errors`` (see evaluate_file)."""
    from ..io.atomic import write_image
    from ..training.report import build_montage
    if not errors:
        print(f"[INFO] no glyph read wrong within its kind: {path} not written")
        return
    pick = np.random.default_rng(seed).permutation(len(errors))[:count]
    images, truth, read = zip(*(errors[i] for i in sorted(pick)))
    write_image(path, build_montage(images, truth, read, columns=10, tile=72))
    print(f"[INFO] {len(pick)} of {len(errors)} glyphs read wrong within their kind: {path}")


@cli_main
def main(argv=None):
    from ..io.atomic import refuse_existing, writable_folder
    from ..models.classifier import load_classifier
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("glyphs", nargs="+", help=".npz files with images and labels")
    parser.add_argument("-m", "--model", default="handwriting.keras")
    parser.add_argument("--runtime", choices=["auto", "litert", "keras"], default="auto")
    parser.add_argument("--no-report", action="store_true", help="only the accuracy lines")
    parser.add_argument("--errors", help=f"also write a montage of {ERROR_MONTAGE_GLYPHS} glyphs read wrong within "
                                         f"their kind (a seeded sample; unchecked ones where quality is marked)")
    parser.add_argument("--overwrite", action="store_true", help="replace the --errors picture if it exists")
    args = parser.parse_args(argv)
    if args.errors:
        writable_folder(args.errors)
        if not args.overwrite:
            refuse_existing([args.errors])
    classifier = load_classifier(args.model, args.runtime)
    errors = [] if args.errors else None
    for path in args.glyphs:
        print(evaluate_file(classifier, path, not args.no_report, errors))
    if args.errors:
        write_error_montage(args.errors, errors)


if __name__ == "__main__":
    sys.exit(main())
