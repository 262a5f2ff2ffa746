"""Convert a Keras classifier (.keras, .h5 or the 2020 ``handwriting.model``) to LiteRT.

    python -m pyimagesearch.models.convert handwriting.keras [-o handwriting.tflite] [--int8]
    python -m pyimagesearch.models.convert line_model.keras --stamp

Float32 by default. ``--int8`` quantises weights and activations to int8 (inputs and
outputs stay float32), calibrated on glyphs from the shipped training files. A twin
beside its model is stamped with the model file's hash, so that the readers use it
only while it belongs to that model; ``--stamp`` stamps the twin that is there
(any model, line models too) without converting again.
"""
import argparse
import os
import sys
import tempfile
from contextlib import contextmanager

import numpy as np

from ..errors import InputError, cli_main
from . import store

CALIBRATION_GLYPHS = 512


@contextmanager
def quiet_native_output():
    """TensorFlow's converter writes pages of log lines straight to the process's
    stdout and stderr: keep them from the terminal, and show their end only when
    the conversion fails."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    failed = True
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
            failed = False
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in zip((1, 2), saved):
                os.dup2(copy, fd)
                os.close(copy)
            if failed:
                log.seek(0)
                sys.stderr.write(log.read().decode("utf-8", "replace")[-4000:])


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
    with quiet_native_output():
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
    """Write ``source``'s LiteRT twin (or ``target``); a twin is stamped as ``source``'s."""
    from .classifier import KerasClassifier
    classifier = KerasClassifier(source)
    twin = store.lite_twin_path(source)
    target = target or twin
    calibration = calibration_inputs() if int8 else None
    stamp = source if os.path.abspath(target) == os.path.abspath(twin) else None
    store.save_tflite(keras_to_tflite(classifier.model, calibration), target, classifier.labels, model_path=stamp)
    return target


def stamp_twin(source: str) -> str:
    """Stamp the twin beside ``source`` as made from it, as it is now."""
    twin = store.lite_twin(source)
    if twin is None:
        raise InputError(f"{source}: no .tflite twin beside it to stamp")
    store.sniff_format(source)
    store.restamp(twin, source)
    return twin


@cli_main
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help=".keras, .h5 or 2020 HDF5 model file")
    parser.add_argument("-o", "--output", help="where to write the .tflite (default: beside the model)")
    parser.add_argument("--int8", action="store_true", help="int8 weights and activations (smaller, see README)")
    parser.add_argument("--stamp", action="store_true",
                        help="only stamp the .tflite twin beside the model as its own (no conversion)")
    args = parser.parse_args(argv)
    if args.stamp:
        print(f"[INFO] stamped {stamp_twin(args.model)} as the twin of {args.model}")
        return
    print(f"[INFO] wrote {convert_file(args.model, args.output, args.int8)}")


if __name__ == "__main__":
    sys.exit(main())
