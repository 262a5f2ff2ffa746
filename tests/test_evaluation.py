"""Reader evaluation: Levenshtein, the comparable text, truth.tsv, and the real CER on the
digit photos d05 and d06 of ../shared/images-dev (skipped when absent)."""
import os
import shutil

import cv2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import (GLYPHS, IMAGES_DEV, PY, REPO, SHIPPED_KERAS, SEED_MODEL, assert_one_line_error, need_images_dev,
                      need_shared, run)
from pyimagesearch.errors import InputError
from pyimagesearch.metrics import aligned_pairs, levenshtein
from pyimagesearch.evaluation.reader import (comparable, evaluate_folder, read_truth, score_page,
                                             total_cer)


@pytest.mark.parametrize("a,b,distance", [
    ("", "", 0), ("abc", "", 3), ("", "abcd", 4), ("kitten", "sitting", 3), ("flaw", "lawn", 2),
    ("05221859", "0752218DE9", 3), ("13540", "1254R0", 2), ("HELLO", "HELLO", 0), ("AB", "BA", 2),
])
def test_levenshtein_known_cases(a, b, distance):
    assert levenshtein(a, b) == distance == levenshtein(b, a)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text("abc", max_size=8), st.text("abc", max_size=8), st.text("abc", max_size=8))
def test_levenshtein_is_a_metric(a, b, c):
    assert levenshtein(a, b) == levenshtein(b, a)
    assert (levenshtein(a, b) == 0) == (a == b)
    assert levenshtein(a, c) <= levenshtein(a, b) + levenshtein(b, c)
    assert abs(len(a) - len(b)) <= levenshtein(a, b) <= max(len(a), len(b))


def test_aligned_pairs_known_cases():
    assert aligned_pairs("abc", "abc") == [(0, 0), (1, 1), (2, 2)]
    assert aligned_pairs("4lej", "alej") == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert aligned_pairs("xlej", "lejt") == [(1, 0), (2, 1), (3, 2)]
    assert aligned_pairs("", "ab") == [] == aligned_pairs("ab", "")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.text("abc", max_size=8), st.text("abc", max_size=8))
def test_aligned_pairs_are_one_cheapest_edit(a, b):
    pairs = aligned_pairs(a, b)
    assert all(i1 < i2 and j1 < j2 for (i1, j1), (i2, j2) in zip(pairs, pairs[1:]))
    # the substitutions, deletions and insertions the pairs leave cost exactly the edit distance
    cost = sum(a[i] != b[j] for i, j in pairs) + (len(a) - len(pairs)) + (len(b) - len(pairs))
    assert cost == levenshtein(a, b)


def test_comparable_text():
    assert comparable("THE QUICK\nBROWN  FOX", "caps") == "THEQUICKBROWNFOX"
    assert comparable("THE QUICK\nBROWN  FOX", "caps", keep_lines=True) == "THEQUICK\nBROWNFOX"
    assert comparable("This is\n a Message", "mixed") == "THISISAMESSAGE"
    assert comparable("or work on", "cursive") == "ORWORKON"
    assert comparable("Ab 12", "caps") == "Ab12"  # block styles keep their case
    assert comparable("0 5\t2", "digits") == "052"
    assert comparable("", "caps") == "" and comparable("", "caps", True) == ""


def test_score_page_counts_reading_order():
    truth = "HELLO\nWORLD"
    assert score_page(truth, "HELLO\nWORLD", "caps") == {"length": 10, "errors": 0, "line_length": 11,
                                                         "line_errors": 0}
    # the same letters on one line: nothing wrong for the flat CER, one missing break for the line CER
    flat = score_page(truth, "HELLO WORLD", "caps")
    assert flat["errors"] == 0 and flat["line_errors"] == 1
    # lines swapped: the flat score sees it too
    swapped = score_page(truth, "WORLD\nHELLO", "caps")
    assert swapped["errors"] > 0 and swapped["line_errors"] > 0
    assert score_page("hello", "HELLO", "mixed")["errors"] == 0
    assert score_page("hello", "HELLO", "caps")["errors"] == 5


def test_truth_file_and_totals(tmp_path):
    (tmp_path / "truth.tsv").write_text("file\ttext\tstyle\tsource\tlicense\n"
                                        "a.png\tAB\\nCD\tcaps\tx\ty\n"
                                        "b.png\t\"12\"\tdigits\tx\ty\n", encoding="utf-8")
    rows = read_truth(str(tmp_path))
    assert [r["text"] for r in rows] == ["AB\nCD", '"12"']  # QUOTE_NONE: quotes are text
    answers = {"a.png": "AB\nCX", "b.png": '"12"'}
    results = evaluate_folder(lambda path: answers[os.path.basename(path)], str(tmp_path))
    assert [r["errors"] for r in results] == [1, 0]
    assert total_cer(results) == pytest.approx(1 / 8)
    assert total_cer(results, styles=("digits",)) == 0.0
    (tmp_path / "truth.tsv").write_text("name\ttext\nx\ty\n")
    with pytest.raises(InputError):
        read_truth(str(tmp_path))
    with pytest.raises(InputError):
        read_truth(str(tmp_path / "nowhere"))


