"""How a line model's reading moves with the beam search's width.

    python tools/beam_sweep.py -m line_model.keras [--widths 10 16 24 32 48]

reads the validation persons' tuning items (``lm_build.tuning_items``, the items
the language model and the word list are tuned on) with the model, its language
model and its word list at each width, and prints their CER on all the items and
on those of unseen text, beside the median time of a read of the first 100
UniPen test-writer lines (about 450 px wide) on the model's LiteRT twin, as
``bench/bench_reader.py`` times a line.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pyimagesearch.errors import InputError, cli_main  # noqa: E402

TIMED_LINES = 100


@cli_main
def main(argv=None):
    from pyimagesearch.models import store
    from pyimagesearch.recognition import data
    from pyimagesearch.recognition.config import LineTrainConfig
    from pyimagesearch.recognition.corpus import Corpus
    from pyimagesearch.recognition.lm_build import cer_pair, tuning_items
    from pyimagesearch.recognition.recognizer import LineRecognizer, charset_of
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-m", "--model", default=LineTrainConfig.model_path, help="line model (default: %(default)s)")
    parser.add_argument("--data", default=LineTrainConfig.data_dir, help="UniPen lines (default: %(default)s)")
    parser.add_argument("--widths", type=int, nargs="+", default=[10, 16, 24, 32, 48], help="beam widths")
    args = parser.parse_args(argv)
    if not os.path.isfile(args.model):
        raise InputError(f"{args.model}: no such model file")
    if min(args.widths) < 2:
        raise InputError("--widths: a beam is at least 2 wide")
    corpus = Corpus(args.data, with_strokes=False)
    train, val, texts, _ = data.person_split(corpus, charset_of(args.model), LineTrainConfig())
    tuning, unseen = tuning_items(corpus, texts, train, val)
    recognizer = LineRecognizer(args.model)
    if recognizer.lm is None:
        raise InputError(f"{args.model}: no language model beside it")
    posteriors = [np.asarray(p, np.float64) for p, _ in recognizer.posteriors([corpus.image(i) for i in tuning])]
    truths = [texts[i] for i in tuning]
    lines = [corpus.image(i) for i in range(len(corpus)) if corpus.test[i] and corpus.kind[i] == data.LINE][:TIMED_LINES]
    timed = LineRecognizer(store.lite_twin(args.model) or args.model)
    timed.read(lines[0])   # untimed: LiteRT allocation
    print(f"{len(tuning)} validation items ({sum(unseen)} of unseen text); {len(lines)} timed test lines")
    print("width  CER all  CER unseen  ms per line")
    for width in args.widths:
        reads = [recognizer.decode(p, width).text for p in posteriors]
        times = []
        for line in lines:
            start = time.perf_counter()
            timed.read(line, width)
            times.append(time.perf_counter() - start)
        every, new = cer_pair(truths, reads, unseen)
        print(f"{width:5d}  {100 * every:6.2f}%  {100 * new:9.2f}%  "
              f"{1000 * statistics.median(times):11.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
