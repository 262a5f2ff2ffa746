"""Lines set in the handwriting fonts (``../shared/fonts``): a second source of
line-model training lines, and the held-out fonts' test set.

    python -m pyimagesearch.recognition.font_lines -m line_model.keras [--count 600] [-o report.txt]

scores a line model on lines set in the ``HELD_OUT`` fonts (never used for
training) with prose from the held-out end of ``../shared/text``; the set is the
same for every model (seeded).

Each line is drawn by ``synth.fonts.render_line`` (every glyph jittered, stroke
weight, slant and spacing varied, the line bent elastically; capitals-only fonts
write capitals, and the label follows), then photographed as a whole line
(``augment.photo``: paper, lighting, texture, blur, noise, JPEG; here also a small
rotation, loose margins and sometimes a low-resolution camera). The grey image
goes through ``preprocess.to_model_input`` like a photo's line crop.
Texts: prose (often cased differently) and the generated kinds of
``synth.text`` (names, streets, cities, dates, phones, amounts, codes, notes).
"""
import os
import sys
from dataclasses import dataclass
from typing import NamedTuple

import cv2
import numpy as np

from ..errors import InputError, cli_main
from ..metrics import score
from ..places import SHARED_FONTS, SHARED_TEXT
from ..synth.fonts import HELD_OUT, font_table, render_line
from ..synth.text import TextSource
from . import augment as aug
from .held_out_cli import held_out_parser, print_held_out_report

DEFAULT_FONTS, DEFAULT_TEXT = SHARED_FONTS, SHARED_TEXT
# the last share of the prose is the test set's: training never writes it
TEST_PROSE_SHARE = 0.05
KIND_WEIGHTS = {"prose": 0.5, "name": 0.1, "street": 0.06, "city": 0.06, "date": 0.07, "phone": 0.05,
                "amount": 0.05, "id": 0.08, "short": 0.03}
TEST_COUNT, TEST_SEED = 600, 15
LONGEST_ENTRY = 40
LEAST_HEIGHT = 24      # rows a line keeps when shot by a low-resolution camera
TRIES = 10             # texts tried before a font counts as drawing nothing


@dataclass(frozen=True)
class FontLineOptions:
    body: tuple = (11.0, 22.0)         # x-height in px as drawn (smaller: thin pens blur away)
    max_chars: tuple = (8, 48)         # longest prose text of a line
    rotation: float = 1.5              # degrees, either way
    margin: tuple = (0.0, 0.35)        # extra space around the ink, in x-heights
    stretch: tuple = (0.95, 1.5)       # x scale of the ink (handwriting fonts are narrower than most hands)
    low_resolution: float = 0.2        # share of lines shot by a low-resolution camera
    recase: float = 0.2                # share of prose lines written all upper or all lower case
    run: int = 4                       # lines in a row set in one font (its glyphs are then still cached)


class LabelledLine(NamedTuple):
    image: np.ndarray    # uint8 grey, dark ink on lighter paper
    text: str
    kind: str            # what the text is (synth.text.KINDS)
    style: str           # the font's: print, cursive or marker


def check_sources(fonts_dir: str, text_dir: str) -> None:
    """The fonts table and the prose must be there (an InputError says which is not)."""
    if not os.path.isfile(os.path.join(fonts_dir, "fonts.tsv")):
        raise InputError(f"{fonts_dir}: no fonts.tsv (handwriting fonts; see ../shared/fonts/README.md)")
    if not os.path.isdir(text_dir):
        raise InputError(f"{text_dir}: no such text folder (public-domain prose; see ../shared/text/README.md)")


def prose_part(source: TextSource, split: str) -> TextSource:
    """``source`` keeping only its split's part of the prose: training the start,
    the test set the last ``TEST_PROSE_SHARE``."""
    cut = int(len(source.prose) * (1.0 - TEST_PROSE_SHARE))
    cut = source.prose.find(" ", cut) + 1 or len(source.prose)
    source.prose = source.prose[:cut] if split == "train" else source.prose[cut:]
    return source


class FontLines:
    """Random lines in the fonts of one split ("train": all but the held-out group,
    "test": the held-out group); ``make(rng)`` -> (uint8 grey line image, text)."""

    def __init__(self, fonts_dir: str, text_dir: str, split: str = "train", options: FontLineOptions = None):
        check_sources(fonts_dir, text_dir)
        self.fonts = font_table(fonts_dir, split)
        if not self.fonts:
            raise InputError(f"{fonts_dir}/fonts.tsv: no {split} fonts")
        self.text = prose_part(TextSource(text_dir), split)
        self.options = options or FontLineOptions()
        self.kinds, weights = zip(*KIND_WEIGHTS.items())
        self.weights = np.array(weights) / sum(weights)
        self.font, self.left_in_run = None, 0

    def text_for(self, rng) -> tuple:
        """(kind, text) of one line."""
        kind = str(rng.choice(self.kinds, p=self.weights))
        # only prose is cut to the line's length: a generated entry is short, and cut it would be half a name
        max_chars = int(rng.integers(*self.options.max_chars, endpoint=True)) if kind == "prose" else LONGEST_ENTRY
        text = self.text.line(rng, kind, max_chars)
        if kind == "prose" and rng.random() < self.options.recase:
            text = text.upper() if rng.random() < 0.5 else text.lower()
        return kind, text

    def make(self, rng) -> tuple:
        """(uint8 grey image, its text)."""
        line = self.make_labelled(rng)
        return line.image, line.text

    def make_labelled(self, rng) -> LabelledLine:
        o = self.options
        if not self.left_in_run:
            self.font, self.left_in_run = self.fonts[int(rng.integers(len(self.fonts)))], o.run
        spec, self.left_in_run = self.font, self.left_in_run - 1
        for _ in range(TRIES):
            kind, text = self.text_for(rng)
            body = rng.uniform(*o.body)
            line = render_line(spec, text, body, rng)
            if line.ink.shape[0] > 2 and line.ink.max() > 0.3:
                break
        else:
            raise InputError(f"{spec.path}: draws no ink")
        ink = cv2.resize(line.ink, None, fx=rng.uniform(*o.stretch), fy=1.0, interpolation=cv2.INTER_LINEAR)
        ink = _turned(_padded(ink, body, o.margin, rng), rng.uniform(-o.rotation, o.rotation))
        image = aug.photo((255.0 * (1.0 - ink)).astype(np.uint8), rng)
        if rng.random() < o.low_resolution:
            image = _low_resolution(image, rng)
        return LabelledLine(image, line.text, kind, spec.style)


