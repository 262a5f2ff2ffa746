"""A model file on the LiteRT runtime (imports ai_edge_litert only, never TensorFlow).

A file that LiteRT cannot build, allocate or run is an InputError: a flatbuffer can
be cut short or changed so that it opens but fails when its tensors are allocated
or resized, and that must not surface as a RuntimeError in the middle of a read.
"""
import numpy as np

from ..errors import InputError, first_line

_threads = 2   # LiteRT threads of each model this process loads (``set_threads``)


def set_threads(count: int) -> None:
    """The LiteRT threads of the models this process loads from now on: a worker
    process that shares the cores with others takes 1, so they are not oversubscribed."""
    global _threads
    _threads = max(1, int(count))


class LiteModel:
    """One input, one output; ``run`` resizes the input to each new shape."""

    def __init__(self, path: str):
        from ai_edge_litert.interpreter import Interpreter
        self.path = path
        threads = _threads

        def build():
            interpreter = Interpreter(model_path=path, num_threads=threads)
            interpreter.allocate_tensors()
            return interpreter, interpreter.get_input_details(), interpreter.get_output_details()

        self.interpreter, inputs, outputs = self._guarded(build, "not a valid LiteRT model")
        if len(inputs) != 1 or len(outputs) != 1:
            raise InputError(f"{path}: has {len(inputs)} inputs and {len(outputs)} outputs, "
                             f"a model here has one of each")
        self._input, self._output = inputs[0], outputs[0]
        self._shape = None

    def _guarded(self, action, failure):
        """``action()``, with LiteRT's errors as one InputError line."""
        try:
            return action()
        except (ValueError, RuntimeError) as e:
            raise InputError(f"{self.path}: {failure} ({first_line(e)})") from None

    @property
    def input_shape(self) -> tuple:
        return tensor_shape(self._input)

    @property
    def output_shape(self) -> tuple:
        return tensor_shape(self._output)

    def run(self, x: np.ndarray) -> np.ndarray:
        """float32 input of any shape the model allows -> a copy of its output."""
        x = np.ascontiguousarray(x, np.float32)

        def invoke():
            if x.shape != self._shape:
                self.interpreter.resize_tensor_input(self._input["index"], list(x.shape), strict=False)
                self.interpreter.allocate_tensors()
                self._shape = x.shape
            self.interpreter.set_tensor(self._input["index"], x)
            self.interpreter.invoke()
            return self.interpreter.get_tensor(self._output["index"]).copy()

        return self._guarded(invoke, "the LiteRT model fails to run")


def tensor_shape(details: dict) -> tuple:
    """A LiteRT tensor's shape with its free dimensions as None, as Keras writes them
    (LiteRT writes -1)."""
    shape = details.get("shape_signature", details["shape"])
    return tuple(None if d < 0 else int(d) for d in shape)
