"""Train the handwriting detector on generated pages: the pages are made first by
worker processes into shards (resumable), then the network trains on random crops
of them with a checkpoint every epoch (``--resume``), early stopping on the
held-out pages' loss, an atomic final save (``.keras`` and a LiteRT ``.tflite``
twin), a loss plot and a report of scores per paper kind on held-out pages."""
import dataclasses
import os
import time
from dataclasses import asdict, dataclass

from ..errors import InputError
from ..io.atomic import write_text
from ..models import store
from ..synth import PAPER_KINDS, PageSettings, make_page
from ..training import checkpoints
from ..training.config import check_run, refuse_overwrite
from . import detector_data
from .detector_model import DEFAULT_FILTERS
from .handwriting_ink import keep_handwriting
from .learned import OUTPUTS, LearnedDetector
from .segment import PageScan

MONITOR = "val_loss"


@dataclass
class DetectorTrainConfig:
    model_path: str = "detector.keras"
    pages_dir: str = "detector_pages"   # shards of generated pages (kept: a second run reuses them)
    train_pages: int = 2000
    val_pages: int = 96                 # held-out (test-split) pages scored every epoch
    shard_size: int = 100
    workers: int = 2                    # page-making processes
    large_share: float = 0.1            # big phone photos with small writing among the pages
    epochs: int = 16
    steps_per_epoch: int = 400
    batch_size: int = 16
    crop: int = 256                     # training crops' side (px at working size)
    zoom: float = 1.0                   # crops scaled by up to this either way: writing of more sizes (1: off)
    learning_rate: float = 2e-3
    filters: tuple = DEFAULT_FILTERS
    patience: int = 4
    seed: int = 42
    resume: bool = False
    overwrite: bool = False
    init_from: str = ""
    plot_path: str = "detector_plot.png"
    report_path: str = "detector_report.txt"
    eval_per_kind: int = 16             # held-out full-size pages per paper kind in the report
    evaluate: bool = True
    verbose: int = 2


def check_config(config: DetectorTrainConfig):
    """Fail before the training, not after it."""
    check_run(config, [config.model_path, config.plot_path, config.report_path])
    for name, value, low in (("--train-pages", config.train_pages, 1), ("--val-pages", config.val_pages, 1),
                             ("--shard-size", config.shard_size, 1), ("--workers", config.workers, 1),
                             ("--eval-per-kind", config.eval_per_kind, 0), ("--patience", config.patience, 1)):
        if value < low:
            raise InputError(f"{name} {value}: must be at least {low}")
    if config.crop % 32 or not 32 <= config.crop <= detector_data.CANVAS:
        raise InputError(f"--crop {config.crop}: a multiple of 32 from 32 to {detector_data.CANVAS}")
    if not 1.0 <= config.zoom <= 4.0:
        raise InputError(f"--zoom {config.zoom}: must be from 1 (no scaling) to 4")
    if not 0.0 <= config.large_share <= 1.0:
        raise InputError(f"--large-share {config.large_share}: must be from 0 to 1")
    if config.init_from and store.sniff_format(config.init_from) != "keras":
        raise InputError(f"{config.init_from}: --init-from takes a .keras detector")
    if os.path.exists(config.pages_dir) and not os.path.isdir(config.pages_dir):
        raise InputError(f"{config.pages_dir}: not a folder (--pages)")
    refuse_overwrite(config, [config.plot_path, config.report_path])


def page_settings(config: DetectorTrainConfig, split: str) -> PageSettings:
    # the network is trained on pages at detector_data.CANVAS: more pixels for legible writing would only cost time
    return PageSettings(split=split, large_share=config.large_share, min_spacing=0.0)


def make_pages(config: DetectorTrainConfig):
    """The training and validation arrays, made (or found) in ``config.pages_dir``."""
    data = {}
    for split, pages in (("train", config.train_pages), ("test", config.val_pages)):
        plan = detector_data.ShardPlan(split, pages, config.shard_size, config.seed, page_settings(config, split))
        paths = detector_data.write_shards(config.pages_dir, plan, config.workers)
        data[split] = detector_data.load_shards(paths)
        print(f"[INFO] {split}: {len(data[split][0])} pages from {len(paths)} shards in {config.pages_dir}")
    return data["train"], data["test"]


def _load(path):
    import keras
    from .detector_model import detector_loss
    return keras.saving.load_model(path, custom_objects={"detector_loss": detector_loss})


