"""Training data for the handwriting detector: generated pages at the network's
working size, with per-cell truth, made by worker processes into shards.

Page making is Python (it would hold the GIL inside ``fit``), so the pages are made
first, by a process pool, into ``SPLIT-NNNN.npz`` shards of a folder (a shard that
exists is kept: an interrupted run resumes), then training crops them from memory.

A shard holds ``images`` (n, S, S, 3) uint8 BGR (the page at long side S =
``CANVAS``, edge-padded to S x S), ``cells`` (n, S/STRIDE, S/STRIDE, 4)
uint8 (handwriting 0/1, print 0/1, the page's quarter turn, 1 inside the page) and
``kinds`` (n,) indices into PAPER_KINDS.
"""
import functools
import os
import time
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_write
from ..processes import settle_worker, spawn_context
from ..synth import PAPER_KINDS, PageSettings, make_page
from .learned import STRIDE, working_image

CANVAS = 768   # the pages' long side: training crops see writing at this scale
CELLS = CANVAS // STRIDE
# a cell holds ink when this much of one working pixel in it is covered (0..255)
INK_COVER = 64


def cell_truth(page, shape: tuple) -> np.ndarray:
    """(CELLS, CELLS, 4) uint8 truth of ``page`` seen at working ``shape`` (h, w)."""
    h, w = shape
    truth = np.zeros((CELLS, CELLS, 4), np.uint8)
    for channel, mask in enumerate((page.hand_mask, page.print_mask)):
        small = cv2.resize(mask, (w, h), interpolation=cv2.INTER_AREA)
        canvas = np.zeros((CANVAS, CANVAS), np.uint8)
        canvas[:h, :w] = small >= INK_COVER
        truth[..., channel] = canvas.reshape(CELLS, STRIDE, CELLS, STRIDE).max(axis=(1, 3))
    truth[..., 2] = page.turn
    truth[:-(-h // STRIDE), :-(-w // STRIDE), 3] = 1
    return truth


def page_sample(seed: int, settings: PageSettings) -> tuple:
    """(canvas image, cell truth, paper kind index) of the generated page ``seed``."""
    page = make_page(seed, settings)
    work = working_image(page.image, CANVAS)
    h, w = work.shape[:2]
    canvas = cv2.copyMakeBorder(work, 0, CANVAS - h, 0, CANVAS - w, cv2.BORDER_REPLICATE)
    return canvas, cell_truth(page, (h, w)), PAPER_KINDS.index(page.kind)


def shard_path(folder: str, split: str, index: int) -> str:
    return os.path.join(folder, f"{split}-{index:04d}.npz")


def _save_shard(path, samples):
    images, cells, kinds = (np.stack(column) for column in zip(*samples))

    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, images=images, cells=cells, kinds=kinds)

    atomic_write(path, write)


@dataclass(frozen=True)
class ShardPlan:
    """Which pages a split's shards hold: ``pages`` of ``settings``, seeds from ``seed``."""
    split: str
    pages: int
    shard_size: int
    seed: int
    settings: PageSettings

    @property
    def shards(self) -> int:
        return -(-self.pages // self.shard_size)

    def seeds(self, index: int) -> list:
        start = index * self.shard_size
        # the test pages' seeds never meet the training pages'
        base = self.seed * 10_000_019 + (5_000_000 if self.split == "test" else 0)
        return [base + k for k in range(start, min(start + self.shard_size, self.pages))]


def write_shards(folder: str, plan: ShardPlan, workers: int = 2, log=print) -> list:
    """Make the missing shards of ``plan`` in ``folder`` with ``workers`` processes; their paths."""
    os.makedirs(folder, exist_ok=True)
    paths = [shard_path(folder, plan.split, k) for k in range(plan.shards)]
    missing = [k for k, path in enumerate(paths) if not os.path.isfile(path)]
    if not missing:
        return paths
    make = functools.partial(page_sample, settings=plan.settings)
    start, done = time.time(), 0
    with spawn_context().Pool(max(1, workers), initializer=settle_worker) as pool:
        for k in missing:
            _save_shard(paths[k], pool.map(make, plan.seeds(k), chunksize=4))
            done += 1
            rate = done / (time.time() - start)
            log(f"[INFO] {plan.split} pages: shard {done}/{len(missing)} written "
                f"({rate * plan.shard_size:.1f} pages/s, {(len(missing) - done) / rate / 60:.1f} min left)")
    return paths


def load_shards(paths: list) -> tuple:
    """(images, cells, kinds) of the shards, concatenated."""
    parts = []
    for path in paths:
        with np.load(path) as shard:
            parts.append((shard["images"], shard["cells"], shard["kinds"]))
        if parts[-1][0].shape[1:] != (CANVAS, CANVAS, 3):
            raise InputError(f"{path}: pages of another working size ({parts[-1][0].shape[1]} px, "
                             f"not {CANVAS}): give another --pages folder")
    return tuple(np.concatenate(column) for column in zip(*parts))


def random_crop(image, cells, rng, side, zoom=1.0):
    """A ``side``-px square crop (cell-aligned, inside the page where it can be) of
    one sample, scaled by a random factor from 1 / ``zoom`` to ``zoom`` (log-uniform)
    and turned by a random quarter turn (the truth follows)."""
    valid = cells[..., 3]
    rows, cols = int(valid.any(axis=1).sum()), int(valid.any(axis=0).sum())
    span = side // STRIDE
    scale = float(np.exp(rng.uniform(-np.log(zoom), np.log(zoom))))
    cover = int(np.clip(round(span / scale), 1, min(cells.shape[:2])))   # the page's cells the crop shows
    r = int(rng.integers(0, max(0, rows - cover) + 1))
    c = int(rng.integers(0, max(0, cols - cover) + 1))
    crop = image[r * STRIDE:(r + cover) * STRIDE, c * STRIDE:(c + cover) * STRIDE]
    truth = cells[r:r + cover, c:c + cover].copy()
    if cover != span:
        interpolation = cv2.INTER_AREA if cover > span else cv2.INTER_LINEAR
        crop = cv2.resize(crop, (side, side), interpolation=interpolation)
        nearest = ((np.arange(span) + 0.5) * cover / span).astype(int)   # the page cell under each crop cell's centre
        truth = truth[nearest][:, nearest]
    k = int(rng.integers(0, 4))
    truth[..., 2] = (truth[..., 2] + k) % 4
    return np.rot90(crop, k), np.rot90(truth, k)


def crop_batches(images, cells, batch_size: int, side: int, seed: int, zoom: float = 1.0):
    """Endless (x float32, y float32) batches of random crops (``random_crop``)."""
    rng = np.random.default_rng(seed)
    while True:
        pick = rng.integers(0, len(images), batch_size)
        pairs = [random_crop(images[i], cells[i], rng, side, zoom) for i in pick]
        yield (np.stack([p[0] for p in pairs]).astype(np.float32),
               np.stack([p[1] for p in pairs]).astype(np.float32))


def whole_batches(images, cells, batch_size: int):
    """Endless (x, y) batches of whole canvases, in order (validation)."""
    while True:
        for start in range(0, len(images), batch_size):
            yield (images[start:start + batch_size].astype(np.float32),
                   cells[start:start + batch_size].astype(np.float32))
