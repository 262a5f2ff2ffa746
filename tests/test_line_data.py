"""The line trainer's data folder: a tiny UniPen-like folder written here, then broken
one array at a time (each an InputError that names the file, never a traceback or a
silent misread), and flat marks rendered for training at their written size."""
import os

import cv2
import numpy as np
import pytest

from pyimagesearch.errors import InputError
from pyimagesearch.recognition import corpus as unipen
from pyimagesearch.recognition import data
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.preprocess import HEIGHT

DASH = [np.array([[0, 50], [20, 50.5]], np.float32)]              # 20 units long, half a unit high
VEE = [np.array([[0, 0], [30, 100], [60, 0]], np.float32)]
WIDTH = 40


def item(text, strokes, writer="s/w1", test=False, ref=100.0):
    return {"text": text, "strokes": strokes, "writer": writer, "test": test, "ref": ref}


def stroke_arrays(items):
    lengths = [len(s) for it in items for s in it["strokes"]]
    per_sample = [len(it["strokes"]) for it in items]
    points = np.concatenate([s for it in items for s in it["strokes"]]).round().astype(np.uint16)
    return {"points_xy": points, "stroke_lengths": np.array(lengths, np.int32),
            "strokes_per_sample": np.array(per_sample, np.int32),
            "stroke_offset": np.concatenate([[0], np.cumsum(per_sample)[:-1]]).astype(np.int64),
            "point_offset": np.concatenate([[0], np.cumsum([sum(len(s) for s in it["strokes"])
                                                            for it in items])[:-1]]).astype(np.int64),
            "ref_height": np.array([it["ref"] for it in items], np.float32)}


def image_arrays(items, text_column):
    n = len(items)
    return {"height": np.array(HEIGHT, np.int32), "pixels": np.full(n * HEIGHT * WIDTH, 255, np.uint8),
            "widths": np.full(n, WIDTH, np.int32), "offsets": np.arange(n, dtype=np.int64) * HEIGHT * WIDTH,
            "person": np.array([it["writer"] for it in items]), "writer": np.array([it["writer"] for it in items]),
            "quality": np.array(["OK"] * n), "writer_split_test": np.array([it["test"] for it in items]),
            text_column: np.array([it["text"] for it in items])}


def write_folder(folder, lines, words, change=None):
    """Both files and their strokes; ``change(name, arrays)`` may break one before saving."""
    for name, items, column in ((unipen.TEXT_FILE, lines, "label_detok"), (unipen.WORDS_FILE, words, "labels")):
        for file, arrays in ((name, image_arrays(items, column)),
                             (name.replace("_h32.npz", "_strokes.npz"), stroke_arrays(items))):
            if change:
                change(file, arrays)
            np.savez(os.path.join(folder, file), **arrays)
    return str(folder)


LINES = [item("vv", VEE + [s + [80, 0] for s in VEE]), item("v", VEE, writer="s/w2")]
WORDS = [item("v", VEE), item("-", DASH), item("v", VEE, writer="s/w2", test=True)]


def test_a_small_folder_loads(tmp_path):
    corpus = unipen.Corpus(write_folder(tmp_path, LINES, WORDS))
    assert len(corpus) == 5 and corpus.text.tolist() == ["vv", "v", "v", "-", "v"]
    assert corpus.test.tolist() == [False, False, False, False, True]
    assert corpus.image(3).shape == (HEIGHT, WIDTH) and len(corpus.item_strokes(0)) == 2


def _set(file, key, value):
    def change(name, arrays):
        if name == file:
            if value is None:
                del arrays[key]
            else:
                arrays[key] = value(arrays[key]) if callable(value) else value
    return change