def _padded(ink, body, margin, rng):
    top, bottom, left, right = (int(round(body * rng.uniform(*margin))) for _ in range(4))
    return np.pad(ink, ((top, bottom), (left, right)))


def _turned(ink, degrees):
    """``ink`` rotated by ``degrees`` about its centre, on a canvas that holds it all."""
    h, w = ink.shape
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), degrees, 1.0)
    c, s = abs(matrix[0, 0]), abs(matrix[0, 1])
    out_w, out_h = int(np.ceil(w * c + h * s)), int(np.ceil(w * s + h * c))
    matrix[:, 2] += ((out_w - w) / 2.0, (out_h - h) / 2.0)
    return cv2.warpAffine(ink, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)


def _low_resolution(image, rng):
    """Shot smaller and scaled back up, never below ``LEAST_HEIGHT`` rows (the text must stay legible)."""
    h, w = image.shape
    if h * 0.8 < LEAST_HEIGHT:
        return image
    f = rng.uniform(max(0.35, LEAST_HEIGHT / h), 0.8)
    small = cv2.resize(image, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def held_out_lines(fonts_dir: str, text_dir: str, count: int = TEST_COUNT, seed: int = TEST_SEED) -> list:
    """The held-out fonts' test set: ``count`` LabelledLines, the same for a given seed."""
    lines = FontLines(fonts_dir, text_dir, "test")
    rng = np.random.default_rng(seed)
    return [lines.make_labelled(rng) for _ in range(count)]


GROUPS = {"numbers and codes": {"date", "phone", "amount", "id", "street", "city"}, "prose": {"prose"},
          "names and notes": {"name", "short"}}


def score_lines(recognizer, lines: list, beam_width=None) -> tuple:
    """({row name: scores}, the texts read) of ``recognizer`` on ``lines`` (LabelledLines):
    all, then per font style and per group of text kinds."""
    reads = [recognizer.decode(p, beam_width).text for p, _ in recognizer.posteriors([ln.image for ln in lines])]
    rows = {"all": list(range(len(lines)))}
    for style in sorted({ln.style for ln in lines}):
        rows[f"style {style}"] = [k for k, ln in enumerate(lines) if ln.style == style]
    for group, kinds in GROUPS.items():
        rows[group] = [k for k, ln in enumerate(lines) if ln.kind in kinds]
    scores = {name: score([lines[k].text for k in ks], [reads[k] for k in ks]) for name, ks in rows.items() if ks}
    return scores, reads


def report(model_path: str, fonts_dir: str, text_dir: str, count: int, beam_width=None, lm_path="auto") -> str:
    """The held-out fonts' report of a line model, as printable text."""
    from .recognizer import LineRecognizer
    lines = held_out_lines(fonts_dir, text_dir, count)
    recognizer = LineRecognizer(model_path, beam_width=beam_width, lm_path=lm_path)
    results, reads = score_lines(recognizer, lines, beam_width)
    out = [f"{model_path} on {count} lines set in the {len(HELD_OUT)} held-out fonts (seed {TEST_SEED}; "
           f"{recognizer.describe_decoding()})",
           f"{'subset':<22}{'items':>7}{'CER':>9}{'WER':>9}{'exact':>9}"]
    for name, s in results.items():
        out.append(f"{name:<22}{s['items']:>7}{100 * s['cer']:>8.2f}%{100 * s['wer']:>8.2f}%{100 * s['exact']:>8.2f}%")
    out.append("\nfirst lines (truth -> read):")
    out += [f"  {ln.text!r} -> {read!r}" for ln, read in zip(lines[:12], reads)]
    return "\n".join(out)


@cli_main
def main(argv=None):
    parser = held_out_parser(__doc__, TEST_COUNT)
    parser.add_argument("--fonts", default=DEFAULT_FONTS,
                        help="handwriting fonts folder, with fonts.tsv (default: %(default)s)")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="folder of the public-domain prose (default: %(default)s)")
    args = parser.parse_args(argv)
    print_held_out_report(args, lambda model, count, beam, lm: report(model, args.fonts, args.text, count, beam, lm))


if __name__ == "__main__":
    sys.exit(main())
