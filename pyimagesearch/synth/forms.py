"""Printed matter on a sheet: form labels with underlines, character boxes,
tables and notebook headers, set in DejaVu (ordinary printed fonts, never
handwriting). Text goes into the sheet's ``Printing`` (coverage and the strings
printed), lines and boxes straight onto the paper; each function returns the slots for
the handwriting that fills the form in.
"""
import os
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageDraw

from ..errors import InputError
from .fonts import load_font
from .layout import Slot

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts"),
             os.path.expanduser("~/.local/share/fonts"), "/Library/Fonts")
X_HEIGHT = 0.55   # DejaVu's x-height per unit of font size
FIELDS = (("First Name", "name"), ("Last Name", "name"), ("Name", "name"), ("Patient Name", "name"),
          ("Date of Birth", "date"), ("Date", "date"), ("Expiry Date", "date"), ("Address", "street"),
          ("Street", "street"), ("City / State / ZIP", "city"), ("City", "city"), ("Phone", "phone"),
          ("Telephone No.", "phone"), ("Mobile", "phone"), ("Amount", "amount"), ("Total", "amount"),
          ("Balance Due", "amount"), ("ID No.", "id"), ("Account Number", "id"), ("Passport Number", "id"),
          ("Reference", "id"), ("PIN Code", "id"), ("Notes", "prose"), ("Comments", "prose"),
          ("Remarks", "prose"), ("Signature", "name"), ("To", "name"), ("From", "name"), ("Occupation", "short"),
          ("Landmark", "short"), ("Collector", "name"), ("Locality", "prose"))
TITLES = ("Patient Information", "REGISTRATION FORM", "Application Form", "SHIPPING LABEL", "Order Form",
          "FLORA OF MISSOURI", "Customer Details", "PROOF OF IDENTITY", "Visitor Log", "Delivery Note",
          "Membership Application", "EXPENSE CLAIM", "Herbarium Specimen")
COLUMNS = (("Item", "short"), ("Qty", "amount"), ("Price", "amount"), ("Date", "date"), ("Name", "name"),
           ("Phone", "phone"), ("Code", "id"), ("Amount", "amount"), ("Description", "prose"))


class Printing:
    """What is printed on a sheet: its coverage (a PIL "L" image) and the strings, in the order printed."""

    def __init__(self, size: tuple):
        self.image = Image.new("L", size, 0)
        self._draw = ImageDraw.Draw(self.image)
        self.texts = []

    def text(self, xy, text: str, font) -> None:
        """``text`` with its baseline's left end at ``xy``."""
        self._draw.text(xy, text, font=font, fill=255, anchor="ls")
        self.texts.append(text)

    def length(self, text: str, font) -> float:
        return self._draw.textlength(text, font=font)


@lru_cache(maxsize=1)
def dejavu_files() -> tuple:
    """The DejaVu font files on this system; an InputError when there are none."""
    found = []
    for folder in FONT_DIRS:
        for root, _, files in os.walk(folder):
            found += [os.path.join(root, f) for f in files
                      if f.startswith("DejaVu") and f.endswith(".ttf") and "Math" not in f]
    if not found:
        raise InputError("no DejaVu fonts found for the printed labels: install them "
                         "(apt-get install fonts-dejavu-core)")
    return tuple(sorted(found))


def printed_font(rng, size: int, bold: bool = False):
    files = [f for f in dejavu_files() if ("Bold" in f) == bold] or list(dejavu_files())
    return load_font(files[int(rng.integers(len(files)))], max(6, int(size)))


def _label(rng, name):
    styled = name.upper() if rng.random() < 0.4 else name
    return styled + (":" if rng.random() < 0.7 else "")


def _body(rng, spacing):
    return spacing * rng.uniform(0.26, 0.36)


def _title(rng, printed, width, spacing, y):
    font = printed_font(rng, spacing * rng.uniform(0.6, 0.9), bold=True)
    title = TITLES[int(rng.integers(len(TITLES)))]
    x = (width - printed.length(title, font)) / 2 if rng.random() < 0.5 else spacing * 0.8
    printed.text((x, y), title, font)


