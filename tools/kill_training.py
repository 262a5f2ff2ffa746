"""Kill tiny training runs at random moments and check what they leave behind.

    python tools/kill_training.py [--trainer ocr line] [--tries 20] [--seed 0] [-o kill_report.txt]

Each try starts a tiny run (the test fixtures for the classifier; UniPen lines
from ``--data`` for the line model, skipped when absent) with ``--overwrite``
over the outputs of a finished run, kills it (SIGKILL) at a random moment
from the start of training to a little past the moment an uninterrupted run
has saved its model and twin, and checks:

* the model file and its LiteRT twin are never out of step: a twin that the
  loader would use was made from the model beside it;
* a checkpoint names its own epoch: its optimizer has taken exactly
  epoch x steps-per-epoch steps;

then runs ``--resume`` and checks that it trained only the missing epochs,
that the final model's optimizer took every step of the run once (its step
count, and so its learning-rate schedule, survived the resume), and that no
temporary file is left. Exit status 1 when any check failed.
"""
import argparse
import io
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, REPO)

from pyimagesearch.places import SHARED_LINES  # noqa: E402
from pyimagesearch.io.atomic import write_text  # noqa: E402
from pyimagesearch.models import store  # noqa: E402
from pyimagesearch.training import checkpoints  # noqa: E402

FIXTURES = os.path.join(REPO, "tests", "fixtures")
EPOCHS, STEPS = 3, 3
TRAINING_STARTS, MODEL_SAVED = "[INFO] training network", "[INFO] LiteRT copy written"

LINE_DRIVER = r"""
import sys
from pyimagesearch.errors import run_resumable
from pyimagesearch.recognition.config import LineTrainConfig
def main():
    from pyimagesearch.recognition.train import train
    out, data, resume = sys.argv[1], sys.argv[2], sys.argv[3] == "resume"
    train(LineTrainConfig(model_path=out + "/line.keras", data_dir=data, epochs=%d, steps_per_epoch=%d,
                          batch_size=8, max_train_samples=64, max_validation=16, lstm_units=16,
                          plot_path=out + "/plot.png", report_path=out + "/report.txt", evaluate=False,
                          resume=resume, overwrite=True, verbose=2))
run_resumable(main)
""" % (EPOCHS, STEPS)


def ocr_command(out, resume):
    command = [sys.executable, os.path.join(REPO, "train_ocr_model.py"), "--width", "tiny", "-e", str(EPOCHS),
               "--steps-per-epoch", str(STEPS), "-b", "32", "--no-show", "--overwrite",
               "-d", os.path.join(FIXTURES, "digits.npz"), "-a", os.path.join(FIXTURES, "letters.csv.gz"),
               "--test-sets", os.path.join(FIXTURES, "glyphs.npz"), "-m", os.path.join(out, "tiny.keras"),
               "-p", os.path.join(out, "plot.png"), "--report", os.path.join(out, "report.txt"),
               "--montage", os.path.join(out, "montage.png")]
    return command + (["--resume"] if resume else [])


def line_command(out, resume, data):
    return [sys.executable, "-c", LINE_DRIVER, out, data, "resume" if resume else "fresh"]


def environment():
    env = dict(os.environ, PYTHONPATH=REPO, TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")
    env.pop("DISPLAY", None)
    return env


def optimizer_steps(keras_path):
    """The optimizer's step count saved in a .keras file (without TensorFlow); None
    for a file of weights only (a finished line model: its checkpoints held the count)."""
    import h5py
    with zipfile.ZipFile(keras_path) as z, z.open("model.weights.h5") as f:
        with h5py.File(io.BytesIO(f.read()), "r") as weights:
            return int(weights["optimizer"]["vars"]["0"][()]) if "optimizer" in weights else None


def twin_problem(model):
    """Why the files are out of step, or None: a twin the loader would use must be
    the model's own."""
    if not os.path.isfile(model):
        return None
    chosen = store.load_with_runtime(model, "auto", lambda p: "litert", lambda p: "keras")
    twin = store.lite_twin(model)
    if chosen == "litert" and store.twin_stamp(twin) != store.file_sha256(model):
        return f"{twin} is used but was not made from {model}"
    return None


def checkpoint_problem(model):
    state = checkpoints.read_state(model)
    if state is None:
        return None, None
    steps = optimizer_steps(checkpoints.checkpoint_paths(model)[0])
    if steps != state["epoch"] * STEPS:
        return state["epoch"], f"checkpoint says epoch {state['epoch']} but its optimizer took {steps} steps"
    return state["epoch"], None


def temporaries(folder):
    return [name for name in os.listdir(folder) if name.startswith(".tmp-")]


class Trainer:
    def __init__(self, name, data):
        self.name, self.data = name, data
        self.model_name = "tiny.keras" if name == "ocr" else "line.keras"

    def command(self, out, resume):
        return ocr_command(out, resume) if self.name == "ocr" else line_command(out, resume, self.data)

    def run(self, out, resume=False, kill_after=None):
        """(exit status, log, seconds from the start of training until the model and
        its twin were saved); killed ``kill_after`` seconds after training started
        when given (the seconds before only import TensorFlow and load the data)."""
        path = os.path.join(out, "log.txt")
        with open(path, "w") as log:
            proc = subprocess.Popen(self.command(out, resume), cwd=out, env=environment(), stdout=log,
                                    stderr=subprocess.STDOUT)
            started = saved = None
            while proc.poll() is None:
                text = read(path)
                started = started or (time.time() if TRAINING_STARTS in text else None)
                saved = saved or (time.time() if MODEL_SAVED in text else None)
                if started is not None and kill_after is not None and time.time() - started >= kill_after:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.05)
            status = proc.wait()
        return status, read(path), (saved or time.time()) - (started or time.time())


