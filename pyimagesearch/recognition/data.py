"""UniPen words and text lines -> augmented, width-bucketed tf.data batches.

    python -m pyimagesearch.recognition.data [--data ../shared/data/lines]

prints what training would use (and what it drops, and why).

Sources (``../shared/data/lines``, see its README): ``unipen_text_h32.npz``
(single lines, text ``label_detok``) and ``unipen_words_h32.npz`` (words,
``labels``), with their pen trajectories. The ``writer_split_test`` items are
never used here: only ``evaluate`` reads them. Training drops ``BAD``-quality
items, texts with characters outside the charset, images wider than
``max_width`` and images too narrow for CTC to fit their text (fewer than
``len + repeats`` frames). A validation set is held out by person (about 5% of
the training persons: nobody writes in both).

Each training item becomes one of (``SampleMaker``):

* a synthetic line: the word plus 1-5 more words of the same writer, re-rendered
  from their strokes side by side with random gaps and baseline shifts;
* the item re-rendered from its strokes with a random pen width and slant;
* the shipped raster image with random thickening, slant and stretch;

then usually gets the photographed-paper look (``augment.photo``), and goes
through ``preprocess.to_model_input`` like a photo crop does. Batches are cut
from a pool of 16 batches' worth of samples sorted by width (little padding),
in random order; ``mixed_batches`` adds a fixed share of lines set in the
handwriting fonts (``font_lines``) and cut from generated pages (``page_lines``) to each.
"""
import argparse
import sys
from collections import defaultdict
from dataclasses import dataclass

import cv2
import numpy as np

from ..errors import InputError
from ..io.atomic import write_image
from . import augment as aug
from .charset import Charset, ctc_frames_needed
from .corpus import DEFAULT_DATA, KIND_NAMES, LINE, WORD, Corpus
from .preprocess import HEIGHT, STRIDE, frames, pad_batch, to_model_input
from .strokes import compose, render

SAMPLE_ROWS = 24   # training samples in the --samples picture

def training_items(corpus, charset, max_width=1024):
    """Indices of the usable training (not test) items, normalized texts for all
    items (None where unusable) and the drop counts per reason and kind."""
    texts = [charset.normalize(t) for t in corpus.text]
    dropped = defaultdict(lambda: [0, 0])
    keep = []
    for i in np.flatnonzero(~corpus.test):
        kind = int(corpus.kind[i])
        if corpus.quality[i] == "BAD":
            reason = "BAD quality"
        elif texts[i] is None:
            reason = "characters outside the charset"
        elif corpus.width[i] > max_width:
            reason = f"wider than {max_width} px"
        elif frames(corpus.width[i]) < ctc_frames_needed(charset.encode(texts[i])):
            reason = "too narrow for its text (CTC frames)"
        else:
            keep.append(i)
            continue
        dropped[reason][kind] += 1
    return np.array(keep, dtype=np.int64), texts, dict(dropped)


def split_by_person(corpus, items, fraction, seed):
    """(train, validation) indices: ~``fraction`` of the persons go to validation."""
    if not len(items):
        raise InputError(f"{corpus.data_dir}: no usable training items (all test writers, BAD quality, "
                         f"or characters outside the charset)")
    persons = np.unique(corpus.person[items])
    rng = np.random.default_rng(seed)
    count = max(1, int(round(fraction * len(persons)))) if fraction > 0 else 0
    held = set(rng.choice(persons, size=count, replace=False)) if count else set()
    in_val = np.array([corpus.person[i] in held for i in items], dtype=bool)
    return items[~in_val], items[in_val]


def person_split(corpus, charset, config):
    """(training items, all the validation persons' items, normalized texts, dropped
    counts) as a training run with ``config`` (a ``LineTrainConfig``) draws them."""
    items, texts, dropped = training_items(corpus, charset, config.max_width)
    train_items, held_out = split_by_person(corpus, items, config.validation_fraction, config.seed)
    return train_items, held_out, texts, dropped


def subsample(items, count, seed):
    """At most ``count`` items, drawn at random (all of them when count is 0)."""
    if not count or count >= len(items):
        return items
    return np.sort(np.random.default_rng(seed).choice(items, size=count, replace=False))


def fit_frames(x, needed):
    """Stretch an input horizontally when it has too few CTC frames for its text."""
    if frames(x.shape[1]) >= needed:
        return x
    return cv2.resize(x, ((needed + 1) * STRIDE, HEIGHT), interpolation=cv2.INTER_LINEAR)


def collate(inputs, labels):
    """Inputs (32, W_i) and label arrays -> padded (B, 32, W, 1) and (B, L) with -1."""
    x, _ = pad_batch(inputs)
    y = np.full((len(labels), max(len(lab) for lab in labels)), -1, np.int32)
    for k, lab in enumerate(labels):
        y[k, :len(lab)] = lab
    return x, y


