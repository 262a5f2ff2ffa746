"""Train the ResNet character classifier: checkpoints every epoch, resumable,
atomic final save with labels, a LiteRT twin, and reports on held-out test sets."""
import time
from dataclasses import asdict

import numpy as np

from ..errors import InputError
from ..labels import TUTORIAL_LABELS
from ..io.atomic import write_image, write_text
from ..models import store
from ..transforms import glyphs_to_inputs
from . import checkpoints, data, progress
from .config import TrainConfig, checked

# early stopping watches the validation loss; it restores the best epoch's weights
MONITOR = "val_loss"


def distribution_strategy(name):
    import tensorflow as tf
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        return tf.distribute.MirroredStrategy(devices)
    return tf.distribute.get_strategy()


def set_precision(precision):
    """bf16 mixed precision (float32 weights, the last layer and the loss in float32) or float32."""
    import keras
    keras.mixed_precision.set_global_policy("mixed_bfloat16" if precision == "bf16" else "float32")


def network(config):
    """A new, untrained ResNet of ``config.architecture`` in the current precision policy."""
    from ..models.architectures import ARCHITECTURES
    from ..models.resnet import ResNet
    stages, filters = ARCHITECTURES[config.architecture]
    return ResNet.build(32, 32, 1, len(TUTORIAL_LABELS), stages, filters, reg=config.reg)


def build_model(config, steps_per_epoch):
    import keras
    model = network(config)
    # cosine decay per step over the whole run: it really reaches ~0 by the last epoch,
    # unlike Keras 2's per-batch `decay` that the 2020 script used by accident
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * steps_per_epoch, alpha=0.01)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _outputs(config):
    return [config.plot_path, config.report_path, config.montage_path, store.lite_twin_path(config.model_path)]


def _model_to_resume(config, steps, state):
    """The interrupted run's model, or a new one."""
    if state:
        print(f"[INFO] resuming after epoch {state['epoch']} from {checkpoints.checkpoint_paths(config.model_path)[0]}")
        return checkpoints.load(config.model_path, state)
    if config.resume:
        print("[INFO] no checkpoint to resume from: starting afresh")
    model = build_model(config, steps)
    if config.init_from:
        model.set_weights(initial_weights(config.init_from, model).get_weights())
        print(f"[INFO] starting from the weights of {config.init_from}")
    return model


def initial_weights(path, model):
    """The classifier to fine-tune from: the same labels and layer shapes as ``model``."""
    import keras
    if store.read_labels(path) != list(TUTORIAL_LABELS):
        raise InputError(f"{path}: --init-from needs a classifier of the 36 labels 0-9 A-Z")
    start = keras.saving.load_model(path, compile=False)
    if [w.shape for w in start.weights] != [w.shape for w in model.weights]:
        raise InputError(f"{path}: its layers differ from those of the --width asked for")
    return start


def _font_glyphs(config):
    """The fonts' glyphs (rendered before TensorFlow starts its threads), or None."""
    if config.fonts == "none":
        return None
    from .font_glyphs import font_glyphs
    return font_glyphs(config.fonts, config.font_glyphs, config.seed)


def training_data(config):
    """(glyphs, labels, training indices, validation indices) of a run of ``config``."""
    images, labels = data.load_sources(config.digits, config.az, _font_glyphs(config))
    train_idx, val_idx = data.split_validation(labels, config.validation_fraction, config.seed)
    return images, labels, train_idx, val_idx


def train(config: TrainConfig):
    """Run a whole training; returns (the trained Keras model, history, seconds)."""
    config = checked(config)
    checkpoints.start(config.model_path, _outputs(config), config.resume)
    images, labels, train_idx, val_idx = training_data(config)
    import keras
    keras.utils.set_random_seed(config.seed)
    set_precision(config.precision)
    print("[INFO] normalising glyphs...")
    inputs = glyphs_to_inputs(images)
    steps = config.steps_per_epoch or max(1, len(train_idx) // config.batch_size)
    balanced = config.class_weights == "balanced"
    train_ds = data.make_dataset(inputs[train_idx], labels[train_idx], config.batch_size, True, config.seed, balanced)
    if config.steps_per_epoch and not balanced:
        train_ds = train_ds.repeat()
    val_ds = data.make_dataset(inputs[val_idx], labels[val_idx], config.batch_size, False, config.seed)
    print(f"[INFO] {len(train_idx)} training and {len(val_idx)} validation glyphs, {steps} steps/epoch")

    state = checkpoints.read_state(config.model_path) if config.resume else None
    history, initial_epoch = (state["history"], state["epoch"]) if state else ({}, 0)
    with distribution_strategy(config.strategy).scope():
        model = _model_to_resume(config, steps, state)

    callbacks = [checkpoints.epoch_checkpoint(config.model_path, TUTORIAL_LABELS, history, asdict(config), MONITOR,
                                              state=state),
                 checkpoints.early_stopping(config.model_path, history, MONITOR, config.patience),
                 progress.run_eta(config.epochs, initial_epoch)]
    print("[INFO] training network...")
    start = time.time()
    with checkpoints.interruptible(config.model_path):
        model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, initial_epoch=initial_epoch,
                  steps_per_epoch=steps, class_weight=data.class_weights(labels[train_idx], len(TUTORIAL_LABELS),
                                                                         config.class_weights),
                  callbacks=callbacks, verbose=config.verbose)
        seconds = time.time() - start
        print(f"[INFO] training took {seconds / 60:.1f} minutes")
        model = float32_model(model, config, data.log_prior(labels[train_idx], len(TUTORIAL_LABELS)))
        history["validation"] = validation_scores(model, inputs[val_idx], labels[val_idx])
        save_model(model, config.model_path)
    checkpoints.remove(config.model_path)
    return model, history, seconds


