"""What a training run shows while it runs, beside Keras' per-epoch progress bar."""
import time


def describe_seconds(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{seconds:.0f} s"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def run_eta(epochs: int, initial_epoch: int = 0):
    """Keras callback: before each epoch but the first, the time the whole run has
    left (at the mean pace of this run's epochs so far; early stopping may end it
    sooner)."""
    import keras

    class RunETA(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.start = time.time()

        def on_epoch_begin(self, epoch, logs=None):
            # here, not at an epoch's end: the progress bar finishes its line there
            done, left = epoch - initial_epoch, epochs - epoch
            if not done:
                return
            seconds = (time.time() - self.start) / done * left
            finish = time.strftime("%H:%M", time.localtime(time.time() + seconds))
            print(f"[INFO] {left} of {epochs} epochs to go: about {describe_seconds(seconds)} more "
                  f"(until {finish}), less if early stopping ends the run", flush=True)

    return RunETA()