def test_reader_command_on_the_repository_examples(tiny_run):
    """The whole command on images/ (shipped, CC BY 4.0): one row per photo and the totals."""
    proc = run([PY, "-m", "pyimagesearch.evaluation.reader", os.path.join(REPO, "images"), "-m", tiny_run.tflite],
               timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    with open(os.path.join(REPO, "images", "truth.tsv")) as f:
        files = [line.split("\t")[0] for line in f.read().splitlines()[1:] if line]
    for name in files:
        assert any(line.startswith(name) for line in lines), proc.stdout
    assert lines[-1].startswith("total all") and lines[-2].startswith("total caps + digits")


def _reading_model():
    """The shipped model when it is there, else the 2020 model file."""
    if os.path.isfile(SHIPPED_KERAS):
        return SHIPPED_KERAS
    if os.path.isfile(SEED_MODEL):
        return SEED_MODEL
    pytest.skip("no trained model: neither handwriting.keras nor ../shared/seed-model")


@need_images_dev
def test_digit_photos_cer(tmp_path):
    model = _reading_model()
    if model == SEED_MODEL:
        model = str(tmp_path / "handwriting.model")
        shutil.copyfile(SEED_MODEL, model)
    folder = tmp_path / "digits"
    folder.mkdir()
    with open(os.path.join(IMAGES_DEV, "truth.tsv"), encoding="utf-8") as f:
        rows = f.read().splitlines()
    keep = [rows[0]] + [r for r in rows[1:] if r.split("\t")[0] in ("d05_05221859.jpg", "d06_13540.jpg")]
    assert len(keep) == 3
    (folder / "truth.tsv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    for row in keep[1:]:
        shutil.copyfile(os.path.join(IMAGES_DEV, row.split("\t")[0]), folder / row.split("\t")[0])
    from pyimagesearch.io.image import load_image
    from pyimagesearch.models.classifier import load_classifier
    from pyimagesearch.reader.predictor import HandwritingReader
    reader = HandwritingReader(load_classifier(model))
    results = evaluate_folder(lambda path: reader.read(load_image(path)).text, str(folder))
    for r in results:
        assert r["errors"] / r["length"] <= 0.2, (r["file"], r["predicted"], model)
    assert total_cer(results) <= 0.2


def test_accuracy_within_kind_reads_each_glyph_among_its_own_kind():
    import numpy as np
    from pyimagesearch.evaluation.glyphs import scores_of
    from pyimagesearch.labels import TUTORIAL_LABELS
    labels = list(TUTORIAL_LABELS)
    probs = np.full((4, 36), 0.001)
    probs[0, labels.index("O")], probs[0, labels.index("0")] = 0.6, 0.3    # a 0 read as O: wrong 36-way,
    probs[1, labels.index("7")] = 0.9                                      # right among digits
    probs[2, labels.index("1")], probs[2, labels.index("I")] = 0.5, 0.4    # an I read as 1: right among letters
    probs[3, labels.index("Q")], probs[3, labels.index("B")] = 0.4, 0.1    # a B read as Q: wrong either way
    scores = scores_of(probs, ["0", "7", "I", "B"], labels)
    assert scores.accuracy == 0.25 and scores.merged_accuracy == 0.75
    assert scores.within_kind == {"digits": (1.0, 2), "letters": (0.5, 2)}


def test_reader_evaluation_writes_its_report_without_the_texts(tmp_path, capsys):
    from pyimagesearch.evaluation.reader import main
    report = tmp_path / "report.txt"
    assert main([os.path.join(REPO, "images"), "-m", SHIPPED_KERAS, "-o", str(report)]) == 0
    printed = capsys.readouterr().out
    lines = report.read_text().splitlines()
    assert lines[0].endswith(f"-o {report}") and lines[1].startswith("mode: ")
    assert "hello_world.png" in report.read_text() and "total all" in lines[-1]
    assert "'HELLO" in printed and "HELLO" not in report.read_text()


HEADER = "file\ttext\tstyle\n"


@pytest.mark.parametrize("content,expected", [
    pytest.param((HEADER + "a.png\tAB\tcaps\nb.png\tCD\n").encode(), "line 3", id="short-row"),
    pytest.param((HEADER + "a.png\n").encode(), "line 2", id="file-name-only"),
    pytest.param((HEADER + "a.png\tAB\tcaps\n\tCD\tcaps\n").encode(), "line 3", id="no-file-name"),
    pytest.param(HEADER.encode() + b"a.png\tAB\tcaps\nb.png\t\xff\xfeCD\tcaps\n", "line 3", id="not-utf8"),
    pytest.param("file\ttext\tstyle\n".encode("utf-16"), "line 1", id="utf16"),
    pytest.param((HEADER + "a.png\t" + "A" * 200_000 + "\tcaps\n").encode(), "line 2", id="huge-field"),
    pytest.param(HEADER.encode(), "no rows", id="header-only"),
    pytest.param(b"", "columns", id="empty"),
])
def test_bad_truth_files_are_one_line_errors_naming_the_line(tmp_path, content, expected):
    (tmp_path / "truth.tsv").write_bytes(content)
    with pytest.raises(InputError) as info:
        read_truth(str(tmp_path))
    message = str(info.value)
    assert "\n" not in message and "truth.tsv" in message and expected in message, message


@need_shared
def test_line_crops_command_builds_a_folder_the_evaluation_reads(tmp_path):
    out = tmp_path / "crops"
    proc = run([PY, "-m", "pyimagesearch.evaluation.line_crops", out, "--count", "2"], cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = read_truth(str(out))
    assert [row["file"][:4] for row in rows] == ["font", "font", "page", "page"]
    assert all(row["text"].strip() and cv2.imread(str(out / row["file"])) is not None for row in rows)
    again = run([PY, "-m", "pyimagesearch.evaluation.line_crops", out, "--count", "2"], cwd=REPO)
    assert "exists" in assert_one_line_error(again)


def test_one_straight_stroke_finds_bars_not_letters():
    import numpy as np
    from pyimagesearch.evaluation.glyphs import one_straight_stroke
    glyphs = np.zeros((5, 28, 28), np.uint8)
    cv2.line(glyphs[0], (14, 4), (14, 23), 255, 2)                          # a bar: the stem of a T
    cv2.line(glyphs[1], (5, 22), (22, 6), 255, 2)                           # a slanted bar
    cv2.line(glyphs[2], (9, 4), (9, 23), 255, 2)
    cv2.line(glyphs[2], (9, 23), (19, 23), 255, 2)                          # an L
    cv2.ellipse(glyphs[3], (14, 14), (6, 10), 0, 0, 360, 255, 2)            # an O
    glyphs[4, 13:15, 13:15] = 255                                           # a dot: too little ink to say
    assert one_straight_stroke(glyphs).tolist() == [True, True, False, False, False]


def _prior_sweep():
    import importlib.util
    path = os.path.join(REPO, "tools", "prior_sweep.py")
    spec = importlib.util.spec_from_file_location("prior_sweep", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prior_sweep_adds_back_the_share_of_the_training_prior_it_is_given():
    import numpy as np
    with_prior = _prior_sweep().with_prior
    probs = np.array([[0.45, 0.55], [0.9, 0.1]])
    log_prior = np.log([0.8, 0.2])
    assert np.allclose(with_prior(probs, log_prior, 0.0), probs)
    moved = with_prior(probs, log_prior, 1.0)
    assert np.allclose(moved.sum(axis=1), 1.0) and moved.argmax(axis=1).tolist() == [0, 0]
    assert np.isclose(moved[0, 0] / moved[0, 1], 0.45 / 0.55 * 4)


def test_prior_sweep_rebuilds_the_training_split_class_shares_from_the_fixtures():
    import numpy as np
    from pyimagesearch.labels import TUTORIAL_LABELS
    from pyimagesearch.training.config import TrainConfig
    fixtures = os.path.join(REPO, "tests", "fixtures")
    config = TrainConfig(digits=[os.path.join(fixtures, "digits.npz")], az=os.path.join(fixtures, "letters.csv.gz"),
                         fonts="none")
    log_prior = _prior_sweep().training_log_prior(config)   # 20 glyphs of each digit, 7 of each letter
    assert log_prior.shape == (len(TUTORIAL_LABELS),) and np.isclose(log_prior.mean(), 0.0)
    digit_over_letter = np.exp(log_prior[:10]).mean() / np.exp(log_prior[10:]).mean()
    assert 20 / 7 * 0.85 < digit_over_letter < 20 / 7 * 1.15   # the validation tenth drawn from each class


def test_the_error_montage_shows_glyphs_read_wrong_and_is_never_written_over(tmp_path, capsys):
    import numpy as np
    from pyimagesearch.evaluation.glyphs import main
    with np.load(GLYPHS) as d:
        images, labels = d["images"], d["labels"]
    mislabelled = tmp_path / "mislabelled.npz"   # every digit labelled W: read among the letters, none is
    digits = np.array([label.isdigit() for label in labels])
    np.savez(mislabelled, images=images[digits], labels=np.array(["W"] * int(digits.sum())))
    montage = tmp_path / "errors.png"
    assert main([str(mislabelled), "-m", SHIPPED_KERAS, "--no-report", "--errors", str(montage)]) == 0
    picture = cv2.imread(str(montage))
    assert picture.shape == (72 * -(-int(digits.sum()) // 10), 720, 3)   # one 72-px tile a glyph, 10 a row
    assert f"{int(digits.sum())} of {int(digits.sum())} glyphs read wrong" in capsys.readouterr().out
    assert main([str(mislabelled), "-m", SHIPPED_KERAS, "--errors", str(montage)]) == 2
    assert "would overwrite" in capsys.readouterr().err


def test_prior_sweep_says_a_missing_model_in_one_line(tmp_path):
    proc = run([PY, os.path.join(REPO, "tools", "prior_sweep.py"), "-m", str(tmp_path / "none.keras"), "--fonts", "none"],
               cwd=REPO)
    assert "none.keras" in assert_one_line_error(proc)
