"""The flags every line-model command shares: -m/--model and --data."""
import argparse
import os

from ..errors import InputError
from .config import LineTrainConfig


def line_model_parser(description):
    """An argument parser with -m/--model and --data."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default=LineTrainConfig.model_path,
                        help=".keras or .tflite line model (default: %(default)s)")
    parser.add_argument("--data", default=LineTrainConfig.data_dir,
                        help="folder with the UniPen line/word .npz files (default: %(default)s)")
    return parser


def parse_line_model_args(parser, argv):
    """Parsed flags; a missing model file is a one-line error before any data loads."""
    args = parser.parse_args(argv)
    if not os.path.isfile(args.model):
        raise InputError(f"{args.model}: no such model file")
    return args
