"""Sheets of paper before they are photographed: colour, texture, ruling, show-through.

``make_sheet(rng, kind, size, spacing, lines, text)`` returns a ``Sheet``: the
paper with its ruling and printing drawn (uint8 BGR), the printed text's
coverage, and the ``Slot``s where handwritten lines go. ``spacing`` is the
distance between lines of writing in px, ``lines`` the most lines to write.
Forms, character boxes and tables are drawn in ``forms``.
"""
import cv2
import numpy as np
from PIL import Image, ImageDraw

from .fonts import smooth_field
from .cards import draw_card
from .forms import Printing, draw_boxes, draw_form, draw_table, notebook_header, printed_block, printed_font
from .layout import Sheet, Slot

PAPER_KINDS = ("plain", "ruled", "squared", "dotted", "form", "boxes", "table", "whiteboard", "sticky", "card")
STICKY_COLOURS = ((120, 235, 250), (200, 170, 250), (160, 240, 170), (245, 210, 150), (110, 190, 250))
RULE_COLOURS = ((215, 170, 120), (200, 190, 175), (225, 195, 160), (170, 170, 170))


def paper_colour(rng, kind):
    """BGR paper tone: mostly white or cream, sometimes grey or a pale colour."""
    if kind == "sticky" or (kind == "card" and rng.random() < 0.15):
        return np.array(STICKY_COLOURS[int(rng.integers(len(STICKY_COLOURS)))], np.float32)
    if kind == "whiteboard":
        return np.array([250, 248, 244], np.float32) - rng.uniform(0, 12)
    roll = rng.random()
    if roll < 0.55:
        return np.full(3, rng.uniform(235, 255), np.float32)
    if roll < 0.75:   # cream, aged
        return np.array([rng.uniform(180, 225), rng.uniform(215, 240), rng.uniform(235, 252)], np.float32)
    if roll < 0.9:    # grey
        return np.full(3, rng.uniform(140, 215), np.float32)
    return np.clip(rng.uniform(200, 255, 3), 0, 255).astype(np.float32)


def blank(rng, kind, size):
    """Paper of ``size`` (w, h) with a little low-frequency tone and fibre texture."""
    w, h = size
    tone = paper_colour(rng, kind)
    shade = 1.0 + rng.uniform(0.0, 0.04) * smooth_field(rng, (h, w), max(w, h) / 4)
    shade += rng.uniform(0.0, 0.02) * smooth_field(rng, (h, w), 3.0)
    return np.clip(shade[:, :, None] * tone, 0, 255).astype(np.uint8)


def _writing_rows(rng, top, bottom, spacing, lines):
    """Baselines of up to ``lines`` consecutive rows between ``top`` and ``bottom``."""
    rows = np.arange(top + spacing, bottom, spacing)
    if not len(rows):   # a small crop: one row across its middle
        return np.array([(top + bottom) / 2 + spacing * 0.2])
    count = int(rng.integers(1, min(lines, len(rows)) + 1))
    first = int(rng.integers(0, len(rows) - count + 1))
    return rows[first:first + count]


def _free_slots(rng, size, spacing, lines, ruled_rows=None, left=None, kind="prose"):
    w, h = size
    left = left if left is not None else rng.uniform(0.04, 0.15) * w
    rows = ruled_rows if ruled_rows is not None else _writing_rows(rng, rng.uniform(0.02, 0.1) * h, h * 0.97,
                                                                    spacing * rng.uniform(0.9, 1.15), lines)
    body = spacing * rng.uniform(0.26, 0.38)
    slots = []
    for y in rows:
        x0 = left + rng.uniform(0, 0.6) * spacing
        x1 = w - rng.uniform(0.03, 0.3) * w
        if rng.random() < 0.25:   # a short line (end of a paragraph, a list item)
            x1 = x0 + (x1 - x0) * rng.uniform(0.2, 0.7)
        text_kind = kind if rng.random() < 0.7 else str(rng.choice(["name", "date", "phone", "amount", "short"]))
        slots.append(Slot(x0, x1, float(y) - rng.uniform(0.02, 0.12) * spacing, body, text_kind,
                          caps=rng.random() < 0.15))
    return slots


def _ruling(rng, paper, spacing, lines):
    h, w = paper.shape[:2]
    colour = RULE_COLOURS[int(rng.integers(len(RULE_COLOURS)))]
    thick = max(1, int(round(spacing / 30)))
    top = min(rng.uniform(1.0, 3.0) * spacing, rng.uniform(0.1, 0.3) * h)
    for y in np.arange(top, h, spacing):
        cv2.line(paper, (0, int(y)), (w, int(y)), colour, thick, cv2.LINE_AA)
    left = None
    if rng.random() < 0.7:   # the red margin line
        left = rng.uniform(0.07, 0.16) * w
        cv2.line(paper, (int(left), 0), (int(left), h), (90, 90, 220), thick, cv2.LINE_AA)
        left += rng.uniform(0.1, 0.4) * spacing
    ruled = np.arange(top, h, spacing)
    count = int(rng.integers(1, min(lines, max(len(ruled), 1)) + 1))
    first = int(rng.integers(0, max(len(ruled) - count, 0) + 1))
    return ruled[first:first + count], left


