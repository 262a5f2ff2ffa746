"""Reading order, in one place: boxes -> lines (top to bottom) -> words -> characters
(left to right). Tolerances are relative to the character height, never pixels."""
import numpy as np

# a box continues a line when its centre is this close (in character heights) to the
# line's nearest box; a gap wider than WORD_GAP x the line's usual gap starts a word
LINE_TOLERANCE = 0.6
WORD_GAP = 1.8
MIN_WORD_GAP = 0.3


def group_lines(boxes):
    """Indices of ``boxes`` ([x, y, w, h]) grouped into lines, top line first, each left to right."""
    if not boxes:
        return []
    height = float(np.median([b[3] for b in boxes]))
    lines = []  # each: list of indices, in x order
    for i in sorted(range(len(boxes)), key=lambda k: boxes[k][0]):
        cy = boxes[i][1] + boxes[i][3] / 2
        best, best_distance = None, LINE_TOLERANCE * height
        for line in lines:
            last = boxes[line[-1]]
            distance = abs(cy - (last[1] + last[3] / 2))
            if distance < best_distance:
                best, best_distance = line, distance
        if best is None:
            lines.append([i])
        else:
            best.append(i)
    lines.sort(key=lambda line: np.mean([boxes[i][1] + boxes[i][3] / 2 for i in line]))
    return lines


def split_words(boxes, line):
    """Split one line (indices in x order) into words by the gaps between boxes."""
    if len(line) < 2:
        return [list(line)]
    height = float(np.median([boxes[i][3] for i in line]))
    gaps = [boxes[b][0] - (boxes[a][0] + boxes[a][2]) for a, b in zip(line, line[1:])]
    threshold = max(MIN_WORD_GAP * height, WORD_GAP * max(float(np.median(gaps)), 0.0))
    words, current = [], [line[0]]
    for index, gap in zip(line[1:], gaps):
        if gap > threshold:
            words.append(current)
            current = []
        current.append(index)
    words.append(current)
    return words


def reading_order(boxes):
    """Lines of words of box indices, in the order a person reads them."""
    return [split_words(boxes, line) for line in group_lines(boxes)]
