"""36-way and confusable-merged accuracy of a classifier on a labelled glyph set.

    python -m pyimagesearch.evaluation.glyphs -m handwriting.keras test_sets/mnist_test.npz

The .npz holds ``images`` (N,28,28) uint8 white on black and ``labels`` (ints or
1-char strings). If it has a ``quality`` array, the ``OK`` subset is scored too.
"""
import argparse
import sys
from dataclasses import dataclass

import numpy as np

from ..errors import cli_main
from ..labels import CONFUSABLE_PAIRS, TUTORIAL_LABELS, merge_confusables
from ..transforms import normalize_glyph, to_model_input


@dataclass
class GlyphScores:
    count: int
    accuracy: float
    merged_accuracy: float
    report: str
    truth: list
    predicted: list


def classify_glyphs(classifier, images):
    """Labels predicted for (N,28,28) glyphs, through the shared normalisation."""
    inputs = to_model_input(np.stack([normalize_glyph(g) for g in images])) if len(images) else \
        np.zeros((0, 32, 32, 1), np.float32)
    probs = classifier.predict(inputs)
    return [classifier.labels[i] for i in probs.argmax(axis=1)]


def score(truth, predicted):
    from sklearn.metrics import classification_report
    truth_merged, predicted_merged = merge_confusables(truth), merge_confusables(predicted)
    accuracy = float(np.mean(np.array(truth) == np.array(predicted)))
    merged = float(np.mean(np.array(truth_merged) == np.array(predicted_merged)))
    report = classification_report(truth, predicted, labels=sorted(set(truth)), digits=4, zero_division=0)
    return GlyphScores(len(truth), accuracy, merged, report, list(truth), list(predicted))


def evaluate_glyph_set(classifier, images, labels):
    truth = [TUTORIAL_LABELS[i] for i in labels]
    return score(truth, classify_glyphs(classifier, images))


def format_scores(name, scores):
    pairs = ", ".join("/".join(p) for p in CONFUSABLE_PAIRS)
    return (f"{name}: {scores.count} glyphs, 36-way accuracy {scores.accuracy * 100:.2f}%, "
            f"merged ({pairs}) {scores.merged_accuracy * 100:.2f}%")


def evaluate_file(classifier, path, with_report=True):
    """Score one .npz; returns printable text (summary lines, then the per-class report)."""
    from ..az_dataset import load_glyph_npz
    images, labels = load_glyph_npz(path)
    scores = evaluate_glyph_set(classifier, images, labels)
    lines = [format_scores(path, scores)]
    with np.load(path, allow_pickle=False) as npz:
        quality = npz["quality"] if "quality" in npz.files else None
    if quality is not None:
        ok = quality == "OK"
        subset = score([t for t, k in zip(scores.truth, ok) if k], [p for p, k in zip(scores.predicted, ok) if k])
        lines.append(format_scores(f"{path} [quality OK]", subset))
    if with_report:
        lines.append(scores.report)
    return "\n".join(lines)


@cli_main
def main(argv=None):
    from ..models.classifier import load_classifier
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("glyphs", nargs="+", help=".npz files with images and labels")
    parser.add_argument("-m", "--model", default="handwriting.keras")
    parser.add_argument("--runtime", choices=["auto", "litert", "keras"], default="auto")
    parser.add_argument("--no-report", action="store_true", help="only the accuracy lines")
    args = parser.parse_args(argv)
    classifier = load_classifier(args.model, args.runtime)
    for path in args.glyphs:
        print(evaluate_file(classifier, path, not args.no_report))


if __name__ == "__main__":
    sys.exit(main())
