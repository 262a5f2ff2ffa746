"""Handwriting fonts (``../shared/fonts``) drawn so that no two letters are identical.

Every glyph is rendered once per size bucket and cached, then each copy gets its
own small affine jitter (scale, rotation, shear, baseline) and stroke weight, and
the whole line a smooth elastic distortion. The 9 capitals-only fonts write the
line in capitals (their a-z are capitals, so lower-case labels would be wrong).

Held out: the fonts in ``HELD_OUT`` (print, cursive, marker and one
capitals-only) never appear on training pages and are the only fonts on test
pages. ``EXCLUDED`` fonts are used nowhere (Ecolier lignes draws school ruling
into every glyph, which would be labelled handwriting).
"""
import csv
import os
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..errors import InputError

HELD_OUT = frozenset({"handlee.ttf", "gaegu.ttf", "shadows-into-light-two.ttf", "the-girl-next-door.ttf",
                      "steve.ttf", "marck-script.ttf", "homemade-apple.ttf", "la-belle-aurore.ttf",
                      "gochi-hand.ttf", "mansalva.ttf", "because-we-mentor.otf"})
EXCLUDED = frozenset({"ecolier-lignes-court.ttf"})
TABLE_COLUMNS = ("file", "style", "lowercase")   # the columns of fonts.tsv read here
CAPS_BODIES = 1.45   # a capital is about 1.45 x-heights tall
SIZE_STEPS = 4   # size buckets per octave: a cached glyph is scaled by at most 2**(1/8) either way


@dataclass(frozen=True)
class FontSpec:
    """One font file; ``caps_only`` fonts draw a-z as capitals."""
    path: str
    caps_only: bool = False
    style: str = "print"


def font_table(fonts_dir: str, split: str) -> list:
    """The fonts of ``fonts_dir/fonts.tsv`` for ``split`` ("train": all but the
    held-out group, "test": the held-out group), each file once."""
    table = os.path.join(fonts_dir, "fonts.tsv")
    if not os.path.isfile(table):
        raise InputError(f"{table}: missing (handwriting fonts; see ../shared/fonts/README.md)")
    specs = {}
    with open(table, encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in TABLE_COLUMNS if c not in (rows.fieldnames or [])]
        if missing:
            raise InputError(f"{table}: no {', '.join(missing)} column (not a fonts table?)")
        for line, row in enumerate(rows, 2):
            if any(row[c] is None for c in TABLE_COLUMNS):
                raise InputError(f"{table}:{line}: fewer columns than its header")
            name = os.path.basename(row["file"])
            if name in EXCLUDED or (name in HELD_OUT) != (split == "test"):
                continue
            caps_only = not row["lowercase"].startswith("yes")
            specs[name] = FontSpec(os.path.join(fonts_dir, row["file"]), caps_only=caps_only, style=row["style"])
    return [specs[k] for k in sorted(specs)]


@lru_cache(maxsize=256)
def load_font(path: str, size: int):
    """A Pillow font, opened once per process and size."""
    try:
        return ImageFont.truetype(path, size)
    except OSError as e:
        raise InputError(f"{path}: cannot open font ({e})") from None


@lru_cache(maxsize=128)
def body_ratio(spec: FontSpec) -> float:
    """Height of the line's body (x-height) per unit of font size; capitals-only
    fonts count their capitals as 1.45 bodies, as capitals are beside lower case."""
    font = load_font(spec.path, 100)
    _, top, _, bottom = font.getbbox("H" if spec.caps_only else "x", anchor="ls")
    return max(bottom - top, 10) / 100.0 / (CAPS_BODIES if spec.caps_only else 1.0)


@lru_cache(maxsize=4096)
def glyph(path: str, ch: str, size: int):
    """(coverage uint8, origin x, origin y, advance) of one character: the
    origin is the pen position on the baseline inside the bitmap."""
    font = load_font(path, size)
    left, top, right, bottom = font.getbbox(ch, anchor="ls")
    image = Image.new("L", (max(right - left, 1) + 2, max(bottom - top, 1) + 2), 0)
    ImageDraw.Draw(image).text((1 - left, 1 - top), ch, font=font, fill=255, anchor="ls")
    return np.asarray(image, np.uint8), 1.0 - left, 1.0 - top, float(font.getlength(ch))


def smooth_field(rng, shape, cell: float) -> np.ndarray:
    """Low-frequency noise in about [-1, 1] with features ``cell`` px apart."""
    h, w = shape
    grid = rng.uniform(-1, 1, (max(2, int(h / cell) + 2), max(2, int(w / cell) + 2))).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


@dataclass
class InkLine:
    """One handwritten line: ink coverage in [0, 1], the baseline's row, its text
    and the column where the writing starts (the first box's left edge when boxed)."""
    ink: np.ndarray
    baseline: float
    text: str
    start: float = 0.0