@dataclass
class SampleOptions:
    compose_probability: float = 0.5     # words: build a synthetic line around them
    rerender_probability: float = 0.4    # otherwise: re-render from strokes
    augment_probability: float = 0.85    # then: the photographed-paper look
    max_width: int = 1024
    words_per_line: tuple = (2, 6)
    line_stretch: tuple = (0.85, 1.15)   # x scale of a synthetic line (below 1: denser writing)


class SampleMaker:
    """One training item -> (uint8 ink image, text), randomly transformed."""

    def __init__(self, corpus, items, texts, charset, options=None):
        self.corpus, self.texts, self.charset = corpus, texts, charset
        self.options = options or SampleOptions()
        self.words_of = defaultdict(list)   # writer -> their training words
        for i in items:
            if corpus.kind[i] == WORD and corpus.has_strokes(i):
                self.words_of[corpus.writer[i]].append(int(i))

    def _synthetic_line(self, i, rng):
        c, o = self.corpus, self.options
        mates = self.words_of.get(c.writer[i], [])
        k = int(rng.integers(o.words_per_line[0], o.words_per_line[1] + 1))
        picks = [int(i)] + [int(j) for j in rng.choice(mates, size=min(k - 1, len(mates)))] if mates else [int(i)]
        rng.shuffle(picks)
        ref = c.ref_height(i)
        pen, slant, stretch = rng.uniform(1.2, 3.0), rng.uniform(-0.35, 0.35), rng.uniform(*o.line_stretch)
        gaps = ref * rng.uniform(0.35, 1.1, len(picks))
        rises = ref * rng.uniform(-0.08, 0.08, len(picks))
        while True:
            strokes = compose([c.item_strokes(j) for j in picks], gaps, rises)
            image = render(strokes, pen_width=pen, slant=slant, x_scale=stretch, min_ink_height=c.ink_floor(i))
            if image.shape[1] <= o.max_width or len(picks) == 1:
                return image, " ".join(self.texts[j] for j in picks)
            picks, gaps, rises = picks[:-1], gaps[:-1], rises[:-1]

    def make(self, i, rng):
        c, o = self.corpus, self.options
        raster = True
        if c.has_strokes(i) and c.kind[i] == WORD and rng.random() < o.compose_probability:
            image, text = self._synthetic_line(i, rng)
            raster = False
        elif c.has_strokes(i) and rng.random() < o.rerender_probability:
            # a word may keep its true size (x-height words are not blown up to 32 px)
            floor = c.ref_height(i) * rng.uniform(0.0, 1.0) if c.kind[i] == WORD else 0.0
            floor = max(floor, c.ink_floor(i))
            image = render(c.item_strokes(i), pen_width=rng.uniform(1.0, 3.2), slant=rng.uniform(-0.35, 0.35),
                           min_ink_height=floor, x_scale=rng.uniform(0.85, 1.15))
            text, raster = self.texts[i], False
        else:
            image, text = c.image(i), self.texts[i]
        if rng.random() < o.augment_probability:
            image = aug.augment(image, rng, raster=raster)
        elif raster:
            image = aug.geometry(image, rng)
        return image, text

    def example(self, i, rng):
        """(network input, encoded label) for one item."""
        return to_example(*self.make(i, rng), self.charset)


def to_example(image, text, charset):
    """A grey line image and its normalized text -> (network input, encoded label),
    through the reader's own preprocessing."""
    label = charset.encode(text)
    return fit_frames(to_model_input(image), ctc_frames_needed(label)), label


def _by_width(samples):
    return sorted(samples, key=lambda s: s[0].shape[1])


def mixed_batches(maker, items, batch_size, seed, synthetic=None, share=0.0, pool_batches=16):
    """Endless generator of (x, y) batches: shuffle the items, make a pool of
    samples, sort it by width, cut it into batches, yield them in random order.
    With ``synthetic`` lines (``make(rng)`` -> (grey image, text): font lines,
    lines cut from pages, ``workers.MixedLines`` of both) each batch holds
    ``round(share * batch_size)`` of them beside the UniPen samples: both
    pools are sorted by width and the k-th batch takes the k-th slice of each, so
    every batch has the ratio and little padding."""
    rng = np.random.default_rng(seed)
    n_synthetic = int(round(share * batch_size)) if synthetic is not None else 0
    n_unipen = batch_size - n_synthetic
    if n_unipen < 1:
        raise ValueError(f"a synthetic share of {share} leaves no UniPen samples in a batch of {batch_size}")
    if len(items) == 0:   # nothing would ever be yielded: the training would wait forever
        raise InputError("no training items to make batches of (every person held out for validation?)")
    pool = n_unipen * pool_batches
    while True:
        order = rng.permutation(items)
        for start in range(0, len(order), pool):
            unipen = _by_width([maker.example(i, rng) for i in order[start:start + pool]])
            parts = [unipen[k:k + n_unipen] for k in range(0, len(unipen), n_unipen)]
            # the last, partial batch gets its share too
            ends = np.cumsum([0] + [int(round(len(part) * n_synthetic / n_unipen)) for part in parts])
            made = _by_width([to_example(*synthetic.make(rng), maker.charset) for _ in range(ends[-1])])
            for b in rng.permutation(len(parts)):
                inputs, labels = zip(*(parts[b] + made[ends[b]:ends[b + 1]]))
                yield collate(inputs, labels)


