"""Train the CNN + BiLSTM + CTC line recognizer, the classifier trainer's way:
a checkpoint every epoch (``training.checkpoints``), ``--resume``, early stopping
on the validation CER, an atomic final save with the charset (``.keras`` and a
stamped LiteRT ``.tflite`` twin), the language model, a plot and a test-writer
report."""
import os
import time
from dataclasses import asdict

import numpy as np

from ..errors import InputError
from ..metrics import score
from ..io.atomic import write_text
from ..models import store
from ..training import checkpoints, progress
from . import data, lm_build
from .workers import BatchStream, StreamSpec
from .corpus import LINE, Corpus
from .charset import Charset
from .config import LineTrainConfig, check_config, outputs
from .decode import greedy
from .evaluate import evaluate_file
from .language import lm_path_for
from .preprocess import frames


def initial_weights(path, charset):
    """The line model to fine-tune from: same charset, same architecture."""
    import keras
    from . import model as _registers_ctc_loss  # noqa: F401
    if store.read_labels(path) != charset.labels:
        raise InputError(f"{path}: its charset differs from the one being trained")
    return keras.saving.load_model(path, compile=False)


# early stopping watches the validation CER from the 2nd epoch on: a CTC network
# often writes nothing at all (CER 100%) for its first few hundred steps, which
# must not count as a plateau
MONITOR, START_FROM_EPOCH = "val_cer", 1


def error_rates(model, batches, charset):
    """Validation CTC loss, CER and WER of clean batches (greedy decoding)."""
    import keras
    from .model import CTCLoss
    loss_fn = CTCLoss()
    losses, truths, reads = 0.0, [], []
    for x, y, widths, texts in batches:
        probs = np.asarray(model.predict_on_batch(x))   # compiled: much faster than model(x)
        losses += float(keras.ops.convert_to_numpy(loss_fn(y, probs))) * len(texts)
        truths += texts
        reads += [greedy(p, charset, length=frames(w)).text for p, w in zip(probs, widths)]
    scores = score(truths, reads)
    return losses / max(len(truths), 1), scores["cer"], scores["wer"]