def _weight(patch, amount, pen):
    """Thicker strokes (amount > 0: the ink spread outwards) or thinner ones (the edges fade)."""
    if amount < -0.02:
        return patch ** (1.0 - 4.0 * amount)
    if amount < 0.02:
        return patch
    soft = cv2.GaussianBlur(patch, (0, 0), max(0.5, 0.4 * pen))
    return np.maximum(patch, np.clip(soft * (1.0 + 8.0 * amount), 0.0, 1.0))


def _place(canvas, spec, ch, size, x, baseline, scale, look, rng):
    """Draw one jittered copy of ``ch`` with its pen position at (x, baseline); returns its advance."""
    bitmap, ox, oy, advance = glyph(spec.path, ch, size)
    if ch == " ":
        return advance * scale
    sx, sy = scale * rng.uniform(0.93, 1.07), scale * rng.uniform(0.93, 1.07)
    angle = rng.normal(0, 0.04)
    shear = look["slant"] + rng.normal(0, 0.05)
    c, s = np.cos(angle), np.sin(angle)
    a = np.array([[c, -s], [s, c]]) @ np.array([[1.0, -shear], [0.0, 1.0]]) @ np.diag([sx, sy])
    dy = rng.normal(0, 0.04) * look["body"]
    h, w = bitmap.shape
    corners = (np.array([[0, 0], [w, 0], [0, h], [w, h]]) - [ox, oy]) @ a.T + [x, baseline + dy]
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
    offset = np.array([x, baseline + dy]) - a @ [ox, oy] - [x0, y0]
    patch = cv2.warpAffine(bitmap, np.hstack([a, offset[:, None]]).astype(np.float32), (x1 - x0, y1 - y0),
                           flags=cv2.INTER_LINEAR, borderValue=0).astype(np.float32) / 255.0
    patch = _weight(patch, look["weight"] + rng.normal(0, 0.04), look["pen"])
    cy0, cx0 = max(y0, 0), max(x0, 0)
    cy1, cx1 = min(y1, canvas.shape[0]), min(x1, canvas.shape[1])
    if cy1 > cy0 and cx1 > cx0:
        region = canvas[cy0:cy1, cx0:cx1]
        np.maximum(region, patch[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0], out=region)
    return advance * sx


def render_line(spec: FontSpec, text: str, body: float, rng, pitch: float = 0.0, gap: float = 0.0) -> InkLine:
    """``text`` in ``spec``'s font with a body (x-height) of ``body`` px and
    ``gap`` px more between letters. ``pitch`` > 0 puts one character per
    ``pitch``-wide box instead."""
    text = text.upper() if spec.caps_only else text
    wanted = body / body_ratio(spec)
    size = max(6, int(round(2 ** (round(np.log2(wanted) * SIZE_STEPS) / SIZE_STEPS))))
    scale = wanted / size
    look = {"slant": rng.normal(0.05, 0.12), "body": body, "weight": rng.uniform(-0.08, 0.2),
            "pen": max(1.0, body * 0.12)}
    tracking = rng.normal(0.03, 0.04) * body + gap
    space = rng.uniform(0.9, 1.6)
    widths = [glyph(spec.path, ch, size)[3] * scale for ch in text]
    width = int(max(sum(widths) * 1.25 + gap * len(text), pitch * len(text)) + 6 * body) + 4
    height = int(np.ceil(5.5 * body)) + 4
    baseline = 3.5 * body
    canvas = np.zeros((height, width), np.float32)
    x = 2.0 * body
    for k, ch in enumerate(text):
        if pitch:
            start = 2.0 * body + k * pitch
            x = start + max(0.0, (pitch - widths[k]) / 2) + rng.normal(0, 0.05) * pitch
            _place(canvas, spec, ch, size, x, baseline, scale, look, rng)
            continue
        advance = _place(canvas, spec, ch, size, x, baseline, scale, look, rng)
        x += advance * (space if ch == " " else 1.0) + (tracking if ch != " " else 0.0)
    canvas = _elastic(canvas, body, rng)
    return trim(InkLine(canvas, baseline, text, start=2.0 * body), margin=int(np.ceil(body * 0.3)) + 2)


def _elastic(canvas, body, rng):
    """A smooth random displacement of the whole line (letters bend individually)."""
    h, w = canvas.shape
    amp = rng.uniform(0.03, 0.09) * body
    dx = smooth_field(rng, (h, w), body * 1.2) * amp
    dy = smooth_field(rng, (h, w), body * 1.2) * amp
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(canvas, xs + dx, ys + dy, cv2.INTER_LINEAR, borderValue=0)


def trim(line: InkLine, margin: int) -> InkLine:
    """The line cut to its ink plus ``margin`` px (baseline and start follow)."""
    ink = line.ink
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.05), np.flatnonzero(ink.max(axis=0) > 0.05)
    if not len(rows):
        return InkLine(np.zeros((1, 1), np.float32), 0.0, line.text)
    y0, y1 = max(rows[0] - margin, 0), min(rows[-1] + margin + 1, ink.shape[0])
    x0, x1 = max(cols[0] - margin, 0), min(cols[-1] + margin + 1, ink.shape[1])
    return InkLine(ink[y0:y1, x0:x1], line.baseline - y0, line.text, line.start - x0)
