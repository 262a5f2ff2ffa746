"""Read a photo safely: EXIF orientation applied, size bounded before decoding,
and every way a file can be broken turned into a one-line InputError."""
import os
import warnings

import numpy as np

from ..errors import InputError

# bounds the decoded size: 40 MP of RGB is 120 MB; a 12000x12000 image is refused
MAX_PIXELS = 40_000_000
MIN_SIDE = 8
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif")


def load_image(path):
    """Return the image at ``path`` upright, as a BGR uint8 array (OpenCV's layout)."""
    from PIL import Image, ImageOps, UnidentifiedImageError
    if not os.path.isfile(path):
        raise InputError(f"{path}: no such file")
    if os.path.getsize(path) == 0:
        raise InputError(f"{path}: file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise InputError(f"{path}: image is too large ({width}x{height}); the limit is "
                                     f"{MAX_PIXELS // 1_000_000} megapixels, downscale it first")
                if min(width, height) < MIN_SIDE:
                    raise InputError(f"{path}: image is too small ({width}x{height}) to hold handwriting")
                image.load()  # decodes now: a truncated file fails here, not later
                upright = ImageOps.exif_transpose(image)
                rgb = np.asarray(upright.convert("RGB"), dtype=np.uint8)
                return np.ascontiguousarray(rgb[:, :, ::-1])
    except UnidentifiedImageError:
        raise InputError(f"{path}: not an image file (or a format this tool cannot read)") from None
    except Image.DecompressionBombError:
        raise InputError(f"{path}: image is too large to decode safely") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"{path}: corrupt or truncated image ({str(e).splitlines()[0]})") from None


def list_images(paths):
    """Expand folders into their image files (sorted); keep files as given."""
    found = []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.lower().endswith(IMAGE_EXTENSIONS))
            if not names:
                raise InputError(f"{path}: folder holds no images")
            found.extend(os.path.join(path, n) for n in names)
        else:
            found.append(path)
    return found
