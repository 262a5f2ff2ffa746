"""The UniPen words and text lines as shipped (``../shared/data/lines``, see its README):
``unipen_text_h32.npz`` (single lines, text ``label_detok``) and ``unipen_words_h32.npz``
(words, ``labels``), 32-px rasters with their pen trajectories, loaded and checked
(every column's shape, type and bounds: a damaged file is one InputError naming it).
The ``writer_split_test`` items are the test writers: only ``evaluate`` reads them.
"""
import os
from collections import defaultdict

import numpy as np

from ..errors import InputError
from ..io.archives import NpzArchive
from ..places import SHARED_LINES
from .preprocess import HEIGHT
from .strokes import StrokeStore, render_crop

# a flat mark's ink box counts as at least this share of the writer's median height
FLAT_MARK_FLOOR = 0.5
TEXT_FILE = "unipen_text_h32.npz"
WORDS_FILE = "unipen_words_h32.npz"
LINE, WORD = 0, 1
KIND_NAMES = {LINE: "lines", WORD: "words"}
DEFAULT_DATA = SHARED_LINES   # what the commands read unless told otherwise
# the columns each file must hold, and its text column
COLUMNS = ("height", "pixels", "widths", "offsets", "person", "writer", "quality", "writer_split_test")
TEXT_COLUMNS = {LINE: "label_detok", WORD: "labels"}


class Corpus:
    """Both files' items in one index: kind (LINE/WORD), row in its file, text."""

    def __init__(self, data_dir=DEFAULT_DATA, with_strokes=True, with_pixels=True):
        self.data_dir = data_dir
        self._pixels, self._widths, self._offsets, self.strokes = {}, {}, {}, {}
        columns = defaultdict(list)
        for kind, name in ((LINE, TEXT_FILE), (WORD, WORDS_FILE)):
            path = os.path.join(data_dir, name)
            if not os.path.isfile(path):
                raise InputError(f"{path}: missing (UniPen lines/words; see ../shared/data/lines/README.md)")
            d = read_items(path, TEXT_COLUMNS[kind])
            # the rasters are 344 MB in memory: a user of the strokes alone can leave them (image() then fails)
            self._pixels[kind] = d["pixels"] if with_pixels else None
            self._widths[kind], self._offsets[kind] = d["widths"], d["offsets"]
            n = len(d["widths"])
            columns["kind"].append(np.full(n, kind, np.int8))
            columns["row"].append(np.arange(n))
            columns["text"].append(d[TEXT_COLUMNS[kind]])
            for key in ("person", "writer", "quality", "writer_split_test", "widths"):
                columns[key].append(d[key])
            stroke_path = path.replace("_h32.npz", "_strokes.npz")
            self.strokes[kind] = (read_strokes(stroke_path, n) if with_strokes and os.path.isfile(stroke_path)
                                  else None)
        self.kind = np.concatenate(columns["kind"])
        self.row = np.concatenate(columns["row"])
        self.text = np.concatenate(columns["text"]).astype(str)
        # one person can write under several writer ids, and in both files
        self.person = np.concatenate(columns["person"]).astype(str)
        self.writer = np.concatenate(columns["writer"]).astype(str)
        self.quality = np.concatenate(columns["quality"]).astype(str)
        self.test = np.concatenate(columns["writer_split_test"]).astype(bool)
        self.width = np.concatenate(columns["widths"]).astype(np.int64)

    def __len__(self):
        return len(self.kind)

    def image(self, i):
        """uint8 (32, w) black ink on white, as shipped."""
        kind, row = int(self.kind[i]), int(self.row[i])
        w, o = int(self._widths[kind][row]), int(self._offsets[kind][row])
        return self._pixels[kind][o:o + HEIGHT * w].reshape(HEIGHT, w)

    def has_strokes(self, i):
        return self.strokes[int(self.kind[i])] is not None

    def item_strokes(self, i):
        return self.strokes[int(self.kind[i])].strokes(int(self.row[i]))

    def ref_height(self, i):
        return float(self.strokes[int(self.kind[i])].ref_height[int(self.row[i])])

    def rendered_image(self, i, scale):
        """The item rendered from its strokes at ``scale`` times the shipped
        height, with the shipped pen (the shipped raster when it has no strokes).
        As in the shipped rasters, a flat mark (a dash, a dot) is not blown up
        (``ink_floor``)."""
        if not self.has_strokes(i):
            return self.image(i)
        return render_crop(self.item_strokes(i), scale, min_ink_height=self.ink_floor(i))

    def ink_floor(self, i: int) -> float:
        """The least ink height, in tablet units, that item i's strokes are rendered
        as: half the writer's median height. A flat mark (a dash, a dot, a line of
        them) is drawn as small as it was written, not stretched to the full
        height and so to an enormous width."""
        return FLAT_MARK_FLOOR * self.ref_height(i)


