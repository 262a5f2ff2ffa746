# USAGE
# python train_detector.py --model detector.keras
#
# Makes generated pages (UniPen strokes and handwriting fonts on ruled, squared and
# dotted paper, forms, tables, whiteboards, sticky notes; see docs/pages.md) into
# shards with worker processes, then trains the handwriting detector on crops of
# them, with a checkpoint after every epoch (--resume continues an interrupted run).
"""Train the handwriting detector (handwriting ink vs print, rules and paper, and the page's turn) on generated pages."""
import argparse

from pyimagesearch.detection.training import DetectorTrainConfig
from pyimagesearch.errors import run_resumable

D = DetectorTrainConfig()
ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("-m", "--model", default=D.model_path,
                help=f"path to output trained model (.keras; a .tflite copy is written beside it; default {D.model_path})")
ap.add_argument("--pages", default=D.pages_dir,
                help=f"folder for the generated pages' shards, made once and reused (default {D.pages_dir})")
ap.add_argument("-p", "--plot", default=D.plot_path, help=f"path to output loss plot (default {D.plot_path})")
ap.add_argument("-r", "--report", default=D.report_path,
                help=f"path to output per-paper-kind report on held-out pages (default {D.report_path})")
ap.add_argument("--train-pages", type=int, default=D.train_pages,
                help=f"generated training pages (default {D.train_pages})")
ap.add_argument("--val-pages", type=int, default=D.val_pages,
                help=f"held-out pages scored after every epoch (default {D.val_pages})")
ap.add_argument("--workers", type=int, default=D.workers,
                help=f"page-making processes (default {D.workers})")
ap.add_argument("--large-share", type=float, default=D.large_share,
                help=f"share of big phone photos with small writing among the pages (default {D.large_share})")
ap.add_argument("-e", "--epochs", type=int, default=D.epochs, help=f"default {D.epochs}")
ap.add_argument("--steps-per-epoch", type=int, default=D.steps_per_epoch, help=f"default {D.steps_per_epoch}")
ap.add_argument("-b", "--batch-size", type=int, default=D.batch_size, help=f"default {D.batch_size}")
ap.add_argument("--crop", type=int, default=D.crop,
                help=f"side of the training crops, px at the working size (multiple of 32; default {D.crop})")
ap.add_argument("--zoom", type=float, default=D.zoom,
                help=f"crops are scaled by a random factor up to this either way, so the network reads writing "
                     f"of more sizes (1 = off; default {D.zoom})")
ap.add_argument("--lr", type=float, default=D.learning_rate,
                help=f"peak learning rate, cosine decay to 2%% (default {D.learning_rate})")
ap.add_argument("--patience", type=int, default=D.patience,
                help=f"early stopping: epochs without a better held-out loss (default {D.patience})")
ap.add_argument("--init-from", default=D.init_from, help="start from this .keras detector's weights")
ap.add_argument("--seed", type=int, default=D.seed, help=f"default {D.seed}")
ap.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
ap.add_argument("--overwrite", action="store_true", help="replace output files that exist already")
ap.add_argument("--eval-per-kind", type=int, default=D.eval_per_kind,
                help=f"held-out full-size pages per paper kind in the report (default {D.eval_per_kind})")
ap.add_argument("--no-eval", action="store_true", help="skip the final per-paper-kind evaluation")
args = vars(ap.parse_args())


def main():
    # heavy imports (TensorFlow) only after the flags are known to be valid
    from pyimagesearch.detection.training import check_config, report, train
    config = DetectorTrainConfig(model_path=args["model"], pages_dir=args["pages"], plot_path=args["plot"],
                                 report_path=args["report"], train_pages=args["train_pages"],
                                 val_pages=args["val_pages"], workers=args["workers"],
                                 large_share=args["large_share"], epochs=args["epochs"],
                                 steps_per_epoch=args["steps_per_epoch"], batch_size=args["batch_size"],
                                 crop=args["crop"], zoom=args["zoom"], learning_rate=args["lr"],
                                 patience=args["patience"],
                                 init_from=args["init_from"], seed=args["seed"], resume=args["resume"],
                                 overwrite=args["overwrite"],
                                 eval_per_kind=args["eval_per_kind"], evaluate=not args["no_eval"])
    check_config(config)
    # make the pages (worker processes), train on crops of them, save the network and its LiteRT copy
    model, history, seconds = train(config)
    # plot the losses and score the detector per paper kind on held-out pages
    report(config, history, seconds)


if __name__ == "__main__":
    run_resumable(main)
