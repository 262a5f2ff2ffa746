"""Font lines for the line model (recognition.font_lines), batches mixed with UniPen
samples at a fixed share, and batches made in spawned worker processes
(recognition.workers).

The fonts are the system's DejaVu under handwriting fonts' names (a fonts.tsv
written here), the UniPen folder the tiny one of test_line_data: nothing needs
../shared except the held-out report of the shipped model."""
import os
import shutil
import time
from itertools import islice

import numpy as np
import pytest

from conftest import PY, REPO, SHARED, assert_one_line_error, run
from test_line_data import LINES, WORDS, write_folder
from test_synth import dejavu
from pyimagesearch.errors import InputError
from pyimagesearch.recognition import data
from pyimagesearch.recognition.charset import Charset, ctc_frames_needed
from pyimagesearch.recognition.config import LineTrainConfig, check_config
from pyimagesearch.recognition.font_lines import FontLines, held_out_lines, prose_part
from pyimagesearch.recognition.preprocess import HEIGHT, frames
from pyimagesearch.recognition.workers import BatchStream, MixedLines, StreamSpec
from pyimagesearch.synth.fonts import HELD_OUT
from pyimagesearch.synth.text import TextSource

# (file name, lowercase column): a training font, a capitals-only training font, a held-out font
FONTS = [("plain.ttf", "yes"), ("capitals.ttf", "no (draws a-z as capitals)"), ("handlee.ttf", "yes")]


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    """(fonts folder, text folder): DejaVu under three names; no prose (generated texts stand in)."""
    root = tmp_path_factory.mktemp("fonts")
    os.mkdir(root / "files")
    rows = ["file\tfamily\tstyle\tlowercase"]
    for name, lower in FONTS:
        shutil.copy(dejavu(), root / "files" / name)
        rows.append(f"files/{name}\tx\t{'cursive' if name in HELD_OUT else 'print'}\t{lower}")
    (root / "fonts.tsv").write_text("\n".join(rows) + "\n")
    os.mkdir(root / "text")
    return str(root), str(root / "text")


def test_training_lines_never_use_the_held_out_fonts(sources):
    train, test = FontLines(*sources, "train"), FontLines(*sources, "test")
    assert sorted(os.path.basename(f.path) for f in train.fonts) == ["capitals.ttf", "plain.ttf"]
    assert [os.path.basename(f.path) for f in test.fonts] == ["handlee.ttf"]


def test_a_font_line_is_a_photo_of_its_text_fit_for_the_network(sources):
    lines, charset, rng = FontLines(*sources), Charset(), np.random.default_rng(0)
    for _ in range(20):
        image, text = lines.make(rng)
        assert image.dtype == np.uint8 and image.ndim == 2 and charset.normalize(text) == text
        assert image.min() < np.median(image) - 30            # dark ink on a lighter paper
        x, label = data.to_example(image, text, charset)
        assert x.shape[0] == HEIGHT and frames(x.shape[1]) >= ctc_frames_needed(label)


def test_capitals_only_fonts_are_labelled_in_capitals(sources):
    lines, rng = FontLines(*sources), np.random.default_rng(1)
    lines.fonts = [f for f in lines.fonts if f.caps_only]
    texts = [lines.make(rng)[1] for _ in range(12)]
    assert lines.fonts and all(t == t.upper() for t in texts) and any(c.isalpha() for t in texts for c in t)


def test_the_held_out_set_is_the_same_every_time(sources):
    first, again = held_out_lines(*sources, count=4, seed=3), held_out_lines(*sources, count=4, seed=3)
    assert [line.text for line in first] == [line.text for line in again]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first, again))
    assert {line.style for line in first} == {"cursive"}


def prose_of(words):
    source = TextSource(None)
    source.prose = " ".join(words)
    return source


def test_training_and_test_prose_do_not_overlap():
    words = [f"w{k}" for k in range(10000)]
    train, test = prose_part(prose_of(words), "train"), prose_part(prose_of(words), "test")
    assert train.prose and test.prose and train.prose + test.prose == " ".join(words)
    assert not set(train.prose.split()) & set(test.prose.split()) and len(test.prose) < len(train.prose) / 10


