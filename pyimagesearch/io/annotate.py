"""Draw the reading on the photo, show it in one window per image, or save it."""
import os

import cv2

WINDOW = "Handwriting OCR"
DISPLAY_LONG_SIDE = 1400


def annotate(image, page):
    """A copy of the BGR image with a green box and label on every character."""
    canvas = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    long_side = max(canvas.shape[:2])
    thickness = max(1, long_side // 500)
    for c in page.characters:
        x, y, w, h = c.box
        scale = max(0.4, h / 40)
        cv2.rectangle(canvas, (x, y), (x + w, y + h), (0, 255, 0), thickness)
        cv2.putText(canvas, c.char, (x, max(int(12 * scale), y - thickness * 2)),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 255, 0), max(1, thickness))
    return canvas


def has_display():
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def show(canvas, title=WINDOW):
    """One window per image; returns when a key is pressed or the window is closed."""
    long_side = max(canvas.shape[:2])
    if long_side > DISPLAY_LONG_SIDE:
        factor = DISPLAY_LONG_SIDE / long_side
        canvas = cv2.resize(canvas, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    cv2.imshow(title, canvas)
    while cv2.getWindowProperty(title, cv2.WND_PROP_VISIBLE) >= 1:
        if cv2.waitKey(100) != -1:
            break
    cv2.destroyAllWindows()
    cv2.waitKey(1)


def save(canvas, path):
    if not cv2.imwrite(path, canvas):
        from ..errors import InputError
        raise InputError(f"{path}: cannot write the annotated image there")
    return path
