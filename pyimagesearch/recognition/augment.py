"""Make pen-tablet ink look like ink on photographed paper (numpy + OpenCV).

Works on uint8 black-ink-on-white line images of height 32; returns the same
kind of image (possibly wider), which ``preprocess.to_model_input`` then turns
into network input exactly as the reader does with a photo crop.

* ``geometry``: thicker ink (erosion of the white), slant (shear), width
  stretch, size and baseline jitter.
* ``photo``: paper brightness, a lighting gradient and a soft shadow edge,
  paper texture and grain, ink darkness and opacity, blur, sensor noise and
  JPEG artefacts.
"""
import cv2
import numpy as np

from .preprocess import HEIGHT


def geometry(image, rng, slant=0.35, stretch=(0.8, 1.25), shrink=(0.7, 1.0), thicken=0.3):
    """Random shear / width stretch / size and vertical jitter of a raster line."""
    if rng.random() < thicken:
        size = 2 if rng.random() < 0.7 else 3
        image = cv2.erode(image, np.ones((size, size), np.uint8))
    h, w = image.shape
    sh = rng.uniform(-slant, slant)
    sx = rng.uniform(*stretch)
    sy = rng.uniform(*shrink)
    cy = (h - 1) / 2.0
    ty = rng.uniform(-1.0, 1.0) * (1.0 - sy) * h / 2.0
    # x' = sx*x - sh*sy*(y - cy) + tx ; y' = sy*(y - cy) + cy + ty
    extra = abs(sh) * sy * h / 2.0
    tx = extra + 1.0
    out_w = int(np.ceil(sx * w + 2 * extra + 2))
    matrix = np.float32([[sx, -sh * sy, sh * sy * cy + tx], [0, sy, cy - sy * cy + ty]])
    return cv2.warpAffine(image, matrix, (out_w, h), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=255)


def _smooth_noise(rng, shape, cells):
    """Low-frequency noise in [-1, 1]: a coarse random grid resized up."""
    h, w = shape
    grid = rng.uniform(-1, 1, (max(2, cells[0]), max(2, cells[1]))).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def photo(image, rng):
    """Composite the ink onto a random photographed-paper background."""
    h, w = image.shape
    ink = 1.0 - image.astype(np.float32) / 255.0
    if rng.random() < 0.5:   # blur the ink itself (soft pen, focus)
        sigma = rng.uniform(0.3, 1.1)
        ink = cv2.GaussianBlur(ink, (0, 0), sigma)
    # paper: brightness, a linear lighting gradient, sometimes a shadow edge
    paper = np.full((h, w), rng.uniform(150, 250), np.float32)
    xs = np.linspace(-1, 1, w, dtype=np.float32)[None, :]
    ys = np.linspace(-1, 1, h, dtype=np.float32)[:, None]
    paper += rng.uniform(-40, 40) * xs + rng.uniform(-15, 15) * ys
    if rng.random() < 0.3:
        centre, softness = rng.uniform(-1, 1), rng.uniform(0.05, 0.5)
        direction = rng.choice([-1.0, 1.0])
        edge = 1.0 / (1.0 + np.exp(-direction * (xs - centre) / softness))
        paper -= rng.uniform(20, 80) * edge
    paper += rng.uniform(0, 12) * _smooth_noise(rng, (h, w), (rng.integers(2, 6), rng.integers(4, 40)))
    paper += rng.uniform(0, 6) * rng.standard_normal((h, w)).astype(np.float32)   # texture grain
    paper = np.clip(paper, 60, 255)
    # ink: darkness well below the paper, partly transparent
    ink_level = rng.uniform(0, 110)
    ink_level = min(ink_level, float(np.percentile(paper, 5)) - 45)
    opacity = rng.uniform(0.75, 1.0)
    out = paper * (1 - opacity * ink) + ink_level * opacity * ink
    if rng.random() < 0.3:   # camera blur after compositing
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.3, 0.9))
    out += rng.uniform(0, 8) * rng.standard_normal((h, w)).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, blob = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
        if ok:
            out = cv2.imdecode(blob, cv2.IMREAD_GRAYSCALE)
    return out


def augment(image, rng, raster=True):
    """Geometry then the photographed-paper look. Re-rendered strokes
    (``raster=False``) already got their pen width, slant and width stretch at
    rendering: they only get the size and baseline jitter here."""
    if image.shape[0] != HEIGHT:
        raise ValueError(f"expected a {HEIGHT}-px high line image, got {image.shape}")
    if raster:
        image = geometry(image, rng)
    else:
        image = geometry(image, rng, slant=0.0, stretch=(1.0, 1.0), thicken=0.0)
    return photo(image, rng)
