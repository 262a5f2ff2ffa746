"""How a classifier's accuracy on glyph test sets moves with the class prior it assumes.

    python tools/prior_sweep.py -m handwriting.keras [--digits digits_train.npz] [--fonts none]

The trainer's default (``--class-weights prior``) corrects the network's output to an
even class prior. This adds back a share of the training split's own log prior (0: the
model as saved; 1: the prior of the glyphs it learned from, where digits outnumber
letters) and scores ``test_sets/`` at each share. The training flags must be those the
model was trained with, so that the split and its class shares are rebuilt exactly.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyimagesearch.errors import cli_main  # noqa: E402
from pyimagesearch.labels import TUTORIAL_LABELS  # noqa: E402

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
TEST_SETS = ("test_sets/mnist_test.npz", "test_sets/unipen_test_writers.npz")


def training_log_prior(config):
    """Log class shares of the training split the trainer builds from ``config``, centred."""
    from pyimagesearch.training import data
    from pyimagesearch.training.trainer import training_data
    _, labels, train_idx, _ = training_data(config)
    log_prior = data.log_prior(labels[train_idx], len(TUTORIAL_LABELS))
    return log_prior - log_prior.mean()


def with_prior(probs, log_prior, share):
    """Class probabilities with ``share`` of ``log_prior`` added to their logs, renormalised."""
    logits = np.log(np.maximum(probs, 1e-12)) + share * log_prior
    out = np.exp(logits - logits.max(axis=1, keepdims=True))
    return out / out.sum(axis=1, keepdims=True)


@cli_main
def main(argv=None):
    from pyimagesearch.az_dataset import load_glyph_npz
    from pyimagesearch.evaluation.glyphs import format_scores, glyph_probabilities, scores_of
    from pyimagesearch.models.classifier import load_classifier
    from pyimagesearch.training.config import TrainConfig
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default="handwriting.keras", help="a classifier trained with the flags below")
    parser.add_argument("--digits", nargs="+", default=defaults.digits, help="its digit sets")
    parser.add_argument("--az", default=defaults.az, help="its A-Z dataset")
    parser.add_argument("--fonts", default=defaults.fonts, help="its fonts folder, or 'none'")
    parser.add_argument("--font-glyphs", type=int, default=defaults.font_glyphs)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    args = parser.parse_args(argv)
    config = TrainConfig(digits=args.digits, az=args.az, fonts=args.fonts, font_glyphs=args.font_glyphs,
                         seed=args.seed)
    classifier = load_classifier(args.model)   # a wrong path is said before the training data loads
    log_prior = training_log_prior(config)
    digits = np.array([label.isdigit() for label in TUTORIAL_LABELS])
    digit_over_letter = np.exp(log_prior[digits]).mean() / np.exp(log_prior[~digits]).mean()
    print(f"[INFO] training prior: a digit class {digit_over_letter:.2f} times as likely as a letter class")
    tests = []
    for path in TEST_SETS:
        images, labels = load_glyph_npz(path)
        tests.append((path, glyph_probabilities(classifier, images), [TUTORIAL_LABELS[i] for i in labels]))
    for share in SHARES:
        for path, probs, truth in tests:
            scores = scores_of(with_prior(probs, log_prior, share), truth, classifier.labels)
            print(format_scores(f"share {share:.2f} {path}", scores))


if __name__ == "__main__":
    sys.exit(main())
