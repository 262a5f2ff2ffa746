"""The whole reader on held-out generated pages, per paper kind: how well it reads
the handwriting, and how much of the printed text it reads as text.

    python -m pyimagesearch.evaluation.pages [--per-kind 16] [--seed 0] [-o reports/reader_pages.txt]
                                             [--detector learned|classic]

The pages come from the page generator's test split (UniPen test writers, held-out
fonts, other settings at their defaults; it needs ../shared), ``--per-kind`` of each
paper kind, their seeds from the held-out range that ``detector_data.ShardPlan``
gives the test split, which never meets a training page's.

CER: as evaluation/reader.py scores a 'mixed' photo (whitespace removed, case
ignored), edit distances summed over the pages over their truths' lengths summed;
the truth is every handwritten line, those partly out of the frame or hidden too.
Pages with no handwriting count for the printed share only. Unread: the share of the
handwriting's characters that the reading lacks, order ignored (what was missed, not
misread: characters read wrongly in place count as missing too, each once).

Printed share: of the characters of the printed words (labels, titles, typed
lines; a word is a whitespace-separated token's letters and digits, 2 or more, case
ignored), the share whose word comes out among the words read more often than the
handwriting itself has it.
"""
import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass

from ..errors import InputError, cli_main
from .reader import comparable, score_page

MAX_PER_KIND = 10_000   # keeps every seed inside the test split's range


@dataclass(frozen=True)
class HeldOutPages:
    """Which held-out pages are read: ``per_kind`` of each paper kind, picked by ``seed``."""
    per_kind: int = 16
    seed: int = 0


def words(text: str) -> Counter:
    """The words of ``text``, counted: each token's letters and digits, case folded, 2 or more of them."""
    found = ("".join(c for c in token if c.isalnum()).casefold() for token in text.split())
    return Counter(word for word in found if len(word) >= 2)


def printed_out(printed: list, truth: str, read: str) -> tuple:
    """(characters of printed words that come out in ``read``, characters of all
    printed words): a word comes out as often as ``read`` has it beyond the
    handwritten ``truth``."""
    printed_words = words("\n".join(printed))
    spare = words(read) - words(truth)
    return _characters(printed_words & spare), _characters(printed_words)


def _characters(counted: Counter) -> int:
    return sum(len(word) * n for word, n in counted.items())


@dataclass
class KindScores:
    """What the pages of one paper kind (or all) add up to."""
    pages: int = 0
    written: int = 0         # pages with handwriting
    length: int = 0          # handwriting truth characters, as scored
    errors: int = 0
    unread: int = 0          # handwriting truth characters missing from the reading, order ignored
    printed: int = 0         # printed words' characters
    printed_out: int = 0     # ... of them read as text

    def add(self, page, read: str) -> None:
        """Add one GeneratedPage and the text read from it."""
        self.pages += 1
        if page.text.strip():
            scores = score_page(page.text, read, "mixed")
            self.written += 1
            self.length += scores["length"]
            self.errors += scores["errors"]
            self.unread += unread_characters(page.text, read)
        out, printed = printed_out(page.printed_text, page.text, read)
        self.printed_out += out
        self.printed += printed

    def merge(self, other: "KindScores") -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def cer(self):
        return self.errors / self.length if self.length else None

    @property
    def unread_share(self):
        return self.unread / self.length if self.length else None

    @property
    def printed_share(self):
        return self.printed_out / self.printed if self.printed else None


def unread_characters(truth: str, read: str) -> int:
    """How many of ``truth``'s characters (as scored) ``read`` lacks, order ignored."""
    return sum((Counter(comparable(truth, "mixed")) - Counter(comparable(read, "mixed"))).values())


def held_out_seeds(pages: HeldOutPages, settings) -> dict:
    """{paper kind: its pages' seeds}: the test split's seeds of ``pages.seed``, ``pages.per_kind`` to a kind."""
    from ..detection.detector_data import ShardPlan
    from ..synth import PAPER_KINDS
    plan = ShardPlan("test", pages.per_kind * len(PAPER_KINDS), pages.per_kind, pages.seed, settings)
    return {kind: plan.seeds(k) for k, kind in enumerate(PAPER_KINDS)}


