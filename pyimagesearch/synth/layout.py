"""Where things are on a sheet: the slots for handwritten lines and the sheet itself."""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Slot:
    """Where one handwritten line goes on the sheet (px): its left and right
    ends, baseline row and body (x-height); what it should say (a text kind of
    ``text.KINDS``), in capitals or not; ``pitch`` > 0: one character per box;
    ``row``: a table cell's row (a table's slots are made column by column, every
    other sheet's in reading order)."""
    x0: float
    x1: float
    baseline: float
    body: float
    kind: str = "prose"
    caps: bool = False
    pitch: float = 0.0
    row: int = 0


@dataclass
class Sheet:
    paper: np.ndarray                       # (h, w, 3) uint8 BGR: tone, ruling, boxes, show-through
    printed: np.ndarray                     # (h, w) uint8 coverage of printed text
    kind: str
    slots: list = field(default_factory=list)
    printed_text: list = field(default_factory=list)   # the strings printed on it
