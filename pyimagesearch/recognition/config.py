"""What a line-model training run is asked to do (``LineTrainConfig``, whose
defaults the command line shows), checked before TensorFlow is imported."""
import os
from dataclasses import dataclass

from ..errors import InputError
from ..models import store
from ..training.config import check_run, refuse_overwrite
from .corpus import DEFAULT_DATA
from .font_lines import DEFAULT_FONTS, DEFAULT_TEXT, check_sources
from .language import lm_path_for


@dataclass
class LineTrainConfig:
    model_path: str = "line_model.keras"
    data_dir: str = DEFAULT_DATA
    epochs: int = 28
    batch_size: int = 64
    learning_rate: float = 1e-3
    steps_per_epoch: int = 500      # 0: one pass over the training items per epoch
    max_train_samples: int = 0      # 0: all training items
    validation_fraction: float = 0.05
    max_validation: int = 600       # validation items scored each epoch (lines first)
    patience: int = 4               # epochs without a better validation CER
    seed: int = 42
    resume: bool = False
    overwrite: bool = False
    plot_path: str = "line_plot.png"
    report_path: str = "line_report.txt"
    max_width: int = 1024
    lstm_units: int = 96
    filters: tuple = (16, 32, 48, 64)
    compose_probability: float = 0.5
    words_per_line: tuple = (2, 6)
    line_stretch: tuple = (0.85, 1.15)
    init_from: str = ""             # start from this line model's weights (fine-tuning)
    rerender_probability: float = 0.4
    augment_probability: float = 0.85
    fonts_dir: str = DEFAULT_FONTS
    text_dir: str = DEFAULT_TEXT
    font_share: float = 0.25        # share of each batch set in the handwriting fonts (0: UniPen alone)
    page_share: float = 0.0         # share of each batch cut from generated pages (page_lines)
    workers: int = 1                # processes making the batches (0: the training process itself)
    build_lm: bool = True           # False: a stage that another continues skips the language model
    evaluate: bool = True
    eval_limit: int = 0             # test items per set in the final report (0: all)
    beam_width: int = None          # final report decoding (None: the language model's beam; 0: greedy)
    verbose: int = 1


def outputs(config: LineTrainConfig) -> list:
    """The files a run writes besides the model, its twin and the checkpoints."""
    return [lm_path_for(config.model_path), config.plot_path, config.report_path]


def check_config(config: LineTrainConfig) -> None:
    """Fail before the training, not after it: writable outputs, sensible numbers,
    the data, and no file overwritten unasked."""
    check_run(config, outputs(config))
    if not os.path.isdir(config.data_dir):
        raise InputError(f"{config.data_dir}: no such data folder (UniPen lines/words)")
    if config.init_from and store.sniff_format(config.init_from) != "keras":
        raise InputError(f"{config.init_from}: --init-from takes a .keras line model")
    if not 0.0 <= config.font_share < 1.0:
        raise InputError(f"--font-share {config.font_share}: must be at least 0 and below 1")
    if not 0.0 <= config.page_share < 1.0 - config.font_share:
        raise InputError(f"--page-share {config.page_share}: must be at least 0, and with --font-share "
                         f"{config.font_share} leave UniPen samples in each batch")
    if len(config.filters) != 4 or min(config.filters) < 1 or config.lstm_units < 1:
        raise InputError(f"--filters {' '.join(map(str, config.filters))} --lstm-units {config.lstm_units}: "
                         "four convolution blocks and the LSTM need at least one unit each")
    if config.workers < 0:
        raise InputError(f"--workers {config.workers}: must be at least 0")
    if config.font_share > 0 or config.page_share > 0:
        check_sources(config.fonts_dir, config.text_dir)
    refuse_overwrite(config, outputs(config))
