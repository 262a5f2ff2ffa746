# USAGE
# python train_ocr_model.py --az a_z_handwritten_data.csv.gz --model my_handwriting.keras
"""Train the handwriting OCR classifier (digits + A-Z) on this machine's CPU."""
import argparse
import os

from pyimagesearch.errors import run_resumable
from pyimagesearch.models.architectures import ARCHITECTURES
from pyimagesearch.training.config import CLASS_WEIGHTS, PRECISIONS, QUICK, TrainConfig, checked, quick

DEFAULTS = TrainConfig()
DEFAULT_TESTS = [os.path.join("test_sets", "mnist_test.npz"), os.path.join("test_sets", "unipen_test_writers.npz")]

# construct the argument parser and parse the arguments (the tutorial's -a/-m/-p first)
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
ap.add_argument("-a", "--az", default=DEFAULTS.az,
                help="path to A-Z dataset (Kaggle CSV format, .csv or .csv.gz; 'none' for digits only)")
ap.add_argument("-m", "--model", default=DEFAULTS.model_path,
                help="path to output trained model: .keras, or .model/.h5 for the tutorial's HDF5 file "
                     "(a LiteRT .tflite copy is written beside it)")
ap.add_argument("-p", "--plot", default=DEFAULTS.plot_path, help="path to output loss/accuracy plot")
ap.add_argument("-d", "--digits", nargs="+", default=DEFAULTS.digits,
                help="digit sets (.npz); 'download' fetches Keras' MNIST (needs network)")
ap.add_argument("-e", "--epochs", type=int, default=DEFAULTS.epochs, help="epochs to train")
ap.add_argument("-b", "--batch-size", type=int, default=DEFAULTS.batch_size, help="glyphs per training step")
ap.add_argument("--lr", type=float, default=DEFAULTS.learning_rate, help="initial learning rate (cosine decay to 1%%)")
ap.add_argument("--width", choices=sorted(ARCHITECTURES), default=DEFAULTS.architecture,
                help="network size: tutorial = the 2020 ResNet (64,64,128,256)")
ap.add_argument("--reg", type=float, default=DEFAULTS.reg,
                help="L2 weight on every convolution and the head (the tutorial's 0.0005)")
ap.add_argument("--class-weights", choices=CLASS_WEIGHTS, default=DEFAULTS.class_weights,
                help="prior: unweighted, the output corrected to an even class prior; balanced: every class "
                     "drawn equally often; tutorial: largest class count / class count (here it favours "
                     "letters); none: unweighted")
ap.add_argument("--fonts", default=DEFAULTS.fonts,
                help="folder of handwriting fonts with fonts.tsv (its held-out group is never used); 'none': "
                     "no font glyphs")
ap.add_argument("--font-glyphs", type=int, default=DEFAULTS.font_glyphs,
                help="rendered copies of each character per training font (cached outside the repository)")
ap.add_argument("--init-from", default=DEFAULTS.init_from,
                help="start from the weights of this .keras classifier (same --width) instead of random ones")
ap.add_argument("--precision", choices=PRECISIONS, default=DEFAULTS.precision,
                help="bf16: mixed precision (float32 weights and output; the saved model is float32)")
ap.add_argument("--quick", action="store_true",
                help="a short run for learners: " + ", ".join(f"{k}={v}" for k, v in QUICK.items())
                     + " (overrides those flags)")
ap.add_argument("--seed", type=int, default=DEFAULTS.seed, help="seed of the weights, the split and the augmentation")
ap.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
ap.add_argument("--overwrite", action="store_true", help="replace output files that exist already")
ap.add_argument("--strategy", choices=["default", "mirrored"], default=DEFAULTS.strategy,
                help="mirrored: train on all GPUs (or all logical CPUs) with tf.distribute")
ap.add_argument("--steps-per-epoch", type=int, default=DEFAULTS.steps_per_epoch,
                help="0: one pass over the training split")
ap.add_argument("--test-sets", nargs="*", default=None,
                help=f"held-out .npz sets to report on (None: those of {' '.join(DEFAULT_TESTS)} that exist)")
ap.add_argument("--report", default=DEFAULTS.report_path, help="path to output classification report")
ap.add_argument("--montage", default=DEFAULTS.montage_path, help="path to output montage of test predictions")
ap.add_argument("--no-show", action="store_true", help="never open a window")


def main():
    args = vars(ap.parse_args())
    tests = args["test_sets"] if args["test_sets"] is not None else [p for p in DEFAULT_TESTS if os.path.isfile(p)]
    # every input and output is checked before TensorFlow is imported
    config = TrainConfig(
        model_path=args["model"], digits=args["digits"], az=args["az"], architecture=args["width"],
        epochs=args["epochs"], batch_size=args["batch_size"], learning_rate=args["lr"], reg=args["reg"],
        class_weights=args["class_weights"], fonts=args["fonts"], font_glyphs=args["font_glyphs"],
        init_from=args["init_from"], precision=args["precision"], seed=args["seed"], resume=args["resume"], overwrite=args["overwrite"],
        strategy=args["strategy"], steps_per_epoch=args["steps_per_epoch"], test_sets=tests,
        plot_path=args["plot"], report_path=args["report"], montage_path=args["montage"],
        show=not args["no_show"])
    config = checked(quick(config) if args["quick"] else config)
    from pyimagesearch.training.trainer import evaluate_and_report, train
    # load the data, train the network and save it (with its LiteRT copy)
    model, history, seconds = train(config)
    # evaluate on the held-out test sets, plot the curves, show the montage
    evaluate_and_report(model, history, seconds, config)


if __name__ == "__main__":
    run_resumable(main)
