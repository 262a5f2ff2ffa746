"""CER and WER of a line model on the UniPen test writers (lines and words).

    python -m pyimagesearch.recognition.evaluate -m line_model.keras [--beam 10] [--no-lm] [--source strokes]
                                                 [-o line_report.txt]

Decoding is the recognizer's own: with the language model beside the model file
(``line_model.lm.npz``) a beam search that uses it, else greedy; ``--beam 0``
forces greedy decoding, ``--no-lm`` drops the language model.

Each test item is read from its shipped 32-px image, or with ``--source
strokes`` from its pen strokes rendered 4 times as high (``STROKE_SCALE``), the
way a photo's line crop is bigger than the model's input: there a densely
written line keeps the detail that widening it (``preprocess.dense_stretch``)
needs, which the 32-px images have lost.

Test items: ``writer_split_test`` (persons the training never saw), ``BAD``
quality dropped, nothing else: characters the model cannot write count as
errors. Many test texts also occur in training (the writers copied the same
prompts), so every score is also given on the **unseen-text** subset (texts
that no training item of the same file has).

CER = total Levenshtein distance / total truth characters (case and spaces
count); WER = the same over whitespace-separated words; "exact" = the share of
items read exactly right.
"""
import sys
import time

import numpy as np

from ..errors import cli_main
from ..metrics import levenshtein, score
from ..io.atomic import write_text
from .cli import line_model_parser, parse_line_model_args
from .config import LineTrainConfig
from .corpus import DEFAULT_DATA, KIND_NAMES, LINE, Corpus
from .data import person_split
from .preprocess import HEIGHT
from .recognizer import LineRecognizer


def test_sets(corpus, charset, limit=0, seed=0):
    """kind -> (indices, truth texts, unseen-text mask), from the test writers."""
    sets = {}
    clean = [charset.clean(t) for t in corpus.text]
    for kind in KIND_NAMES:
        seen = {clean[i] for i in np.flatnonzero((corpus.kind == kind) & ~corpus.test)}
        items = np.flatnonzero((corpus.kind == kind) & corpus.test & (corpus.quality != "BAD"))
        if limit and limit < len(items):
            items = np.sort(np.random.default_rng(seed).choice(items, size=limit, replace=False))
        truth = [clean[i] for i in items]
        sets[kind] = (items, truth, np.array([t not in seen for t in truth], dtype=bool))
    return sets


STROKE_SCALE = 4   # --source strokes: 128-px renders
SOURCE_NAMES = {"raster": f"shipped {HEIGHT}-px images", "strokes": f"strokes rendered {STROKE_SCALE * HEIGHT} px high"}


def image_source(corpus, source):
    """item index -> the grey image the test reads (see ``SOURCE_NAMES``)."""
    if source == "strokes":
        return lambda i: corpus.rendered_image(i, STROKE_SCALE)
    return corpus.image


def evaluate(recognizer, corpus, limit=0, beam_width=None, progress=True, source="raster"):
    """{kind name: {"all": scores, "unseen": scores}} and the predictions."""
    image_of = image_source(corpus, source)
    results, predictions = {}, {}
    for kind, (items, truth, unseen) in test_sets(corpus, recognizer.charset, limit).items():
        name = KIND_NAMES[kind]
        start = time.time()
        posteriors = recognizer.posteriors([image_of(i) for i in items])
        predicted = [recognizer.decode(p, beam_width).text for p, _ in posteriors]
        if progress:
            print(f"[INFO] {name}: read {len(items)} test items in {time.time() - start:.0f} s")
        truth_unseen = [t for t, u in zip(truth, unseen) if u]
        pred_unseen = [p for p, u in zip(predicted, unseen) if u]
        results[name] = {"all": score(truth, predicted), "unseen": score(truth_unseen, pred_unseen)}
        predictions[name] = list(zip(items.tolist(), truth, predicted))
    return results, predictions


def hardest_writers(corpus, predictions, count=5):
    """Printable lines: the writers of the most character errors in ``predictions``
    (index, truth, read), with their share of all the truth characters, their CER
    and their median line width per character (dense writing reads worst), then
    all the other writers together."""
    by_writer = {}
    for i, truth, read in predictions:
        stats = by_writer.setdefault(str(corpus.writer[i]), [0, 0, 0, []])
        stats[0] += 1
        stats[1] += len(truth)
        stats[2] += levenshtein(read, truth)
        stats[3].append(corpus.width[i] / max(len(truth), 1))
    total = sum(s[1] for s in by_writer.values())
    ranked = sorted(by_writer.items(), key=lambda kv: -kv[1][2])
    if len(ranked) > count:
        items, chars, errors, densities = zip(*(stats for _, stats in ranked[count:]))
        others = [sum(items), sum(chars), sum(errors), [d for ds in densities for d in ds]]
        ranked = ranked[:count] + [(f"({len(items)} others)", others)]
    lines = [f"{'writer':<22}{'items':>7}{'chars':>8}{'share':>8}{'CER':>9}{'px/char':>9}"]
    for writer, (items, chars, errors, density) in ranked:
        lines.append(f"{writer:<22}{items:>7}{chars:>8}{100 * chars / max(total, 1):>7.1f}%"
                     f"{100 * errors / max(chars, 1):>8.2f}%{np.median(density):>9.1f}")
    return lines


