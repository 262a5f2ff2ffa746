"""The classifier's training data and output: glyphs set in the handwriting fonts
(held-out fonts never used, cached), balanced batches, the class-prior correction,
the --quick preset, and a tiny real run in bf16 with fonts and balanced batches."""
import os
import signal
import zipfile

import numpy as np
import pytest

from conftest import SHARED, assert_one_line_error, run, subprocess_env, train_command
from pyimagesearch.errors import InputError
from pyimagesearch.training import data
from pyimagesearch.training.config import QUICK, TrainConfig, quick

FONTS = os.path.join(SHARED, "fonts")
need_fonts = pytest.mark.skipif(not os.path.isfile(os.path.join(FONTS, "fonts.tsv")),
                                reason="../shared/fonts not present")


def _font_dir(tmp_path, names):
    """A fonts folder of ``names`` (files of ../shared/fonts) with its own fonts.tsv."""
    with open(os.path.join(FONTS, "fonts.tsv"), encoding="utf-8") as f:
        header, *rows = f.read().splitlines()
    kept = list({row.split("\t")[0]: row for row in reversed(rows)
                 if os.path.basename(row.split("\t")[0]) in names}.values())
    (tmp_path / "files").mkdir(parents=True)
    for row in kept:
        os.symlink(os.path.join(FONTS, row.split("\t")[0]), tmp_path / row.split("\t")[0])
    (tmp_path / "fonts.tsv").write_text("\n".join([header, *kept]) + "\n")
    return str(tmp_path)


class KilledOnArrival:
    """A font spec whose unpickling, in the render worker, SIGKILLs that worker."""

    def __reduce__(self):
        return signal.raise_signal, (signal.SIGKILL,)


def test_a_killed_glyph_render_worker_is_one_error_that_says_to_run_again():
    from pyimagesearch.training import font_glyphs
    with pytest.raises(InputError, match=r"^a process rendering the font glyphs died .* running the command again"):
        font_glyphs._render_all([KilledOnArrival()], 1, seed=0, workers=1)


@need_fonts
def test_font_glyphs_skip_the_held_out_fonts_and_come_back_from_the_cache(tmp_path, monkeypatch):
    from pyimagesearch.synth.fonts import HELD_OUT
    from pyimagesearch.training import font_glyphs
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts = _font_dir(tmp_path / "fonts", {"caveat.ttf", "permanent-marker.ttf", sorted(HELD_OUT)[0]})
    images, labels = font_glyphs.font_glyphs(fonts, 2, seed=3, workers=1)
    # two training fonts (one capitals-only) x 36 classes x 2 copies; the held-out font draws nothing
    assert images.shape == (2 * 36 * 2, 28, 28) and images.dtype == np.uint8
    assert np.array_equal(np.bincount(labels, minlength=36), np.full(36, 4))
    # the reader's normalisation: bright ink fitted in the 20-px box, none empty
    assert (images.reshape(len(images), -1).max(axis=1) > 100).all()
    rows, cols = (np.array([np.ptp(np.flatnonzero(g.max(axis=axis))) + 1 for g in images]) for axis in (1, 0))
    assert np.all((np.maximum(rows, cols) >= 19) & (np.maximum(rows, cols) <= 23))
    # copies of one character differ (jitter), and the second call reads the cache
    assert not np.array_equal(images[labels == 10][0], images[labels == 10][1])
    cached = os.listdir(tmp_path / "cache" / "handwriting-ocr")
    assert len(cached) == 1 and cached[0].endswith(".npz")
    again, again_labels = font_glyphs.font_glyphs(fonts, 2, seed=3, workers=1)
    assert np.array_equal(again, images) and np.array_equal(again_labels, labels)