def train_batches(maker, items, batch_size, seed, pool_batches=16):
    """``mixed_batches`` of UniPen samples alone."""
    return mixed_batches(maker, items, batch_size, seed, pool_batches=pool_batches)


def train_dataset(batches):
    """tf.data wrapper of an endless iterable of (x, y) batches; pass steps_per_epoch."""
    import tensorflow as tf
    signature = (tf.TensorSpec((None, HEIGHT, None, 1), tf.float32), tf.TensorSpec((None, None), tf.int32))
    return tf.data.Dataset.from_generator(lambda: iter(batches), output_signature=signature).prefetch(4)


def fixed_batches(corpus, items, texts, charset, batch_size):
    """Clean (un-augmented) inputs in width-sorted batches: [(x, y, widths, texts)]."""
    order = sorted(items, key=lambda i: corpus.width[i])
    batches = []
    for k in range(0, len(order), batch_size):
        chunk = order[k:k + batch_size]
        inputs = [to_model_input(corpus.image(i)) for i in chunk]
        labels = [charset.encode(texts[i]) for i in chunk]
        x, y = collate(inputs, labels)
        batches.append((x, y, np.array([v.shape[1] for v in inputs]), [texts[i] for i in chunk]))
    return batches


def validation_items(corpus, items, limit, seed):
    """Up to ``limit`` validation items: lines first (up to 60%), then words."""
    if not limit or limit >= len(items):
        return items
    lines, words = items[corpus.kind[items] == LINE], items[corpus.kind[items] == WORD]
    n_lines = min(len(lines), int(0.6 * limit))
    return np.sort(np.concatenate([subsample(lines, n_lines, seed), subsample(words, limit - n_lines, seed)]))


def describe(corpus, charset, max_width=1024, fraction=0.05, seed=42):
    """What training uses and drops, as printable lines."""
    items, texts, dropped = training_items(corpus, charset, max_width)
    train, val = split_by_person(corpus, items, fraction, seed)
    out = []
    for kind, name in KIND_NAMES.items():
        total = int(np.sum(corpus.kind == kind))
        test = int(np.sum((corpus.kind == kind) & corpus.test))
        out.append(f"{name}: {total} items, {test} test-writer items (never used for training)")
        for reason, counts in sorted(dropped.items()):
            out.append(f"  dropped, {reason}: {counts[kind]}")
        out.append(f"  training {int(np.sum(corpus.kind[train] == kind))}, "
                   f"validation {int(np.sum(corpus.kind[val] == kind))}")
    out.append(f"persons: {len(np.unique(corpus.person[train]))} training, "
               f"{len(np.unique(corpus.person[val]))} validation")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description="Show what line-model training uses from UniPen.")
    parser.add_argument("--data", default=DEFAULT_DATA,
                        help="folder of the UniPen line/word .npz files (default: %(default)s)")
    parser.add_argument("--max-width", type=int, default=1024,
                        help="widest training image in px (default: %(default)s)")
    parser.add_argument("--samples", help=f"also write a PNG of {SAMPLE_ROWS} augmented training samples here "
                                          f"(fewer when there are fewer training items)")
    args = parser.parse_args(argv)
    try:
        charset = Charset()
        corpus = Corpus(args.data)
        print("\n".join(describe(corpus, charset, args.max_width)))
        if args.samples:
            items, texts, _ = training_items(corpus, charset, args.max_width)
            maker = SampleMaker(corpus, items, texts, charset, SampleOptions(max_width=args.max_width))
            rng = np.random.default_rng(0)
            rows = []
            for i in rng.choice(items, min(SAMPLE_ROWS, len(items)), replace=False):
                image, text = maker.make(i, rng)
                row = np.full((HEIGHT + 14, 900), 128, np.uint8)
                row[14:, :min(900, image.shape[1])] = image[:, :900]
                cv2.putText(row, text[:110], (2, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 255, 1)
                rows.append(row)
            write_image(args.samples, np.vstack(rows))
            print(f"[INFO] wrote {args.samples}")
    except InputError as e:
        print(f"[ERROR] {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
