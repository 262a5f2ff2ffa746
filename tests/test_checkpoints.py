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


def _compiled_model():
    import keras
    model = _tiny_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    return model


def _steps(model, count):
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32)
    for _ in range(count):
        model.train_on_batch(x, y)


def test_resumed_early_stopping_keeps_the_optimizer_step_count(tmp_path):
    model_path = str(tmp_path / "m.keras")
    best_path = checkpoints.checkpoint_paths(model_path)[2]
    model = _compiled_model()
    _steps(model, 1)
    model.save_weights(best_path)           # the best epoch ended after step 1 ...
    best = [w.copy() for w in model.get_weights()]
    _steps(model, 2)                        # ... the checkpoint after step 3
    current = [w.copy() for w in model.get_weights()]
    stopper = checkpoints.early_stopping(model_path, {"val_loss": [0.3, 0.4]}, "val_loss", patience=3)
    stopper.set_model(model)
    stopper.on_train_begin()
    assert int(model.optimizer.iterations) == 3
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), current))
    assert all(np.array_equal(a, b) for a, b in zip(stopper.best_weights, best))


class Killed(BaseException):
    """Stands for the process dying in the middle of a checkpoint write."""


def test_a_write_killed_after_the_model_leaves_a_whole_checkpoint(tmp_path, monkeypatch):
    model_path = str(tmp_path / "m.keras")
    ckpt_model, state_path, best_path = checkpoints.checkpoint_paths(model_path)
    model, history = _compiled_model(), {}
    callback = checkpoints.epoch_checkpoint(model_path, ["a", "b"], history, {}, "val_loss")
    callback.set_model(model)
    _steps(model, 1)
    callback.on_epoch_end(0, {"loss": 1.0, "val_loss": 0.5})
    _steps(model, 1)
    epoch_two = [w.copy() for w in model.get_weights()]

    replace = os.replace

    def dies_at_the_best_weights(source, target):
        if target == best_path:
            raise Killed()
        replace(source, target)

    monkeypatch.setattr(os, "replace", dies_at_the_best_weights)
    try:
        callback.on_epoch_end(1, {"loss": 0.9, "val_loss": 0.4})   # improved: new best weights
    except Killed:
        pass
    monkeypatch.setattr(os, "replace", replace)
    # the model checkpoint was renamed into place: it names its own epoch, not the json's
    with open(state_path) as f:
        assert '"epoch": 1' in f.read()
    state = checkpoints.read_state(model_path)
    assert state["epoch"] == 2 and state["history"]["val_loss"] == [0.5, 0.4]
    # the best weights that did not follow are the checkpoint's own, written again on load
    resumed = checkpoints.load(model_path, state)
    assert int(resumed.optimizer.iterations) == 2
    probe = _tiny_model()
    probe.load_weights(best_path)
    assert all(np.array_equal(a, b) for a, b in zip(probe.get_weights(), epoch_two))


def test_a_new_run_deletes_what_killed_writes_left(tmp_path):
    model_path = str(tmp_path / "m.keras")
    left = [tmp_path / ".tmp-m.ckpt.keras-x1.keras", tmp_path / ".tmp-m.tflite-x2.tflite",
            tmp_path / ".tmp-m.best.weights.h5-x3.weights.h5"]
    other = tmp_path / ".tmp-other.keras-x4.keras"      # another model's write, maybe still going
    for path in (*left, other):
        path.write_bytes(b"half written")
    checkpoints.start(model_path, [str(tmp_path / "m.tflite")], resume=True)
    assert sorted(os.listdir(tmp_path)) == [other.name]
