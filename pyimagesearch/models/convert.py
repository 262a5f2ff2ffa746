"""Convert a Keras classifier (.keras, .h5 or the 2020 ``handwriting.model``) to LiteRT.

    python -m pyimagesearch.models.convert handwriting.keras [-o handwriting.tflite] [--int8]

Float32 by default. ``--int8`` quantises weights and activations to int8 (inputs and
outputs stay float32), calibrated on glyphs from the shipped training files.
"""
import argparse
import sys

import numpy as np

from ..errors import cli_main
from . import store

CALIBRATION_GLYPHS = 512


def keras_to_tflite(model, calibration=None):
    """TFLite flatbuffer of a Keras model with a dynamic batch dimension; int8 when
    ``calibration`` (model inputs, N x H x W x C float32) is given."""
    import tensorflow as tf
    # Keras 3.15 refuses to export a model that was loaded but never called
    model(np.zeros((1, *model.input_shape[1:]), np.float32))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if calibration is not None:
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([sample[None]] for sample in calibration)
    return converter.convert()


def calibration_inputs(digits_path="digits_train.npz", az_path="a_z_handwritten_data.csv.gz", seed=0):
    """Training glyphs (never test glyphs) through the shared normalisation."""
    from ..az_dataset import load_az_dataset, load_glyph_npz
    from ..transforms import glyphs_to_inputs
    digits, _ = load_glyph_npz(digits_path)
    letters, _ = load_az_dataset(az_path)
    glyphs = np.concatenate([digits, letters])
    pick = np.random.default_rng(seed).choice(len(glyphs), CALIBRATION_GLYPHS, replace=False)
    return glyphs_to_inputs(glyphs[pick])


def convert_file(source, target=None, int8=False):
    from .classifier import KerasClassifier
    classifier = KerasClassifier(source)
    target = target or store.lite_twin_path(source)
    calibration = calibration_inputs() if int8 else None
    store.save_tflite(keras_to_tflite(classifier.model, calibration), target, classifier.labels)
    return target


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help=".keras, .h5 or 2020 HDF5 model file")
    parser.add_argument("-o", "--output", help="where to write the .tflite (default: beside the model)")
    parser.add_argument("--int8", action="store_true", help="int8 weights and activations (smaller, see README)")
    args = parser.parse_args(argv)
    print(f"[INFO] wrote {convert_file(args.model, args.output, args.int8)}")


if __name__ == "__main__":
    sys.exit(main())
