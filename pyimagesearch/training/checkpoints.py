"""Per-epoch checkpoints for both trainers, and early stopping that survives ``--resume``.

While a run for ``MODEL.keras`` is going, three files sit beside it:

    MODEL.ckpt.keras        the model and its optimizer after the last finished epoch, with
                            the run's state inside (``checkpoint.json``: epoch, history,
                            config, the best epoch and the hash of its weights file)
    MODEL.best.weights.h5   the weights of the epoch with the lowest monitored value so far
    MODEL.ckpt.json         a readable copy of the state

Each file is written under a temporary name and renamed into place, the model
first: it is the one that counts, so a kill at any moment leaves a checkpoint
that names its own epoch. When the best weights did not follow it (their hash is
not the state's), the checkpoint's own epoch is the best one and ``resume``
writes its weights there again. Temporary files of killed writes are deleted when
the next run starts.

``--resume`` reloads the model and gives early stopping back its best value, its
patience count and its best weights (the optimizer keeps its step count and so
its learning-rate schedule), so an interrupted run stops (and restores) as the
uninterrupted run would have. ``remove`` deletes the files once the final model
is saved.
"""
import json
import os
import zipfile
from contextlib import contextmanager

import numpy as np

from ..errors import InputError
from ..io import atomic
from ..models import store

STATE_ENTRY = "checkpoint.json"


def checkpoint_paths(model_path):
    """(model checkpoint, state json, best weights) beside ``model_path``."""
    stem = os.path.splitext(model_path)[0]
    return stem + ".ckpt.keras", stem + ".ckpt.json", stem + ".best.weights.h5"


def remove(model_path):
    for path in checkpoint_paths(model_path):
        if os.path.exists(path):
            os.remove(path)


def start(model_path: str, outputs, resume: bool) -> None:
    """Before a run: delete the temporary files killed writes of these files left,
    and, unless the run resumes, an older run's checkpoint."""
    atomic.remove_stale_temporaries([model_path, *outputs, *checkpoint_paths(model_path)])
    if not resume:
        remove(model_path)


def _state_in(ckpt_model):
    try:
        with zipfile.ZipFile(ckpt_model) as z:
            if STATE_ENTRY in z.namelist():
                return json.loads(z.read(STATE_ENTRY))
    except (zipfile.BadZipFile, ValueError):
        raise InputError(f"{ckpt_model}: corrupt checkpoint; delete it to start afresh") from None
    return None


def read_state(model_path):
    """The state of an interrupted run ({"epoch", "history", ...}), or None: the one
    inside the model checkpoint, else the json beside it."""
    ckpt_model, ckpt_state, _ = checkpoint_paths(model_path)
    if not os.path.isfile(ckpt_model):
        return None
    state = _state_in(ckpt_model)
    if state is None and os.path.isfile(ckpt_state):
        with open(ckpt_state) as f:
            state = json.load(f)
    return state


def best_epoch(values, start_from_epoch=0):
    """Index of the lowest value from ``start_from_epoch`` on, or None when there is none."""
    if len(values) <= start_from_epoch:
        return None
    return start_from_epoch + int(np.argmin(values[start_from_epoch:]))


def _write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def load(model_path: str, state: dict):
    """The model of the checkpoint ``state`` was read from, its best weights file
    made to match the state (see the module's docstring)."""
    import keras
    ckpt_model, _, best_weights = checkpoint_paths(model_path)
    model = keras.saving.load_model(ckpt_model)
    wanted = state.get("best_sha256")
    if wanted and not (os.path.isfile(best_weights) and store.file_sha256(best_weights) == wanted):
        if state.get("best_epoch") == state["epoch"] - 1:
            atomic.atomic_write(best_weights, model.save_weights, suffix=".weights.h5")
        elif os.path.exists(best_weights):
            os.remove(best_weights)
    return model


def _save(model, model_path, labels, state, improved):
    """One epoch's checkpoint in the order that keeps it whole (module docstring)."""
    ckpt_model, ckpt_state, best_weights = checkpoint_paths(model_path)
    staged = atomic.write_temporary(best_weights, model.save_weights, suffix=".weights.h5") if improved else None
    try:
        if staged:
            state["best_sha256"] = store.file_sha256(staged)
        store.save_keras(model, ckpt_model, labels, {STATE_ENTRY: json.dumps(state).encode("utf-8")})
        if staged:
            os.replace(staged, best_weights)
    finally:
        if staged and os.path.exists(staged):
            os.remove(staged)
    atomic.atomic_write(ckpt_state, lambda tmp: _write_json(tmp, state))


def epoch_checkpoint(model_path, labels, history, config, monitor, start_from_epoch=0, state=None):
    """Keras callback: after each epoch, add its logs to ``history`` (a dict of lists)
    and save the checkpoint (the best weights when ``monitor`` improved). ``state``:
    the resumed run's, whose best weights are still the best so far."""
    import keras
    best = {key: (state or {}).get(key) for key in ("best_epoch", "best_sha256")}

    class EpochCheckpoint(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            for key, value in (logs or {}).items():
                history.setdefault(key, []).append(float(value))
            values = history.get(monitor, [])
            improved = bool(values) and best_epoch(values, start_from_epoch) == len(values) - 1
            if improved:
                best["best_epoch"] = epoch
            new = {"epoch": epoch + 1, "history": history, "config": config, **best}
            _save(self.model, model_path, labels, new, improved)
            best["best_sha256"] = new["best_sha256"]

    return EpochCheckpoint()


def _layer_weights_of(model, path):
    """The layer weights saved in ``path``, leaving the model as it is: the file
    also holds an older optimizer state, which must not rewind the step count."""
    optimizer = getattr(model, "optimizer", None)   # absent before compile()
    variables = list(optimizer.variables) if optimizer is not None else []
    kept = [v.numpy() for v in variables]
    current = model.get_weights()
    model.load_weights(path)
    weights = model.get_weights()
    model.set_weights(current)
    for variable, value in zip(variables, kept):
        variable.assign(value)
    return weights


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
                self.best_weights = _layer_weights_of(self.model, best_weights)

    return ResumableEarlyStopping(monitor=monitor, mode="min", patience=patience, restore_best_weights=True,
                                  start_from_epoch=start_from_epoch, verbose=verbose)


@contextmanager
def interruptible(model_path: str):
    """Ctrl-C in here says whether ``--resume`` can continue the run (see
    ``errors.run_resumable``)."""
    try:
        yield
    except KeyboardInterrupt:
        if read_state(model_path) is not None:
            raise KeyboardInterrupt("continue with --resume") from None
        raise KeyboardInterrupt("no epoch had finished: nothing to resume, start again") from None