def read(path):
    with open(path, errors="replace") as f:
        return f.read()


def check_try(trainer, reference, seconds, rng, work):
    """One kill and resume; returns (what the kill left, [problems])."""
    out = tempfile.mkdtemp(prefix=f"kill-{trainer.name}-", dir=work)
    for name in os.listdir(reference):
        if name != "log.txt":
            shutil.copy(os.path.join(reference, name), out)
    model = os.path.join(out, trainer.model_name)
    kill_after = rng.uniform(0.0, 1.1) * seconds
    status, _, _ = trainer.run(out, kill_after=kill_after)
    problems = [p for p in [twin_problem(model)] if p]
    epoch, problem = checkpoint_problem(model)
    problems += [problem] if problem else []
    twin = store.lite_twin(model)
    stale = twin and os.path.isfile(model) and store.twin_stamp(twin) != store.file_sha256(model)
    new_model = store.file_sha256(model) != store.file_sha256(os.path.join(reference, trainer.model_name))
    left = f"killed {kill_after:.1f} s into training (status {status}): " + \
           (f"checkpoint of epoch {epoch}" if epoch else "no checkpoint") + \
           (", the new model saved" if new_model else "") + \
           (", the twin is an older model's (the loader falls back to Keras)" if stale else "") + \
           (f", {len(temporaries(out))} temporary files" if temporaries(out) else "")
    status, log, _ = trainer.run(out, resume=True)
    if status != 0:
        return left, problems + [f"resume failed ({status}): {log[-300:]}"]
    trained = [int(n) for n in re.findall(r"^Epoch (\d+)/", log, re.M)]
    if epoch and trained and trained[0] != epoch + 1:
        problems.append(f"resume trained epochs {trained} after a checkpoint of epoch {epoch}")
    steps = optimizer_steps(model)
    if steps != EPOCHS * STEPS and not (steps is None and trainer.name == "line"):
        problems.append(f"final optimizer took {steps} steps, not {EPOCHS * STEPS}")
    problems += [p for p in [twin_problem(model)] if p]
    if store.lite_twin(model) is None or store.twin_stamp(store.lite_twin(model)) != store.file_sha256(model):
        problems.append("the final twin is not the final model's")
    if temporaries(out):
        problems.append(f"temporary files left after the resume: {temporaries(out)}")
    shutil.rmtree(out)
    return left, problems


def run_trainer(trainer, tries, rng, work):
    reference = tempfile.mkdtemp(prefix=f"reference-{trainer.name}-", dir=work)
    status, log, seconds = trainer.run(reference)
    if status != 0:
        return [f"{trainer.name}: the uninterrupted run failed ({status}): {log[-500:]}"], 1
    lines, failed = [f"{trainer.name}: an uninterrupted run trains and saves in {seconds:.0f} s; {tries} kills"], 0
    for i in range(tries):
        left, problems = check_try(trainer, reference, seconds, rng, work)
        failed += bool(problems)
        lines.append(f"  try {i + 1}: {left}: " + ("; ".join(problems) if problems else "ok"))
        print(lines[-1], flush=True)
    lines.append(f"{trainer.name}: {failed} of {tries} tries failed a check")
    return lines, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainer", nargs="+", choices=["ocr", "line"], default=["ocr", "line"],
                        help="which trainers to kill (default: both)")
    parser.add_argument("--tries", type=int, default=20, help="kills per trainer (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the kill moments (default: %(default)s)")
    parser.add_argument("--data", default=SHARED_LINES,
                        help="UniPen lines for the line trainer (default: %(default)s)")
    parser.add_argument("-o", "--output", help="also write the report to this file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    report, failed = [], 0
    with tempfile.TemporaryDirectory() as work:
        for name in args.trainer:
            if name == "line" and not os.path.isdir(args.data):
                report.append(f"line: skipped, no {args.data}")
                continue
            lines, bad = run_trainer(Trainer(name, args.data), args.tries, rng, work)
            report += lines
            failed += bad
    print("\n".join(report))
    if args.output:
        write_text(args.output, "\n".join(report) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
