"""Loading the models a ``ReaderOptions`` names, and the mode they allow."""
import os

from ..errors import InputError
from ..models.classifier import load_classifier
from ..recognition.recognizer import load_line_recognizer
from .options import DETECTORS, MODES, SHIPPED_LINE_MODEL, ReaderOptions
from .predictor import HandwritingReader
from .seed import SeedReader


def resolve_mode(mode: str, line_model: str, runtime: str = "auto", explicit: bool = False):
    """(effective mode, recognizer or None). ``auto`` without the shipped line model
    file is ``chars``; ``lines`` without one, or a path given explicitly
    (``explicit``) that is not there, is an InputError: a mistyped path must not
    quietly read another way."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r}: choose one of {', '.join(MODES)}")
    if mode == "chars":
        return "chars", None
    if not line_model:
        if mode == "lines":
            raise InputError("--mode lines needs a line model (--line-model PATH)")
        return "chars", None
    if not os.path.isfile(line_model):
        if mode == "lines":
            raise InputError(f"{line_model}: no such line model file (needed by --mode lines)")
        if explicit:
            raise InputError(f"{line_model}: no such line model file (--line-model)")
        return "chars", None
    return mode, load_line_recognizer(line_model, runtime)


def load_detector(options: ReaderOptions):
    """The learned handwriting detector ``options`` ask for, or None for the classic segmenter."""
    if options.detector not in DETECTORS:
        raise InputError(f"--detector {options.detector!r}: choose one of {', '.join(DETECTORS)}")
    if options.detector == "classic":
        return None
    if not os.path.isfile(options.detector_model):
        raise InputError(f"{options.detector_model}: no such detector model file (needed by --detector learned)")
    from ..detection.learned import LearnedDetector
    return LearnedDetector.from_file(options.detector_model)


def load_reader(options: ReaderOptions):
    """The reader ``options`` ask for: a HandwritingReader, or with ``seed_mode``
    the 2020 pipeline (its classifier only)."""
    if options.seed_mode:
        return SeedReader(load_classifier(options.model, options.runtime))
    mode, recognizer = resolve_mode(options.mode, options.line_model or SHIPPED_LINE_MODEL, options.runtime,
                                    options.line_model is not None)
    classifier = load_classifier(options.model, options.runtime)
    return HandwritingReader(classifier, options.charset, options.min_confidence, recognizer, mode,
                             load_detector(options), options.min_line_confidence)
