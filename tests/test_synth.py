"""The page generator (pyimagesearch.synth): seeded pages whose truth matches the pixels.

Most tests write with the system's DejaVu as the only 'hand' so they run without
../shared; the ones that need the UniPen strokes and handwriting fonts skip without it."""
import os
from dataclasses import replace

import cv2
import numpy as np
import pytest

from conftest import PY, REPO, SHARED, assert_one_line_error, env_without_shared, need_shared, run, run_python
from pyimagesearch.errors import InputError
from pyimagesearch.recognition.corpus import Corpus
from pyimagesearch.synth import forms
from pyimagesearch.synth.capitals import CapitalWriters
from pyimagesearch.synth.fonts import HELD_OUT, FontSpec, font_table, render_line
from pyimagesearch.synth.pages import PageSettings, Sources, make_page
from pyimagesearch.synth.handwriting import choose_hand
from pyimagesearch.synth.paper import PAPER_KINDS, make_sheet
from pyimagesearch.synth.text import FONT_CHARS, KINDS, TextSource
from pyimagesearch.synth.writing import write


def dejavu():
    try:
        return [f for f in forms.dejavu_files() if f.endswith("DejaVuSans.ttf")][0]
    except (InputError, IndexError):
        pytest.skip("DejaVu fonts not installed")


@pytest.fixture(scope="module")
def plain_sources():
    """Sources without ../shared: DejaVu Sans stands in for a handwriting font, text is generated."""
    return Sources(fonts=[FontSpec(dejavu())], writers=None, text=TextSource(None))


def only(kind, **changes):
    """Settings for pages of one kind, always written on and seen from close by."""
    weights = tuple(1.0 if k == kind else 0.0 for k in PAPER_KINDS)
    return replace(PageSettings(), kind_weights=weights, empty_share=0.0, far_share=0.0, **changes)


def ink_outside_lines(page, pad=3):
    """Fraction of the handwriting mask's ink that lies outside every line's outline."""
    inside = np.zeros(page.hand_mask.shape, np.uint8)
    for line in page.lines:
        cv2.fillPoly(inside, [np.round(line.polygon).astype(np.int32)], 1)
    inside = cv2.dilate(inside, np.ones((2 * pad + 1, 2 * pad + 1), np.uint8))
    ink = page.hand_mask > 128
    return float(np.sum(ink & (inside == 0))) / max(1, int(np.sum(ink)))


def test_text_kinds_stay_in_the_font_characters():
    source, rng = TextSource(None), np.random.default_rng(3)
    for kind in KINDS:
        for caps in (False, True):
            line = source.line(rng, kind, 30, caps)
            assert line and set(line) <= FONT_CHARS, (kind, line)
            assert not caps or line == line.upper()


def test_font_table_holds_out_a_fixed_group(tmp_path):
    rows = [("handlee.ttf", "yes"), ("caveat.ttf", "yes"), ("permanent-marker.ttf", "no (draws a-z as capitals)"),
            ("ecolier-lignes-court.ttf", "yes"), ("caveat.ttf", "yes")]
    lines = ["file\tfamily\tstyle\tlowercase"] + [f"files/{f}\tx\tprint\t{low}" for f, low in rows]
    (tmp_path / "fonts.tsv").write_text("\n".join(lines) + "\n")
    train, test = font_table(str(tmp_path), "train"), font_table(str(tmp_path), "test")
    assert [os.path.basename(s.path) for s in train] == ["caveat.ttf", "permanent-marker.ttf"]
    assert [os.path.basename(s.path) for s in test] == ["handlee.ttf"]
    assert [s.caps_only for s in train] == [False, True]


def test_no_two_copies_of_a_letter_are_identical():
    line = render_line(FontSpec(dejavu()), "oooo", 20.0, np.random.default_rng(0), pitch=30.0)
    start = int(round(line.start))
    boxes = [line.ink[:, start + 30 * k:start + 30 * (k + 1)] for k in range(4)]
    assert all(b.max() > 0.5 for b in boxes)
    for a in range(4):
        for b in range(a + 1, 4):
            assert np.abs(boxes[a] - boxes[b]).max() > 0.2


