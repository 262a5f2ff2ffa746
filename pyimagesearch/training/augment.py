"""Augmentation of 32x32 glyph batches as TensorFlow ops, for tf.data.

Geometry follows the tutorial (rotation 10 degrees, zoom 0.05, shift 0.1) plus a
real slant: Keras 2's ``shear_range=0.15`` meant 0.15 *degrees* (no effect); we
shear by a factor up to 0.15 (about 8.5 degrees) because handwriting slant varies.
Pen-rendered training ink is uniform, photos are not: stroke thickness, blur and
noise are varied too.
"""
import math

import tensorflow as tf

ROTATION_DEGREES = 10.0
ZOOM = 0.05
SHIFT = 0.1
SHEAR = 0.15
NOISE_STD = 0.06


def _uniform(n, low, high):
    return tf.random.uniform([n], low, high)


def _affine(images):
    """One random rotation/zoom/shear/shift per image, about the image centre."""
    n = tf.shape(images)[0]
    side = tf.cast(tf.shape(images)[1], tf.float32)
    angle = _uniform(n, -1.0, 1.0) * ROTATION_DEGREES * math.pi / 180.0
    zoom = _uniform(n, 1.0 - ZOOM, 1.0 + ZOOM)
    shear = _uniform(n, -SHEAR, SHEAR)
    tx = _uniform(n, -SHIFT, SHIFT) * side
    ty = _uniform(n, -SHIFT, SHIFT) * side
    cos, sin = tf.cos(angle) / zoom, tf.sin(angle) / zoom
    # output->input map: inverse zoom and rotation, then shear in x
    a0, a1 = cos, -sin + shear * cos
    b0, b1 = sin, cos + shear * sin
    c = (side - 1.0) / 2.0
    a2 = c - a0 * c - a1 * c - tx
    b2 = c - b0 * c - b1 * c - ty
    zeros = tf.zeros([n])
    transforms = tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=tf.shape(images)[1:3],
        fill_value=0.0, interpolation="BILINEAR", fill_mode="CONSTANT")


def _per_image(n, low, high):
    return tf.reshape(_uniform(n, low, high), [-1, 1, 1, 1])


def _stroke_width(images):
    """Blend towards a 3x3 dilation (thicker) or erosion (thinner) by a random amount."""
    n = tf.shape(images)[0]
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 3, 1, "SAME")
    amount = _per_image(n, -0.5, 1.0)
    target = tf.where(amount > 0, dilated, eroded)
    return images + tf.abs(amount) * (target - images)


def _blur_and_noise(images):
    n = tf.shape(images)[0]
    kernel = tf.constant([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]) / 16.0
    blurred = tf.nn.conv2d(images, tf.reshape(kernel, [3, 3, 1, 1]), 1, "SAME")
    images = images + _per_image(n, 0.0, 1.0) * (blurred - images)
    noise = tf.random.normal(tf.shape(images)) * _per_image(n, 0.0, NOISE_STD)
    return tf.clip_by_value(images + noise, 0.0, 1.0)


def augment_batch(images):
    """(B, 32, 32, 1) float32 in [0, 1] -> an augmented batch of the same shape."""
    return _blur_and_noise(_stroke_width(_affine(images)))