def float32_model(model, config, log_prior):
    """The trained network in float32 (what is saved and converted), its output
    corrected to an even class prior for ``--class-weights prior``: the softmax's
    input gets minus the log of each class's share of the training glyphs. A
    float32 network is changed in place, so that it keeps its optimizer's state."""
    saved = model
    if config.precision != "float32":
        set_precision("float32")
        saved = network(config)
        saved.set_weights(model.get_weights())
    if config.class_weights == "prior":
        head = [layer for layer in saved.layers if layer.__class__.__name__ == "Dense"][-1]
        kernel, bias = head.get_weights()
        head.set_weights([kernel, (bias - (log_prior - log_prior.mean())).astype(bias.dtype)])
    return saved


def validation_scores(model, inputs, labels):
    """Accuracy and balanced accuracy (the mean of the classes' recalls) on the validation split."""
    predicted = model.predict(inputs, batch_size=512, verbose=0).argmax(axis=1)
    hits = predicted == labels
    recalls = [hits[labels == c].mean() for c in np.unique(labels)]
    scores = {"accuracy": float(hits.mean()), "balanced_accuracy": float(np.mean(recalls))}
    print(f"[INFO] validation: accuracy {scores['accuracy'] * 100:.2f}%, "
          f"balanced accuracy {scores['balanced_accuracy'] * 100:.2f}%")
    return scores


def save_model(model, path):
    """The model and its LiteRT twin, both with labels (see store.save_model_and_twin)."""
    from ..models.convert import keras_to_tflite
    kind = "Keras" if path.endswith(".keras") else "HDF5, the 2020 tutorial's format, labels 0-9 A-Z"
    print(f"[INFO] serializing network to {path} ({kind})...")
    twin = store.save_model_and_twin(model, path, TUTORIAL_LABELS, keras_to_tflite)
    print(f"[INFO] LiteRT copy written to {twin}")


def evaluate_and_report(model, history, seconds, config):
    """Classification reports on the held-out test sets, the plot and the montage."""
    from ..az_dataset import load_glyph_npz
    from ..evaluation.glyphs import evaluate_file
    from ..models.classifier import KerasClassifier
    from . import report

    classifier = KerasClassifier(config.model_path)
    sections = [f"training wall time: {seconds / 60:.1f} minutes ({config.architecture}, "
                f"{len(history.get('loss', []))} epochs)\nprecision {config.precision}, class weights "
                f"{config.class_weights}, font glyphs: {config.fonts} ({config.font_glyphs} per class and font)"]
    if "validation" in history:
        sections[0] += ("\nvalidation split: accuracy {accuracy:.2%}, balanced accuracy {balanced_accuracy:.2%}"
                        .format(**history["validation"]))
    for path in config.test_sets:
        print(f"[INFO] evaluating on {path}...")
        sections.append(evaluate_file(classifier, path))
        print(sections[-1])
    write_text(config.report_path, "\n\n".join(sections) + "\n")
    report.save_plot(history, config.plot_path)
    print(f"[INFO] report: {config.report_path}, plot: {config.plot_path}")

    if config.test_sets:
        images, labels = load_glyph_npz(config.test_sets[-1])
        pick = np.random.default_rng(config.seed).choice(len(images), size=min(49, len(images)), replace=False)
        from ..evaluation.glyphs import classify_glyphs
        predicted = classify_glyphs(classifier, images[pick])
        montage = report.build_montage(images[pick], [TUTORIAL_LABELS[i] for i in labels[pick]], predicted)
        write_image(config.montage_path, montage)
        print(f"[INFO] montage of test predictions: {config.montage_path}")
        if config.show:
            report.show_if_display("OCR Results", montage)
