"""What ocr_handwriting.py does, as a testable function: load the models once, read
each image, print [INFO] lines, a JSON array or a JSON-lines results file, and show
or save the annotated pictures."""
import sys

from ..errors import EXIT_BAD_INPUT, InputError
from ..io.image import gather_images
from ..io.outputs import JsonArray, JsonLines, annotation_targets, identity
from ..io.annotate import with_text_panel
from ..io.window import display_screen, show
from .batch import Progress, default_jobs, outcomes
from .loading import load_reader
from .options import OutputOptions, ReaderOptions

EXIT_INTERRUPTED = 130


def run(image_args: list[str], options: ReaderOptions = ReaderOptions(), output: OutputOptions = OutputOptions(),
        out=sys.stdout, err=sys.stderr) -> int:
    """Returns the exit status: 0; 2 when any input was bad (the others are still
    read); 130 when interrupted (what was read so far is kept)."""
    paths, problems = gather_images(image_args, output.recursive)
    for problem in problems:
        print(f"[ERROR] {problem}", file=err)
    if not paths:
        return EXIT_BAD_INPUT
    try:
        screen = display_screen() if output.window and not (output.as_json or output.jsonl) else None
        targets = annotation_targets(paths, output.output, fallback=output.window and screen is None
                                     and not output.jsonl)
        sink = _sink(output, out)
        quiet = output.as_json or output.jsonl
        print("[INFO] loading handwriting OCR model...", file=err if quiet else out)
        reader = load_reader(options)
    except InputError as e:
        print(f"[ERROR] {e}", file=err)
        return EXIT_BAD_INPUT
    todo = [path for path in paths if not sink.done(path)]
    if len(todo) < len(paths):
        print(f"[INFO] {len(paths) - len(todo)} of {len(paths)} images are in {output.jsonl} already", file=err)
    if screen is None and not quiet and len(paths) > 1 and not output.output and output.window:
        print("[INFO] no display: pass -o FOLDER to save the annotated images", file=out)
    jobs = 1 if screen is not None else output.jobs or default_jobs()
    progress = Progress(len(todo), err)
    status = EXIT_BAD_INPUT if problems else 0
    try:
        for outcome in outcomes(reader, options, [(p, targets[p]) for p in todo], jobs, screen is not None):
            status = max(status, sink.add(outcome, err))
            progress.step()
            if screen is not None and outcome.canvas is not None:
                print("[INFO] press any key in the window (or close it) to go on", file=out)
                show(with_text_panel(outcome.canvas, outcome.page.text), screen)
    except KeyboardInterrupt:
        progress.finish()
        print(f"\n[INFO] interrupted: {progress.done} of {len(todo)} images were read", file=err)
        status = EXIT_INTERRUPTED
    else:
        progress.finish()
    finally:
        sink.close()
    return status


def _sink(output, out):
    if output.jsonl:
        return JsonLinesSink(JsonLines(output.jsonl, output.overwrite))
    return JsonSink(JsonArray(out)) if output.as_json else InfoSink(out)


class InfoSink:
    """The tutorial's [INFO] lines: each character and its confidence, then the text."""

    def __init__(self, out):
        self.out = out

    def done(self, path):
        return False

    def add(self, outcome, err):
        if outcome.page is not None:
            for c in outcome.page.characters:
                print(f"[INFO] {c.char} - {c.confidence * 100:.2f}%", file=self.out)
            print(f"[INFO] text of {outcome.path}:\n{outcome.page.text}", file=self.out)
        if outcome.saved:
            print(f"[INFO] annotated image saved to {outcome.saved}", file=self.out)
        return _error(outcome, err)

    def close(self):
        pass


class JsonSink(InfoSink):
    """One JSON array of pages on standard output."""

    def __init__(self, array):
        self.array = array

    def add(self, outcome, err):
        if outcome.page is not None:
            self.array.add(outcome.page.to_dict())
        if outcome.saved:
            print(f"[INFO] annotated image saved to {outcome.saved}", file=err)
        return _error(outcome, err)

    def close(self):
        self.array.close()


class JsonLinesSink(JsonSink):
    """A results file: each image's page, or its error, with what identifies the image."""

    def __init__(self, lines):
        self.lines = lines

    def done(self, path):
        return self.lines.done(path)

    def add(self, outcome, err):
        try:
            record = identity(outcome.path)
        except OSError:
            record = {"image": outcome.path}
        record.update(outcome.page.to_dict() if outcome.page is not None else {})
        if outcome.error:
            record["error"] = outcome.error
        self.lines.add(record)
        return _error(outcome, err)

    def close(self):
        self.lines.close()


def _error(outcome, err):
    if outcome.error:
        print(f"[ERROR] {outcome.error}", file=err)
        return EXIT_BAD_INPUT
    return 0
