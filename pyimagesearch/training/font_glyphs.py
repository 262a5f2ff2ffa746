"""Training glyphs set in the handwriting fonts (``../shared/fonts``), rendered before
training so that drawing them never competes with the training loop.

Each copy is one character drawn by ``synth.fonts.render_line`` (affine jitter,
slant, stroke weight, elastic distortion) at a random size, then put through the
one glyph normalisation the reader uses (``transforms.normalize_glyph``). Only
the training fonts are used: the held-out group stays out (``font_table(..., "train")``).
Only digits and capitals are drawn, so the capitals-only fonts are right too.
The result is cached in an .npz outside the repository, keyed by what made it.
"""
import hashlib
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from ..errors import InputError
from ..labels import TUTORIAL_LABELS
from ..io.atomic import atomic_write
from ..models.store import file_sha256
from ..processes import settle_worker, spawn_context
from ..synth.fonts import font_table, render_line
from ..transforms.glyph import normalize_glyph

RENDER_VERSION = 1   # part of the cache key: bump it when the drawing below changes
BODY_PX = (10.0, 26.0)   # x-height range of the drawn glyphs, in pixels
FAINT = 0.05   # coverage below this is anti-aliasing fuzz, not ink (as synth.fonts.trim counts it)


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "handwriting-ocr")


def render_font(spec, copies: int, seed: int):
    """``copies`` glyphs of each of the 36 classes in one font: (N,28,28) uint8, int labels."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, ch in enumerate(TUTORIAL_LABELS):
        for _ in range(copies):
            ink = render_line(spec, ch, rng.uniform(*BODY_PX), rng).ink
            images.append(normalize_glyph(np.where(ink < FAINT, 0.0, ink)))
            labels.append(label)
    return np.stack(images), np.array(labels, np.int64)


def _cache_path(specs, copies, seed) -> str:
    """Keyed by the fonts' contents, not their names: a font replaced under the same
    name is rendered again."""
    fonts = [(os.path.basename(s.path), file_sha256(s.path)) for s in specs]
    key = hashlib.sha256(repr((RENDER_VERSION, fonts, copies, seed)).encode())
    return os.path.join(cache_dir(), f"font_glyphs_{key.hexdigest()[:16]}.npz")


def _render_all(specs, copies, seed, workers):
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=spawn_context(), initializer=settle_worker) as pool:
            parts = list(pool.map(render_font, specs, [copies] * len(specs),
                                  [seed * 1000 + i for i in range(len(specs))]))
    except BrokenProcessPool:
        # a killed worker (SIGKILL, the out-of-memory killer) takes its glyphs with it
        raise InputError("a process rendering the font glyphs died (killed, or out of memory?); none were "
                         "cached, so running the command again renders them all afresh") from None
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _save_cache(path, images, labels):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, lambda tmp: np.savez_compressed(tmp, images=images, labels=labels), suffix=".npz")
    except (OSError, InputError) as e:
        print(f"[INFO] font glyphs not cached ({e})")


def _load_cache(path):
    """(images, labels) of the cache file ``path``, or None when there is none or it
    cannot be read whole (it is then rendered again)."""
    if not os.path.isfile(path):
        return None
    try:
        with np.load(path, allow_pickle=False) as cached:
            images, labels = cached["images"], cached["labels"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        print(f"[WARNING] {path}: unreadable font glyph cache ({e}): rendering them again")
        return None
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (len(images),):
        print(f"[WARNING] {path}: font glyph cache of the wrong shape: rendering them again")
        return None
    print(f"[INFO] {len(labels)} font glyphs from {path}")
    return images, labels


def font_glyphs(fonts_dir: str, copies: int, seed: int, workers: int = 0):
    """(images (N,28,28) uint8, labels) of every training font in ``fonts_dir``:
    read from the cache, or rendered in ``workers`` processes (0: one per core)."""
    specs = font_table(fonts_dir, "train")
    if not specs:
        raise InputError(f"{os.path.join(fonts_dir, 'fonts.tsv')}: no training fonts (or --fonts none)")
    path = _cache_path(specs, copies, seed)
    cached = _load_cache(path)
    if cached is not None:
        return cached
    workers = workers or os.cpu_count() or 1
    print(f"[INFO] rendering {copies} copies of 36 characters in {len(specs)} fonts ({workers} processes)...")
    images, labels = _render_all(specs, copies, seed, workers)
    _save_cache(path, images, labels)
    return images, labels
