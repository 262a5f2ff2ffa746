"""Read cropped lines or words with a trained line model (.keras or .tflite).

    rec = LineRecognizer("line_model.tflite")       # or line_model.keras
    result = rec.read(gray_crop)                     # a decode.Decoded
    result.text, result.confidences, result.boxes    # boxes: (x0, x1) per character

The .tflite path imports ai_edge_litert only (no TensorFlow); the .keras path
imports Keras. Labels (the charset) come from the model file (``store``).
"""
import numpy as np

from ..errors import InputError
from ..models import store
from . import decode as ctc
from .charset import Charset
from .preprocess import HEIGHT, frames, pad_batch, span_to_columns, to_model_input


class LineRecognizer:
    def __init__(self, path, beam_width=0, batch_size=32, threads=2):
        self.path = path
        self.kind = store.sniff_format(path)
        self.charset = Charset(store.read_labels(path))
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

    def posteriors(self, inputs):
        """Network inputs (32, W_i) float -> list of (W_i // 4, C) posteriors.

        Keras runs width-sorted padded batches; LiteRT runs one input at a time.
        Inputs narrower than 16 px are padded to 16 first (too few frames)."""
        inputs = [np.asarray(x, np.float32) for x in inputs]
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
        return ctc.decode(posteriors, self.charset, beam_width=beam)

    def read_batch(self, images, beam_width=None):
        """Grey crops (dark ink on light paper, any height) -> Decoded results,
        each with ``boxes``: the (x0, x1) columns of each character in its crop."""
        inputs = [to_model_input(img) for img in images]
        results = []
        for img, probs in zip(images, self.posteriors(inputs)):
            result = self.decode(probs, beam_width)
            scale = np.asarray(img).shape[0] / float(HEIGHT)
            result.boxes = [span_to_columns(span, scale) for span in result.spans]
            results.append(result)
        return results

    def read(self, image, beam_width=None):
        return self.read_batch([image], beam_width)[0]
