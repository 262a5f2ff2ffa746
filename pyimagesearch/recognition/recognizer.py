"""Read cropped lines or words with a trained line model (.keras or .tflite).

    rec = LineRecognizer("line_model.tflite")       # or line_model.keras
    result = rec.read(gray_crop)                     # a decode.Decoded
    result.text, result.confidences, result.columns  # (x0, x1) per character

The .tflite path imports ai_edge_litert only (no TensorFlow); the .keras path
imports Keras. Labels (the charset) come from the model file (``store``). The
character language model beside the model file (``line_model.lm.npz``, see
``language``) is loaded with it: decoding is then a beam search that weighs the
network's reading against it, with the settings saved in that file; without
one, greedy decoding. The word list beside it (``line_model.lexicon.txt.gz``, see
``lexicon``) then corrects the words read that it lacks.
"""
import os
import sys

import cv2
import numpy as np

from ..errors import InputError, first_line
from ..io.archives import check_unpacked_size
from ..models import store
from ..models.lite import LiteModel
from . import decode as ctc
from .charset import Charset
from .language import CharNgram, lm_path_for
from .lexicon import load_lexicon
from .preprocess import HEIGHT, dense_stretch, frames, pad_batch, placed, to_model_input, widen

# The widest model input read (training lines are at most 1024 columns): a crop
# flatter than this at 32 px high is shrunk to it (``fit_width``)
MAX_INPUT_WIDTH = 4096


def stretch_for(width, posteriors, labels):
    """How much to widen a crop whose model input, ``width`` columns wide, gave
    ``posteriors``: ``dense_stretch`` with the characters it read."""
    return dense_stretch(width, len(ctc.greedy(posteriors, labels).indices))


def fit_width(gray: np.ndarray) -> tuple:
    """(crop, stretch): a non-empty crop whose model input would be wider than MAX_INPUT_WIDTH
    (a long rule, a 1-px-high sliver) shrunk to exactly that width and centred on
    its paper colour in a 32-px-high crop, so that it is read as a thin mark, in
    bounded time and memory; ``stretch`` is how much narrower its input is than
    the crop's at 32 px high. Any other crop is returned as it is, stretch 1.0."""
    gray = np.asarray(gray)
    h, w = gray.shape[:2]
    if w * HEIGHT <= MAX_INPUT_WIDTH * h:
        return gray, 1.0
    rows = min(HEIGHT, max(1, int(round(h * MAX_INPUT_WIDTH / w))))
    small = cv2.resize(gray, (MAX_INPUT_WIDTH, rows), interpolation=cv2.INTER_AREA)
    paper = np.median(small.reshape(-1, *gray.shape[2:]), axis=0)
    page = np.empty((HEIGHT, MAX_INPUT_WIDTH, *gray.shape[2:]), small.dtype)
    page[...] = paper
    top = (HEIGHT - rows) // 2
    page[top:top + rows] = small.reshape(rows, MAX_INPUT_WIDTH, *gray.shape[2:])
    return page, MAX_INPUT_WIDTH * h / (HEIGHT * w)


def load_language_model(model_path, charset, lm_path="auto"):
    """The language model for a line model: ``'auto'`` the one beside it if there
    is one, None none, otherwise that file. It must know the model's charset.

    A broken or mismatched file beside the model is a warning and greedy
    decoding (like a broken ``.tflite`` twin, it must not stop the reader); a
    file asked for by name is an error."""
    beside = lm_path == "auto"
    if lm_path is None:
        return None
    if beside:
        lm_path = lm_path_for(model_path)
        if not os.path.isfile(lm_path):
            return None
    try:
        lm = CharNgram.load(lm_path)
        if lm.chars != charset.labels:
            raise InputError(f"{lm_path}: its characters differ from the line model's ({model_path})")
    except InputError as e:
        if not beside:
            raise
        print(f"[WARNING] {e}; decoding without it", file=sys.stderr)
        return None
    return lm


