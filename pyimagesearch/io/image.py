"""Read a photo safely: only the formats the reader supports, EXIF orientation
applied, size bounded before decoding, deep and transparent images flattened onto
white paper, and every way a file can be broken turned into a one-line InputError."""
import contextlib
import os
import sys
import warnings

import cv2
import numpy as np

from ..errors import InputError

# bounds the decoded size: 40 MP of RGB is 120 MB; a 12000x12000 image is refused
MAX_PIXELS = 40_000_000
MIN_SIDE = 8
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif")
# Pillow's names for the same formats; a file in any other, whatever its name, is refused
# (so none is ever handed to Ghostscript and the like)
PILLOW_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF")
# converted this many rows at a time, so a big photo is never held twice in full
BAND_ROWS = 64
# Pillow opens 16-bit grey as I;16 (TIFF byte orders: L, B, N) or, from some PNGs, as 32-bit I
SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")
ALPHA_MODES = ("RGBA", "RGBa", "LA", "La", "PA")
EXIF_ORIENTATION = 0x0112
# each EXIF orientation (2-8) undone on the decoded array (1: already upright); turning
# the array, not the Pillow image, keeps a big photo from being held twice
EXIF_TURNS = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
              5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1),
              7: lambda a: np.rot90(a, -1)[::-1], 8: lambda a: np.rot90(a, 1)}


def load_image(path: str) -> np.ndarray:
    """Return the image at ``path`` upright, as a BGR uint8 array (OpenCV's layout)."""
    from PIL import Image, UnidentifiedImageError
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: file is empty (0 bytes)")
    try:
        with _quiet_decoders(), Image.open(path, formats=PILLOW_FORMATS) as image:
            _check_size(path, *image.size)
            image.load()  # decodes now: a truncated file fails here, not later
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            bgr = to_bgr(image)
        return upright(bgr, orientation)
    except PermissionError:
        raise InputError(f"{path}: permission denied (cannot read the file)") from None
    except UnidentifiedImageError:
        raise InputError(f"{path}: not an image file (or a format this tool cannot read: "
                         f"{', '.join(e.lstrip('.') for e in IMAGE_EXTENSIONS)})") from None
    except Image.DecompressionBombError:
        raise InputError(f"{path}: image is too large to decode safely") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"{path}: corrupt or truncated image ({str(e).splitlines()[0]})") from None


@contextlib.contextmanager
def _quiet_decoders():
    """Decoders warn about what they repair (odd EXIF, bad tags), in Python or in C
    on the process's stderr: the one line the caller prints says enough."""
    with warnings.catch_warnings(), np.errstate(all="ignore"), _stderr_to_devnull():
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def _stderr_to_devnull():
    if sys.stderr:
        sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all: nothing to quiet
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _check_size(path, width, height):
    if width * height > MAX_PIXELS:
        raise InputError(f"{path}: image is too large ({width}x{height}); the limit is "
                         f"{MAX_PIXELS // 1_000_000} megapixels, downscale it first")
    if min(width, height) < MIN_SIDE:
        raise InputError(f"{path}: image is too small ({width}x{height}) to hold handwriting")


def to_bgr(image) -> np.ndarray:
    """A decoded Pillow image of any mode as 8-bit BGR, converted band by band."""
    width, height = image.size
    bgr = np.empty((height, width, 3), np.uint8)
    for top in range(0, height, BAND_ROWS):
        bottom = min(height, top + BAND_ROWS)
        bgr[top:bottom] = _band_to_bgr(image.crop((0, top, width, bottom)))
    return bgr


def _band_to_bgr(band):
    """One band: 16-bit grey scaled to 8 bits, transparency laid on white paper."""
    if band.mode in SIXTEEN_BIT_MODES:
        # 65535 / 257 = 255: the full 16-bit range onto the full 8-bit one
        gray = cv2.convertScaleAbs(np.asarray(band).astype(np.int32), alpha=1 / 257)
        return cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    if band.mode in ALPHA_MODES or (band.mode == "P" and "transparency" in band.info):
        rgba = np.asarray(band.convert("RGBA"), dtype=np.uint16)
        alpha = rgba[:, :, 3:]
        # (colour * alpha + white * (255 - alpha)) / 255, rounded: at most 65152, uint16 holds it
        rgb = (rgba[:, :, :3] * alpha + 255 * (255 - alpha) + 127) // 255
        return cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(np.asarray(band.convert("RGB")), cv2.COLOR_RGB2BGR)


def upright(bgr: np.ndarray, orientation: int) -> np.ndarray:
    """The image turned as its EXIF orientation tag (1-8) says it is meant to be seen."""
    if orientation not in EXIF_TURNS:
        return bgr
    return np.ascontiguousarray(EXIF_TURNS[orientation](bgr))


def gather_images(paths: list[str], recursive: bool = False) -> tuple[list[str], list[str]]:
    """(image files, problems): folders expanded into their image files (sorted; with
    ``recursive``, those of their sub-folders too), files kept as given (load_image
    judges them), and one message for each folder that cannot be read or gives no
    image; the others are still listed."""
    found, problems = [], []
    for path in paths:
        if not os.path.isdir(path):
            found.append(path)
            continue
        images = _folder_images(path, recursive, problems)
        if not images and not any(p.startswith(f"{path}:") for p in problems):
            problems.append(f"{path}: folder holds no images")
        found.extend(images)
    return found, problems


def _folder_images(folder, recursive, problems):
    """The image files in ``folder`` (and below it, when ``recursive``), sorted."""
    found = []
    for where, folders, names in os.walk(folder, onerror=lambda e: problems.append(
            f"{e.filename}: cannot read the folder ({e.strerror or e})")):
        folders.sort()
        if not recursive:
            folders.clear()
        found.extend(os.path.join(where, n) for n in sorted(names) if n.lower().endswith(IMAGE_EXTENSIONS))
    return found


def list_images(paths: list[str]) -> list[str]:
    """The image files of ``paths`` (see gather_images); the first problem is an InputError."""
    found, problems = gather_images(paths)
    if problems:
        raise InputError(problems[0])
    return found
