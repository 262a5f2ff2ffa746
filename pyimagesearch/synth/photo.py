"""The camera: sheets placed on a desk in perspective, light, glare, blur, noise, JPEG, turns.

Works on float32 BGR frames in 0..255; truth layers (masks, line polygons) go
through the same geometry and none of the photometric steps.
"""
import cv2
import numpy as np

from .fonts import smooth_field

DESKS = ("wood", "grey", "dark", "fabric", "wall")


def desk(rng, size: tuple, kind: str = "") -> np.ndarray:
    """A (h, w, 3) float32 surface for the sheets to lie on (made at half size: it is out of focus)."""
    w, h = size
    sw, sh = max(2, w // 2), max(2, h // 2)
    kind = kind or DESKS[int(rng.integers(len(DESKS) - 1))]
    if kind == "wood":
        tone = np.array([rng.uniform(50, 110), rng.uniform(80, 140), rng.uniform(110, 190)], np.float32)
        rows = max(2, int(sh / rng.uniform(4, 16)))
        grain = cv2.resize(rng.uniform(-1, 1, (rows, 4)).astype(np.float32), (sw, sh), interpolation=cv2.INTER_CUBIC)
        shade = 1 + rng.uniform(0.03, 0.1) * grain + 0.08 * smooth_field(rng, (sh, sw), max(sw, sh) / 2)
    elif kind == "wall":
        tone = np.full(3, rng.uniform(150, 220), np.float32) * rng.uniform(0.9, 1.05, 3).astype(np.float32)
        shade = 1 + 0.05 * smooth_field(rng, (sh, sw), max(sw, sh) / 3)
    else:
        level = {"grey": (90, 170), "dark": (20, 70), "fabric": (60, 160)}[kind]
        tone = np.full(3, rng.uniform(*level), np.float32) * rng.uniform(0.85, 1.15, 3).astype(np.float32)
        shade = 1 + 0.1 * smooth_field(rng, (sh, sw), max(sw, sh) / 4)
        if kind == "fabric":
            shade += 0.06 * smooth_field(rng, (sh, sw), 1.5)
    if kind == "wood" and rng.random() < 0.5:   # the grain runs across the frame
        shade = np.ascontiguousarray(cv2.resize(shade, (sh, sw)).T)
    surface = np.clip(shade[:, :, None] * tone, 0, 255)
    return cv2.resize(surface, (w, h), interpolation=cv2.INTER_LINEAR)


def placement(rng, sheet_size: tuple, centre: tuple, angle: float, tilt: float) -> np.ndarray:
    """Homography from sheet pixels to frame pixels: the sheet rotated by
    ``angle`` radians about ``centre`` and its corners moved by up to ``tilt``
    of its size (perspective)."""
    w, h = sheet_size
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    c, s = np.cos(angle), np.sin(angle)
    dst = (src - [w / 2, h / 2]) @ np.float32([[c, s], [-s, c]]) + centre
    dst += rng.uniform(-tilt, tilt, (4, 2)) * [w, h]
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def warp(layer: np.ndarray, matrix: np.ndarray, size: tuple, onto: np.ndarray = None) -> np.ndarray:
    """``layer`` seen through ``matrix`` in a frame of ``size`` (w, h); drawn over ``onto`` when given."""
    if onto is None:
        return cv2.warpPerspective(layer, matrix, size, flags=cv2.INTER_LINEAR, borderValue=0)
    return cv2.warpPerspective(layer, matrix, size, dst=onto, flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_TRANSPARENT)


def points(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Points (n, 2) through a homography."""
    return cv2.perspectiveTransform(np.asarray(xy, np.float32)[None], matrix)[0]


def drop_shadow(rng, frame, matrix, sheet_size):
    """A soft shadow of a sheet (placed by ``matrix``) on the surface below it, made at quarter size."""
    h, w = frame.shape[:2]
    quarter = np.float32([[0.25, 0, 0], [0, 0.25, 0], [0, 0, 1]])
    dx, dy = rng.uniform(-6, 6, 2)
    shift = np.float32([[1, 0, dx], [0, 1, dy], [0, 0, 1]])
    small = (max(1, w // 4), max(1, h // 4))
    outline = warp(np.ones(sheet_size[::-1], np.float32), quarter @ shift @ matrix, small)
    soft = cv2.GaussianBlur(outline, (0, 0), rng.uniform(0.5, 2))
    frame *= (1.0 - rng.uniform(0.2, 0.5) * cv2.resize(soft, (w, h)))[:, :, None]


def occluder(rng, size: tuple) -> tuple:
    """Something between the camera and the page, coming in from an edge: a
    hand (a skin-toned ellipse) or a pen (a long thin bar). Returns its mask
    (h, w) uint8 0/1 and its BGR colour."""
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    side = int(rng.integers(4))
    along = rng.uniform(0.2, 0.8)
    entry = [(along * w, 0), (w, along * h), (along * w, h), (0, along * h)][side]
    inward = np.array([(0, 1), (-1, 0), (0, -1), (1, 0)][side], np.float64)
    if rng.random() < 0.5:
        axes = (int(rng.uniform(0.15, 0.3) * w), int(rng.uniform(0.1, 0.2) * h))
        centre = np.array(entry) + inward * rng.uniform(0.0, 0.6) * min(axes)
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), axes, rng.uniform(0, 180), 0, 360, 1, -1)
        return mask, np.array([rng.uniform(80, 160), rng.uniform(110, 180), rng.uniform(160, 230)], np.float32)
    angle = np.arctan2(inward[1], inward[0]) + rng.normal(0, 0.5)
    tip = np.array(entry) + rng.uniform(0.2, 0.5) * max(w, h) * np.array([np.cos(angle), np.sin(angle)])
    thick = max(3, int(rng.uniform(0.012, 0.03) * max(w, h)))
    cv2.line(mask, (int(entry[0]), int(entry[1])), (int(tip[0]), int(tip[1])), 1, thick)
    return mask, rng.uniform(20, 200, 3).astype(np.float32)


def light(rng, frame: np.ndarray) -> None:
    """Uneven light, a colour cast and sometimes a cast shadow, in place (the
    light field is smooth, so it is made at an eighth of the size)."""
    h, w = frame.shape[:2]
    sh, sw = max(2, h // 8), max(2, w // 8)
    xs = np.linspace(-1, 1, sw, dtype=np.float32)[None, :]
    ys = np.linspace(-1, 1, sh, dtype=np.float32)[:, None]
    field = 1.0 + rng.uniform(-0.15, 0.15) * xs + rng.uniform(-0.15, 0.15) * ys
    field = field + rng.uniform(0, 0.12) * smooth_field(rng, (sh, sw), max(sh, sw) / 2)
    if rng.random() < 0.35:   # a hand's or phone's shadow: a soft half-plane
        angle, offset = rng.uniform(0, 2 * np.pi), rng.uniform(-0.8, 0.8)
        side = np.cos(angle) * xs + np.sin(angle) * ys - offset
        field *= 1.0 - rng.uniform(0.2, 0.55) / (1.0 + np.exp(-side / rng.uniform(0.04, 0.2)))
    cast = np.array([rng.uniform(0.85, 1.05), rng.uniform(0.95, 1.05), rng.uniform(0.95, 1.15)], np.float32)
    frame *= cv2.resize(field[:, :, None] * cast, (w, h), interpolation=cv2.INTER_LINEAR)


def glare(rng, frame: np.ndarray, strength: float) -> None:
    """A bright elliptical highlight (a glossy board, a lamp's reflection), in place."""
    h, w = frame.shape[:2]
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    rx, ry = rng.uniform(0.08, 0.35) * w, rng.uniform(0.05, 0.25) * h
    xs = ((np.arange(w, dtype=np.float32) - cx) / rx)[None, :] ** 2
    ys = ((np.arange(h, dtype=np.float32) - cy) / ry)[:, None] ** 2
    blob = strength * np.exp(-(xs + ys))
    frame += (255.0 - frame) * blob[:, :, None]


def camera(rng, frame: np.ndarray) -> np.ndarray:
    """Focus blur, sensor noise, low resolution and JPEG: float frame -> uint8 BGR."""
    h, w = frame.shape[:2]
    if rng.random() < 0.5:
        frame = cv2.GaussianBlur(frame, (0, 0), rng.uniform(0.3, 1.3))
    elif rng.random() < 0.15:   # shake
        k = int(rng.integers(3, 8))
        kernel = np.zeros((k, k), np.float32)
        cv2.line(kernel, (0, int(rng.integers(k))), (k - 1, int(rng.integers(k))), 1.0, 1)
        frame = cv2.filter2D(frame, -1, kernel / kernel.sum())
    if rng.random() < 0.2 and min(h, w) > 200:   # a low-resolution camera, upscaled
        f = rng.uniform(0.4, 0.8)
        small = cv2.resize(frame, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
        frame = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    sigma = rng.uniform(0, 7)
    if sigma > 0.5:
        frame += sigma * rng.standard_normal((h, w), dtype=np.float32)[:, :, None]
    out = np.clip(frame, 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        ok, blob = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 96))])
        out = cv2.imdecode(blob, cv2.IMREAD_COLOR) if ok else out
    return out


def turn_points(xy: np.ndarray, turns: int, size: tuple) -> np.ndarray:
    """Points of a (w, h) frame after ``np.rot90(frame, turns)`` (counter-clockwise quarter turns)."""
    w, h = size
    xy = np.asarray(xy, np.float32).copy()
    for _ in range(turns % 4):
        xy = np.stack([xy[:, 1], w - xy[:, 0]], axis=1)
        w, h = h, w
    return xy
