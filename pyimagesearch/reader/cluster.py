"""Reading an archive on Ray (an optional extra: ``pip install -r requirements-cluster.txt``):
the reader as a Ray Data pipeline whose actors each load the models once, writing one
JSON-lines file per block. It runs unchanged on a local Ray and on a cluster, whose
nodes must see this repository, the models and the images at the same paths (shared
storage).

    python -m pyimagesearch.reader.cluster -i scans/ -o results/ [--address auto] [--actors 4]
"""
import argparse
import logging
import os
import sys
import time

from ..errors import InputError, cli_main
from ..io.image import gather_images
from ..io.outputs import identity
from ..places import REPO
from .batch import default_jobs, read_one
from .loading import load_reader
from .options import ReaderOptions

BATCH = 8   # images per call of an actor


class PageReader:
    """A Ray actor: the models, loaded once, reading batches of image paths."""

    def __init__(self, options: ReaderOptions):
        self.reader = load_reader(options)

    def __call__(self, batch: dict) -> dict:
        records = [record_of(read_one(self.reader, str(path), None)) for path in batch["path"]]
        return {key: [record[key] for record in records] for key in ("image", "size", "mtime_ns", "text", "page",
                                                                      "error")}


def record_of(outcome) -> dict:
    """One row of the results: what identifies the image, its text, the whole page
    as JSON (the --json shape), or the error."""
    import json
    try:
        record = identity(outcome.path)
    except OSError:
        record = {"image": outcome.path, "size": -1, "mtime_ns": -1}
    page = outcome.page.to_dict() if outcome.page is not None else None
    record.update(text=page["text"] if page else "", page=json.dumps(page) if page else "",
                  error=outcome.error or "")
    return record


def read_on_ray(paths: list[str], out_dir: str, options: ReaderOptions, actors: int):
    """Read ``paths`` with ``actors`` actors of the running Ray and write JSON lines to ``out_dir``."""
    import ray
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    rows = ray.data.from_items([{"path": path} for path in paths])
    pages = rows.map_batches(PageReader, fn_constructor_args=(options,), concurrency=actors, batch_size=BATCH)
    pages.write_json(out_dir)


@cli_main
def main(argv=None):
    defaults = ReaderOptions()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-i", "--image", nargs="+", action="extend", required=True,
                        help="images, folders of images, or .txt files listing one image path a line")
    parser.add_argument("-o", "--output", required=True, help="folder for the JSON-lines results (made if missing)")
    parser.add_argument("--address", default=None,
                        help="a Ray cluster's address ('auto': the one this machine belongs to; default: start "
                             "a local Ray)")
    parser.add_argument("--actors", type=int, default=0, help="reading actors (default: one per local core)")
    parser.add_argument("-m", "--model", default=defaults.model, help="the classifier (default: the shipped one)")
    parser.add_argument("--line-model", default=defaults.line_model, help="the line model (default: the shipped one)")
    parser.add_argument("-r", "--recursive", action="store_true", help="read sub-folders of folders too")
    args = parser.parse_args(argv)
    try:
        import ray
    except ImportError:
        raise InputError("Ray is not installed: pip install -r requirements-cluster.txt") from None
    paths, problems = gather_images(_expand_lists(args.image), args.recursive)
    paths = [os.path.abspath(path) for path in paths]   # as every node sees them
    for problem in problems:
        print(f"[ERROR] {problem}", file=sys.stderr)
    if not paths:
        raise InputError("no images to read")
    options = ReaderOptions(model=args.model, line_model=args.line_model)
    load_reader(options)   # a bad model is one line here, not an error in every actor
    start = time.monotonic()
    # the actors import this package from where this process does (the same path on every node)
    ray.init(address=args.address, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"PYTHONPATH": REPO}})
    print(f"[INFO] Ray started in {time.monotonic() - start:.1f} s; reading {len(paths)} images")
    read_on_ray(paths, args.output, options, args.actors or default_jobs())
    print(f"[INFO] {len(paths)} images read in {time.monotonic() - start:.1f} s; results in {args.output}")
    return 2 if problems else 0


def _expand_lists(inputs):
    """Each .txt input replaced by the paths it lists (one a line, blank lines skipped)."""
    paths = []
    for item in inputs:
        if item.endswith(".txt") and os.path.isfile(item):
            with open(item, encoding="utf-8") as f:
                paths.extend(line.strip() for line in f if line.strip())
        else:
            paths.append(item)
    return paths


if __name__ == "__main__":
    sys.exit(main())
