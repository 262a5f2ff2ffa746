"""The reader's score on held-out generated pages (pyimagesearch.evaluation.pages):
its scoring on hand-made pages, its seeds, its one-line errors and one tiny real run."""
from types import SimpleNamespace

import pytest

from conftest import PY, REPO, assert_one_line_error, env_without_shared, need_shared, run
from pyimagesearch.detection.detector_data import ShardPlan
from pyimagesearch.evaluation import pages
from pyimagesearch.evaluation.pages import HeldOutPages, KindScores, format_table, held_out_seeds, printed_out
from pyimagesearch.synth import PAPER_KINDS, PageSettings, make_page


def page(text, printed=()):
    return SimpleNamespace(text=text, printed_text=list(printed))


def test_a_page_read_exactly_scores_cer_0_whatever_its_spacing_and_case():
    scores = KindScores()
    truth = "Meet me at 5\nBring the MAP"
    scores.add(page(truth), "meet me  at 5\nbring theMAP")
    assert (scores.pages, scores.written, scores.errors) == (1, 1, 0)
    assert scores.length == len("MEETMEAT5BRINGTHEMAP") and scores.cer == 0.0


def test_cer_sums_edit_distances_over_truth_lengths():
    scores = KindScores()
    scores.add(page("abcd"), "abxd")       # one error in 4
    scores.add(page("efghijkl"), "efghijk")  # one in 8
    assert scores.cer == pytest.approx(2 / 12)


def test_unread_counts_the_handwriting_missing_from_the_reading_whatever_its_order():
    scores = KindScores()
    scores.add(page("abc def"), "DEF ABC")     # all read, out of order
    scores.add(page("ghij"), "gxi")            # h and j missing (x read in h's place)
    assert (scores.unread, scores.length) == (2, 10) and scores.unread_share == pytest.approx(0.2)
    assert format_table({"plain": scores}).splitlines()[1].split()[4] == "0.200"


def test_a_printed_word_that_comes_out_counts_its_characters():
    out, printed = printed_out(["Delivery Note", "Date:"], "hello there", "DATE 12/05 delivery hello")
    assert printed == len("Delivery") + len("Note") + len("Date")
    assert out == len("Delivery") + len("Date")


def test_punctuation_only_and_one_character_tokens_are_not_printed_words():
    assert printed_out(["-- : / Name: No. 1 #"], "", "-- : / Name No 1 #") == (6, 6)
    assert printed_out(["-- : / ..."], "", "-- : /") == (0, 0)


def test_a_printed_word_the_handwriting_also_has_comes_out_only_beyond_it():
    assert printed_out(["Name"], "name John", "Name John") == (0, 4)
    assert printed_out(["Name"], "name John", "Name Name John") == (4, 4)


def test_a_page_without_handwriting_counts_for_the_printed_share_only():
    scores = KindScores()
    scores.add(page("", ["Total", "Price"]), "TOTAL 3")
    assert (scores.pages, scores.written, scores.length, scores.errors) == (1, 0, 0, 0)
    assert scores.cer is None and scores.printed_share == 0.5
    table = format_table({"table": scores})
    assert table.splitlines()[-1].split() == ["all", "1", "0", "-", "-", "10", "0.500"]


def test_held_out_seeds_are_the_test_splits_and_never_a_training_pages():
    settings = PageSettings(split="test")
    for seed in (0, 42):
        seeds = held_out_seeds(HeldOutPages(per_kind=5, seed=seed), settings)
        assert list(seeds) == list(PAPER_KINDS) and all(len(s) == 5 for s in seeds.values())
        every = [s for kind_seeds in seeds.values() for s in kind_seeds]
        assert len(set(every)) == len(every)
        for training_seed in (0, 42):
            plan = ShardPlan("train", 20_000, 20_000, training_seed, PageSettings())
            assert not set(every) & set(plan.seeds(0))


def test_settings_for_one_paper_kind_refuse_an_unknown_kind():
    assert PageSettings().only("card").kind_weights == tuple(float(k == "card") for k in PAPER_KINDS)
    with pytest.raises(ValueError, match="napkin"):
        PageSettings().only("napkin")


def test_without_shared_the_command_says_so_in_one_line(tmp_path):
    # the generator's data lives in ../shared beside the checkout
    proc = run([PY, "-m", "pyimagesearch.evaluation.pages", "--per-kind", "1"], cwd=tmp_path,
               env=env_without_shared(tmp_path))
    assert "fonts.tsv: missing" in assert_one_line_error(proc)


@pytest.mark.parametrize("flags, message", [(["--per-kind", "0"], "--per-kind 0"),
                                            (["--seed", "-1"], "--seed -1")])
def test_bad_flags_are_one_line_errors(capsys, flags, message):
    assert pages.main(flags) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("[ERROR]") and message in err and "\n" not in err


@need_shared
def test_each_kinds_pages_are_of_that_kind():
    settings = PageSettings(split="test")
    for kind, seeds in held_out_seeds(HeldOutPages(per_kind=1), settings).items():
        assert make_page(seeds[0], settings.only(kind)).kind == kind


@need_shared
def test_a_tiny_real_run_scores_every_kind_and_writes_its_report(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    report = tmp_path / "reader_pages.txt"
    assert pages.main(["--per-kind", "1", "-o", str(report)]) == 0
    out, err = capsys.readouterr()
    rows = out.strip().splitlines()
    assert [row.split()[0] for row in rows[1:]] == [*PAPER_KINDS, "all"]
    assert [row.split()[1] for row in rows[1:]] == ["1"] * len(PAPER_KINDS) + [str(len(PAPER_KINDS))]
    assert f"{len(PAPER_KINDS)}/{len(PAPER_KINDS)} pages done" in err
    text = report.read_text()
    assert text.startswith("python -m pyimagesearch.evaluation.pages --per-kind 1 -o ")
    assert text.rstrip().endswith(out.strip())


@need_shared
def test_a_classifier_that_is_not_there_is_a_one_line_error(tmp_path, capsys):
    assert pages.main(["--per-kind", "1", "-m", str(tmp_path / "mine.keras")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("[ERROR]") and "mine.keras" in err and "\n" not in err