def _underline(rng, paper, x0, x1, y, spacing):
    style = rng.random()
    if style < 0.25:
        return
    colour = tuple(float(v) for v in rng.uniform(40, 140, 3))
    thick = max(1, int(round(spacing / 40)))
    if style < 0.4:   # dotted leader
        for x in np.arange(x0, x1, max(3.0, spacing / 6)):
            cv2.circle(paper, (int(x), int(y)), thick, colour, -1, cv2.LINE_AA)
        return
    cv2.line(paper, (int(x0), int(y)), (int(x1), int(y)), colour, thick, cv2.LINE_AA)


def draw_form(rng, printed, paper, spacing: float, lines: int) -> list:
    """A title and rows of 'Label: ______' fields; slots on the fields."""
    h, w = paper.shape[:2]
    y = min(spacing * rng.uniform(0.8, 1.5), h * rng.uniform(0.5, 0.8))   # small crops: a row or two
    if rng.random() < 0.7 and h > 6 * spacing:
        _title(rng, printed, w, spacing, y)
        y += spacing * rng.uniform(1.2, 2.0)
    font = printed_font(rng, spacing * rng.uniform(0.22, 0.5) / X_HEIGHT, bold=rng.random() < 0.4)
    slots, row_gap = [], spacing * rng.uniform(1.0, 1.5)
    margin = spacing * rng.uniform(0.4, 1.2)
    while y < h - spacing * 0.3 and len(slots) < lines:
        columns = 2 if rng.random() < 0.25 else 1
        for c in range(columns):
            left, right = margin + c * (w - margin) / columns, margin + (c + 1) * (w - 2 * margin) / columns
            name, kind = FIELDS[int(rng.integers(len(FIELDS)))]
            label = _label(rng, name)
            printed.text((left, y), label, font)
            start = left + printed.length(label, font) + spacing * 0.2
            if right - start < spacing * 1.5:
                continue
            _underline(rng, paper, start, right - spacing * 0.2, y + spacing * 0.08, spacing)
            if rng.random() < 0.85:   # some fields stay empty: print only
                slots.append(Slot(start + spacing * rng.uniform(0.1, 0.6), right - spacing * 0.2,
                                  y - rng.uniform(0.0, 0.12) * spacing, _body(rng, spacing), kind,
                                  caps=rng.random() < 0.45))
        y += row_gap
    return slots