def _grid(rng, paper, cell, dots):
    h, w = paper.shape[:2]
    colour = RULE_COLOURS[int(rng.integers(len(RULE_COLOURS)))]
    if dots:
        radius = max(1, int(round(cell / 14)))
        for y in np.arange(cell, h, cell):
            for x in np.arange(cell, w, cell):
                cv2.circle(paper, (int(x), int(y)), radius, colour, -1, cv2.LINE_AA)
        return
    for y in np.arange(cell, h, cell):
        cv2.line(paper, (0, int(y)), (w, int(y)), colour, 1, cv2.LINE_AA)
    for x in np.arange(cell, w, cell):
        cv2.line(paper, (int(x), 0), (int(x), h), colour, 1, cv2.LINE_AA)


def show_through(rng, paper, text, spacing):
    """Faint, blurred, mirrored print from the back of the sheet."""
    h, w = paper.shape[:2]
    layer = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(layer)
    size = max(6, int(spacing * rng.uniform(0.3, 0.6)))
    font = printed_font(rng, size)
    for y in np.arange(rng.uniform(0, 2) * size, h, size * rng.uniform(1.3, 1.8)):
        draw.text((int(rng.uniform(0.03, 0.1) * w), int(y)), text.words(rng, int(w / (size * 0.5))), font=font,
                  fill=255)
    back = cv2.GaussianBlur(np.asarray(layer, np.float32)[:, ::-1] / 255.0, (0, 0), rng.uniform(0.6, 1.8))
    alpha = rng.uniform(0.05, 0.35) * back[:, :, None]
    paper[:] = (paper * (1.0 - alpha) + 60.0 * alpha).astype(np.uint8)


def make_sheet(rng, kind: str, size: tuple, spacing: float, lines: int, text) -> Sheet:
    """A sheet of ``kind`` (one of PAPER_KINDS) of ``size`` (w, h) px."""
    w, h = size
    paper = blank(rng, kind, size)
    if kind not in ("whiteboard", "sticky") and rng.random() < 0.2:
        show_through(rng, paper, text, spacing)
    printed = Printing((w, h))
    sheet = Sheet(paper, None, kind)
    if kind == "ruled":
        rows, left = _ruling(rng, paper, spacing, lines)
        if rng.random() < 0.3 and h > 10 * spacing:
            notebook_header(rng, printed, paper, spacing)
        sheet.slots = _free_slots(rng, size, spacing, lines, ruled_rows=rows, left=left)
    elif kind in ("squared", "dotted"):
        cell = spacing / int(rng.integers(2, 4))
        _grid(rng, paper, cell, dots=kind == "dotted")
        top = cell * int(rng.integers(1, 4))
        rows = _writing_rows(rng, top, h * 0.97, cell * round(spacing / cell), lines)
        sheet.slots = _free_slots(rng, size, spacing, lines, ruled_rows=rows - rng.uniform(0, 0.1) * spacing,
                                  left=cell * int(rng.integers(1, 4)))
    elif kind == "form":
        sheet.slots = draw_form(rng, printed, paper, spacing, lines)
    elif kind == "boxes":
        sheet.slots = draw_boxes(rng, printed, paper, spacing, lines)
    elif kind == "table":
        sheet.slots = draw_table(rng, printed, paper, spacing, lines)
    elif kind == "card":
        sheet.slots = draw_card(rng, printed, paper, spacing, lines, text)
    elif kind == "plain" and h > 8 * spacing and rng.random() < 0.25:
        end = printed_block(rng, printed, paper, spacing, text)
        rows = _writing_rows(rng, end, h * 0.97, spacing * rng.uniform(0.9, 1.15), lines)
        sheet.slots = _free_slots(rng, size, spacing, lines, ruled_rows=rows)
    else:
        sheet.slots = _free_slots(rng, size, spacing, lines,
                                  kind="short" if kind == "sticky" else "prose")
    if kind == "whiteboard":   # the board's aluminium edge
        edge = max(2, int(min(w, h) * rng.uniform(0.01, 0.025)))
        cv2.rectangle(paper, (0, 0), (w - 1, h - 1), tuple(float(v) for v in rng.uniform(150, 200, 3)), edge)
    sheet.printed, sheet.printed_text = np.asarray(printed.image, np.uint8).copy(), printed.texts
    return sheet
