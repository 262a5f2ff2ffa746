# USAGE
# python train_line_model.py --model my_line_model.keras --data ../shared/data/lines
#
# The defaults are the shipped model's run, a checkpoint after every epoch; its
# speed (samples/s of every epoch) goes into the report and the checkpoint.
"""Train the handwriting line recognizer (CNN + BiLSTM + CTC) on UniPen words and lines."""
import argparse

from pyimagesearch.errors import run_resumable
from pyimagesearch.recognition.config import LineTrainConfig, check_config

DEFAULTS = LineTrainConfig()

# construct the argument parser and parse the arguments
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
ap.add_argument("-m", "--model", default=DEFAULTS.model_path,
                help="path to output trained model (.keras; a .tflite copy is written beside it)")
ap.add_argument("-d", "--data", default=DEFAULTS.data_dir,
                help="folder with unipen_text_h32.npz, unipen_words_h32.npz and their *_strokes.npz")
ap.add_argument("-p", "--plot", default=DEFAULTS.plot_path, help="path to output loss/accuracy plot")
ap.add_argument("-r", "--report", default=DEFAULTS.report_path, help="path to output test-writer report")
ap.add_argument("-e", "--epochs", type=int, default=DEFAULTS.epochs, help="epochs to train")
ap.add_argument("-b", "--batch-size", type=int, default=DEFAULTS.batch_size, help="samples per training step")
ap.add_argument("--lr", type=float, default=DEFAULTS.learning_rate,
                help="peak learning rate (warm-up, then cosine decay to 1%%)")
ap.add_argument("--steps-per-epoch", type=int, default=DEFAULTS.steps_per_epoch,
                help="0: one pass over the training items")
ap.add_argument("--max-train-samples", type=int, default=DEFAULTS.max_train_samples,
                help="use at most this many training items (0: all)")
ap.add_argument("--lstm-units", type=int, default=DEFAULTS.lstm_units, help="units of each LSTM direction")
ap.add_argument("--filters", type=int, nargs=4, default=DEFAULTS.filters, metavar="N",
                help="filters of the four convolution blocks")
ap.add_argument("--max-width", type=int, default=DEFAULTS.max_width, help="drop training images wider than this (px)")
ap.add_argument("--patience", type=int, default=DEFAULTS.patience,
                help="early stopping: epochs without a better validation CER")
ap.add_argument("--init-from", default=DEFAULTS.init_from,
                help="start from this .keras line model's weights (fine-tuning)")
ap.add_argument("--line-stretch", type=float, nargs=2, default=DEFAULTS.line_stretch, metavar=("LOW", "HIGH"),
                help="x scale range of the synthetic lines (below 1: denser writing)")
ap.add_argument("--words-per-line", type=int, nargs=2, default=DEFAULTS.words_per_line, metavar=("LOW", "HIGH"),
                help="words of one writer composed into each synthetic line")
ap.add_argument("--fonts", default=DEFAULTS.fonts_dir,
                help="handwriting fonts folder (fonts.tsv; its held-out group is never trained on)")
ap.add_argument("--text", default=DEFAULTS.text_dir, help="folder of the prose the font lines write")
ap.add_argument("--font-share", type=float, default=DEFAULTS.font_share,
                help="share of each batch set in the handwriting fonts (0: UniPen alone, as the shipped model)")
ap.add_argument("--page-share", type=float, default=DEFAULTS.page_share,
                help="share of each batch cut from generated pages: photographed paper, ink and light "
                     f"(default {DEFAULTS.page_share})")
ap.add_argument("--workers", type=int, default=DEFAULTS.workers,
                help="processes making the training batches (0: the training process itself)")
ap.add_argument("--seed", type=int, default=DEFAULTS.seed,
                help="seed of the weights, the person split and the samples")
ap.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
ap.add_argument("--overwrite", action="store_true", help="replace output files that exist already")
ap.add_argument("--beam", type=int, default=DEFAULTS.beam_width,
                help="beam width for the final report (0: greedy; None: the language model's)")
ap.add_argument("--eval-limit", type=int, default=DEFAULTS.eval_limit,
                help="test items per set in the final report (0: all)")
ap.add_argument("--no-lm", action="store_true",
                help="build no language model (a stage that another continues; lm_build makes one later)")
ap.add_argument("--no-eval", action="store_true", help="skip the final test-writer evaluation")


def main():
    # parsed here, not on import: a spawned batch worker imports this script again
    args = vars(ap.parse_args())
    config = LineTrainConfig(model_path=args["model"], data_dir=args["data"], epochs=args["epochs"],
                             batch_size=args["batch_size"], learning_rate=args["lr"],
                             steps_per_epoch=args["steps_per_epoch"], max_train_samples=args["max_train_samples"],
                             lstm_units=args["lstm_units"], filters=tuple(args["filters"]), max_width=args["max_width"], patience=args["patience"],
                             seed=args["seed"], init_from=args["init_from"],
                             line_stretch=tuple(args["line_stretch"]), words_per_line=tuple(args["words_per_line"]),
                             resume=args["resume"], overwrite=args["overwrite"], plot_path=args["plot"],
                             report_path=args["report"], beam_width=args["beam"], eval_limit=args["eval_limit"],
                             evaluate=not args["no_eval"], fonts_dir=args["fonts"], text_dir=args["text"],
                             font_share=args["font_share"], page_share=args["page_share"], workers=args["workers"],
                             build_lm=not args["no_lm"])
    # every input and output is checked before TensorFlow is imported
    check_config(config)
    from pyimagesearch.recognition.train import report, train
    # load the words and lines, augment them into photo-like lines, train and save
    # the network (with its charset, and its LiteRT copy)
    model, history, seconds, corpus = train(config)
    # plot the curves and measure CER / WER on the test writers (all texts and unseen texts)
    report(config, history, seconds, corpus)


if __name__ == "__main__":
    run_resumable(main)