def read_items(path: str, text_column: str) -> dict:
    """The columns of one ``*_h32.npz`` file, checked: one value per item in each,
    every image inside ``pixels``; an InputError names what is wrong."""
    with NpzArchive(path) as npz:
        d = {key: npz.array(key) for key in (*COLUMNS, text_column)}
    height = d["height"]
    if height.size != 1 or height.dtype.kind not in "iu" or int(height.ravel()[0]) != HEIGHT:
        raise InputError(f"{path}: 'height' must be the number {HEIGHT} (the images' height), found "
                         f"{height.ravel()[:1].tolist()} of shape {height.shape}")
    n = len(d["widths"]) if d["widths"].ndim == 1 else -1
    for key in (*COLUMNS[1:], text_column):
        if d[key].ndim != 1 or (key != "pixels" and len(d[key]) != n):
            raise InputError(f"{path}: {key!r} must be a list of one value per item like 'widths', "
                             f"found shape {d[key].shape}")
    if n == 0:
        raise InputError(f"{path}: holds no items")
    if d["pixels"].dtype != np.uint8:
        raise InputError(f"{path}: 'pixels' must be uint8 grey levels, found {d['pixels'].dtype}")
    for key in ("widths", "offsets"):
        if d[key].dtype.kind not in "iu":
            raise InputError(f"{path}: {key!r} must be integers, found {d[key].dtype}")
    widths, offsets = d["widths"].astype(np.int64), d["offsets"].astype(np.int64)
    size = len(d["pixels"])
    # each bound first on its own, so that the sum cannot overflow
    outside = np.flatnonzero((widths < 1) | (offsets < 0) | (widths > size) | (offsets > size)
                             | (offsets + HEIGHT * np.minimum(widths, size) > size))
    if outside.size:
        raise InputError(f"{path}: item {outside[0]}'s image (width {widths[outside[0]]}, offset "
                         f"{offsets[outside[0]]}) lies outside 'pixels'")
    for key in ("person", "writer", "quality", text_column):
        if d[key].dtype.kind != "U":
            raise InputError(f"{path}: {key!r} must be text, found {d[key].dtype}")
    if d["writer_split_test"].dtype.kind not in "biu":
        raise InputError(f"{path}: 'writer_split_test' must be true/false, found {d['writer_split_test'].dtype}")
    return d


def read_strokes(path: str, count: int) -> StrokeStore:
    """The ``*_strokes.npz`` beside a ``*_h32.npz`` of ``count`` items, checked:
    every sample's strokes and points inside their arrays, a height for each."""
    store = StrokeStore(path)
    _check_stroke_columns(path, store, count)
    bad = _samples_out_of_range(store)
    if bad.size:
        raise InputError(f"{path}: sample {bad[0]}: its strokes or points lie outside the file's arrays, "
                         f"or its height is not a positive number")
    store.ref_height = store.ref_height.astype(np.float32)
    return store


def _check_stroke_columns(path, store, count):
    per_sample = ("strokes_per_sample", "stroke_offset", "point_offset", "ref_height")
    for key in per_sample:
        if getattr(store, key).shape != (count,):
            raise InputError(f"{path}: {key!r} must hold one value per item ({count}, as in its images "
                             f"file), found shape {getattr(store, key).shape}")
    if store.points.ndim != 2 or store.points.shape[1] != 2 or store.stroke_lengths.ndim != 1:
        raise InputError(f"{path}: 'points_xy' must be (points, 2) and 'stroke_lengths' a list")
    for key in ("stroke_lengths", *per_sample[:3]):
        if getattr(store, key).dtype.kind not in "iu":
            raise InputError(f"{path}: {key!r} must be integers, found {getattr(store, key).dtype}")
    if store.points.dtype.kind not in "iu" or store.ref_height.dtype.kind not in "iuf":
        raise InputError(f"{path}: 'points_xy' must be integers and 'ref_height' numbers")
    if (store.stroke_lengths < 0).any():
        raise InputError(f"{path}: 'stroke_lengths' holds negative lengths")


def _samples_out_of_range(store):
    """Samples whose strokes or points run outside their arrays, or whose height
    is not a positive number."""
    lengths = store.stroke_lengths.astype(np.int64)
    ends = np.concatenate([[0], np.cumsum(lengths)])   # points before each stroke
    # clipped into range first, so that no sum overflows; the clipped ones fail below
    first = np.clip(store.stroke_offset.astype(np.int64), -1, len(lengths) + 1)
    count = np.clip(store.strokes_per_sample.astype(np.int64), -1, len(lengths) + 1)
    inside = (first >= 0) & (count >= 0) & (first + count <= len(lengths))
    points = ends[np.where(inside, first + count, 0)] - ends[np.where(inside, first, 0)]
    start = np.clip(store.point_offset.astype(np.int64), -1, len(store.points) + 1)
    height = store.ref_height.astype(np.float64)
    ok = inside & (start >= 0) & (start + points <= len(store.points)) & np.isfinite(height) & (height > 0)
    return np.flatnonzero(~ok)
