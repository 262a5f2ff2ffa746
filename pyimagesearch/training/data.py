"""Training data: load the sources, normalise once, split, and feed tf.data."""
import numpy as np

from ..az_dataset import load_az_dataset, load_mnist_dataset
from ..errors import InputError


def load_sources(digits_paths, az_path, fonts=None):
    """Concatenate digit sets (a path, or 'download' for Keras' MNIST), the A-Z CSV
    and ``fonts`` (images, labels) already rendered."""
    parts = [] if fonts is None else [fonts]
    for path in digits_paths:
        parts.append(load_mnist_dataset(None if path == "download" else path))
        print(f"[INFO] {path}: {len(parts[-1][1])} digits")
    if az_path and az_path != "none":
        parts.append(load_az_dataset(az_path))
        print(f"[INFO] {az_path}: {len(parts[-1][1])} letters")
    if not parts:
        raise InputError("no training data: give digit sets (--digits) or the A-Z CSV (--az)")
    images = np.concatenate([p[0] for p in parts])
    labels = np.concatenate([p[1] for p in parts])
    return images, labels


def split_validation(labels, fraction, seed):
    """Stratified train/validation indices drawn from the training data only."""
    from sklearn.model_selection import train_test_split
    if len(labels) < 2:
        raise InputError(f"{len(labels)} glyph in the training data: training needs at least 2 "
                         f"(one to train on, one to validate)")
    index = np.arange(len(labels))
    counts = np.bincount(labels)
    classes = int((counts > 0).sum())
    # stratifying needs two of each class and room for one of each in validation
    stratify = labels if counts[counts > 0].min() >= 2 and len(labels) * fraction >= classes else None
    return train_test_split(index, test_size=fraction, random_state=seed, stratify=stratify)


def class_weights(labels, classes, kind="tutorial"):
    """The tutorial's weights: the largest class count over each class's count;
    any other ``kind`` (none, prior, balanced): None (every glyph counts the same)."""
    if kind != "tutorial":
        return None
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    return {i: float(counts.max() / c) if c else 0.0 for i, c in enumerate(counts)}


def log_prior(labels, classes):
    """Log of each class's share of ``labels`` (a class never seen counts as one glyph)."""
    counts = np.maximum(np.bincount(labels, minlength=classes), 1).astype(np.float64)
    return np.log(counts / counts.sum())


def _balanced_batches(inputs, labels, batch_size, seed):
    """Endless batches in which every class present is equally likely: a class
    drawn uniformly, then one of its glyphs."""
    import tensorflow as tf
    counts = np.bincount(labels)
    present = np.flatnonzero(counts)
    starts = tf.constant((np.cumsum(counts) - counts)[present])
    sizes = tf.constant(counts[present], tf.float32)
    order, inputs, labels = (tf.constant(a) for a in (np.argsort(labels, kind="stable"), inputs, labels))

    def draw(key):
        pick = tf.random.stateless_uniform([batch_size], key, 0, len(present), tf.int32)
        within = tf.random.stateless_uniform([batch_size], key + 1) * tf.gather(sizes, pick)
        index = tf.gather(order, tf.gather(starts, pick) + tf.cast(within, tf.int64))
        return tf.gather(inputs, index), tf.gather(labels, index)

    return tf.data.Dataset.random(seed).batch(2).map(draw)


def make_dataset(inputs, labels, batch_size, training, seed, balanced=False):
    """Training (shuffled, augmented; ``balanced``: classes drawn equally often, endless)
    or validation batches."""
    import tensorflow as tf
    from .augment import augment_batch
    if balanced:
        ds = _balanced_batches(inputs, labels, min(batch_size, len(labels)), seed)
    else:
        ds = tf.data.Dataset.from_tensor_slices((inputs, labels))
        if training:
            ds = ds.shuffle(len(labels), seed=seed, reshuffle_each_iteration=True)
        # full training batches only: a short last batch crashed oneDNN kernels on tiny nets
        ds = ds.batch(min(batch_size, len(labels)), drop_remainder=training)
    if training:
        ds = ds.map(lambda x, y: (augment_batch(x), y), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
