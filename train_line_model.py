# USAGE
# python train_line_model.py --model line_model.keras --data ../shared/data/lines
#
# The defaults are the shipped model's run: 28 epochs of 500 steps of 64 samples
# (896,000 samples, about 12 passes over the 74,000 training words and lines), a
# checkpoint after every epoch. Measured on the 2-core CPU machine: 69.4 minutes,
# 233 samples/s (mean training width 192 px); batch 64 runs about 20% more samples/s
# than batch 32 there. Samples/s of every epoch go into the report and the checkpoint's json.
"""Train the handwriting line recognizer (CNN + BiLSTM + CTC) on UniPen words and lines."""
import argparse

from pyimagesearch.errors import run_resumable

# construct the argument parser and parse the arguments
ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("-m", "--model", default="line_model.keras",
                help="path to output trained model (.keras; a .tflite copy is written beside it)")
ap.add_argument("-d", "--data", default="../shared/data/lines",
                help="folder with unipen_text_h32.npz, unipen_words_h32.npz and their *_strokes.npz")
ap.add_argument("-p", "--plot", default="line_plot.png", help="path to output loss/accuracy plot")
ap.add_argument("-r", "--report", default="line_report.txt", help="path to output test-writer report")
ap.add_argument("-e", "--epochs", type=int, default=28)
ap.add_argument("-b", "--batch-size", type=int, default=64)
ap.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (warm-up, then cosine decay to 1%%)")
ap.add_argument("--steps-per-epoch", type=int, default=500, help="0: one pass over the training items")
ap.add_argument("--max-train-samples", type=int, default=0, help="use at most this many training items (0: all)")
ap.add_argument("--lstm-units", type=int, default=96, help="units of each LSTM direction")
ap.add_argument("--max-width", type=int, default=1024, help="drop training images wider than this (px)")
ap.add_argument("--patience", type=int, default=4, help="early stopping: epochs without a better validation CER")
ap.add_argument("--init-from", default="", help="start from this .keras line model's weights (fine-tuning)")
ap.add_argument("--line-stretch", type=float, nargs=2, default=(0.85, 1.15), metavar=("LOW", "HIGH"),
                help="x scale range of the synthetic lines (below 1: denser writing)")
ap.add_argument("--words-per-line", type=int, nargs=2, default=(2, 6), metavar=("LOW", "HIGH"),
                help="words of one writer composed into each synthetic line")
ap.add_argument("--seed", type=int, default=42)
ap.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
ap.add_argument("--beam", type=int, default=None,
                help="beam width for the final report (0: greedy; default: the language model's)")
ap.add_argument("--eval-limit", type=int, default=0, help="test items per set in the final report (0: all)")
ap.add_argument("--no-eval", action="store_true", help="skip the final test-writer evaluation")
args = vars(ap.parse_args())


def main():
    # heavy imports only after the flags are known to be valid
    from pyimagesearch.recognition.train import LineTrainConfig, report, train
    config = LineTrainConfig(model_path=args["model"], data_dir=args["data"], epochs=args["epochs"],
                             batch_size=args["batch_size"], learning_rate=args["lr"],
                             steps_per_epoch=args["steps_per_epoch"], max_train_samples=args["max_train_samples"],
                             lstm_units=args["lstm_units"], max_width=args["max_width"], patience=args["patience"],
                             seed=args["seed"], init_from=args["init_from"],
                             line_stretch=tuple(args["line_stretch"]), words_per_line=tuple(args["words_per_line"]), resume=args["resume"], plot_path=args["plot"],
                             report_path=args["report"], beam_width=args["beam"], eval_limit=args["eval_limit"],
                             evaluate=not args["no_eval"])
    # load the words and lines, augment them into photo-like lines, train and save
    # the network (with its charset, and its LiteRT copy)
    model, history, seconds, corpus = train(config)
    # plot the curves and measure CER / WER on the test writers (all texts and unseen texts)
    report(config, history, seconds, corpus)


if __name__ == "__main__":
    run_resumable(main)