def test_letter_gap_spreads_the_letters():
    tight, spread = (render_line(FontSpec(dejavu()), "HELLO", 20.0, np.random.default_rng(0), gap=gap)
                     for gap in (0.0, 15.0))
    width = lambda line: np.ptp(np.flatnonzero(line.ink.max(axis=0) > 0.2))   # noqa: E731
    assert width(spread) - width(tight) == pytest.approx(4 * 15.0, abs=12)


def test_digit_lines_are_digits():
    source, rng = TextSource(None), np.random.default_rng(5)
    for _ in range(20):
        line = source.line(rng, "digits", 30)
        assert line.replace(" ", "").isdigit() and 3 <= len(line.replace(" ", "")) <= 12


def test_cards_hold_few_large_lines_filling_the_frame(plain_sources):
    card_share, ruled_share = [], []
    for seed in range(12):
        for kind, shares in (("card", card_share), ("ruled", ruled_share)):
            settings = only(kind, turn_share=0.0, crop_share=0.0, large_side=(500, 700))
            page = make_page(seed, settings, plain_sources)
            shares += [line.box[3] / page.image.shape[0] for line in page.lines if line.complete]
            if kind == "card":
                assert len(page.lines) <= 4
    assert np.median(card_share) > 3 * np.median(ruled_share)
    assert np.median(card_share) > 0.08


def test_same_seed_same_page(plain_sources):
    a, b = (make_page(7, PageSettings(), plain_sources) for _ in range(2))
    c = make_page(8, PageSettings(), plain_sources)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.hand_mask, b.hand_mask)
    assert a.text == b.text and a.turn == b.turn
    assert not (a.image.shape == c.image.shape and np.array_equal(a.image, c.image))


@pytest.mark.parametrize("kind", PAPER_KINDS)
def test_every_paper_kind_has_writing_inside_its_lines(plain_sources, kind):
    page = make_page(11, only(kind, turn_share=0.0, crop_share=0.0), plain_sources)
    assert page.kind == kind and page.image.dtype == np.uint8 and page.image.ndim == 3
    assert page.image.shape[:2] == page.hand_mask.shape == page.print_mask.shape
    assert page.lines and np.sum(page.hand_mask > 128) > 50
    assert ink_outside_lines(page) < 0.02
    h, w = page.hand_mask.shape
    for line in page.lines:
        x, y, bw, bh = line.box
        assert not line.complete or (x >= -1 and y >= -1 and x + bw <= w + 1 and y + bh <= h + 1)


def test_many_seeds_and_sizes_make_consistent_pages(plain_sources):
    settings = replace(PageSettings(), crop_share=0.4, large_share=0.05, large_side=(1500, 1600), occlude_share=0.3)
    for seed in range(40):
        page = make_page(seed, settings, plain_sources)
        assert page.image.shape[:2] == page.hand_mask.shape
        assert ink_outside_lines(page) < 0.02, seed
        assert all(line.text.strip() for line in page.lines)


def test_empty_pages_have_no_handwriting_truth(plain_sources):
    for seed in range(5):
        page = make_page(seed, replace(PageSettings(), empty_share=1.0), plain_sources)
        assert page.lines == [] and page.text == "" and not page.hand_mask.any()
        assert page.image.std() > 1   # still a photo of something


def test_forms_have_printed_labels_apart_from_the_handwriting(plain_sources):
    page = make_page(5, only("form"), plain_sources)
    printed, hand = page.print_mask > 128, page.hand_mask > 128
    assert printed.sum() > 200 and hand.sum() > 200
    assert page.printed_text and all(t.strip() for t in page.printed_text)
    assert (printed & hand).sum() < 0.05 * printed.sum()


def test_a_tables_truth_is_read_row_by_row(plain_sources):
    # its cells are written column by column: no line of the truth starts back up the table
    for seed in range(4):
        rng = np.random.default_rng(seed)
        sheet = make_sheet(rng, "table", (900, 700), 40.0, 14, plain_sources.text)
        _, lines = write(rng, sheet, choose_hand(rng, plain_sources.fonts, None, 0.0), plain_sources.text)
        centres = np.array([line.polygon.mean(axis=0) for line in lines])
        assert len(lines) >= 4 and np.ptp(centres[:, 0]) > 100, seed
        assert np.all(np.diff(centres[:, 1]) > -20), seed


