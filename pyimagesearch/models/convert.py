"""Convert a Keras classifier (.keras, .h5 or the 2020 ``handwriting.model``) to LiteRT.

    python -m pyimagesearch.models.convert handwriting.keras [-o handwriting.tflite]
"""
import argparse
import sys

import numpy as np

from ..errors import EXIT_BAD_INPUT, InputError
from . import store


def keras_to_tflite(model):
    """Float32 TFLite flatbuffer of a Keras model with a dynamic batch dimension."""
    import tensorflow as tf
    # Keras 3.15 refuses to export a model that was loaded but never called
    model(np.zeros((1, *model.input_shape[1:]), np.float32))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    return converter.convert()


def convert_file(source, target=None):
    from .classifier import KerasClassifier
    classifier = KerasClassifier(source)
    target = target or (store.lite_twin_path(source))
    store.save_tflite(keras_to_tflite(classifier.model), target, classifier.labels)
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help=".keras, .h5 or 2020 HDF5 model file")
    parser.add_argument("-o", "--output", help="where to write the .tflite (default: beside the model)")
    args = parser.parse_args(argv)
    try:
        print(f"[INFO] wrote {convert_file(args.model, args.output)}")
    except InputError as e:
        print(f"[ERROR] {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
