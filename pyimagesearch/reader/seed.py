"""The 2020 tutorial's pipeline, unchanged, for comparison (``--seed-mode``)."""
import cv2
import numpy as np

from ..io.elements import Character, Line, Page, Word

ALTERNATIVES = 3


class SeedReader:
    """Reads as the tutorial did: Canny edges, external contours sorted left to right
    over the whole image, fixed pixel size limits, Otsu crops resized to 32 on the
    long side and padded. One line of text."""

    def __init__(self, classifier):
        self.classifier = classifier

    def read(self, image, name=""):
        chars, boxes = _tutorial_crops(image)
        if not chars:
            return Page(name, [])
        probs = self.classifier.predict(np.array(chars, dtype="float32")[..., None])
        labels = self.classifier.labels
        characters = []
        for p, box in zip(probs, boxes):
            order = np.argsort(-p)[:ALTERNATIVES]
            characters.append(Character(labels[order[0]], float(p[order[0]]), box,
                                        [[labels[k], float(p[k])] for k in order]))
        return Page(name, [Line([Word(characters)])])


def _tutorial_crops(image):
    """The tutorial's character crops (32x32 float in [0, 1]) and their boxes."""
    import imutils
    from imutils.contours import sort_contours
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    edged = cv2.Canny(blurred, 30, 150)
    cnts = imutils.grab_contours(cv2.findContours(edged.copy(), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE))
    if not cnts:
        return [], []
    cnts = sort_contours(cnts, method="left-to-right")[0]
    chars, boxes = [], []
    for c in cnts:
        (x, y, w, h) = cv2.boundingRect(c)
        if (5 <= w <= 150) and (15 <= h <= 120):
            roi = gray[y:y + h, x:x + w]
            thresh = cv2.threshold(roi, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)[1]
            (tH, tW) = thresh.shape
            thresh = imutils.resize(thresh, width=32) if tW > tH else imutils.resize(thresh, height=32)
            (tH, tW) = thresh.shape
            dX, dY = int(max(0, 32 - tW) / 2.0), int(max(0, 32 - tH) / 2.0)
            padded = cv2.copyMakeBorder(thresh, top=dY, bottom=dY, left=dX, right=dX,
                                        borderType=cv2.BORDER_CONSTANT, value=(0, 0, 0))
            padded = cv2.resize(padded, (32, 32))
            chars.append(padded.astype("float32") / 255.0)
            boxes.append([x, y, w, h])
    return chars, boxes
