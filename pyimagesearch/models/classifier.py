"""The character classifier, run by LiteRT (fast, no TensorFlow) or by Keras.

``load_classifier`` picks the runtime: a ``.tflite`` file, or the ``.tflite``
twin beside a Keras model, runs on LiteRT; otherwise Keras is imported.
Both take (N, 32, 32, 1) float32 in [0, 1] and return (N, classes) probabilities.
"""
import os
import shutil
import tempfile

import numpy as np

from ..errors import InputError
from . import store

# Keras' predict() builds a pipeline per call; fixed chunks keep memory bounded
BATCH = 256


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
        _check_classes(path, self.model.output_shape[-1], self.labels)

    def _run(self, chunk):
        # pad to a power of two: each new batch size would retrace the TensorFlow graph
        size = max(16, 1 << (len(chunk) - 1).bit_length())
        padded = np.zeros((size, *chunk.shape[1:]), np.float32)
        padded[:len(chunk)] = chunk
        return np.asarray(self.model.predict_on_batch(padded))[:len(chunk)]


class LiteClassifier(_Classifier):
    runtime = "litert"

    def __init__(self, path, threads=2):
        from ai_edge_litert.interpreter import Interpreter
        self.path = path
        self.labels = store.read_labels(path)
        try:
            self.interpreter = Interpreter(model_path=path, num_threads=threads)
        except (ValueError, RuntimeError) as e:
            raise InputError(f"{path}: not a valid LiteRT model ({str(e).splitlines()[0]})") from None
        self.input = self.interpreter.get_input_details()[0]["index"]
        self.output = self.interpreter.get_output_details()[0]["index"]
        classes = int(self.interpreter.get_output_details()[0]["shape"][-1])
        _check_classes(path, classes, self.labels)
        self.batch = None

    def _run(self, chunk):
        if self.batch != len(chunk):
            self.interpreter.resize_tensor_input(self.input, [len(chunk), *chunk.shape[1:]])
            self.interpreter.allocate_tensors()
            self.batch = len(chunk)
        self.interpreter.set_tensor(self.input, np.ascontiguousarray(chunk, np.float32))
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output).copy()


def _check_classes(path, classes, labels):
    if classes != len(labels):
        raise InputError(f"{path}: model has {classes} classes but {len(labels)} labels")


def _load_keras_model(path):
    kind = store.sniff_format(path)
    if kind == "tflite":
        raise InputError(f"{path}: a LiteRT file cannot be loaded by Keras")
    import keras
    suffix = {"keras": ".keras", "hdf5": ".h5"}[kind]
    # Keras 3 picks the format by extension: give it a name that says what the bytes are
    with tempfile.TemporaryDirectory() as tmp:
        named = os.path.join(tmp, "model" + suffix)
        shutil.copyfile(path, named)
        try:
            return keras.saving.load_model(named, compile=False)
        except Exception as e:  # Keras raises many kinds for a file it cannot read
            raise InputError(f"{path}: cannot load the model ({type(e).__name__}: "
                             f"{str(e).splitlines()[0][:200] if str(e) else ''})") from None


def load_classifier(path, runtime="auto"):
    """Load the classifier at ``path``; ``runtime`` is 'auto', 'litert' or 'keras'."""
    return store.load_with_runtime(path, runtime, LiteClassifier, KerasClassifier)