def make_callbacks(config, charset, val_batches, history, stream, state=None):
    """[validation metrics, checkpoint, ...]: the metrics go first so that early
    stopping, the checkpoint, the history and the progress bar all see them.
    ``stream``: the ``BatchStream`` (its counts give the speed); ``state``: the
    checkpoint's when the run resumes."""
    import keras

    class ValidationMetrics(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.time()
            self.made = (stream.samples_made, stream.columns_made)

        def on_epoch_end(self, epoch, logs=None):
            logs = logs if logs is not None else {}
            seconds = time.time() - self.start
            samples = stream.samples_made - self.made[0]
            logs["samples_per_s"] = samples / max(seconds, 1e-6)
            logs["mean_width"] = (stream.columns_made - self.made[1]) / max(samples, 1)
            if val_batches:
                logs["val_loss"], logs["val_cer"], logs["val_wer"] = error_rates(self.model, val_batches, charset)

    callbacks = [ValidationMetrics(),
                 checkpoints.epoch_checkpoint(config.model_path, charset.labels, history, asdict(config),
                                              MONITOR, START_FROM_EPOCH, state),
                 keras.callbacks.TerminateOnNaN(),
                 progress.run_eta(config.epochs, state["epoch"] if state else 0)]
    if val_batches:
        callbacks.append(checkpoints.early_stopping(config.model_path, history, MONITOR, config.patience,
                                                    START_FROM_EPOCH, verbose=1))
    return callbacks


def prepare_data(config, charset, corpus=None):
    """The corpus, the training items, all the validation persons' items (the
    language model is tuned on them), the sample maker and the validation batches
    (up to ``max_validation`` of those items, scored every epoch)."""
    corpus = corpus if corpus is not None else Corpus(config.data_dir)
    train_items, held_out, texts, dropped = data.person_split(corpus, charset, config)
    for reason, (lines, words) in sorted(dropped.items()):
        print(f"[INFO] dropped ({reason}): {lines} lines, {words} words")
    train_items = data.subsample(train_items, config.max_train_samples, config.seed)
    val_items = data.validation_items(corpus, held_out, config.max_validation, config.seed)
    options = data.SampleOptions(config.compose_probability, config.rerender_probability,
                                 config.augment_probability, config.max_width,
                                 tuple(config.words_per_line), tuple(config.line_stretch))
    maker = data.SampleMaker(corpus, train_items, texts, charset, options)
    val_batches = data.fixed_batches(corpus, val_items, texts, charset, config.batch_size)
    n_lines = int(np.sum(corpus.kind[train_items] == LINE))
    print(f"[INFO] training on {len(train_items)} items ({n_lines} lines, {len(train_items) - n_lines} words), "
          f"validating on {len(val_items)} items of {len(np.unique(corpus.person[val_items]))} held-out persons")
    return corpus, train_items, held_out, maker, val_batches


def model_to_train(config, charset, steps, state):
    """The interrupted run's model, or a new one (from ``init_from``'s weights)."""
    from .model import build_line_model, compile_line_model
    if state:
        ckpt_model = checkpoints.checkpoint_paths(config.model_path)[0]
        if store.read_labels(ckpt_model) != charset.labels:
            raise InputError(f"{ckpt_model}: checkpoint has another charset; delete it to start afresh")
        print(f"[INFO] resuming after epoch {state['epoch']} from {ckpt_model}")
        return checkpoints.load(config.model_path, state)
    if config.resume:
        print("[INFO] no checkpoint to resume from: starting afresh")
    model = build_line_model(charset.num_classes, tuple(config.filters), config.lstm_units)
    if config.init_from:
        try:
            model.set_weights(initial_weights(config.init_from, charset).get_weights())
        except ValueError:
            raise InputError(f"{config.init_from}: its layers differ from --filters "
                             f"{' '.join(map(str, config.filters))} --lstm-units {config.lstm_units}") from None
        print(f"[INFO] starting from the weights of {config.init_from}")
    return compile_line_model(model, config.learning_rate, config.epochs * steps)


def _build_language_model(config, corpus, charset, train_items, held_out, texts):
    """The language model of the training texts, tuned on the validation persons.
    The checkpoints are gone by now: Ctrl-C says how to build it for the saved model.
    A stage that another continues may go without (``build_lm`` False): a language
    model file left beside the model then goes, as it was tuned for other weights."""
    if not config.build_lm:
        path = lm_path_for(config.model_path)
        if os.path.exists(path):
            os.remove(path)
        print(f"[INFO] no language model built (build it with python -m pyimagesearch.recognition.lm_build "
              f"-m {config.model_path})")
        return
    try:
        lm_build.build(config.model_path, corpus, charset, train_items, held_out, texts,
                       limit=min(lm_build.TUNING_ITEMS, 2 * config.max_validation))
    except KeyboardInterrupt:
        raise KeyboardInterrupt(f"{config.model_path} is saved, its language model is not: build it with "
                                f"python -m pyimagesearch.recognition.lm_build -m {config.model_path} "
                                f"--data {config.data_dir} --seed {config.seed}") from None


def train(config: LineTrainConfig, corpus=None):
    """Run a whole training; returns (model, history, seconds, corpus)."""
    check_config(config)
    checkpoints.start(config.model_path, [store.lite_twin_path(config.model_path), *outputs(config)], config.resume)
    import keras
    keras.utils.set_random_seed(config.seed)
    charset = Charset()
    corpus, train_items, held_out, maker, val_batches = prepare_data(config, charset, corpus)
    steps = config.steps_per_epoch or int(np.ceil(len(train_items) / config.batch_size))

    state = checkpoints.read_state(config.model_path) if config.resume else None
    history, initial_epoch = (state["history"], state["epoch"]) if state else ({}, 0)
    model = model_to_train(config, charset, steps, state)
    print(f"[INFO] {model.count_params()} weights, {len(charset)} characters + blank, "
          f"{steps} steps of {config.batch_size} per epoch")

    # a different sample stream after a resume, not a replay of the first epochs
    spec = stream_spec(config, train_items, maker.options, config.seed + initial_epoch)
    print(f"[INFO] training network ({describe_mix(config)})...")
    start = time.time()
    with checkpoints.interruptible(config.model_path):
        with BatchStream(spec, config.workers, corpus) as stream:
            callbacks = make_callbacks(config, charset, val_batches, history, stream, state)
            if initial_epoch < config.epochs:
                model.fit(data.train_dataset(stream), epochs=config.epochs, initial_epoch=initial_epoch,
                          steps_per_epoch=steps, callbacks=callbacks, verbose=config.verbose, shuffle=False)
        seconds = time.time() - start
        print(f"[INFO] training took {seconds / 60:.1f} minutes")
        save_line_model(model, config.model_path, charset)
    checkpoints.remove(config.model_path)
    _build_language_model(config, corpus, charset, train_items, held_out, maker.texts)
    return model, history, seconds, corpus


def stream_spec(config: LineTrainConfig, items, options, seed: int) -> StreamSpec:
    """The batches ``config`` asks for, as the workers make them."""
    return StreamSpec(config.data_dir, items, options, config.batch_size, seed, config.fonts_dir,
                      config.text_dir, config.font_share, config.page_share)


def describe_mix(config: LineTrainConfig) -> str:
    """The training batches' sources and makers, in words."""
    synthetic = round((config.font_share + config.page_share) * config.batch_size)
    where = f"{config.workers} worker process{'es' if config.workers != 1 else ''}" if config.workers else \
        "the training process"
    return (f"batches of {config.batch_size - synthetic} UniPen samples + {synthetic} font and page lines "
            f"(font share {config.font_share}, page share {config.page_share}), made by {where}")


def save_line_model(model, path, charset):
    """The .keras model and its LiteRT twin, both carrying the charset (see
    store.save_model_and_twin); returns the twin's path. The model is saved
    without its optimizer's state (twice the weights again): reading and
    ``--init-from`` need the weights only, ``--resume`` takes the checkpoint."""
    import keras

    from .model import line_model_to_tflite
    print(f"[INFO] serializing network to {path}...")
    weights_only = keras.Model.from_config(model.get_config())
    weights_only.set_weights(model.get_weights())
    twin = store.save_model_and_twin(weights_only, path, charset.labels, line_model_to_tflite)
    print(f"[INFO] LiteRT copy written to {twin}")
    return twin


def plot_history(history, path):
    """report.save_plot's two panels: CTC loss, and character accuracy (1 - CER)."""
    from ..training.report import save_plot
    shown = {k: history[k] for k in ("loss", "val_loss") if k in history}
    if "val_cer" in history:
        shown["val_accuracy"] = [max(0.0, 1.0 - v) for v in history["val_cer"]]
    save_plot(shown, path)


def report(config, history, seconds, corpus=None):
    """Plot, then the test-writer evaluation, saved with a training summary."""
    plot_history(history, config.plot_path)
    print(f"[INFO] plot: {config.plot_path}")
    summary = [f"training: {len(history.get('loss', []))} epochs, {seconds / 60:.1f} minutes "
               f"(batch {config.batch_size}, lr {config.learning_rate}, LSTM {config.lstm_units}, "
               f"max {config.max_train_samples or 'all'} training items)"]
    speeds = history.get("samples_per_s", [])
    if speeds:
        # the first epoch of a run also traces the graph: leave it out when there are others
        steady = speeds[1:] if len(speeds) > 1 else speeds
        summary.append(f"speed: {np.median(steady):.1f} samples/s (per epoch: "
                       f"{', '.join(f'{v:.0f}' for v in speeds)}), mean input width "
                       f"{np.mean(history['mean_width']):.0f} px")
    if history.get("val_cer"):
        best = int(np.argmin(history["val_cer"]))
        summary.append(f"best validation CER {100 * history['val_cer'][best]:.2f}% "
                       f"(WER {100 * history['val_wer'][best]:.2f}%) after epoch {best + 1}")
    text = "\n".join(summary)
    if config.evaluate:
        _, evaluation = evaluate_file(config.model_path, config.data_dir, config.beam_width,
                                      config.eval_limit, corpus=corpus)
        text += "\n\n" + evaluation
    write_text(config.report_path, text + "\n")
    print(f"[INFO] report: {config.report_path}")
    return text