def score_kinds(read, pages: HeldOutPages, settings, log=print) -> dict:
    """{paper kind: KindScores} of ``read(image) -> text`` on the held-out
    ``pages`` made with ``settings``; ``log`` gets the progress after each kind."""
    from ..synth import make_page
    seeds = held_out_seeds(pages, settings)
    total = sum(len(s) for s in seeds.values())
    results, done, start = {}, 0, time.perf_counter()
    for kind, kind_seeds in seeds.items():
        results[kind] = scores = KindScores()
        kind_settings = settings.only(kind)
        for page_seed in kind_seeds:
            page = make_page(page_seed, kind_settings)
            scores.add(page, read(page.image))
        done += len(kind_seeds)
        left = (time.perf_counter() - start) / done * (total - done)
        log(f"[INFO] {kind}: {done}/{total} pages done, ~{left:.0f} s left")
    return results


def format_table(results: dict) -> str:
    """Per paper kind and in all: pages, pages with handwriting, CER, the share of the handwriting unread,
    printed characters and their share read."""
    every = KindScores()
    for scores in results.values():
        every.merge(scores)
    out = [f"{'paper':<11}{'pages':>6}{'written':>8}{'CER':>7}{'unread':>8}{'printed':>9}{'read':>7}"]
    for kind, s in list(results.items()) + [("all", every)]:
        out.append(f"{kind:<11}{s.pages:>6}{s.written:>8}{_share(s.cer):>7}{_share(s.unread_share):>8}{s.printed:>9}"
                   f"{_share(s.printed_share):>7}")
    return "\n".join(out)


def _share(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def describe(pages: HeldOutPages, detector: str, mode: str) -> str:
    """How the pages were made and read, and what the columns mean."""
    return (f"{pages.per_kind} held-out generated pages per paper kind: the page generator's test split (UniPen test "
            f"writers, held-out fonts, other PageSettings at their defaults), seeds from the test range of --seed "
            f"{pages.seed} (detector_data.ShardPlan); read by the reader with its defaults (mode {mode}, detector "
            f"{detector}).\nCER: whitespace removed, case ignored, over the pages with handwriting (written). "
            f"unread: the share of the handwriting's characters the reading lacks, order ignored. printed: "
            f"characters of the printed words (2+ letters or digits); read: the share of them whose word comes out "
            f"among the words read (beyond the handwriting's own).")


def check_flags(pages: HeldOutPages) -> None:
    if not 1 <= pages.per_kind <= MAX_PER_KIND:
        raise InputError(f"--per-kind {pages.per_kind}: must be from 1 to {MAX_PER_KIND}")
    if pages.seed < 0:
        raise InputError(f"--seed {pages.seed}: must be 0 or more")


@cli_main
def main(argv=None):
    from ..reader.loading import load_reader
    from ..reader.options import ReaderOptions, add_detector_arguments
    from ..synth import PageSettings, sources_for
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = HeldOutPages()
    parser.add_argument("--per-kind", type=int, default=defaults.per_kind,
                        help="pages of each paper kind (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults.seed,
                        help="picks the held-out pages; never a training page's (default: %(default)s)")
    parser.add_argument("-m", "--model", default=ReaderOptions.model, help="the classifier (default: the shipped one)")
    parser.add_argument("--line-model", default=None,
                        help="the line recognizer (default: the shipped line_model.keras)")
    add_detector_arguments(parser)
    parser.add_argument("-o", "--report", help="also write the table to this file (default: none)")
    args = parser.parse_args(argv)
    pages = HeldOutPages(args.per_kind, args.seed)
    check_flags(pages)
    settings = PageSettings(split="test")
    sources_for(settings)   # ../shared missing: one line before any model loads
    reader = load_reader(ReaderOptions(model=args.model, line_model=args.line_model, detector=args.detector,
                                       detector_model=args.detector_model))
    print(f"[INFO] reading {pages.per_kind} held-out pages of each paper kind (mode {reader.mode}, "
          f"detector {args.detector})...", file=sys.stderr)
    results = score_kinds(lambda image: reader.read(image).text, pages, settings,
                          lambda line: print(line, file=sys.stderr))
    table = format_table(results)
    print(table)
    if args.report:
        from ..io.atomic import write_text
        command = "python -m pyimagesearch.evaluation.pages " + " ".join(sys.argv[1:] if argv is None else argv)
        write_text(args.report, f"{command}\n{describe(pages, args.detector, reader.mode)}"
                                f"\n\n{table}\n")
        print(f"[INFO] report written to {args.report}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
