"""The offline tools that build the shipped data (tools/build_training_data.py,
tools/render_examples.py), run on a made-up shared folder of a few glyphs: they
never replace a file unasked, say in one line what input is missing, and leave no
half-written file when stopped."""
import importlib.util
import os

import numpy as np
import pytest

from conftest import PY, REPO, assert_one_line_error, run

BUILD = os.path.join(REPO, "tools", "build_training_data.py")
RENDER = os.path.join(REPO, "tools", "render_examples.py")
CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
OUTPUTS = ["a_z_handwritten_data.csv.gz", "digits_train.npz", os.path.join("test_sets", "mnist_test.npz"),
           os.path.join("test_sets", "unipen_test_writers.npz")]


def _tool(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shared(folder):
    """Every character twice: once by a training writer, once by a test writer, each
    sample one stroke of three points; ten MNIST digits for training and for test."""
    rng = np.random.default_rng(0)
    labels = np.array(list(CHARACTERS) * 2)
    n = len(labels)
    for name in ("unipen", "mnist", "lines"):
        (folder / name).mkdir(parents=True)
    np.savez_compressed(folder / "unipen" / "unipen_train_r01_v07_28x28.npz",
                        images=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), labels=labels,
                        category=np.array(["1a" if c.isdigit() else "1b" for c in labels]),
                        writer=np.array(["site/TRAIN"] * (n // 2) + ["site/TEST"] * (n // 2)),
                        quality=np.array(["OK"] * n), writer_split_test=np.arange(n) >= n // 2,
                        suspect_tiny=np.zeros(n, bool))
    np.savez_compressed(folder / "unipen" / "unipen_train_r01_v07_strokes.npz",
                        points_xy=rng.integers(0, 100, (3 * n, 2)).astype(np.int16),
                        stroke_lengths=np.full(n, 3), strokes_per_sample=np.ones(n, np.int64))
    for name in ("mnist_train_first10k.npz", "mnist_test_10k.npz"):
        np.savez_compressed(folder / "mnist" / name, images=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
                            labels=np.arange(10, dtype=np.uint8))
    (folder / "lines" / "split_widened_aliases.txt").write_text("# none of them wrote a glyph here\nsite/OTHER\n")
    return folder


def _temporaries(folder):
    return [name for _, _, names in os.walk(folder) for name in names if name.startswith(".tmp-")]


def test_building_the_data_never_replaces_files_unasked(tmp_path):
    shared, out = _shared(tmp_path / "shared"), tmp_path / "out"
    out.mkdir()
    (out / "digits_train.npz").write_bytes(b"the user's own digits")
    refused = run([PY, BUILD, "--shared", shared, "--out", out], timeout=120)
    assert "digits_train.npz" in assert_one_line_error(refused)
    assert (out / "digits_train.npz").read_bytes() == b"the user's own digits"
    assert sorted(os.listdir(out)) == ["digits_train.npz"]
    done = run([PY, BUILD, "--shared", shared, "--out", out, "--overwrite"], timeout=120)
    assert done.returncode == 0, done.stderr
    with np.load(out / "digits_train.npz") as digits:
        assert len(digits["labels"]) == 10 + 10      # MNIST + the training writer's digits
    with np.load(out / "test_sets" / "unipen_test_writers.npz") as test:
        assert len(test["labels"]) == len(CHARACTERS)
    assert _temporaries(out) == []


def test_building_the_data_without_its_inputs_says_which_file_is_missing(tmp_path):
    shared = _shared(tmp_path / "shared")
    os.remove(shared / "mnist" / "mnist_test_10k.npz")
    proc = run([PY, BUILD, "--shared", shared, "--out", tmp_path], timeout=120)
    assert "mnist_test_10k.npz: no such file" in assert_one_line_error(proc)
    assert not any(os.path.exists(tmp_path / name) for name in OUTPUTS)


def test_a_build_stopped_while_writing_leaves_the_old_files_whole(tmp_path, monkeypatch):
    shared, out = _shared(tmp_path / "shared"), tmp_path / "out"
    out.mkdir()
    build = _tool(BUILD)
    build.main(["--shared", str(shared), "--out", str(out)])
    before = {name: (out / name).read_bytes() for name in OUTPUTS}

    def stopped(file, **arrays):
        with open(file, "wb") as f:
            f.write(b"PK half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez_compressed", stopped)
    with pytest.raises(KeyboardInterrupt):
        build.main(["--shared", str(shared), "--out", str(out), "--overwrite"])
    assert {name: (out / name).read_bytes() for name in OUTPUTS} == before
    assert _temporaries(out) == []


def test_rendering_the_examples_never_replaces_files_unasked(tmp_path):
    shared, out = _shared(tmp_path / "shared"), tmp_path / "images"
    out.mkdir()
    (out / "truth.tsv").write_text("the user's own table\n")
    refused = run([PY, RENDER, "--shared", shared, "--out", out], timeout=120)
    assert "truth.tsv" in assert_one_line_error(refused)
    assert os.listdir(out) == ["truth.tsv"] and (out / "truth.tsv").read_text() == "the user's own table\n"
    done = run([PY, RENDER, "--shared", shared, "--out", out, "--overwrite"], timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(out)) == ["digits.png", "hello_world.png", "pack_my_box.png", "truth.tsv"]
    assert (out / "truth.tsv").read_text().splitlines()[1].startswith("hello_world.png\tHELLO\\nWORLD\tcaps\t")


def test_rendering_the_examples_without_strokes_says_so_in_one_line(tmp_path):
    shared = _shared(tmp_path / "shared")
    os.remove(shared / "unipen" / "unipen_train_r01_v07_strokes.npz")
    proc = run([PY, RENDER, "--shared", shared, "--out", tmp_path / "images"], timeout=120)
    assert "unipen_train_r01_v07_strokes.npz: no such file" in assert_one_line_error(proc)