def test_turn_is_the_rotation_back_to_upright(plain_sources):
    for seed in range(6):
        upright = make_page(seed, replace(PageSettings(), turn_share=0.0), plain_sources)
        turned = make_page(seed, replace(PageSettings(), turn_share=1.0), plain_sources)
        assert upright.turn == 0 and turned.turn in (1, 2, 3)
        assert np.array_equal(np.rot90(turned.image, -turned.turn), upright.image)
        assert np.array_equal(np.rot90(turned.hand_mask, -turned.turn), upright.hand_mask)
        assert ink_outside_lines(turned) == pytest.approx(ink_outside_lines(upright), abs=0.01)


def test_sizes_from_crops_to_large_photos(plain_sources):
    crop = make_page(1, replace(PageSettings(), crop_share=1.0, turn_share=0.0), plain_sources)
    assert 150 <= max(crop.image.shape[:2]) <= 400
    large = make_page(1, replace(PageSettings(), crop_share=0.0, large_share=1.0, large_side=(2000, 2200)),
                      plain_sources)
    assert max(large.image.shape[:2]) >= 2000
    assert (large.hand_mask > 128).mean() < 0.05   # the writing is a small part of the frame


def test_writing_seen_from_afar_stays_legible(plain_sources):
    """Sheets seen from afar are taken with more pixels, so that no line of writing
    is a few pixels tall; without the floor they would be."""
    def line_heights(kind, min_spacing):
        settings = replace(only(kind, turn_share=0.0), far_share=1.0, min_spacing=min_spacing)
        pages = [make_page(seed, settings, plain_sources) for seed in range(6)]
        assert all(max(page.image.shape[:2]) <= settings.large_side[1] for page in pages)
        return [line.box[3] for page in pages for line in page.lines]

    for kind in ("plain", "sticky"):
        assert min(line_heights(kind, 28.0)) >= 0.3 * 28.0, kind
        assert min(line_heights(kind, 0.0)) < 0.3 * 28.0, kind


def test_missing_dejavu_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(forms, "FONT_DIRS", (str(tmp_path),))
    forms.dejavu_files.cache_clear()
    try:
        with pytest.raises(InputError, match="fonts-dejavu-core"):
            forms.dejavu_files()
    finally:
        forms.dejavu_files.cache_clear()


def test_the_shared_data_defaults_are_the_same_from_any_working_folder(tmp_path):
    code = ("from pyimagesearch.recognition.corpus import DEFAULT_DATA\n"
            "from pyimagesearch.synth.pages import PageSettings\n"
            "s = PageSettings()\n"
            "print(DEFAULT_DATA, s.data_dir, s.unipen_dir, s.fonts_dir, s.text_dir, sep='\\n')")
    expected = [os.path.join(SHARED, *folder) for folder in
                (("data", "lines"), ("data", "lines"), ("data", "unipen"), ("fonts",), ("text",))]
    for cwd in (REPO, tmp_path):
        proc = run_python(code, cwd=cwd, timeout=60)
        assert proc.stdout.splitlines() == expected, proc.stderr


def test_contact_sheet_without_shared_is_one_line_error(tmp_path):
    proc = run([PY, "-m", "pyimagesearch.synth.contact_sheet", "-o", str(tmp_path / "pages.png")], cwd=tmp_path,
               env=env_without_shared(tmp_path))
    assert "missing" in assert_one_line_error(proc)
    assert not (tmp_path / "pages.png").exists()


def test_contact_sheet_wants_a_png_in_a_folder_that_exists(tmp_path):
    proc = run([PY, "-m", "pyimagesearch.synth.contact_sheet", "-o", str(tmp_path / "pages.jpg")], cwd=REPO)
    assert ".png" in assert_one_line_error(proc)
    proc = run([PY, "-m", "pyimagesearch.synth.contact_sheet", "-o", str(tmp_path / "no" / "pages.png")], cwd=REPO)
    assert "does not exist" in assert_one_line_error(proc)
    assert "[INFO]" not in proc.stdout   # refused before any page was made


