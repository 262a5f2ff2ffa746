"""Lines cut from generated pages (pyimagesearch.recognition.page_lines): the
straightened crops, the training source and the held-out report's command."""
import cv2
import numpy as np

from conftest import PY, REPO, assert_one_line_error, need_shared, run
from pyimagesearch.recognition.charset import Charset
from pyimagesearch.recognition.page_lines import MARGIN, PageLines, held_out_lines, straightened_crop


def test_a_turned_line_is_cut_out_straight():
    # a dark bar 200 x 40 px, turned 30 degrees on a light photo
    image = np.full((400, 400), 230, np.uint8)
    corners = np.float32([[100, 180], [300, 180], [300, 220], [100, 220]])
    turn = cv2.getRotationMatrix2D((200, 200), 30, 1.0)
    cv2.fillPoly(image, [np.round(cv2.transform(corners[None], turn)[0]).astype(np.int32)], 20)
    crop = straightened_crop(image, cv2.transform(corners[None], turn)[0])
    margin = int(round(MARGIN * 40))
    assert abs(crop.shape[1] - 200) <= 1 and abs(crop.shape[0] - (40 + 2 * margin)) <= 1
    assert crop[margin + 3:-margin - 3, 3:-3].max() < 100          # the bar fills the middle rows ...
    assert crop[:margin - 2].min() > 150 and crop[-margin + 2:].min() > 150   # ... and only those


@need_shared
def test_page_lines_are_grey_crops_with_their_charset_texts():
    rng, charset = np.random.default_rng(3), Charset()
    lines = PageLines("train")
    for _ in range(20):
        crop, text = lines.make(rng)
        assert crop.dtype == np.uint8 and crop.ndim == 2 and min(crop.shape) >= 8
        assert text and charset.normalize(text) == text


@need_shared
def test_the_held_out_lines_are_the_same_for_a_seed():
    first, again = held_out_lines(5, seed=1), held_out_lines(5, seed=1)
    assert [t for _, t in first] == [t for _, t in again]
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(first, again))


def test_report_of_a_missing_model_is_one_line(tmp_path):
    proc = run([PY, "-m", "pyimagesearch.recognition.page_lines", "-m", str(tmp_path / "none.keras")], cwd=REPO)
    assert "none.keras: no such model file" in assert_one_line_error(proc)
