"""Counting character n-grams by sorting: the tables ``language.CharNgram`` is made of."""
import numpy as np


def count_ngrams(stream, base, order, min_count):
    """Per context length n (0..order-1): the distinct (context, next symbol)
    pairs of ``stream`` (symbol indices; ``base - 1`` is the boundary, where
    one text ends and the next starts) as (contexts (m, n), symbols, counts).
    A context never reaches back past the boundary before its symbol. Each
    n-gram is packed into one unsigned 64-bit number to be counted by sorting."""
    if order > int(64 / np.log2(base)):
        raise ValueError(f"order {order} is too high for {base - 1} characters (n-grams packed in 64 bits)")
    positions = np.arange(1, len(stream))
    boundaries = np.flatnonzero(stream[:-1] == base - 1)
    # the latest boundary before each position: a context may start there, not earlier
    reach = positions - boundaries[np.searchsorted(boundaries, positions) - 1] if len(stream) else positions
    contexts, symbols, counts = [], [], []
    for n in range(order):
        at = positions[reach >= n]
        key = np.zeros(len(at), np.uint64)
        for j in range(n, -1, -1):   # context symbols, oldest first, then the symbol
            key = key * np.uint64(base) + stream[at - j].astype(np.uint64)
        key, count = np.unique(key, return_counts=True)
        if n >= 2 and min_count > 1:
            key, count = key[count >= min_count], count[count >= min_count]
        digits = np.empty((len(key), n + 1), np.int64)
        for j in range(n, -1, -1):
            digits[:, j] = key % np.uint64(base)
            key = key // np.uint64(base)
        contexts.append(digits[:, :n])
        symbols.append(digits[:, n])
        counts.append(count)
    return contexts, symbols, counts


def context_strings(names, context):
    """Rows of symbol indices -> a string array (``names``: the symbol of each index)."""
    if context.shape[1] == 0:
        return np.full(len(context), "", dtype="<U1")
    return np.ascontiguousarray(names[context]).view(f"<U{context.shape[1]}").ravel()
