"""Edit distance and the error rates every evaluation reports (and the reader's auto rule uses)."""
from collections.abc import Sequence


def levenshtein(a: Sequence, b: Sequence) -> int:
    """Edit distance between two sequences (strings, or lists of words)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def aligned_pairs(a: Sequence, b: Sequence) -> list[tuple[int, int]]:
    """The (i, j) positions that one cheapest edit of ``a`` into ``b`` keeps or
    substitutes (a[i] stays as, or becomes, b[j]); inserted and deleted items have none."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb)))
        rows.append(row)
    pairs, i, j = [], len(a), len(b)
    while i and j:
        if rows[i][j] == rows[i - 1][j - 1] + (a[i - 1] != b[j - 1]):
            i, j = i - 1, j - 1
            pairs.append((i, j))
        elif rows[i][j] == rows[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def score(truths: list[str], predictions: list[str]) -> dict:
    """Totals for CER/WER over paired texts: CER = character edit distance / truth
    characters, WER = the same over whitespace-separated words, exact = share read exactly."""
    chars = sum(len(t) for t in truths)
    words = sum(len(t.split()) for t in truths)
    char_errors = sum(levenshtein(p, t) for p, t in zip(predictions, truths))
    word_errors = sum(levenshtein(p.split(), t.split()) for p, t in zip(predictions, truths))
    exact = sum(p == t for p, t in zip(predictions, truths))
    return {"items": len(truths), "cer": char_errors / max(chars, 1), "wer": word_errors / max(words, 1),
            "exact": exact / max(len(truths), 1), "chars": chars, "words": words}


def cer(truths: list[str], predictions: list[str]) -> float:
    """Character error rate of paired texts."""
    return score(truths, predictions)["cer"]