def test_balanced_batches_draw_every_class_equally_and_keep_labels():
    labels = np.array([0] * 90 + [1] * 9 + [2])
    # each image holds its own label as its value, so a wrong pairing shows
    inputs = np.broadcast_to(labels[:, None, None, None], (100, 32, 32, 1)).astype(np.float32)
    batches = list(data._balanced_batches(inputs, labels, 64, seed=1).take(20))
    drawn = np.concatenate([y.numpy() for _, y in batches])
    assert np.bincount(drawn, minlength=3).min() > 0.27 * len(drawn)
    for x, y in batches:
        assert np.array_equal(x.numpy()[:, 0, 0, 0], y.numpy().astype(np.float32))


def test_only_the_tutorial_weights_weigh_glyphs():
    labels = np.array([0, 0, 0, 1])
    for kind in ("prior", "balanced", "none"):
        assert data.class_weights(labels, 3, kind) is None
    assert data.class_weights(labels, 3, "tutorial") == {0: 1.0, 1: 3.0, 2: 0.0}
    assert np.allclose(np.exp(data.log_prior(labels, 3)), [3 / 5, 1 / 5, 1 / 5])


def test_the_prior_correction_evens_out_the_training_shares():
    import keras
    from pyimagesearch.training import trainer
    config = TrainConfig(architecture="tiny", class_weights="prior")
    model = trainer.network(config)
    x = np.random.default_rng(0).random((4, 32, 32, 1)).astype(np.float32)
    before = model.predict(x, verbose=0)
    twin = trainer.network(config)
    twin.set_weights(model.get_weights())
    log_prior = np.log(np.linspace(1, 4, 36) / np.linspace(1, 4, 36).sum())
    corrected = trainer.float32_model(model, config, log_prior).predict(x, verbose=0)
    # p(c | x) is divided by the class's share, then renormalised
    expected = before / np.exp(log_prior)
    assert np.allclose(corrected, expected / expected.sum(axis=1, keepdims=True), atol=1e-5)
    unchanged = trainer.float32_model(twin, TrainConfig(architecture="tiny", class_weights="none"), log_prior)
    assert np.allclose(unchanged.predict(x, verbose=0), before, atol=1e-6)
    assert keras.mixed_precision.global_policy().name == "float32"


def test_the_quick_preset():
    config = quick(TrainConfig())
    assert all(getattr(config, name) == value for name, value in QUICK.items())
    assert config.architecture != TrainConfig().architecture and config.epochs < TrainConfig().epochs


@pytest.mark.parametrize("flags, named", [(["--fonts", "no-such-folder"], "fonts.tsv"),
                                          (["--font-glyphs", "0"], "--font-glyphs")])
def test_bad_font_flags_fail_in_one_line(tmp_path, flags, named):
    proc = run(train_command(str(tmp_path)) + flags, cwd=tmp_path, timeout=120)
    assert named in assert_one_line_error(proc)


@need_fonts
@pytest.mark.slow
def test_a_bf16_run_on_fonts_and_balanced_batches_saves_a_float32_model(tmp_path):
    fonts = _font_dir(tmp_path / "fonts", {"caveat.ttf", "permanent-marker.ttf"})
    out = tmp_path / "out"
    out.mkdir()
    proc = run(train_command(str(out)) + ["--fonts", fonts, "--font-glyphs", "1", "--precision", "bf16",
                                          "--class-weights", "balanced"],
               cwd=out, timeout=900, env=subprocess_env(XDG_CACHE_HOME=str(tmp_path / "cache")))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "72 font glyphs" in proc.stdout or "rendering 1 copies of 36 characters in 2 fonts" in proc.stdout
    with zipfile.ZipFile(out / "tiny.keras") as z:
        assert b"bfloat16" not in z.read("config.json")
    report = (out / "report.txt").read_text()
    assert "precision bf16, class weights balanced" in report and "validation split: accuracy" in report
    from pyimagesearch.models.classifier import load_classifier
    assert load_classifier(str(out / "tiny.keras")).runtime == "litert"


