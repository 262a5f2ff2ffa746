"""Writing a labelled test folder that ``evaluation.reader`` scores: the photos and
their ``truth.tsv`` (file, text, style; a photo's lines joined by the two characters
``\\n``)."""
import os

import cv2

from ..errors import InputError
from ..io.atomic import write_text
from .reader import LINE_BREAK, TRUTH_COLUMNS

JPEG_QUALITY = 90


def write_folder(folder: str, photos) -> int:
    """Write ``photos`` (name, image, lines of text, style) into ``folder``, which must
    not hold a truth.tsv yet; the truth is written last, so an interrupted run leaves
    no folder that looks complete. Returns how many were written."""
    truth = os.path.join(folder, "truth.tsv")
    if os.path.exists(truth):
        raise InputError(f"{truth} exists: choose an empty folder")
    os.makedirs(folder, exist_ok=True)
    rows = ["\t".join(TRUTH_COLUMNS)]
    for name, image, lines, style in photos:
        jpeg = name.lower().endswith((".jpg", ".jpeg"))
        cv2.imwrite(os.path.join(folder, name), image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY] if jpeg else [])
        rows.append(f"{name}\t{LINE_BREAK.join(lines)}\t{style}")
    write_text(truth, "\n".join(rows) + "\n")
    return len(rows) - 1