def test_missing_fonts_or_text_is_an_input_error(sources, tmp_path):
    with pytest.raises(InputError, match="fonts.tsv"):
        FontLines(str(tmp_path), sources[1])
    with pytest.raises(InputError, match="text folder"):
        FontLines(sources[0], str(tmp_path / "nowhere"))


class Numbered:
    """A SampleMaker stand-in: item i is a blank image i*8 px wide labelled 'a' * i."""
    charset = Charset()

    def example(self, i, rng):
        return data.to_example(np.full((HEIGHT, 8 * int(i)), 255, np.uint8), "a" * int(i), self.charset)


class Typeset:
    """A FontLines stand-in: every line is labelled 'F'."""

    def make(self, rng):
        return np.full((HEIGHT, int(rng.integers(8, 200))), 255, np.uint8), "F"


def test_every_batch_holds_the_share_of_font_lines():
    font = Charset().index["F"]
    batches = data.mixed_batches(Numbered(), np.arange(1, 97), 16, 0, Typeset(), share=0.25)
    for _ in range(12):
        _, y = next(batches)
        assert len(y) == 16 and int(np.sum(y[:, 0] == font)) == 4
    partial = data.mixed_batches(Numbered(), np.arange(1, 19), 16, 0, Typeset(), share=0.25)
    assert sorted(int(np.sum(next(partial)[1][:, 0] == font)) for _ in range(2)) == [2, 4]   # 12 + 4, 6 + 2
    plain = data.mixed_batches(Numbered(), np.arange(1, 101), 16, 0, Typeset(), share=0.0)
    assert not any(np.any(next(plain)[1] == font) for _ in range(7))


class Paged:
    """A PageLines stand-in: every line is labelled 'P'."""

    def make(self, rng):
        return np.full((HEIGHT, int(rng.integers(8, 200))), 255, np.uint8), "P"


def test_mixed_lines_draw_each_source_in_its_proportion():
    index = Charset().index
    mixed = MixedLines([(Typeset(), 0.25), (Paged(), 0.75)])
    batches = data.mixed_batches(Numbered(), np.arange(1, 97), 16, 0, mixed, share=0.5)
    firsts = np.concatenate([next(batches)[1][:, 0] for _ in range(40)])
    fonts, pages = int(np.sum(firsts == index["F"])), int(np.sum(firsts == index["P"]))
    assert fonts + pages == 40 * 8
    assert 0.15 < fonts / (fonts + pages) < 0.35


def test_the_old_unipen_only_batches_are_sorted_by_width():
    x, y = next(data.train_batches(Numbered(), np.arange(1, 101), 16, 0))
    lengths = sorted(int(np.sum(row >= 0)) for row in y)
    assert lengths[-1] - lengths[0] < 100 // 4      # one pool of 16 batches cut by width: narrow ranges


def tiny_spec(folder, sources, font_share=0.5, seed=5):
    return StreamSpec(folder, np.array([0, 1, 2, 3]), data.SampleOptions(), 4, seed, *sources, font_share)


def test_a_worker_process_makes_the_batches_made_here(tmp_path, sources):
    spec = tiny_spec(write_folder(tmp_path, LINES, WORDS), sources)
    with BatchStream(spec, 0) as here:
        expected = list(islice(here, 3))
    with BatchStream(spec, 1) as stream:
        process = stream.processes[0]
        got = list(islice(stream, 3))
        assert stream.samples_made == 12 and stream.columns_made > 0
    assert not process.is_alive()                   # leaving the stream stops its workers
    for (x, y), (x2, y2) in zip(expected, got):
        assert np.array_equal(x, x2) and np.array_equal(y, y2)


def test_a_failing_worker_is_reported_not_waited_for(tmp_path, sources):
    with BatchStream(tiny_spec(str(tmp_path / "nowhere"), sources), 1) as stream:
        with pytest.raises(InputError, match="nowhere"):     # bad input stays a one-line error
            next(iter(stream))
    folder = write_folder(tmp_path, LINES, WORDS)
    broken = StreamSpec(folder, np.array([0, 1, 2, 3]), data.SampleOptions(), 4, 5, *sources, font_share=2.0)
    with BatchStream(broken, 1) as stream:
        with pytest.raises(RuntimeError, match="a batch worker failed"):
            next(iter(stream))


