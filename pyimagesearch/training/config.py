"""What a classifier training run is asked to do (``TrainConfig``, whose defaults the
command line shows), and the checks both trainers make before TensorFlow is
imported: inputs exist, outputs are writable and not overwritten unasked."""
import os
from dataclasses import dataclass, field, replace

from ..errors import InputError
from ..io.atomic import refuse_existing
from ..models import store
from ..places import SHARED_FONTS
from . import checkpoints

# .keras carries its labels; any other name gets the tutorial's HDF5 file (its 36 labels)
CLASSIFIER_SUFFIXES = (".keras", ".model", ".h5")
CLASS_WEIGHTS = ("prior", "balanced", "tutorial", "none")
PRECISIONS = ("float32", "bf16")
PLOT_FORMATS = ("png", "jpg", "jpeg", "pdf", "svg", "tif", "tiff", "webp", "eps", "ps")   # what save_plot writes


def default_fonts() -> str:
    """``../shared/fonts`` when it holds its font table, else 'none' (no font glyphs)."""
    return SHARED_FONTS if os.path.isfile(os.path.join(SHARED_FONTS, "fonts.tsv")) else "none"


@dataclass
class TrainConfig:
    model_path: str = "handwriting.keras"
    digits: list = field(default_factory=lambda: ["digits_train.npz"])
    az: str = "a_z_handwritten_data.csv.gz"
    architecture: str = "half"
    epochs: int = 12
    batch_size: int = 128
    learning_rate: float = 2e-3
    reg: float = 0.0005             # the tutorial's L2 weight, here on every convolution
    class_weights: str = "prior"    # one of CLASS_WEIGHTS
    fonts: str = field(default_factory=default_fonts)
    font_glyphs: int = 12           # rendered copies of each class per training font
    init_from: str = ""            # start from this classifier's weights (fine-tuning)
    precision: str = "float32"      # one of PRECISIONS (bf16 measured slower here: reports/bench_precision.md)
    validation_fraction: float = 0.1
    patience: int = 5
    seed: int = 42
    resume: bool = False
    overwrite: bool = False
    strategy: str = "default"
    steps_per_epoch: int = 0  # 0: the whole training split each epoch
    test_sets: list = field(default_factory=list)
    plot_path: str = "plot.png"
    report_path: str = "classification_report.txt"
    montage_path: str = "montage.png"
    show: bool = True
    verbose: int = 1


# --quick: a short run for learners (a coffee break on 2 CPU cores)
QUICK = {"architecture": "quarter", "epochs": 3, "font_glyphs": 4}


def quick(config: TrainConfig) -> TrainConfig:
    """``config`` with the ``--quick`` preset's settings."""
    return replace(config, **QUICK)


def gz_fallback(path: str) -> str:
    """``path``, or its ``.gz`` twin when only that exists (the repository ships
    ``a_z_handwritten_data.csv.gz``, the tutorial names the plain ``.csv``)."""
    if not os.path.exists(path) and os.path.isfile(path + ".gz"):
        print(f"[INFO] {path} not found: reading {path}.gz")
        return path + ".gz"
    return path


def require_files(paths, what: str) -> None:
    for path in paths:
        if not os.path.isfile(path):
            raise InputError(f"{path}: no such {what}")


def _check_model_name(path, suffixes):
    if not path.endswith(suffixes):
        raise InputError(f"{path}: model path must end in {' or '.join(suffixes)}")


def _check_writable(outputs):
    for path in outputs:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
            raise InputError(f"{path}: cannot write there (folder missing or not writable)")


def _check_numbers(config):
    for name, value, low in (("--epochs", config.epochs, 1), ("--batch-size", config.batch_size, 1),
                             ("--steps-per-epoch", config.steps_per_epoch, 0)):
        if value < low:
            raise InputError(f"{name} {value}: must be at least {low}")
    if not config.learning_rate > 0:
        raise InputError(f"--lr {config.learning_rate}: must be above 0")


def check_run(config, outputs, suffixes=(".keras",)) -> None:
    """Fail before hours of training, not after (the trainers call this): a model
    name of ``suffixes``, a plot matplotlib can write, writable ``outputs`` and
    numbers that make sense."""
    _check_model_name(config.model_path, suffixes)
    _check_plot_format(config.plot_path)
    _check_writable([config.model_path, *outputs])
    _check_numbers(config)


def _check_plot_format(path):
    extension = os.path.splitext(path)[1][1:].lower()
    if extension and extension not in PLOT_FORMATS:
        raise InputError(f"{path}: a plot is written as {', '.join(PLOT_FORMATS)} (or no extension: png)")


def refuse_overwrite(config, outputs) -> None:
    """Refuse to replace files that are there already (``outputs``, the model, its
    LiteRT twin, an interrupted run's checkpoint) unless asked to, or unless
    ``--resume`` continues the interrupted run that is writing them. The last check
    of both trainers: a bad input is the thing to say first."""
    interrupted = checkpoints.read_state(config.model_path) is not None
    if config.overwrite or (config.resume and interrupted):
        return
    files = [config.model_path, store.lite_twin_path(config.model_path), *outputs,
             *checkpoints.checkpoint_paths(config.model_path)]
    refuse_existing(files, " (or --resume to continue the interrupted run)" if interrupted else "")


def checked(config: TrainConfig) -> TrainConfig:
    """``config`` with its inputs found (the A-Z CSV's ``.gz`` twin when only that is
    there), after every check that can be made without TensorFlow."""
    config = replace(config, az=config.az if config.az == "none" else gz_fallback(config.az))
    require_files([p for p in config.digits if p != "download"], "digit set")
    require_files([config.az] if config.az != "none" else [], "A-Z dataset")
    require_files(config.test_sets, "test set")
    if config.fonts != "none":
        require_files([os.path.join(config.fonts, "fonts.tsv")], "font table (--fonts DIR holds fonts.tsv; or 'none')")
    if config.init_from and store.sniff_format(config.init_from) != "keras":
        raise InputError(f"{config.init_from}: --init-from takes a .keras classifier")
    if config.font_glyphs < 1:
        raise InputError(f"--font-glyphs {config.font_glyphs}: must be at least 1")
    outputs = [config.plot_path, config.report_path, config.montage_path]
    check_run(config, outputs, CLASSIFIER_SUFFIXES)
    if config.reg < 0:
        raise InputError(f"--reg {config.reg}: must be 0 or more")
    refuse_overwrite(config, outputs)
    return config