@need_shared
def test_test_pages_use_only_held_out_fonts_and_test_writers():
    sources = Sources.load(PageSettings(split="test"))
    assert sources.fonts and all(os.path.basename(f.path) in HELD_OUT for f in sources.fonts)
    writers = set(sources.writers.writers)
    corpus = Corpus(os.path.join(SHARED, "data", "lines"), with_strokes=False, with_pixels=False)
    used = sources.writers.items()
    assert len(used) > 1000 and corpus.test[used].all()
    train = Sources.load(PageSettings(split="train"))
    assert not writers & set(train.writers.writers)
    assert not {f.path for f in sources.fonts} & {f.path for f in train.fonts}


@need_shared
def test_unipen_capitals_keep_the_writer_split_and_write_what_they_say():
    unipen = os.path.join(SHARED, "data", "unipen")
    train, test = CapitalWriters(unipen, "train"), CapitalWriters(unipen, "test")
    assert len(train) > 50 and len(test) > 10 and not set(train.writers) & set(test.writers)
    rng = np.random.default_rng(2)
    writer = test.writers[0]
    line = test.line(rng, writer, "Call 555-0199 now", 40.0, 3.0, 0.0, 10.0)
    assert line.text == " ".join("".join(c for c in w if c in test.samples[writer])
                                 for w in ["CALL", "555", "0199", "NOW"]).strip()
    rows = np.flatnonzero(line.ink.max(axis=1) > 0.3)
    assert 36 <= np.ptp(rows) <= 70   # capitals about 40 px tall (descending strokes and jitter allowed)
    assert abs(line.baseline - rows[-1]) < 12


@need_shared
def test_contact_sheet_command(tmp_path):
    out = tmp_path / "pages.png"
    proc = run([PY, "-m", "pyimagesearch.synth.contact_sheet", "-o", str(out), "--count", "2", "--split", "test"],
               cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sheet = cv2.imread(str(out))
    assert sheet is not None and sheet.shape[0] > 300


def test_kind_weights_must_match_the_paper_kinds(plain_sources):
    with pytest.raises(ValueError, match="kind_weights"):
        make_page(0, replace(PageSettings(), kind_weights=(1.0, 2.0)), plain_sources)


def _unipen_folder(folder, samples):
    """A UniPen folder of one training writer's single characters: ``samples`` is
    [(label, [stroke points])], each stroke an (n, 2) list of tablet units."""
    strokes = [np.asarray(s, np.int16) for _, sample in samples for s in sample]
    np.savez(os.path.join(folder, "unipen_train_r01_v07_strokes.npz"),
             points_xy=np.concatenate(strokes), stroke_lengths=np.array([len(s) for s in strokes]),
             strokes_per_sample=np.array([len(sample) for _, sample in samples]),
             labels=np.array([label for label, _ in samples]), category=np.array(["1b"] * len(samples)),
             writer=np.array(["w/1"] * len(samples)))
    np.savez(os.path.join(folder, "unipen_train_r01_v07_28x28.npz"), writer_split_test=np.zeros(len(samples), bool))


def test_flat_capitals_are_left_out_and_lines_stay_their_size(tmp_path):
    upright = [[[0, 0], [0, 400]], [[-100, 0], [100, 0]]]        # a T, 400 units tall
    letters = [(chr(ord("A") + k), upright) for k in range(26)] + [(str(k), upright) for k in range(4)]
    flat = [[[0, 300], [2000, 300]]]                              # a stroke with no height, labelled A
    _unipen_folder(str(tmp_path), letters + [("A", flat)])
    writers = CapitalWriters(str(tmp_path), "train")
    assert writers.samples["w/1"]["A"] == [0]                     # the flat A is not among the A's
    line = writers.line(np.random.default_rng(0), "w/1", "AAAA", cap=20.0, pen=2.0, slant=0.0, gap=4.0)
    assert line.ink.shape[1] < 400                                # four letters 20 px tall, not a runaway width
    assert line.ink.max() > 0.5


@need_shared
def test_a_unipen_item_written_as_rows_is_not_placed_as_one_line():
    # page 460255570 of the test split once held a column of dates ("3/7", "6/4", "1/11", "12/5") as one line
    from pyimagesearch.recognition.page_lines import straightened_crop
    page = make_page(460255570, PageSettings(split="test"))
    long_lines = [line for line in page.lines if line.complete and len(line.text) >= 6]
    assert long_lines
    for line in long_lines:
        crop = straightened_crop(page.image, line.polygon)
        assert crop.shape[1] > crop.shape[0], line.text