def _compile(model, config):
    import keras
    from .detector_model import detector_loss
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * config.steps_per_epoch, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=detector_loss)


def initial_model(config: DetectorTrainConfig, history: dict):
    """(model, first epoch): the checkpoint's with ``--resume``, else a new one
    (with ``--init-from``'s weights)."""
    from .detector_model import build_detector
    state = checkpoints.read_state(config.model_path) if config.resume else None
    if state:
        history.update(state["history"])
        ckpt_model = checkpoints.checkpoint_paths(config.model_path)[0]
        print(f"[INFO] resuming after epoch {state['epoch']} from {ckpt_model}")
        return _load(ckpt_model), state["epoch"]
    if config.resume:
        print("[INFO] no checkpoint to resume from: starting afresh")
    model = build_detector(tuple(config.filters))
    if config.init_from:
        try:
            model.set_weights(_load(config.init_from).get_weights())
        except ValueError as e:
            raise InputError(f"{config.init_from}: not a detector of filters {config.filters} ({e})") from None
        print(f"[INFO] starting from the weights of {config.init_from}")
    _compile(model, config)
    return model, 0


def progress(config: DetectorTrainConfig, start_epoch: int):
    """Keras callback: one line per epoch with its losses and the whole run's time left."""
    import keras

    class Progress(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.time()

        def on_epoch_end(self, epoch, logs=None):
            done = epoch + 1 - start_epoch
            per_epoch = (time.time() - self.start) / done
            left = (config.epochs - epoch - 1) * per_epoch
            losses = ", ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
            print(f"[INFO] epoch {epoch + 1}/{config.epochs}: {losses}; {per_epoch / 60:.1f} min/epoch, "
                  f"about {left / 60:.0f} min left", flush=True)

    return Progress()


def train(config: DetectorTrainConfig):
    """Run a whole training; returns (model, history, seconds)."""
    check_config(config)
    import keras
    keras.utils.set_random_seed(config.seed)
    (images, cells, _), (val_images, val_cells, _) = make_pages(config)
    history = {}
    model, initial_epoch = initial_model(config, history)
    print(f"[INFO] {model.count_params()} weights; {config.epochs} epochs of {config.steps_per_epoch} steps "
          f"of {config.batch_size} crops of {config.crop} px")
    # a different crop stream after a resume, not a replay of the first epochs
    batches = detector_data.crop_batches(images, cells, config.batch_size, config.crop,
                                         config.seed + initial_epoch, config.zoom)
    val_steps = -(-len(val_images) // 8)
    callbacks = [progress(config, initial_epoch),
                 checkpoints.epoch_checkpoint(config.model_path, list(OUTPUTS), history, asdict(config), MONITOR),
                 checkpoints.early_stopping(config.model_path, history, MONITOR, config.patience),
                 keras.callbacks.TerminateOnNaN()]
    start = time.time()
    if initial_epoch < config.epochs:
        model.fit(batches, epochs=config.epochs, initial_epoch=initial_epoch, steps_per_epoch=config.steps_per_epoch,
                  validation_data=detector_data.whole_batches(val_images, val_cells, 8), validation_steps=val_steps,
                  callbacks=callbacks, verbose=config.verbose)
    seconds = time.time() - start
    print(f"[INFO] training took {seconds / 60:.1f} minutes")
    save_detector(model, config)
    checkpoints.remove(config.model_path)
    return model, history, seconds


def save_detector(model, config: DetectorTrainConfig) -> str:
    """The .keras model and its LiteRT twin, atomically; the twin's path."""
    from .detector_model import detector_to_tflite, float32_twin
    print(f"[INFO] serializing network to {config.model_path}...")
    twin = store.save_model_and_twin(model, config.model_path, list(OUTPUTS),
                                     lambda m: detector_to_tflite(float32_twin(m, tuple(config.filters))))
    print(f"[INFO] LiteRT copy written to {twin}")
    return twin


@dataclass
class InkCounts:
    """Pixel counts at the segmenter's working size, summed over pages."""
    kept: int = 0          # ink taken as handwriting
    hand: int = 0          # true handwriting ink
    both: int = 0          # ... of it taken
    printed: int = 0       # true printed ink
    printed_kept: int = 0  # ... of it taken as handwriting
    pages: int = 0
    turns_right: int = 0

    def add(self, kept, hand, printed):
        self.kept += int(kept.sum())
        self.hand += int(hand.sum())
        self.both += int((kept & hand).sum())
        self.printed += int(printed.sum())
        self.printed_kept += int((kept & printed).sum())

    def scores(self) -> dict:
        union = self.kept + self.hand - self.both
        return {"iou": self.both / max(union, 1), "precision": self.both / max(self.kept, 1),
                "recall": self.both / max(self.hand, 1), "print_kept": self.printed_kept / max(self.printed, 1),
                "turn_accuracy": self.turns_right / max(self.pages, 1)}


def score_page(page, detector: LearnedDetector, learned: InkCounts, classic: InkCounts):
    """Add one generated page to the learned detector's and the classic segmenter's counts."""
    import cv2
    scan = PageScan.of(page.image)
    view = detector.look(page.image)
    size = scan.mask.shape[::-1]
    hand = cv2.resize(page.hand_mask, size, interpolation=cv2.INTER_AREA) >= 128
    printed = cv2.resize(page.print_mask, size, interpolation=cv2.INTER_AREA) >= 128
    learned.add(keep_handwriting(scan, view).mask > 0, hand, printed)
    classic.add(scan.mask > 0, hand, printed)
    for counts in (learned, classic):
        counts.pages += 1
    learned.turns_right += int(view.turn == page.turn)


def score_by_kind(detector: LearnedDetector, per_kind: int, seed: int, settings: PageSettings) -> dict:
    """{kind: (learned InkCounts, classic InkCounts)} on ``per_kind`` held-out pages of each paper kind."""
    results = {}
    for k, kind in enumerate(PAPER_KINDS):
        one_kind = dataclasses.replace(settings, split="test").only(kind)
        learned, classic = InkCounts(), InkCounts()
        for n in range(per_kind):
            score_page(make_page(seed * 7919 + 100_000 * (k + 1) + n, one_kind), detector, learned, classic)
        results[kind] = (learned, classic)
    return results


def format_scores(results: dict) -> str:
    """The per-kind table of ``score_by_kind``."""
    head = (f"{'paper':<11}{'pages':>6}  {'learned: IoU':>12}{'prec':>6}{'recall':>7}{'print kept':>11}"
            f"{'turn ok':>8}  {'classic: IoU':>12}{'prec':>6}{'recall':>7}{'print kept':>11}")
    rows = [head]
    total_learned, total_classic = InkCounts(), InkCounts()
    for kind, (learned, classic) in list(results.items()) + [("all", (total_learned, total_classic))]:
        if kind != "all":
            for total, part in ((total_learned, learned), (total_classic, classic)):
                for name in asdict(part):
                    setattr(total, name, getattr(total, name) + getattr(part, name))
        a, b = learned.scores(), classic.scores()
        rows.append(f"{kind:<11}{learned.pages:>6}  {a['iou']:>12.3f}{a['precision']:>6.3f}{a['recall']:>7.3f}"
                    f"{a['print_kept']:>11.3f}{a['turn_accuracy']:>8.3f}  {b['iou']:>12.3f}{b['precision']:>6.3f}"
                    f"{b['recall']:>7.3f}{b['print_kept']:>11.3f}")
    return "\n".join(rows)


def report(config: DetectorTrainConfig, history: dict, seconds: float):
    """The loss plot and the per-kind report on held-out generated pages (through the LiteRT twin)."""
    from ..training.report import save_plot
    save_plot({k: history[k] for k in ("loss", "val_loss") if k in history}, config.plot_path)
    print(f"[INFO] loss plot written to {config.plot_path}")
    lines = [f"handwriting detector {config.model_path}: {len(history.get('loss', []))} epochs, "
             f"trained {seconds / 60:.1f} minutes",
             f"config: {asdict(config)}"]
    if config.evaluate and config.eval_per_kind:
        detector = LearnedDetector.from_file(store.lite_twin_path(config.model_path))
        results = score_by_kind(detector, config.eval_per_kind, config.seed, page_settings(config, "test"))
        lines += ["", "Held-out generated pages (UniPen test writers, held-out fonts); ink pixels at the "
                  "segmenter's working size: IoU / precision / recall of the ink taken as handwriting against "
                  "the true handwriting, and the share of printed ink taken as handwriting.",
                  format_scores(results)]
    text = "\n".join(lines) + "\n"
    write_text(config.report_path, text)
    print(text)
    print(f"[INFO] report written to {config.report_path}")
