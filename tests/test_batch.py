"""Reading many images: a JSON-lines results file that survives a kill and resumes,
and worker processes that give the same results as one process."""
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import OCR, PY, REPO, SHIPPED_TFLITE, run, subprocess_env
from pyimagesearch.errors import InputError
from pyimagesearch.io.outputs import JsonLines, identity

IMAGES = [os.path.join(REPO, "images", n) for n in ("hello_world.png", "digits.png", "pack_my_box.png")]

pytestmark = pytest.mark.skipif(not os.path.isfile(SHIPPED_TFLITE), reason="handwriting.tflite not shipped")


def test_results_file_cuts_a_torn_line_and_knows_what_is_done(tmp_path):
    results = tmp_path / "r.jsonl"
    lines = JsonLines(str(results))
    lines.add({**identity(IMAGES[0]), "text": "HELLO"})
    lines.add({**identity(IMAGES[1]), "error": "could not"})
    lines.close()
    with open(results, "a") as f:
        f.write('{"image": "half a li')              # a crash in the middle of a line
    again = JsonLines(str(results))
    assert again.done(IMAGES[0]) and not again.done(IMAGES[1]) and not again.done(IMAGES[2])
    again.close()
    assert results.read_text().count("\n") == 2 and results.read_text().endswith("}\n")
    assert not JsonLines(str(results), overwrite=True).done(IMAGES[0])
    results.write_text("not json\n")
    with pytest.raises(InputError, match="line 1 is not JSON"):
        JsonLines(str(results))


def _copies(folder, count):
    folder.mkdir()
    for k in range(count):
        shutil.copyfile(IMAGES[k % len(IMAGES)], folder / f"page{k:03d}.png")
    return folder


def _texts(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    return sorted((os.path.basename(r["image"]), r["text"]) for r in rows)


def test_killed_batch_resumes_with_each_image_once(tmp_path):
    folder = _copies(tmp_path / "scans", 24)
    command = [PY, OCR, "-m", SHIPPED_TFLITE, "-i", folder, "-j", "1"]
    assert run(command + ["--jsonl", tmp_path / "whole.jsonl"], cwd=tmp_path).returncode == 0
    killed = subprocess.Popen([str(a) for a in command + ["--jsonl", tmp_path / "r.jsonl"]], cwd=tmp_path,
                              env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and (not (tmp_path / "r.jsonl").exists()
                                      or (tmp_path / "r.jsonl").read_text().count("\n") < 5):
        time.sleep(0.05)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    read_before = (tmp_path / "r.jsonl").read_text().count("\n")
    assert 5 <= read_before < 24
    proc = run(command + ["--jsonl", tmp_path / "r.jsonl"], cwd=tmp_path)
    assert proc.returncode == 0 and f"{read_before} of 24 images are in" in proc.stderr
    assert _texts(tmp_path / "r.jsonl") == _texts(tmp_path / "whole.jsonl")
    assert len({name for name, _ in _texts(tmp_path / "r.jsonl")}) == 24


def test_two_workers_read_what_one_process_reads(tmp_path):
    folder = _copies(tmp_path / "scans", 6)
    outputs = {}
    for jobs in ("1", "2"):
        proc = run([PY, OCR, "-m", SHIPPED_TFLITE, "--json", "-i", folder, "-j", jobs], cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        outputs[jobs] = json.loads(proc.stdout)
    assert outputs["1"] == outputs["2"]
    assert [p["image"] for p in outputs["2"]] == sorted(str(p) for p in folder.iterdir())


def test_a_worker_that_cannot_load_the_models_reports_each_image_instead_of_hanging(tmp_path):
    # a pool whose initializer raises starts new workers for ever: the worker keeps the failure instead
    from pyimagesearch.reader import batch
    from pyimagesearch.reader.options import ReaderOptions
    try:
        batch._load_worker_reader(ReaderOptions(model=str(tmp_path / "gone.keras")))
        outcome = batch._work((IMAGES[0], None))
    finally:
        batch._worker_reader, batch._worker_failure = None, None
    assert outcome.page is None and "could not load the models" in outcome.error and "gone.keras" in outcome.error
