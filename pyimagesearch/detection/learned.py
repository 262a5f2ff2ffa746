"""The learned handwriting detector at read time (LiteRT only, never TensorFlow).

The network (``detector_model``) sees the photo at a small working size and says,
for each cell of ``STRIDE`` x ``STRIDE`` working pixels, whether it holds
handwriting ink, whether it holds printed text, and which quarter turn would put
the page upright. Which of the page's ink is handwriting is judged on these cells
in ``handwriting_ink``.
"""
import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np


# a photo's long side is brought to this for the network: its writing then looks a third larger
# than on the training pages (detector_data.CANVAS), which reads better (docs/detector.md)
WORK_LONG_SIDE = 1024
# ... and to this for the page's turn: the whole page at a glance tells it better, and costs little
TURN_LONG_SIDE = 512
STRIDE = 8             # one output cell per STRIDE x STRIDE input pixels
ALIGN = 32             # the input's sides are padded to multiples of this (the deepest stride)
# the output's channels: logits of handwriting ink and printed text, then of the 4 quarter turns
OUTPUTS = ("hand", "print", "turn0", "turn1", "turn2", "turn3")
HAND_THRESHOLD = 0.5   # a component is handwriting when its mean handwriting probability reaches this
TURN_CONFIDENCE = 0.8  # the page is turned upright only when the turn's probability reaches this
SIDEWAYS = 0.6         # text runs down the photo when the two quarter turns' probabilities reach this together


def working_image(image: np.ndarray, long_side: int = WORK_LONG_SIDE) -> np.ndarray:
    """The photo as the network sees it: BGR uint8, long side ``long_side``."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.resize(image, size, interpolation=interpolation)


def padded(image: np.ndarray) -> np.ndarray:
    """``image`` edge-padded at the bottom and right to sides that are multiples of ALIGN."""
    h, w = image.shape[:2]
    return cv2.copyMakeBorder(image, 0, -h % ALIGN, 0, -w % ALIGN, cv2.BORDER_REPLICATE)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@dataclass
class DetectorView:
    """What the detector saw on one photo: per-cell probabilities (cells of the
    working image, padding removed) and, per quarter turn k, the probability that
    the photo is the upright page turned k quarter turns counter-clockwise;
    ``glance``: the cells of its smaller look (TURN_LONG_SIDE), if it had one."""
    hand: np.ndarray
    printed: np.ndarray
    turns: np.ndarray
    glance: "DetectorView | None" = None

    @classmethod
    def of_output(cls, output: np.ndarray, working_shape: tuple) -> "DetectorView":
        """From the network's (cells_h, cells_w, 6) logits for a working image of ``working_shape``."""
        rows, cols = -(-working_shape[0] // STRIDE), -(-working_shape[1] // STRIDE)
        output = output[:rows, :cols].astype(np.float32)
        hand = _sigmoid(output[..., 0])
        # each cell votes for the turn, handwriting cells count most
        weights = hand + 0.05
        turns = (_softmax(output[..., 2:6]) * weights[..., None]).sum(axis=(0, 1)) / weights.sum()
        return cls(hand, _sigmoid(output[..., 1]), turns)

    @property
    def text_cells(self) -> np.ndarray:
        """The cells holding text, handwritten or printed."""
        return (self.hand >= HAND_THRESHOLD) | (self.printed >= HAND_THRESHOLD)

    @property
    def turn(self) -> int:
        """The likeliest quarter turn."""
        return int(np.argmax(self.turns))

    @property
    def turn_probability(self) -> float:
        return float(self.turns.max())

    @property
    def sideways(self) -> bool:
        """Whether the text runs down the photo (a quarter turn either way) clearly
        more likely than across it: the network tells these apart far better than it
        tells which way round, and on a page of no clear direction it is unsure of all four."""
        return float(self.turns[1] + self.turns[3]) >= SIDEWAYS

    def upright(self, turn: int) -> "DetectorView":
        """The view of the page turned upright, taking the photo to be turned ``turn``."""
        glance = None if self.glance is None else self.glance.upright(turn)
        return DetectorView(np.rot90(self.hand, -turn), np.rot90(self.printed, -turn), np.roll(self.turns, -turn),
                            glance)


class LearnedDetector:
    """``run``: a function from a (1, H, W, 3) float32 BGR batch (0..255) to the
    network's (1, H / STRIDE, W / STRIDE, 6) output, and ``run_turn`` the same for
    the turn's smaller input (default: ``run``); ``from_file`` runs a .tflite on
    LiteRT, one interpreter per input size, so neither is resized at every photo."""

    def __init__(self, run, run_turn=None):
        self.run = run
        self.run_turn = run_turn or run

    @classmethod
    def from_file(cls, path: str) -> "LearnedDetector":
        from ..models.lite import LiteModel
        model = LiteModel(path)
        shape = model.output_shape
        if len(shape) != 4 or shape[-1] != len(OUTPUTS):
            from ..errors import InputError
            raise InputError(f"{path}: not a handwriting detector (output {shape}, "
                             f"a detector gives {len(OUTPUTS)} channels per cell)")
        return cls(model.run, LiteModel(path).run)

    def look(self, image: np.ndarray) -> DetectorView:
        """The detector's view of a BGR (or gray) photo: its cells at WORK_LONG_SIDE,
        its turn voted at TURN_LONG_SIDE, whose cells are its glance."""
        view = _view(self.run, working_image(image))
        glance = _view(self.run_turn, working_image(image, TURN_LONG_SIDE))
        return dataclasses.replace(view, turns=glance.turns, glance=glance)


def _view(run, work: np.ndarray) -> DetectorView:
    return DetectorView.of_output(run(padded(work)[None].astype(np.float32))[0], work.shape[:2])


def box_in_photo(box: list, turn: int, upright_shape: tuple) -> list:
    """A box [x, y, w, h] of the upright page (``upright_shape``: (h, w)) in the photo,
    which is the upright page turned ``turn`` quarter turns counter-clockwise."""
    x, y, w, h = box
    height, width = upright_shape[:2]
    for _ in range(turn % 4):
        # one counter-clockwise quarter turn: (x, y) -> (y, width - x)
        x, y, w, h = y, width - (x + w), h, w
        height, width = width, height
    return [x, y, w, h]