def density_check(recognizer, corpus, scales=(1.0, 0.5, 0.35)):
    """Greedy CER of the validation persons' lines (as a training run with the
    default settings holds them out) re-rendered from their strokes at each x
    ``scales``: 1.0 as written, below 1 denser. Checks a change for densely
    written lines without looking at the test writers. Returns printable lines."""
    from .strokes import render_crop
    _, held_out, texts, _ = person_split(corpus, recognizer.charset, LineTrainConfig())
    lines = [i for i in held_out if corpus.kind[i] == LINE and corpus.has_strokes(i)]
    truth = [texts[i] for i in lines]
    out = [f"validation persons' lines ({len(lines)}), re-rendered from strokes {STROKE_SCALE} times as high "
           f"as the model's input, greedy decoding:"]
    for scale in scales:
        crops = [render_crop(corpus.item_strokes(i), STROKE_SCALE, x_scale=scale) for i in lines]
        reads = [recognizer.decode(p, 0).text for p, _ in recognizer.posteriors(crops)]
        density = np.mean([c.shape[1] / STROKE_SCALE / len(t) for c, t in zip(crops, truth)])
        out.append(f"  x scale {scale:.2f}: {density:.1f} input px per character, CER {100 * score(truth, reads)['cer']:.2f}%")
    return out


def format_results(results, title=""):
    lines = [title] if title else []
    lines.append(f"{'set':<8}{'subset':<14}{'items':>7}{'CER':>9}{'WER':>9}{'exact':>9}")
    for name, subsets in results.items():
        for subset, s in subsets.items():
            label = "all" if subset == "all" else "unseen text"
            lines.append(f"{name:<8}{label:<14}{s['items']:>7}{100 * s['cer']:>8.2f}%"
                         f"{100 * s['wer']:>8.2f}%{100 * s['exact']:>8.2f}%")
    return "\n".join(lines)


def evaluate_file(model_path, data_dir=DEFAULT_DATA, beam_width=None, limit=0, report_path=None,
                  corpus=None, examples=20, lm_path="auto", source="raster"):
    """Evaluate a model file; print and (optionally) save the report.
    Returns (results, report text)."""
    recognizer = LineRecognizer(model_path, beam_width=beam_width, lm_path=lm_path)
    corpus = corpus if corpus is not None else Corpus(data_dir, with_strokes=source == "strokes")
    results, predictions = evaluate(recognizer, corpus, limit=limit, source=source)
    decoder = recognizer.describe_decoding()
    text = format_results(results, f"{model_path} on the UniPen test writers ({SOURCE_NAMES[source]}; {decoder}"
                                   f"{f', {limit} items per set' if limit else ''})")
    if predictions.get("lines"):
        text += "\n\ntest lines: the writers of the most character errors\n" + \
            "\n".join(hardest_writers(corpus, predictions["lines"]))
    sample = [f"  {t!r} -> {p!r}" for _, t, p in predictions.get("lines", [])[:examples]]
    if sample:
        text += "\n\nfirst test lines (truth -> read):\n" + "\n".join(sample)
    print(text)
    if report_path:
        write_text(report_path, text + "\n")
        print(f"[INFO] report written to {report_path}")
    return results, text


@cli_main
def main(argv=None):
    parser = line_model_parser(__doc__)
    parser.add_argument("--beam", type=int, default=None,
                        help="beam width (0: greedy; default: the language model's, or greedy without one)")
    parser.add_argument("--no-lm", action="store_true", help="ignore the language model beside the model file")
    parser.add_argument("--limit", type=int, default=0, help="at most this many items per set (0: all)")
    parser.add_argument("--source", choices=list(SOURCE_NAMES), default="raster",
                        help=f"read the {SOURCE_NAMES['raster']}, or the {SOURCE_NAMES['strokes']}")
    parser.add_argument("-o", "--output", help="also write the report to this text file")
    parser.add_argument("--density", action="store_true",
                        help="instead: the validation persons' lines re-rendered denser (no test writers)")
    args = parse_line_model_args(parser, argv)
    if args.density:
        print("\n".join(density_check(LineRecognizer(args.model, lm_path=None), Corpus(args.data))))
        return
    evaluate_file(args.model, args.data, args.beam, args.limit, args.output, lm_path=None if args.no_lm else "auto",
                  source=args.source)


if __name__ == "__main__":
    sys.exit(main())
