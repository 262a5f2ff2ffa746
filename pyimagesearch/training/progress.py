"""What a training run shows while it runs, beside Keras' per-epoch progress bar."""
import time


def describe_seconds(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds:.0f} s"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def run_eta(epochs: int, initial_epoch: int = 0):
    """Keras callback: after each epoch, the time the whole run has left (at the mean
    pace of this run's epochs so far; early stopping may end it sooner)."""
    import keras

    class RunETA(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.time()

        def on_epoch_end(self, epoch, logs=None):
            left = epochs - epoch - 1
            if not left:
                return
            seconds = (time.time() - self.start) / (epoch + 1 - initial_epoch) * left
            finish = time.strftime("%H:%M", time.localtime(time.time() + seconds))
            print(f"[INFO] {left} of {epochs} epochs to go: about {describe_seconds(seconds)} more "
                  f"(until {finish}), less if early stopping ends the run", flush=True)

    return RunETA()