def test_the_mix_is_checked_before_training(tmp_path, sources):
    folder = write_folder(tmp_path, LINES, WORDS)
    base = dict(model_path=str(tmp_path / "m.keras"), data_dir=folder, fonts_dir=sources[0], text_dir=sources[1],
                plot_path=str(tmp_path / "p.png"), report_path=str(tmp_path / "r.txt"))
    check_config(LineTrainConfig(**base))
    for change, message in (({"font_share": 1.0}, "--font-share 1.0"), ({"workers": -1}, "--workers -1"),
                            ({"page_share": 0.8}, "--page-share 0.8"), ({"page_share": -0.1}, "--page-share -0.1"),
                            ({"filters": (16, 0, 48, 64)}, "--filters 16 0 48 64"), ({"lstm_units": 0}, "--lstm-units 0"),
                            ({"fonts_dir": str(tmp_path)}, "fonts.tsv")):
        with pytest.raises(InputError, match=message):
            check_config(LineTrainConfig(**{**base, **change}))
    check_config(LineTrainConfig(**{**base, "fonts_dir": str(tmp_path), "font_share": 0.0}))   # UniPen alone


def test_font_report_of_a_missing_model_is_one_line(tmp_path):
    proc = run([PY, "-m", "pyimagesearch.recognition.font_lines", "-m", str(tmp_path / "none.keras")], cwd=REPO)
    assert_one_line_error(proc)


@pytest.mark.skipif(not os.path.isfile(os.path.join(SHARED, "fonts", "fonts.tsv")), reason="../shared/fonts absent")
def test_the_shipped_model_is_scored_on_held_out_fonts(tmp_path):
    out = tmp_path / "fonts.txt"
    proc = run([PY, "-m", "pyimagesearch.recognition.font_lines", "-m", os.path.join(REPO, "line_model.tflite"),
                "--count", "6", "--beam", "0", "-o", out], cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-800:]
    rows = {line.split()[0]: line for line in out.read_text().splitlines() if line.endswith("%")}
    assert rows["all"].split()[1] == "6" and "greedy" in out.read_text()


def test_a_stage_without_language_model_removes_the_stale_one(monkeypatch, tmp_path):
    from pyimagesearch.recognition import lm_build, train
    from pyimagesearch.recognition.language import lm_path_for

    built = []
    monkeypatch.setattr(lm_build, "build", lambda *args, **kwargs: built.append(args[0]))
    model = str(tmp_path / "stage.keras")
    stale = lm_path_for(model)
    open(stale, "w").close()
    train._build_language_model(LineTrainConfig(model_path=model, build_lm=False), None, None, [], [], {})
    assert not built and not os.path.exists(stale)
    train._build_language_model(LineTrainConfig(model_path=model), None, None, [], [], {})
    assert built == [model]


ORPHAN = """
import os, signal, sys
import numpy as np
from pyimagesearch.recognition import data
from pyimagesearch.recognition.workers import BatchStream, StreamSpec
spec = StreamSpec(sys.argv[1], np.array([0, 1, 2, 3]), data.SampleOptions(), 4, 5, sys.argv[2], sys.argv[3], 0.5)
with BatchStream(spec, 1) as stream:
    next(iter(stream))
    print(stream.processes[0].pid, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_of_a_killed_training_stop_by_themselves(tmp_path, sources):
    proc = run([PY, "-c", ORPHAN, write_folder(tmp_path, LINES, WORDS), *sources], cwd=REPO)
    assert proc.stdout.strip(), proc.stderr[-1500:]
    worker = int(proc.stdout.split()[0])
    for _ in range(120):                  # a worker checks its parent each time its queue stays full 5 s
        if not running(worker):
            break
        time.sleep(0.5)
    assert not running(worker)


def test_no_training_items_is_an_input_error_not_an_endless_wait(sources, tmp_path):
    with pytest.raises(InputError, match="no training items"):
        next(data.mixed_batches(Numbered(), np.arange(0), 16, 0, Typeset(), share=0.25))
    # a worker says so too, and the stream raises it instead of polling its live workers forever
    empty = StreamSpec(write_folder(tmp_path, LINES, WORDS), np.arange(0), data.SampleOptions(), 4, 5, *sources, 0.5)
    with BatchStream(empty, workers=1) as stream, pytest.raises(InputError, match="no training items"):
        next(iter(stream))
