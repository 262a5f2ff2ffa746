"""Per-epoch checkpoints for both trainers, and early stopping that survives ``--resume``.

While a run for ``MODEL.keras`` is going, three files sit beside it, each written
atomically after every epoch:

    MODEL.ckpt.keras        the model and its optimizer after the last finished epoch
    MODEL.ckpt.json         {"epoch", "history", "config"}: written last, so it names a complete epoch
    MODEL.best.weights.h5   the weights of the epoch with the lowest monitored value so far

``--resume`` reloads the first two and gives early stopping back its best value, its
patience count and its best weights, so an interrupted run stops (and restores) as
the uninterrupted run would have. ``remove`` deletes them once the final model is saved.
"""
import json
import os

import numpy as np

from ..models import store


def checkpoint_paths(model_path):
    """(model checkpoint, state json, best weights) beside ``model_path``."""
    stem = model_path[:-len(".keras")]   # check_run makes sure it ends so
    return stem + ".ckpt.keras", stem + ".ckpt.json", stem + ".best.weights.h5"


def remove(model_path):
    for path in checkpoint_paths(model_path):
        if os.path.exists(path):
            os.remove(path)


def read_state(model_path):
    """The state of an interrupted run ({"epoch", "history", ...}), or None."""
    ckpt_model, ckpt_state, _ = checkpoint_paths(model_path)
    if not (os.path.isfile(ckpt_state) and os.path.isfile(ckpt_model)):
        return None
    with open(ckpt_state) as f:
        return json.load(f)


def best_epoch(values, start_from_epoch=0):
    """Index of the lowest value from ``start_from_epoch`` on, or None when there is none."""
    if len(values) <= start_from_epoch:
        return None
    return start_from_epoch + int(np.argmin(values[start_from_epoch:]))


def _write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def epoch_checkpoint(model_path, labels, history, config, monitor, start_from_epoch=0):
    """Keras callback: after each epoch, add its logs to ``history`` (a dict of lists),
    save the model, the best weights when ``monitor`` improved, then the state."""
    import keras
    ckpt_model, ckpt_state, best_weights = checkpoint_paths(model_path)

    class EpochCheckpoint(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for key, value in (logs or {}).items():
                history.setdefault(key, []).append(float(value))
            store.save_keras(self.model, ckpt_model, labels)
            values = history.get(monitor, [])
            if values and best_epoch(values, start_from_epoch) == len(values) - 1:
                store.atomic_write(best_weights, self.model.save_weights, suffix=".weights.h5")
            state = {"epoch": epoch + 1, "history": history, "config": config}
            store.atomic_write(ckpt_state, lambda tmp: _write_json(tmp, state))

    return EpochCheckpoint()


def early_stopping(model_path, history, monitor, patience, start_from_epoch=0, verbose=0):
    """Keras' EarlyStopping on the lowest ``monitor``, restoring the best weights, that
    starts from what ``history`` (the epochs before a resume) already showed."""
    import keras
    best_weights = checkpoint_paths(model_path)[2]

    class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
        def on_train_begin(self, logs=None):
            super().on_train_begin(logs)
            values = history.get(monitor, [])
            best = best_epoch(values, start_from_epoch)
            if best is None:
                return
            self.best, self.best_epoch = values[best], best
            self.wait = len(values) - 1 - best
            if os.path.isfile(best_weights):
                current = self.model.get_weights()
                self.model.load_weights(best_weights)
                self.best_weights = self.model.get_weights()
                self.model.set_weights(current)

    return ResumableEarlyStopping(monitor=monitor, mode="min", patience=patience, restore_best_weights=True,
                                  start_from_epoch=start_from_epoch, verbose=verbose)