def charset_of(path: str) -> Charset:
    """The charset a line model file carries; labels that are not one are an InputError."""
    try:
        return Charset(store.read_labels(path))
    except ValueError as e:
        raise InputError(f"{path}: its labels are not a line model's charset ({e})") from None


def _keras_line_model(path):
    if store.sniff_format(path) == "keras":
        check_unpacked_size(path)
    import keras
    from . import model as _registers_ctc_loss  # noqa: F401
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as e:   # a .keras zip that is not a model, a 2020 HDF5 classifier...
        raise InputError(f"{path}: cannot load as a line model ({first_line(e)})") from None
    if isinstance(model.input_shape, list) or isinstance(model.output_shape, list):
        raise InputError(f"{path}: a line model has one input and one output")
    return model


class LineRecognizer:
    def __init__(self, path, beam_width=None, batch_size=32, lm_path="auto", lexicon_path="auto"):
        """``beam_width``: None for the language model's beam (greedy without one),
        0 or 1 for greedy decoding, more for a beam search of that width.
        ``lm_path``, ``lexicon_path``: 'auto' (the files beside the model, if
        any), None (none) or a file."""
        self.path = path
        self.kind = store.sniff_format(path)
        self.charset = charset_of(path)
        self.lm = load_language_model(path, self.charset, lm_path)
        # the word list corrects what the language model's beam search reads
        self.lexicon = load_lexicon(path, lexicon_path) if self.lm is not None else None
        if beam_width is None:
            beam_width = self.lm.decoding["beam_width"] if self.lm else 0
        self.beam_width = beam_width
        self.batch_size = batch_size
        self.lite = self.model = None
        if self.kind == "tflite":
            self.lite = LiteModel(path)
        else:
            self.model = _keras_line_model(path)
        self._check_shapes()

    def _check_shapes(self):
        """A line model: (N, 32, W, 1) in, (N, W / 4, characters + blank) out."""
        runtime = self.model if self.model is not None else self.lite
        given, gives = tuple(runtime.input_shape), tuple(runtime.output_shape)
        if len(given) != 4 or given[1] not in (None, HEIGHT) or given[3] not in (None, 1):
            raise InputError(f"{self.path}: takes inputs of shape {given}, a line model takes (N, {HEIGHT}, W, 1)")
        if len(gives) != 3:
            raise InputError(f"{self.path}: gives outputs of shape {gives}, a line model gives (N, frames, "
                             f"classes): not a line model")
        if self.output_classes() != self.charset.num_classes:
            raise InputError(f"{self.path}: {self.output_classes()} output classes but its charset has "
                             f"{len(self.charset)} characters + blank: not a line model")

    def output_classes(self):
        return int((self.model if self.model is not None else self.lite).output_shape[-1])

    def _run_tflite(self, x):
        """One (32, W) input -> (W // 4, C) posteriors."""
        return self.lite.run(x[None, :, :, None])[0]

    def posteriors(self, crops):
        """Grey crops (dark ink on light paper, any height) -> list of
        ((frames, C) posteriors, stretch).

        ``stretch``: model-input columns per column of the crop scaled to 32 px
        high. A densely written crop is read again widened (stretch > 1), at its
        own resolution: frame f of its posteriors covers model-input columns
        [4 f, 4 f + 4) / stretch. A crop too flat for MAX_INPUT_WIDTH is read
        shrunk to that width (stretch < 1, see ``fit_width``). An empty crop
        holds no text: no frames."""
        crops = [np.asarray(c) for c in crops]
        readable = [k for k, c in enumerate(crops) if c.shape[0] and c.shape[1]]
        out = [(np.zeros((0, self.charset.num_classes), np.float32), 1.0)] * len(crops)
        for k, result in zip(readable, self._read_crops([crops[k] for k in readable])):
            out[k] = result
        return out

    def _read_crops(self, crops):
        """``posteriors`` of non-empty crops."""
        fitted = [fit_width(c) for c in crops]
        inputs = [to_model_input(c) for c, _ in fitted]
        first = self._posteriors(inputs)
        stretches = [s for _, s in fitted]
        labels = list(self.charset.chars)
        wanted = [stretch_for(x.shape[1], p, labels) for x, p in zip(inputs, first)]
        again = [k for k, s in enumerate(wanted) if s > 1.0 and inputs[k].shape[1] < MAX_INPUT_WIDTH]
        if again:
            wide = [to_model_input(widen(fitted[k][0], min(wanted[k], MAX_INPUT_WIDTH / inputs[k].shape[1])))
                    for k in again]
            for k, x, p in zip(again, wide, self._posteriors(wide)):
                first[k], stretches[k] = p, stretches[k] * x.shape[1] / inputs[k].shape[1]
        return list(zip(first, stretches))

    def _posteriors(self, inputs):
        """One network pass per input: list of (W_i // 4, C) posteriors.

        Keras runs width-sorted padded batches; LiteRT runs one input at a time.
        Inputs narrower than 16 px are padded to 16 first (too few frames)."""
        inputs = [x if x.shape[1] >= 16 else np.pad(x, ((0, 0), (0, 16 - x.shape[1]))) for x in inputs]
        if self.model is None:
            padded = [x if x.shape[1] % 4 == 0 else np.pad(x, ((0, 0), (0, 4 - x.shape[1] % 4))) for x in inputs]
            return [self._run_tflite(x)[:frames(x.shape[1])] for x in padded]
        out = [None] * len(inputs)
        order = np.argsort([x.shape[1] for x in inputs], kind="stable")
        for k in range(0, len(order), self.batch_size):
            chunk = order[k:k + self.batch_size]
            batch, widths = pad_batch([inputs[i] for i in chunk])
            probs = np.asarray(self.model.predict_on_batch(batch))   # compiled; model(x) is 7x slower
            for j, i in enumerate(chunk):
                out[i] = probs[j, :max(1, frames(widths[j]))]
        return out

    def decode(self, posteriors, beam_width=None):
        beam = self.beam_width if beam_width is None else beam_width
        if self.lm is None:
            return ctc.decode(posteriors, self.charset, beam_width=beam)
        decoded = ctc.decode(posteriors, self.charset, beam_width=beam, lm=self.lm,
                             lm_weight=self.lm.decoding["lm_weight"], char_bonus=self.lm.decoding["char_bonus"])
        if self.lexicon is None or beam < 2:
            return decoded
        return self.lexicon.correct(np.asarray(posteriors, np.float64), decoded, self.charset.chars, self.lm)

    def describe_decoding(self, beam_width=None):
        """How ``decode`` reads, in words (for reports)."""
        beam = self.beam_width if beam_width is None else beam_width
        if not beam or beam < 2:
            return "greedy decoding"
        if self.lm is None:
            return f"beam search, width {beam}"
        words = (f"; words corrected from a list of {len(self.lexicon.words)} (bonus {self.lexicon.bonus})"
                 if self.lexicon is not None else "")
        return (f"beam search, width {beam}, with the {self.lm.order}-gram character language model "
                f"(weight {self.lm.decoding['lm_weight']}, bonus {self.lm.decoding['char_bonus']} per character{words})")

    def read_batch(self, images, beam_width=None):
        """Grey crops (dark ink on light paper, any height) -> Decoded results,
        each with its characters' ``columns`` in its crop."""
        return [placed(self.decode(probs, beam_width), np.asarray(img).shape[0], stretch)
                for img, (probs, stretch) in zip(images, self.posteriors(images))]

    def read(self, image, beam_width=None):
        return self.read_batch([image], beam_width)[0]


def load_line_recognizer(path, runtime="auto"):
    """The line model at ``path``; like the classifier, a ``.tflite`` twin beside a
    ``.keras`` file runs on LiteRT (no TensorFlow) unless ``runtime`` is 'keras'."""
    return store.load_with_runtime(path, runtime, _load_lite, LineRecognizer)


def _load_lite(path):
    try:
        return LineRecognizer(path)
    except (ValueError, RuntimeError) as e:
        raise InputError(f"{path}: not a valid LiteRT line model ({str(e).splitlines()[0]})") from None
