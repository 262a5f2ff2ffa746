"""Handwritten lines cut from generated pages: the writing as a photo shows it
(paper, rules, show-through, ink, light, blur, JPEG), each line turned and
straightened from its outline into a grey crop, with its text.

    python -m pyimagesearch.recognition.page_lines -m line_model.keras [--count 600] [-o report.txt]

scores a line model on the lines of held-out pages (the page generator's test
split: UniPen test writers and held-out fonts), so it measures how the line model
reads the writing of photographed pages, apart from finding the lines. Training
takes ``PageLines("train")`` as a third source beside UniPen and the fonts
(``train_line_model.py --page-share``).
"""
import sys

import cv2
import numpy as np

from ..errors import InputError, cli_main
from ..metrics import score
from .charset import Charset
from .held_out_cli import held_out_parser, print_held_out_report

TEST_COUNT = 600
TEST_SEED = 2024
MARGIN = 0.15          # of the line's height, kept above and below its ink's outline
PAGE_TRIES = 50        # pages made at most to find one written line (a page may hold none)


def straightened_crop(image: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """The grey crop of a line whose ink's outline is ``polygon`` (its corners in the
    text's own order: top-left, top-right, bottom-right, bottom-left), straightened
    upright, with MARGIN of its height above and below."""
    tl, tr, br, bl = np.asarray(polygon, np.float32)
    width = max(1.0, (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2)
    height = max(1.0, (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2)
    pad = MARGIN * height
    target = np.float32([[0, pad], [width, pad], [width, pad + height], [0, pad + height]])
    matrix = cv2.getPerspectiveTransform(np.float32([tl, tr, br, bl]), target)
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    size = (int(round(width)), int(round(height + 2 * pad)))
    return cv2.warpPerspective(grey, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


class PageLines:
    """``make(rng)`` -> (uint8 grey line crop, its text): the complete handwritten
    lines of generated pages of ``split``, one page's lines after another, those
    with a character outside the line model's charset left out."""

    def __init__(self, split: str = "train"):
        from ..synth import PageSettings, sources_for
        self.settings = PageSettings(split=split)
        sources_for(self.settings)   # ../shared missing: one InputError line now, not in a worker later
        self.charset = Charset()
        self.waiting = []

    def make(self, rng) -> tuple:
        for _ in range(PAGE_TRIES):
            if self.waiting:
                return self.waiting.pop()
            self.waiting = self.page_lines(int(rng.integers(2 ** 31)))[::-1]
        raise InputError(f"{PAGE_TRIES} generated pages in a row held no readable handwritten line")

    def page_lines(self, seed: int) -> list:
        """[(grey crop, text)] of the page ``seed``'s complete lines, in reading order."""
        from ..synth import make_page
        page = make_page(seed, self.settings)
        found = []
        for line in page.lines:
            text = self.charset.normalize(line.text)
            if line.complete and text:
                crop = straightened_crop(page.image, line.polygon)
                if min(crop.shape) >= 8:
                    found.append((crop, text))
        return found


def held_out_lines(count: int = TEST_COUNT, seed: int = TEST_SEED) -> list:
    """The test set: the first ``count`` lines of held-out pages, the same for a given seed."""
    lines, rng = PageLines("test"), np.random.default_rng(seed)
    return [lines.make(rng) for _ in range(count)]


def report(model_path: str, count: int, beam_width=None, lm_path="auto") -> str:
    """A line model's scores on the held-out pages' lines, as printable text."""
    from .recognizer import LineRecognizer
    lines = held_out_lines(count)
    recognizer = LineRecognizer(model_path, beam_width=beam_width, lm_path=lm_path)
    reads = [r.text for r in recognizer.read_batch([image for image, _ in lines], beam_width)]
    s = score([text for _, text in lines], reads)
    out = [f"{model_path} on {count} lines cut from held-out generated pages (UniPen test writers, held-out "
           f"fonts; seed {TEST_SEED}; {recognizer.describe_decoding()})",
           f"CER {100 * s['cer']:.2f}%  WER {100 * s['wer']:.2f}%  exact {100 * s['exact']:.2f}%",
           "\nfirst lines (truth -> read):"]
    out += [f"  {text!r} -> {read!r}" for (_, text), read in zip(lines[:12], reads)]
    return "\n".join(out)


@cli_main
def main(argv=None):
    print_held_out_report(held_out_parser(__doc__, TEST_COUNT).parse_args(argv), report)


if __name__ == "__main__":
    sys.exit(main())
