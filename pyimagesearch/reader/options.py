"""The reader's settings, declared once: the command-line tools take their defaults from here."""
import os
from dataclasses import dataclass

from ..places import REPO

MODES = ("chars", "lines", "auto")
RUNTIMES = ("auto", "litert", "keras")
DETECTORS = ("classic", "learned")
# the shipped models sit at the repository's root, beside the two top-level scripts
MODELS_DIR = REPO
SHIPPED_CLASSIFIER = os.path.join(MODELS_DIR, "handwriting.keras")
SHIPPED_LINE_MODEL = os.path.join(MODELS_DIR, "line_model.keras")
SHIPPED_DETECTOR = os.path.join(MODELS_DIR, "detector.tflite")


@dataclass
class ReaderOptions:
    """What to read with and how."""
    model: str = SHIPPED_CLASSIFIER
    # None: the shipped line model, and characters only (silently) where it is missing;
    # a path given by the user must exist for --mode lines and warns for auto
    line_model: str | None = None
    mode: str = "auto"
    charset: str | None = None
    min_confidence: float = 0.0
    # a line read with a lower mean character confidence is left out: more of it is
    # wrong than right, and most such lines are texture (wood grain, a keyboard, smudges)
    min_line_confidence: float = 0.4
    runtime: str = "auto"
    seed_mode: bool = False
    # which ink is handwriting: 'classic' all the segmenter's ink, 'learned' only the
    # ink the handwriting detector (detector_model, a .tflite) calls handwriting
    detector: str = "learned"
    detector_model: str = SHIPPED_DETECTOR


def add_detector_arguments(parser) -> None:
    """The flags that choose which ink is read, shared by the reader and the evaluations."""
    parser.add_argument("--detector", choices=DETECTORS, default=ReaderOptions.detector,
                        help="which ink is read: classic (all the segmenter's ink) or learned (only what the "
                             "handwriting detector calls handwriting: no printed labels, rules or show-through; "
                             "default: %(default)s)")
    parser.add_argument("--detector-model", default=ReaderOptions.detector_model,
                        help="the handwriting detector (.tflite) for --detector learned "
                             "(default: the shipped detector.tflite)")


@dataclass
class OutputOptions:
    """How a batch runs and where its readings go."""
    output: str | None = None      # annotated image path, or a folder for several
    as_json: bool = False
    window: bool = True
    jsonl: str | None = None       # a results file, one JSON object per image, resumed when run again
    overwrite: bool = False        # start that file afresh instead
    jobs: int = 0                  # worker processes; 0: one per core
    recursive: bool = False        # read the images in sub-folders of a folder too
