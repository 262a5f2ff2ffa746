"""Draw the reading on the photo: a box and label on each character the classifier
read, a box and the text on each word the line model read. The window adds the
page's text in a panel beside the photo (as PP-OCR's draw_ocr does); the saved
picture keeps the photo's own pixels, so the JSON's boxes line up with it."""
import cv2
import numpy as np

from ..errors import InputError

GREEN = (0, 255, 0)
PANEL_SHARE = 0.6     # panel width / photo width
PANEL_PAPER = (255, 255, 255)
PANEL_INK = (40, 40, 40)
PANEL_LINE_HEIGHT = 32   # panel rows per text line, at the panel's own scale


def annotate(image, page):
    """A BGR copy of the photo with the reading's boxes and labels."""
    canvas = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    thickness = max(1, max(canvas.shape[:2]) // 500)
    for line in page.lines:
        if line.source == "lines":
            for word in line.words:
                _label(canvas, word.box, word.text, thickness)
        else:
            for word in line.words:
                for c in word.characters:
                    _label(canvas, c.box, c.char, thickness)
    return canvas


def with_text_panel(canvas, text):
    """The annotated photo with the page's text in a panel on its right."""
    return np.hstack([canvas, text_panel(text, canvas.shape[0], int(canvas.shape[1] * PANEL_SHARE))])


def _label(canvas, box, text, thickness):
    x, y, w, h = box
    scale = max(0.4, h / 40)
    cv2.rectangle(canvas, (x, y), (x + w, y + h), GREEN, thickness)
    cv2.putText(canvas, text, (x, max(int(12 * scale), y - thickness * 2)),
                cv2.FONT_HERSHEY_SIMPLEX, scale, GREEN, max(1, thickness))


def text_panel(text, height, width):
    """The text on white, one line per row, scaled to fit ``width`` x ``height``."""
    lines = text.split("\n") if text else ["(no handwriting found)"]
    longest = max(cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 1.0, 2)[0][0] for line in lines)
    natural = (PANEL_LINE_HEIGHT * (len(lines) + 1), longest + 2 * PANEL_LINE_HEIGHT)
    panel = np.full((natural[0], max(natural[1], 1), 3), PANEL_PAPER, np.uint8)
    for k, line in enumerate(lines):
        cv2.putText(panel, line, (PANEL_LINE_HEIGHT, PANEL_LINE_HEIGHT * (k + 1)),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, PANEL_INK, 2, cv2.LINE_AA)
    factor = min(width / panel.shape[1], height / panel.shape[0])
    panel = cv2.resize(panel, (max(1, int(panel.shape[1] * factor)), max(1, int(panel.shape[0] * factor))),
                       interpolation=cv2.INTER_AREA)
    framed = np.full((height, max(width, 1), 3), PANEL_PAPER, np.uint8)
    framed[:panel.shape[0], :panel.shape[1]] = panel[:height, :width]
    return framed


def save(canvas, path):
    """Write the picture; a failure is a one-line InputError."""
    try:
        written = cv2.imwrite(path, canvas)
    except cv2.error:
        written = False
    if not written:
        raise InputError(f"{path}: cannot write the annotated image there")
    return path
