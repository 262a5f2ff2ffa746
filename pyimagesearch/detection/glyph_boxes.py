"""Character boxes from ink components: pieces stacked in one character merged,
boxes wider than a character split, and touching narrow pieces joined, the last two
decided by a judge of ink crops when there is one (``segment.find_glyphs``).
A box is (x, y, w, h) in working pixels."""
import numpy as np


def merge_pieces(boxes, height):
    """Merge boxes that stack vertically (a dot and its stem, a broken stroke).

    Boxes sorted by x only need comparing with neighbours that overlap them in x;
    passes repeat until nothing merges, since a merged box can reach new pieces."""
    boxes = [tuple(b) for b in boxes]
    while True:
        boxes.sort()
        merged, used = [], [False] * len(boxes)
        for i, box in enumerate(boxes):
            if used[i]:
                continue
            current = box
            for j in range(i + 1, len(boxes)):
                if boxes[j][0] >= current[0] + current[2]:
                    break
                if not used[j] and _belong_together(current, boxes[j], height):
                    current = box_union(current, boxes[j])
                    used[j] = True
            merged.append(current)
        if len(merged) == len(boxes):
            return [list(b) for b in merged]
        boxes = merged


def box_union(a, b):
    """The smallest box holding both."""
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _belong_together(a, b, height):
    overlap_x = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    narrower = min(a[2], b[2])
    gap_y = max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3])
    union_h = max(a[1] + a[3], b[1] + b[3]) - min(a[1], b[1])
    return overlap_x > 0.6 * narrower and gap_y < 0.35 * height and union_h < 1.5 * height


def split_wide(box, mask, height):
    """Split a box wider than a character at the weakest ink columns (a W may be
    this wide too: the caller judges whether the split reads better)."""
    x, y, w, h = box
    pieces = int(round(w / (0.9 * max(h, height))))
    if pieces < 2 or w < 1.2 * max(h, height):
        return [box]
    profile = (mask[y:y + h, x:x + w] > 0).sum(axis=0).astype(np.float32)
    cuts = []
    for k in range(1, pieces):
        centre = int(k * w / pieces)
        lo, hi = max(1, centre - w // (3 * pieces)), min(w - 1, centre + w // (3 * pieces))
        cuts.append(lo + int(np.argmin(profile[lo:hi])) if hi > lo else centre)
    edges = [0] + cuts + [w]
    return [_tight(mask, (x + a, y, b - a, h)) for a, b in zip(edges, edges[1:]) if b - a > 1]


def _tight(mask, box):
    x, y, w, h = box
    rows = np.flatnonzero(mask[y:y + h, x:x + w].any(axis=1))
    if len(rows) == 0:
        return box
    return (x, y + int(rows[0]), w, int(rows[-1] - rows[0] + 1))


def choose_splits(boxes, mask, height, crop, judge):
    """Each wide box whole or split: whichever ``judge`` (ink crops -> confidences)
    finds more convincing. Without a judge, wide boxes are split."""
    options = [(box, split_wide(box, mask, height)) for box in boxes]
    wide = [(box, pieces) for box, pieces in options if len(pieces) > 1]
    if judge is None or not wide:
        return [piece for _, pieces in options for piece in pieces]
    crops = [crop(b) for box, pieces in wide for b in [box, *pieces]]
    scores = iter(judge(crops))
    split = {}
    for box, pieces in wide:
        whole = next(scores)
        parts = [next(scores) for _ in pieces]
        split[box] = min(parts) > whole
    return [piece for box, pieces in options
            for piece in (pieces if split.get(box, False) else [box])]


def _join_candidates(boxes, height):
    """Neighbours on one line that (nearly) touch, with one of them narrow and
    together no wider than a character: the halves of a broken N, H or M."""
    ordered = sorted(boxes)
    pairs = []
    for a, b in zip(ordered, ordered[1:]):
        gap = b[0] - (a[0] + a[2])
        overlap_y = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
        union = box_union(a, b)
        if (gap < 0.1 * height and overlap_y > 0.5 * min(a[3], b[3])
                and min(a[2], b[2]) < 0.5 * height and union[2] <= 1.2 * height):
            pairs.append((a, b))
    return pairs


def choose_joins(boxes, height, crop, judge):
    """Join a candidate pair (``_join_candidates``) when ``judge`` is surer of the
    joined crop than of either piece: the mirror of ``choose_splits``."""
    pairs = _join_candidates(boxes, height)
    if judge is None or not pairs:
        return boxes
    scores = iter(judge([crop(c) for a, b in pairs for c in (box_union(a, b), a, b)]))
    joined = {}
    for a, b in pairs:
        whole, first, second = next(scores), next(scores), next(scores)
        if whole > max(first, second) and a not in joined and b not in joined:
            joined[a] = joined[b] = box_union(a, b)
    kept = [box for box in boxes if box not in joined]
    return kept + list(dict.fromkeys(joined.values()))
