"""Cards, index cards and notes held close to the camera: one to four lines of
large, neat handwriting filling much of the frame, sometimes beside printed
words of the same size (a label such as 'TO:', a printed line, a heading), so
that size and place alone never tell handwriting from print."""
from .fonts import CAPS_BODIES
from .forms import FIELDS, TITLES, X_HEIGHT, printed_font
from .layout import Slot

CAP_HEIGHT = 0.73   # DejaVu's capital height per unit of font size
CARD_KINDS = ("prose", "prose", "name", "digits", "digits", "phone", "date", "amount", "short", "id", "street")


def _printed_words(rng, text, chars):
    """A printed line: a title, a field name or prose, often in capitals."""
    roll = rng.random()
    words = (TITLES[int(rng.integers(len(TITLES)))] if roll < 0.35 else
             FIELDS[int(rng.integers(len(FIELDS)))][0] if roll < 0.6 else text.words(rng, max(chars, 4)))
    return words.upper() if rng.random() < 0.6 else words


def draw_card(rng, printed, paper, spacing: float, lines: int, text) -> list:
    """Up to ``lines`` rows ``spacing`` px apart; each a handwritten slot (sometimes
    after a printed label) or, now and then, a printed line of about the same size."""
    h, w = paper.shape[:2]
    body = spacing * rng.uniform(0.24, 0.36)
    # printed capitals about as tall as the handwritten ones, give or take
    font = printed_font(rng, body * CAPS_BODIES / CAP_HEIGHT * rng.uniform(0.5, 1.1), bold=rng.random() < 0.5)
    labelled = rng.random() < 0.2
    printed_row = int(rng.integers(lines)) if lines > 1 and rng.random() < 0.35 else -1
    slots, y = [], spacing * rng.uniform(0.8, 1.3)
    for row in range(lines):
        if y > h - 0.1 * spacing:
            break
        left = w * rng.uniform(0.03, 0.2)
        if row == printed_row:
            printed.text((left, y), _printed_words(rng, text, int((w - left) / (font.size * X_HEIGHT * 1.3))), font)
        else:
            right = w * rng.uniform(0.65, 0.98)
            if labelled and right - left > 12 * body:
                label = FIELDS[int(rng.integers(len(FIELDS)))][0].upper() + ":"
                printed.text((left, y), label, font)
                left += printed.length(label, font) + body * rng.uniform(0.5, 1.5)
            kind = CARD_KINDS[int(rng.integers(len(CARD_KINDS)))]
            slots.append(Slot(left, right, y, body, kind, caps=rng.random() < 0.75))
        y += spacing * rng.uniform(0.9, 1.2)
    return slots