@pytest.mark.slow
def test_init_from_starts_with_the_weights_of_a_classifier_of_the_same_width(tiny_run, tmp_path):
    proc = run(train_command(str(tmp_path)) + ["--init-from", tiny_run.keras], cwd=tmp_path, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"starting from the weights of {tiny_run.keras}" in proc.stdout
    other = tmp_path / "other"
    other.mkdir()
    wider = run(train_command(str(other)) + ["--init-from", tiny_run.keras, "--width", "quarter"], cwd=other,
                timeout=900)
    assert "its layers differ" in assert_one_line_error(wider)


def test_init_from_takes_only_a_keras_classifier(tmp_path):
    not_keras = tmp_path / "weights.h5"
    not_keras.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64))
    proc = run(train_command(str(tmp_path)) + ["--init-from", str(not_keras)], cwd=tmp_path, timeout=120)
    assert "--init-from takes a .keras classifier" in assert_one_line_error(proc)


def _one_font(folder, rows=None):
    """A fonts folder holding DejaVu as one training font, or the table ``rows`` (header first)."""
    import shutil
    from test_synth import dejavu
    os.makedirs(folder / "files")
    shutil.copy(dejavu(), folder / "files" / "plain.ttf")
    rows = rows or ["file\tfamily\tstyle\tlowercase", "files/plain.ttf\tx\tprint\tyes"]
    (folder / "fonts.tsv").write_text("\n".join(rows) + "\n")
    return str(folder)


def test_a_fonts_table_without_training_fonts_or_its_columns_is_an_input_error(tmp_path):
    from pyimagesearch.errors import InputError
    from pyimagesearch.training.font_glyphs import font_glyphs
    header = "file\tfamily\tstyle\tlowercase"
    with pytest.raises(InputError, match="fonts.tsv: no training fonts"):
        font_glyphs(_one_font(tmp_path / "empty", [header]), 1, seed=0, workers=1)
    with pytest.raises(InputError, match="fonts.tsv: no file, lowercase column"):
        font_glyphs(_one_font(tmp_path / "other", ["name\tstyle", "files/plain.ttf\tprint"]), 1, seed=0, workers=1)
    with pytest.raises(InputError, match="fonts.tsv:3: fewer columns than its header"):
        font_glyphs(_one_font(tmp_path / "short", [header, "files/plain.ttf\tx\tprint\tyes", "files/b.ttf\tx"]),
                    1, seed=0, workers=1)


def test_an_unreadable_font_glyph_cache_is_rendered_again(tmp_path, monkeypatch):
    from pyimagesearch.training import font_glyphs
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts = _one_font(tmp_path / "fonts")
    images, labels = font_glyphs.font_glyphs(fonts, 1, seed=3, workers=1)
    (cache,) = (tmp_path / "cache" / "handwriting-ocr").iterdir()
    cache.write_bytes(cache.read_bytes()[:100])   # a write cut short outside this program
    again, again_labels = font_glyphs.font_glyphs(fonts, 1, seed=3, workers=1)
    assert np.array_equal(again, images) and np.array_equal(again_labels, labels)
    with np.load(cache) as rewritten:
        assert np.array_equal(rewritten["images"], images)


def test_a_font_replaced_under_the_same_name_is_rendered_again(tmp_path, monkeypatch):
    from pyimagesearch.synth import forms
    from pyimagesearch.training import font_glyphs
    bold = [f for f in forms.dejavu_files() if f.endswith("DejaVuSans-Bold.ttf")]
    if not bold:
        pytest.skip("DejaVu Sans Bold not installed")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fonts = _one_font(tmp_path / "fonts")
    plain, _ = font_glyphs.font_glyphs(fonts, 1, seed=3, workers=1)
    (tmp_path / "fonts" / "files" / "plain.ttf").write_bytes(open(bold[0], "rb").read())
    heavy, _ = font_glyphs.font_glyphs(fonts, 1, seed=3, workers=1)
    assert len(os.listdir(tmp_path / "cache" / "handwriting-ocr")) == 2
    assert heavy.astype(float).mean() > plain.astype(float).mean()   # bold strokes: more ink per glyph