def draw_boxes(rng, printed, paper, spacing: float, lines: int) -> list:
    """Rows of 'Label' and character boxes, one capital or digit per box."""
    h, w = paper.shape[:2]
    font = printed_font(rng, spacing * rng.uniform(0.24, 0.32) / X_HEIGHT)
    pitch = spacing * rng.uniform(0.55, 0.8)
    box_h = pitch * rng.uniform(1.0, 1.3)
    colour = tuple(float(v) for v in rng.uniform(60, 160, 3))
    slots, y = [], max(box_h + 2, min(spacing * rng.uniform(1.2, 2.0), h * rng.uniform(0.6, 0.9)))
    while y < h - spacing * 0.2 and len(slots) < lines:
        name, kind = FIELDS[int(rng.integers(len(FIELDS)))]
        label = _label(rng, name)
        left = spacing * rng.uniform(0.4, 1.0)
        printed.text((left, y), label, font)
        x0 = left + printed.length(label, font) + spacing * 0.3
        count = int(min((w - x0 - spacing * 0.3) // pitch, rng.integers(6, 21)))
        if count >= 3:
            for k in range(count + 1):
                x = int(x0 + k * pitch)
                cv2.line(paper, (x, int(y - box_h)), (x, int(y)), colour, 1, cv2.LINE_AA)
            for yy in (y - box_h, y):
                cv2.line(paper, (int(x0), int(yy)), (int(x0 + count * pitch), int(yy)), colour, 1, cv2.LINE_AA)
            if rng.random() < 0.9:
                digits = str(rng.choice(["id", "phone", "date", "amount"]))
                slots.append(Slot(x0, x0 + count * pitch, y - box_h * 0.2, box_h * 0.42,
                                  digits if rng.random() < 0.6 else kind, caps=True, pitch=pitch))
        y += box_h + spacing * rng.uniform(0.6, 1.2)
    return slots


def draw_table(rng, printed, paper, spacing: float, lines: int) -> list:
    """A ruled table with a printed header row; slots in its cells."""
    h, w = paper.shape[:2]
    left, right = spacing * rng.uniform(0.3, 1.0), w - spacing * rng.uniform(0.3, 1.0)
    font = printed_font(rng, spacing * 0.3 / X_HEIGHT, bold=rng.random() < 0.6)
    picks = rng.choice(len(COLUMNS), size=int(rng.integers(2, 5)), replace=False)
    columns = [COLUMNS[int(k)] for k in picks]
    # each column at least as wide as its heading, and as a word or two
    needed = [max(printed.length(name, font) + spacing * 0.5, 2 * spacing) for name, _ in columns]
    while columns and sum(needed) > right - left:
        columns, needed = columns[:-1], needed[:-1]
    if not columns:
        return []
    share = rng.dirichlet(np.ones(len(columns))) * (right - left - sum(needed))
    edges = left + np.concatenate([[0.0], np.cumsum(np.array(needed) + share)])
    row_h = spacing * rng.uniform(1.0, 1.4)
    top = min(spacing * rng.uniform(0.6, 1.5), h - 2.2 * row_h)   # small crops cut the header off
    rows = int(min(lines, (h - top) // row_h - 1))
    if rows < 1:
        return []
    colour = tuple(float(v) for v in rng.uniform(30, 150, 3))
    bottom = top + (rows + 1) * row_h
    for k in range(rows + 2):
        y = int(top + k * row_h)
        cv2.line(paper, (int(left), y), (int(right), y), colour, 1, cv2.LINE_AA)
    for x in edges:
        cv2.line(paper, (int(x), int(top)), (int(x), int(bottom)), colour, 1, cv2.LINE_AA)
    slots = []
    for c, (name, kind) in enumerate(columns):
        printed.text((edges[c] + spacing * 0.2, top + row_h * 0.7), name, font)
        for r in range(1, rows + 1):
            if edges[c + 1] - edges[c] > spacing and rng.random() < 0.85:
                slots.append(Slot(edges[c] + spacing * 0.2, edges[c + 1] - spacing * 0.15,
                                  top + (r + 0.75) * row_h, _body(rng, spacing) * 0.9, kind, caps=rng.random() < 0.3,
                                  row=r))
    return slots


def notebook_header(rng, printed, paper, spacing: float) -> None:
    """'Date ____ Page ____' printed at the top right of a notebook page."""
    w = paper.shape[1]
    font = printed_font(rng, spacing * 0.28 / X_HEIGHT)
    y = spacing * 0.8
    x = w * rng.uniform(0.55, 0.7)
    for word in ("Date", "Page"):
        printed.text((x, y), word, font)
        x += printed.length(word, font) + spacing * 0.2
        cv2.line(paper, (int(x), int(y)), (int(x + spacing * 2), int(y)), (120, 120, 120), 1, cv2.LINE_AA)
        x += spacing * 2.5


def printed_block(rng, printed, paper, spacing: float, text) -> float:
    """A few lines of typed prose at the top of the sheet (a letter, a handout
    written on by hand); returns the row below them."""
    h, w = paper.shape[:2]
    font = printed_font(rng, spacing * rng.uniform(0.18, 0.42) / X_HEIGHT, bold=rng.random() < 0.2)
    lead = font.size * rng.uniform(1.2, 1.6)
    left = spacing * rng.uniform(0.5, 1.5)
    y = spacing * rng.uniform(0.8, 1.5)
    for _ in range(int(rng.integers(2, 9))):
        if y > h * 0.6:
            break
        words = text.words(rng, int((w - 2 * left) / (font.size * 0.55)))
        printed.text((left, y), words, font)
        y += lead
    return y