STROKES = "unipen_words_strokes.npz"
BROKEN = [
    pytest.param(_set(unipen.WORDS_FILE, "labels", None), "'labels'", id="missing-text"),
    pytest.param(_set(unipen.TEXT_FILE, "height", None), "'height'", id="missing-height"),
    pytest.param(_set(unipen.WORDS_FILE, "height", np.array(28)), "32", id="other-height"),
    pytest.param(_set(unipen.WORDS_FILE, "height", np.array("32")), "32", id="height-as-text"),
    pytest.param(_set(unipen.WORDS_FILE, "widths", lambda w: w[:2]), "'offsets'", id="short-column"),
    pytest.param(_set(unipen.WORDS_FILE, "writer", lambda w: w[:, None]), "'writer'", id="2-D-column"),
    pytest.param(_set(unipen.WORDS_FILE, "offsets", lambda o: o + 10 ** 6), "outside 'pixels'", id="offset-past-end"),
    pytest.param(_set(unipen.WORDS_FILE, "widths", lambda w: w * 0), "outside 'pixels'", id="zero-width"),
    pytest.param(_set(unipen.WORDS_FILE, "widths", lambda w: w.astype(np.int64) + 2 ** 61), "outside 'pixels'",
                 id="width-that-overflows"),
    pytest.param(_set(unipen.WORDS_FILE, "labels", lambda t: np.array([b"\xff"] * len(t))), "text",
                 id="bytes-as-text"),
    pytest.param(_set(STROKES, "stroke_offset", lambda p: p + 2 ** 62), "sample 0", id="stroke-offset-overflows"),
    pytest.param(_set(unipen.WORDS_FILE, "pixels", lambda p: p.astype(np.float32)), "uint8", id="float-pixels"),
    pytest.param(_set(unipen.WORDS_FILE, "widths", lambda w: w.astype(np.float64)), "integers", id="float-widths"),
    pytest.param(_set(unipen.WORDS_FILE, "labels", lambda t: np.arange(len(t))), "text", id="numbers-as-text"),
    pytest.param(_set(unipen.WORDS_FILE, "writer_split_test", lambda t: t.astype(str)), "true/false",
                 id="split-as-text"),
    pytest.param(_set(STROKES, "ref_height", None), "'ref_height'", id="strokes-missing-key"),
    pytest.param(_set(STROKES, "ref_height", lambda r: r[:1]), "one value per item", id="strokes-count"),
    pytest.param(_set(STROKES, "ref_height", lambda r: r * np.nan), "height", id="strokes-nan-height"),
    pytest.param(_set(STROKES, "point_offset", lambda p: p + 1000), "sample 0", id="points-past-end"),
    pytest.param(_set(STROKES, "stroke_offset", lambda p: p - 5), "sample 0", id="negative-stroke-offset"),
    pytest.param(_set(STROKES, "stroke_lengths", lambda s: -s), "negative", id="negative-lengths"),
    pytest.param(_set(STROKES, "points_xy", lambda p: p[:, 0]), "points_xy", id="points-1-D"),
]


@pytest.mark.parametrize("change,expected", BROKEN)
def test_a_broken_array_is_a_one_line_error_naming_the_file(tmp_path, change, expected):
    write_folder(tmp_path, LINES, WORDS, change)
    with pytest.raises(InputError) as info:
        unipen.Corpus(str(tmp_path))
    message = str(info.value)
    assert "\n" not in message and str(tmp_path) in message and expected in message, message


@pytest.mark.parametrize("content", [b"", b"garbage", b"PK\x03\x04garbage"], ids=["empty", "text", "zip-junk"])
def test_garbage_files_in_the_data_folder(tmp_path, content):
    write_folder(tmp_path, LINES, WORDS)
    for name in (unipen.WORDS_FILE, STROKES):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        write_folder(folder, LINES, WORDS)
        (folder / name).write_bytes(content)
        with pytest.raises(InputError, match=name):
            unipen.Corpus(str(folder))


def test_the_data_command_reports_a_broken_folder_on_one_line(tmp_path, capsys):
    write_folder(tmp_path, LINES, WORDS, _set(unipen.TEXT_FILE, "person", None))
    assert data.main(["--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("[ERROR]") and "'person'" in err[0]


def test_no_usable_training_items_is_a_one_line_error(tmp_path):
    corpus = unipen.Corpus(write_folder(tmp_path, LINES, WORDS))
    with pytest.raises(InputError, match="no usable training items"):
        data.split_by_person(corpus, np.zeros(0, np.int64), 0.05, 0)


@pytest.mark.parametrize("options", [
    pytest.param(dict(compose_probability=1.0), id="synthetic-line"),
    pytest.param(dict(compose_probability=0.0, rerender_probability=1.0), id="re-rendered"),
], )
def test_a_flat_mark_is_rendered_at_its_written_size(tmp_path, options):
    """A dash, 20 tablet units long and half a unit high, written by someone whose
    letters are 100 units high, stays a short dash (without the floor it filled 28 rows
    and became 1,100 columns wide)."""
    words = [item("-", DASH), item("-", DASH, writer="s/w2")]
    corpus = unipen.Corpus(write_folder(tmp_path, [item("-", DASH)], words))
    items, texts, _ = data.training_items(corpus, Charset())
    maker = data.SampleMaker(corpus, items, texts, Charset(),
                             data.SampleOptions(augment_probability=0.0, **options))
    rng = np.random.default_rng(0)
    for i in items:
        for _ in range(5):
            image, text = maker.make(i, rng)
            assert "-" in text and image.shape[0] == HEIGHT
            assert image.shape[1] < 10 * (20 * (HEIGHT - 4) / 50.0), image.shape   # a few dashes at most
    rendered = corpus.rendered_image(int(items[0]), 1)
    assert rendered.shape[1] < 2 * 20 * (HEIGHT - 4) / 50.0


def test_the_samples_picture_shows_the_items_there_are_and_a_bad_path_is_one_line(tmp_path, capsys):
    folder = write_folder(tmp_path, LINES, WORDS)
    picture = tmp_path / "samples.png"
    assert data.main(["--data", folder, "--samples", str(picture)]) == 0
    written = cv2.imread(str(picture), cv2.IMREAD_GRAYSCALE)
    training = len(data.training_items(unipen.Corpus(folder), Charset())[0])
    assert 0 < training < data.SAMPLE_ROWS and written.shape[0] == training * (HEIGHT + 14)
    capsys.readouterr()
    assert data.main(["--data", folder, "--samples", str(tmp_path / "no" / "such" / "folder.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("[ERROR]")
