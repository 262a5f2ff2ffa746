"""Typed reading results, Page -> Line -> Word -> Character, with one JSON export."""
from dataclasses import dataclass, field

UNKNOWN = "?"


def union_box(boxes):
    """Smallest [x, y, w, h] that holds all the given boxes."""
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]


def mean_confidence(characters: list, empty: float) -> float:
    """The mean of the characters' confidences; ``empty`` when there are none."""
    return sum(c.confidence for c in characters) / len(characters) if characters else empty


@dataclass
class Character:
    char: str
    confidence: float
    box: list  # [x, y, w, h] in the original image's pixels
    alternatives: list = field(default_factory=list)  # [[char, probability], ...] best first

    def to_dict(self):
        return {"char": self.char, "confidence": round(float(self.confidence), 4),
                "box": [int(v) for v in self.box],
                "alternatives": [[c, round(float(p), 4)] for c, p in self.alternatives]}


@dataclass
class Word:
    characters: list

    @property
    def text(self):
        return "".join(c.char for c in self.characters)

    @property
    def box(self):
        return union_box([c.box for c in self.characters])


@dataclass
class Line:
    words: list
    source: str = "chars"   # what read it: 'chars' (the character classifier) or 'lines' (the line recognizer)

    @property
    def text(self):
        return " ".join(w.text for w in self.words)

    @property
    def box(self):
        return union_box([w.box for w in self.words])

    @property
    def characters(self):
        return [c for word in self.words for c in word.characters]

    @property
    def confidence(self):
        """The mean confidence of its characters (1.0 for a line of none)."""
        return mean_confidence(self.characters, 1.0)


@dataclass
class Page:
    image: str
    lines: list

    @property
    def text(self):
        return "\n".join(line.text for line in self.lines)

    @property
    def characters(self):
        return [c for line in self.lines for c in line.characters]

    @property
    def confidence(self):
        """The mean confidence of its characters (0.0 for a page read as nothing)."""
        return mean_confidence(self.characters, 0.0)

    def to_dict(self):
        return {"image": self.image, "text": self.text,
                "lines": [{"text": line.text, "box": line.box, "source": line.source,
                           "words": [{"text": w.text, "box": w.box} for w in line.words]}
                          for line in self.lines],
                "characters": [c.to_dict() for c in self.characters]}
