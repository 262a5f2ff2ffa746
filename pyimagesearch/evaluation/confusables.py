"""A test set of the characters handwriting confuses (0/O, 1/I, 2/Z, 5/S) in the
places they are written: block-capital addresses, ZIP codes, postcodes like
``B10 5SO``, IDs, dates and amounts, each written with glyphs of UniPen *test*
writers into a photo.

    python -m pyimagesearch.evaluation.confusables reports/confusables [--count 120]
    python -m pyimagesearch.evaluation.reader reports/confusables

writes the photos and a ``truth.tsv`` (file, text, style: ``digits`` for lines of
digits only, else ``caps``) that ``evaluation.reader`` scores. Only the glyphs
hand-checked as OK are used (the others hold mislabelled samples). The texts come
from ``synth.block_text``; nothing of these writers is ever trained or tuned on.
"""
import argparse
import os

import numpy as np

from ..errors import InputError, cli_main
from ..io.archives import NpzArchive
from ..places import REPO
from ..synth.block_text import FORM_KINDS, form_entry
from ..synth.glyph_lines import GlyphPool, glyph_photo
from .test_folder import write_folder

TEST_GLYPHS = os.path.join(REPO, "test_sets", "unipen_test_writers.npz")
DEFAULTS = {"count": 120, "seed": 0}


def test_pool(path: str = TEST_GLYPHS) -> GlyphPool:
    """The hand-checked glyphs of the UniPen test writers (all of them in a file
    without quality marks, like the test fixtures' sample)."""
    with NpzArchive(path) as npz:
        images, labels = npz.array("images"), npz.array("labels")
        quality = npz.array("quality") if "quality" in npz.keys else np.full(len(labels), "OK")
    if images.ndim != 3 or images.shape[1:] != (28, 28) or not len(images) == len(labels) == len(quality):
        raise InputError(f"{path}: needs images (N, 28, 28) with as many labels (and quality marks)")
    ok = quality == "OK"
    if not ok.any():
        raise InputError(f"{path}: holds no glyphs marked OK")
    return GlyphPool(images[ok], labels[ok])


def photo_texts(rng, chars: str) -> list[str]:
    """The lines of one photo: one to three form entries."""
    return [form_entry(rng, FORM_KINDS[int(rng.integers(len(FORM_KINDS)))], chars)
            for _ in range(int(rng.integers(1, 4)))]


def build(folder: str, pool: GlyphPool, count: int, seed: int) -> None:
    """``count`` photos and their truth.tsv in ``folder`` (which must not hold a truth.tsv)."""
    rng = np.random.default_rng(seed)

    def photos():
        for k in range(count):
            lines = photo_texts(rng, pool.chars)
            style = "digits" if "".join(lines).replace(" ", "").isdigit() else "caps"
            yield f"c{k:03d}.jpg", glyph_photo(rng, pool, lines), lines, style

    write_folder(folder, photos())


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="where to write the photos and truth.tsv (no truth.tsv there yet)")
    parser.add_argument("--glyphs", default=TEST_GLYPHS, help=f"the test writers' glyphs (default: {TEST_GLYPHS})")
    parser.add_argument("--count", type=int, default=DEFAULTS["count"],
                        help=f"number of photos (default: {DEFAULTS['count']})")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help=f"random seed (default: {DEFAULTS['seed']})")
    args = parser.parse_args(argv)
    if args.count < 1:
        raise InputError(f"--count {args.count}: give at least 1")
    build(args.folder, test_pool(args.glyphs), args.count, args.seed)
    print(f"[INFO] {args.count} photos and truth.tsv written to {args.folder}")


if __name__ == "__main__":
    raise SystemExit(main())
