"""Read cropped lines or words with a trained line model (.keras or .tflite).

    rec = LineRecognizer("line_model.tflite")       # or line_model.keras
    result = rec.read(gray_crop)                     # a decode.Decoded
    result.text, result.confidences, result.columns  # (x0, x1) per character

The .tflite path imports ai_edge_litert only (no TensorFlow); the .keras path
imports Keras. Labels (the charset) come from the model file (``store``). The
character language model beside the model file (``line_model.lm.npz``, see
``language``) is loaded with it: decoding is then a beam search that weighs the
network's reading against it, with the settings saved in that file; without
one, greedy decoding.
"""
import os
import sys

import numpy as np

from ..errors import InputError
from ..models import store
from . import decode as ctc
from .charset import Charset
from .language import CharNgram, lm_path_for
from .preprocess import HEIGHT, dense_stretch, frames, pad_batch, placed, to_model_input, widen


def stretch_for(width, posteriors, labels):
    """How much to widen a crop whose model input, ``width`` columns wide, gave
    ``posteriors``: ``dense_stretch`` with the characters it read."""
    return dense_stretch(width, len(ctc.greedy(posteriors, labels).indices))


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


class LineRecognizer:
    def __init__(self, path, beam_width=None, batch_size=32, threads=2, lm_path="auto"):
        """``beam_width``: None for the language model's beam (greedy without one),
        0 or 1 for greedy decoding, more for a beam search of that width."""
        self.path = path
        self.kind = store.sniff_format(path)
        self.charset = Charset(store.read_labels(path))
        self.lm = load_language_model(path, self.charset, lm_path)
        if beam_width is None:
            beam_width = self.lm.decoding["beam_width"] if self.lm else 0
        self.beam_width = beam_width
        self.batch_size = batch_size
        if self.kind == "tflite":
            from ai_edge_litert.interpreter import Interpreter
            self.interpreter = Interpreter(model_path=path, num_threads=threads)
            self._input = self.interpreter.get_input_details()[0]["index"]
            self._output = self.interpreter.get_output_details()[0]["index"]
            self._width = None
            self.model = None
        else:
            import keras
            from . import model as _registers_ctc_loss  # noqa: F401
            try:
                self.model = keras.saving.load_model(path, compile=False)
            except Exception as e:   # a .keras zip that is not a model, a 2020 HDF5 classifier...
                raise InputError(f"{path}: cannot load as a line model ({e})") from None
        if self.output_classes() != self.charset.num_classes:
            raise InputError(f"{path}: {self.output_classes()} output classes but its charset has "
                             f"{len(self.charset)} characters + blank: not a line model")

    def output_classes(self):
        if self.model is not None:
            return int(self.model.output_shape[-1])
        return int(self.interpreter.get_output_details()[0]["shape"][-1])

    def _run_tflite(self, x):
        """One (32, W) input -> (W // 4, C) posteriors."""
        width = x.shape[1]
        if width != self._width:
            self.interpreter.resize_tensor_input(self._input, [1, HEIGHT, width, 1], strict=False)
            self.interpreter.allocate_tensors()
            self._width = width
        self.interpreter.set_tensor(self._input, x[None, :, :, None].astype(np.float32))
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output)[0].copy()

    def posteriors(self, crops):
        """Grey crops (dark ink on light paper, any height) -> list of
        ((frames, C) posteriors, stretch).

        A densely written crop is read again widened by ``stretch`` (1.0 when
        not), at its own resolution: frame f of its posteriors covers model-input
        columns [4 f, 4 f + 4) / stretch."""
        inputs = [to_model_input(c) for c in crops]
        first = self._posteriors(inputs)
        labels = list(self.charset.chars)
        stretches = [stretch_for(x.shape[1], p, labels) for x, p in zip(inputs, first)]
        again = [k for k, s in enumerate(stretches) if s > 1.0]
        if again:
            wide = [to_model_input(widen(crops[k], stretches[k])) for k in again]
            for k, x, p in zip(again, wide, self._posteriors(wide)):
                first[k], stretches[k] = p, x.shape[1] / inputs[k].shape[1]
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
        return ctc.decode(posteriors, self.charset, beam_width=beam, lm=self.lm,
                          lm_weight=self.lm.decoding["lm_weight"], char_bonus=self.lm.decoding["char_bonus"])

    def describe_decoding(self, beam_width=None):
        """How ``decode`` reads, in words (for reports)."""
        beam = self.beam_width if beam_width is None else beam_width
        if not beam or beam < 2:
            return "greedy decoding"
        if self.lm is None:
            return f"beam search, width {beam}"
        return (f"beam search, width {beam}, with the {self.lm.order}-gram character language model "
                f"(weight {self.lm.decoding['lm_weight']}, bonus {self.lm.decoding['char_bonus']} per character)")

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
