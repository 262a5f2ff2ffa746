"""Property: every data-file loader, given a valid small file with random bytes changed,
cut off or appended, either loads it or raises one InputError naming the file; never
another exception. (Model files: test_hostile_models.py.)"""
import gzip
import io
import os
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GLYPHS
from pyimagesearch.az_dataset import load_az_dataset, load_glyph_npz
from pyimagesearch.errors import InputError
from pyimagesearch.evaluation.reader import read_truth
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.language import CharNgram

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

damage = st.tuples(st.lists(st.tuples(st.integers(0, 2 ** 31), st.integers(0, 255)), max_size=8),
                   st.integers(0, 2 ** 31), st.booleans(), st.binary(max_size=64))


def damaged(blob, change):
    """``blob`` with bytes overwritten, maybe cut short, maybe with bytes appended."""
    edits, cut, cut_it, tail = change
    out = bytearray(blob)
    for position, value in edits:
        out[position % len(out)] = value
    if cut_it:
        out = out[:cut % len(out)]
    return bytes(out) + tail


def stable_zip(blob):
    """The same archive with a fixed date on every member: numpy stamps the time of
    saving, and the damage must hit the same bytes in every run."""
    source, out = zipfile.ZipFile(io.BytesIO(blob)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            target.writestr(fixed, source.read(info))
    return out.getvalue()


def assert_loads_or_input_error(load, path):
    try:
        load(path)
    except InputError as e:
        assert "\n" not in str(e) and os.path.basename(path) in str(e), str(e)


def _glyph_npz(compressed):
    with np.load(GLYPHS) as d:
        images, labels = d["images"][:6], d["labels"][:6]
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, images=images, labels=labels)
    return stable_zip(buffer.getvalue())


GLYPH_FILES = {compressed: _glyph_npz(compressed) for compressed in (False, True)}


@SETTINGS
@given(damage, st.booleans())
def test_damaged_glyph_sets(tmp_path, change, compressed):
    path = tmp_path / "glyphs.npz"
    path.write_bytes(damaged(GLYPH_FILES[compressed], change))
    assert_loads_or_input_error(load_glyph_npz, str(path))


def _az_csv():
    rng = np.random.default_rng(0)
    rows = [",".join(map(str, [k % 26, *rng.integers(0, 256, 784)])) for k in range(4)]
    return ("\n".join(rows) + "\n").encode()


AZ_FILE = _az_csv()


@SETTINGS
@given(damage, st.booleans())
def test_damaged_az_csv(tmp_path, change, packed):
    path = tmp_path / ("letters.csv.gz" if packed else "letters.csv")
    path.write_bytes(damaged(gzip.compress(AZ_FILE, mtime=0) if packed else AZ_FILE, change))
    assert_loads_or_input_error(load_az_dataset, str(path))


@pytest.fixture(scope="module")
def lm_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("lm") / "m.lm.npz"
    CharNgram.train(["Allen Street", "Hello world", "all well"], Charset().chars, order=3).save(str(path))
    return stable_zip(path.read_bytes())


@SETTINGS
@given(damage)
def test_damaged_language_models(tmp_path, lm_file, change):
    path = tmp_path / "m.lm.npz"
    path.write_bytes(damaged(lm_file, change))
    assert_loads_or_input_error(CharNgram.load, str(path))


TRUTH = "file\ttext\tstyle\na.png\tHELLO\\nWORLD\tcaps\nb.png\t0123\tdigits\n".encode()


@SETTINGS
@given(damage)
def test_damaged_truth_files(tmp_path, change):
    (tmp_path / "truth.tsv").write_bytes(damaged(TRUTH, change))
    assert_loads_or_input_error(lambda path: read_truth(os.path.dirname(path)), str(tmp_path / "truth.tsv"))


@SETTINGS
@given(damage, st.sampled_from(["unipen_words_h32.npz", "unipen_words_strokes.npz"]))
def test_damaged_line_data_folders(tmp_path, change, name):
    from pyimagesearch.recognition.corpus import Corpus
    from test_line_data import LINES, WORDS, write_folder
    folder = tmp_path / "lines"
    folder.mkdir(exist_ok=True)
    write_folder(folder, LINES, WORDS)
    path = folder / name
    path.write_bytes(damaged(stable_zip(path.read_bytes()), change))
    assert_loads_or_input_error(lambda _: Corpus(str(folder)), str(path))
