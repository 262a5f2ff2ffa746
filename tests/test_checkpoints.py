"""Checkpoints and early stopping across an interrupted run (training/checkpoints.py)."""
import os

import numpy as np

from pyimagesearch.training import checkpoints


def _tiny_model():
    import keras
    inputs = keras.Input((3,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_best_epoch_ignores_the_warm_up_epochs():
    assert checkpoints.best_epoch([0.1, 0.5, 0.3, 0.4], start_from_epoch=1) == 2
    assert checkpoints.best_epoch([0.1, 0.5, 0.3, 0.4]) == 0
    assert checkpoints.best_epoch([0.1], start_from_epoch=1) is None


def test_best_weights_are_saved_only_when_the_monitor_improves(tmp_path):
    model_path = str(tmp_path / "m.keras")
    _, state_path, best_path = checkpoints.checkpoint_paths(model_path)
    model, history = _tiny_model(), {}
    callback = checkpoints.epoch_checkpoint(model_path, ["a", "b"], history, {}, "val_loss")
    callback.set_model(model)

    callback.on_epoch_end(0, {"loss": 1.0, "val_loss": 0.5})
    saved = [w.copy() for w in model.get_weights()]
    model.set_weights([w + 1.0 for w in saved])
    callback.on_epoch_end(1, {"loss": 0.9, "val_loss": 0.7})   # worse: the best file keeps epoch 0
    assert checkpoints.read_state(model_path)["epoch"] == 2 and history["val_loss"] == [0.5, 0.7]

    model.load_weights(best_path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), saved))
    checkpoints.remove(model_path)
    assert not any(os.path.exists(p) for p in checkpoints.checkpoint_paths(model_path))
    assert checkpoints.read_state(model_path) is None


def test_early_stopping_resumes_its_count_and_best_weights(tmp_path):
    model_path = str(tmp_path / "m.keras")
    best_path = checkpoints.checkpoint_paths(model_path)[2]
    model = _tiny_model()
    best = [np.full_like(w, 7.0) for w in model.get_weights()]
    current = [np.full_like(w, 1.0) for w in model.get_weights()]
    model.set_weights(best)
    model.save_weights(best_path)
    model.set_weights(current)

    # epochs 0-2 ran before the interruption; epoch 1 was the best, one epoch since
    history = {"val_loss": [0.5, 0.3, 0.4]}
    stopper = checkpoints.early_stopping(model_path, history, "val_loss", patience=2)
    stopper.set_model(model)
    stopper.on_train_begin()
    assert (stopper.best, stopper.best_epoch, stopper.wait) == (0.3, 1, 1)
    assert all(np.all(w == 1.0) for w in model.get_weights())   # training goes on from the checkpoint

    # one more epoch without improvement exhausts the patience and brings back epoch 1
    stopper.on_epoch_end(3, {"val_loss": 0.45})
    assert model.stop_training
    stopper.on_train_end()
    assert all(np.all(w == 7.0) for w in model.get_weights())


def test_early_stopping_without_history_starts_fresh(tmp_path):
    stopper = checkpoints.early_stopping(str(tmp_path / "m.keras"), {}, "val_loss", patience=2)
    stopper.set_model(_tiny_model())
    stopper.on_train_begin()
    assert stopper.best is None and stopper.wait == 0
