"""The character classifier, run by LiteRT (fast, no TensorFlow) or by Keras.

``load_classifier`` picks the runtime: a ``.tflite`` file, or the ``.tflite``
twin beside a Keras model, runs on LiteRT; otherwise Keras is imported.
Both take (N, 32, 32, 1) float32 in [0, 1] and return (N, classes) probabilities.
"""
import os
import shutil
import tempfile

import numpy as np

from ..errors import InputError, first_line
from ..io.archives import check_unpacked_size
from ..transforms import MODEL_SIDE
from . import store
from .lite import LiteModel

# glyphs per call: Keras' predict() builds a pipeline per call, and LiteRT keeps an arena for
# the largest chunk's activations, so fixed chunks keep memory bounded. 64 rather than 256: on a
# page of 1200 marks 75 MB less peak memory, and 1024 glyphs classify in 265 ms instead of 295
BATCH = 64
GLYPH_INPUT = (MODEL_SIDE, MODEL_SIDE, 1)


class _Classifier:
    """Shared by both runtimes: chunking into bounded batches."""
    labels = ()

    def predict(self, inputs):
        if len(inputs) == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        return np.concatenate([self._run(inputs[i:i + BATCH]) for i in range(0, len(inputs), BATCH)])


class KerasClassifier(_Classifier):
    runtime = "keras"

    def __init__(self, path):
        self.path = path
        self.labels = store.read_labels(path)
        self.model = _load_keras_model(path)
        _check_shapes(path, _single_shape(path, self.model.input_shape, "input"),
                      _single_shape(path, self.model.output_shape, "output"), self.labels)

    def _run(self, chunk):
        # pad to a power of two: each new batch size would retrace the TensorFlow graph
        size = max(16, 1 << (len(chunk) - 1).bit_length())
        padded = np.zeros((size, *chunk.shape[1:]), np.float32)
        padded[:len(chunk)] = chunk
        return np.asarray(self.model.predict_on_batch(padded))[:len(chunk)]


class LiteClassifier(_Classifier):
    runtime = "litert"

    def __init__(self, path):
        self.path = path
        self.labels = store.read_labels(path)
        self.lite = LiteModel(path)
        _check_shapes(path, self.lite.input_shape, self.lite.output_shape, self.labels)

    def _run(self, chunk):
        return self.lite.run(chunk)


def _single_shape(path, shape, what):
    """A Keras model's input or output shape; models with several are not classifiers."""
    if isinstance(shape, list):
        if len(shape) != 1:
            raise InputError(f"{path}: a classifier has one {what}, this model has {len(shape)}")
        shape = shape[0]
    return shape


def _check_shapes(path, input_shape, output_shape, labels):
    """Glyphs in, one probability per label out: (N, 32, 32, 1) -> (N, classes).
    A free dimension (None) fits any size."""
    sides = tuple(input_shape[1:])
    if len(input_shape) != 4 or any(d is not None and d != want for d, want in zip(sides, GLYPH_INPUT)):
        raise InputError(f"{path}: takes inputs of shape {_shape_text(input_shape)}, a character "
                         f"classifier takes {_shape_text((None, *GLYPH_INPUT))}")
    if len(output_shape) != 2:
        raise InputError(f"{path}: gives outputs of shape {_shape_text(output_shape)}, a character "
                         f"classifier gives (N, classes)")
    classes = output_shape[-1]
    if classes != len(labels):
        raise InputError(f"{path}: model has {classes} classes but {len(labels)} labels")


def _shape_text(shape):
    return "(" + ", ".join("N" if k == 0 else "?" if d is None else str(d) for k, d in enumerate(shape)) + ")"


def _load_keras_model(path):
    kind = store.sniff_format(path)
    if kind == "tflite":
        raise InputError(f"{path}: a LiteRT file cannot be loaded by Keras")
    if kind == "keras":
        check_unpacked_size(path)
    import keras
    suffix = {"keras": ".keras", "hdf5": ".h5"}[kind]
    # Keras 3 picks the format by extension: give it a name that says what the bytes are
    with tempfile.TemporaryDirectory() as tmp:
        named = os.path.join(tmp, "model" + suffix)
        shutil.copyfile(path, named)
        try:
            return keras.saving.load_model(named, compile=False)
        except Exception as e:  # Keras raises many kinds for a file it cannot read
            raise InputError(f"{path}: cannot load the model ({first_line(e)})") from None


def load_classifier(path, runtime="auto"):
    """Load the classifier at ``path``; ``runtime`` is 'auto', 'litert' or 'keras'."""
    return store.load_with_runtime(path, runtime, LiteClassifier, KerasClassifier)
